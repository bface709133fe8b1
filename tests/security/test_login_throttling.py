"""Admin login attempts are throttled per user name and address (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def editor():
    return get_user_model().objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)


def attempt(client, password, username="editor", address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "wrong password")
        assert response.status_code == 200
        assert "Signing in failed." in response.content.decode()

    locked = attempt(client, "wrong password")
    assert locked.status_code == 200
    assert "Signing in failed." in locked.content.decode()

    # Locked out, the right password gets the answer any failure gets, and no session.
    with_right_password = attempt(client, PASSWORD)
    assert with_right_password.status_code == 200
    assert "Signing in failed." in with_right_password.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_applies_to_the_pair_so_others_cannot_lock_an_editor_out_from_elsewhere(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "wrong password", address="198.51.100.99")

    response = attempt(client, PASSWORD, address="203.0.113.7")

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_a_successful_login_resets_the_failure_count(client, settings, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "wrong password")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "wrong password").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302


def test_client_address_comes_from_the_trusted_proxy_entry_only(client, settings, editor):
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "editor", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.10",
        )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.10"]


def test_test_client_and_shell_logins_still_work_with_throttling_on(client, editor):
    assert client.login(username="editor", password=PASSWORD) is True
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_lives_at_the_configured_path(settings):
    assert reverse("admin:index") == "/" + settings.CSO_ADMIN_PATH
