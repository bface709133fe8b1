"""Optional TOTP two-factor admin login, required for the groups named in CSO_REQUIRE_2FA_GROUPS."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("editor", "editor@example.org", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.create(name="Editors"))
    return user


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def sign_in(client, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")},
    )


def test_without_the_requirement_or_a_device_a_password_is_enough(client, editor):
    response = sign_in(client)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_login_page_offers_a_field_for_the_authenticator_code(client):
    html = client.get(reverse("admin:login")).content.decode()

    assert 'name="otp_token"' in html
    assert 'autocomplete="one-time-code"' in html


def test_a_required_group_without_a_device_signs_in_only_to_set_it_up(client, settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]

    response = sign_in(client)

    # The password opens a session, but the admin shows nothing except the set-up page.
    assert response.status_code == 302
    index = client.get(reverse("admin:index"))
    assert index.status_code == 302
    assert index["Location"] == reverse("admin:two_factor_setup")
    assert "Your account must use two-factor login" in client.get(index["Location"]).content.decode()


def test_a_required_group_needs_the_current_code(client, settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)

    # The clock stands still, so "too soon" below is too soon however slowly the machine runs the test.
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        missing = sign_in(client)
        assert "Signing in failed." in missing.content.decode()
        wrong = sign_in(client, token="000000" if current_code(device) != "000000" else "111111")
        assert "Signing in failed." in wrong.content.decode()
        assert "_auth_user_id" not in client.session

        # Each wrong code makes the device wait before it checks another one, which stops guessing.
        too_soon = sign_in(client, token=current_code(device))
        assert "Signing in failed." in too_soon.content.decode()
        assert "_auth_user_id" not in client.session

    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        right = sign_in(client, token=current_code(device))
        assert right.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_without_the_second_factor_is_sent_back_to_log_in(client, settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client.force_login(editor)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anyone_with_a_confirmed_device_is_asked_for_a_code(client, editor):
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)

    response = sign_in(client)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_superusers_can_be_required_to_use_two_factor(client, settings):
    settings.CSO_REQUIRE_2FA_SUPERUSERS = True
    get_user_model().objects.create_superuser("editor", "chief@example.org", PASSWORD)

    sign_in(client)

    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:two_factor_setup")


def test_without_the_superuser_requirement_a_superuser_is_not_held_at_set_up(client, settings):
    settings.CSO_REQUIRE_2FA_SUPERUSERS = False
    get_user_model().objects.create_superuser("editor", "chief@example.org", PASSWORD)

    sign_in(client)

    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
