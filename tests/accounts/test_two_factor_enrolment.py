"""Staff set up, renew and remove their own two-factor login on the admin page "Two-factor login"."""

import re
from base64 import b32encode
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cso_press.accounts.models import BackupCode
from events.models import AuditLogEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
CODE_PATTERN = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture
def editor():
    user = UserFactory(username="editor")
    user.groups.add(Group.objects.create(name="Editors"))
    return user


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def pending_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def turn_on(client, user) -> list[str]:
    """Open the set-up page, type the password and the app's current code; returns the backup codes shown."""
    client.get(reverse("admin:two_factor_setup"))
    response = client.post(
        reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": current_code(pending_device(user))}
    )
    assert response.status_code == 200
    return CODE_PATTERN.findall(response.content.decode())


def unused_codes(user) -> int:
    return BackupCode.objects.filter(device__user=user, used_at__isnull=True).count()


def sign_in(client, token=""):
    return client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")},
    )


def signed_in_with_second_factor(client, user, device):
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_user_tools_link_to_the_page_which_says_two_factor_login_is_off(signed_in):
    index = signed_in.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:two_factor")}"' in index

    html = signed_in.get(reverse("admin:two_factor")).content.decode()

    assert "Two-factor login is off." in html
    assert reverse("admin:two_factor_setup") in html


def test_the_pages_need_a_staff_login(client):
    for name in ["two_factor", "two_factor_setup"]:
        response = client.get(reverse(f"admin:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not TOTPDevice.objects.exists()


def test_the_set_up_page_shows_a_qr_code_and_the_key_as_text(signed_in, editor):
    response = signed_in.get(reverse("admin:two_factor_setup"))
    html = response.content.decode()

    device = pending_device(editor)
    assert not device.confirmed
    svg = re.search(r'<svg [^>]*class="cso-qr".*?</svg>', html, re.S)
    assert svg and "<path" in svg.group(0)
    assert "style=" not in svg.group(0)
    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'<code class="cso-two-factor__secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert shown.replace(" ", "") == secret
    assert f"secret={secret}" in device.config_url
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_reloading_the_set_up_page_keeps_the_same_key(signed_in, editor):
    signed_in.get(reverse("admin:two_factor_setup"))
    first = pending_device(editor).key
    signed_in.get(reverse("admin:two_factor_setup"))

    assert pending_device(editor).key == first
    assert TOTPDevice.objects.filter(user=editor).count() == 1


@pytest.mark.parametrize("typed", ["wrong", "letters", "empty"])
def test_a_wrong_code_is_a_form_error_and_the_device_stays_unconfirmed(signed_in, editor, typed):
    signed_in.get(reverse("admin:two_factor_setup"))
    device = pending_device(editor)
    token = {"wrong": wrong_code(device), "letters": "abcdefgh", "empty": ""}[typed]

    response = signed_in.post(reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": token})

    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not BackupCode.objects.exists()


def test_the_right_code_turns_it_on_and_shows_ten_backup_codes_once(signed_in, editor):
    codes = turn_on(signed_in, editor)

    device = TOTPDevice.objects.get(user=editor)
    assert device.confirmed
    assert len(codes) == 10 == len(set(codes))
    assert unused_codes(editor) == 10
    # This session proved the second factor, so the rest of the admin stays open.
    assert signed_in.get(reverse("admin:index")).status_code == 200
    status = signed_in.get(reverse("admin:two_factor")).content.decode()
    assert "Two-factor login is on." in status
    assert "You have 10 unused backup codes." in status
    assert codes[0] not in status
    assert AuditLogEntry.objects.filter(action="auth.two_factor.enabled", actor=editor).exists()


def test_a_throttled_set_up_says_so_instead_of_failing(signed_in, editor):
    signed_in.get(reverse("admin:two_factor_setup"))
    device = pending_device(editor)
    signed_in.post(reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": wrong_code(device)})

    response = signed_in.post(
        reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": current_code(device)}
    )

    assert response.status_code == 200
    assert "Verification temporarily disabled" in response.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        device.refresh_from_db()
        signed_in.post(reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_a_backup_code_signs_in_once(client, editor):
    client.force_login(editor)
    codes = turn_on(client, editor)
    client.logout()

    first = sign_in(client, token=codes[0])
    assert first.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200

    client.logout()
    again = sign_in(Client(), token=codes[0])
    assert again.status_code == 200
    assert "Signing in failed." in again.content.decode()
    assert unused_codes(editor) == 9


def test_a_backup_code_may_be_typed_without_the_dash_and_in_capitals(client, editor):
    client.force_login(editor)
    codes = turn_on(client, editor)
    client.logout()

    response = sign_in(client, token=codes[3].replace("-", " ").upper())

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_letters_from_someone_without_backup_codes_are_a_wrong_code(client, editor):
    TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)

    response = sign_in(client, token="abcdefgh")

    assert "Signing in failed." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_new_backup_codes_replace_the_old_ones(client, editor):
    client.force_login(editor)
    old = turn_on(client, editor)

    response = client.post(
        reverse("admin:two_factor_backup_codes"), {"renew-password": PASSWORD, "renew-current_token": old[5]}
    )
    new = CODE_PATTERN.findall(response.content.decode())

    assert len(new) == 10 and not set(new) & set(old)
    assert "They are shown only now" in response.content.decode()
    assert AuditLogEntry.objects.filter(action="auth.two_factor.backup_codes_renewed").count() == 1
    client.logout()
    assert sign_in(client, token=old[0]).status_code == 200
    assert "_auth_user_id" not in client.session
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):  # past the wait a miss causes
        assert sign_in(client, token=new[0]).status_code == 302


def test_actions_need_a_post_with_a_csrf_token(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(Client(enforce_csrf_checks=True), editor, device)

    assert client.get(reverse("admin:two_factor_backup_codes")).status_code == 405
    assert client.get(reverse("admin:two_factor_remove")).status_code == 405
    code = current_code(device)
    assert (
        client.post(
            reverse("admin:two_factor_backup_codes"), {"renew-password": PASSWORD, "renew-current_token": code}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("admin:two_factor_remove"), {"remove-password": PASSWORD, "remove-current_token": code}
        ).status_code
        == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert not BackupCode.objects.exists()


def test_removing_it_needs_a_valid_code(client, editor):
    client.force_login(editor)
    codes = turn_on(client, editor)
    device = TOTPDevice.objects.get(user=editor)

    wrong = client.post(
        reverse("admin:two_factor_remove"), {"remove-password": PASSWORD, "remove-current_token": "zzzz-zzzz"}
    )
    assert wrong.status_code == 200
    assert "Your password or the code is not right." in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()

    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):  # past the wait a miss causes
        right = client.post(
            reverse("admin:two_factor_remove"),
            {"remove-password": PASSWORD, "remove-current_token": codes[1]},
            follow=True,
        )
    assert "Two-factor login was removed." in right.content.decode()
    assert "Two-factor login is off." in right.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not BackupCode.objects.exists()
    assert AuditLogEntry.objects.filter(action="auth.two_factor.removed", actor=editor).exists()
    client.logout()
    assert sign_in(client).status_code == 302


def test_removing_it_with_the_authenticator_code(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(Client(), editor, device)

    response = client.post(
        reverse("admin:two_factor_remove"), {"remove-password": PASSWORD, "remove-current_token": current_code(device)}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_removing_it_is_refused_where_it_is_required(settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(Client(), editor, device)
    assert "cannot be removed" in client.get(reverse("admin:two_factor")).content.decode()

    response = client.post(
        reverse("admin:two_factor_remove"),
        {"remove-password": PASSWORD, "remove-current_token": current_code(device)},
        follow=True,
    )

    assert "Your account must use two-factor login, so it cannot be removed." in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_a_required_user_without_a_device_is_held_at_set_up_until_it_is_done(client, settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    assert sign_in(client).status_code == 302

    for url in [
        reverse("admin:index"),
        reverse("admin:events_event_changelist"),
        reverse("admin:password_change"),
        reverse("admin:two_factor_backup_codes"),
        reverse("trash"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("admin:two_factor_setup"), url
    setup = client.get(reverse("admin:two_factor_setup")).content.decode()
    assert "the rest of the admin opens once it is done" in setup

    codes = turn_on(client, editor)

    assert len(codes) == 10
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:password_change")).status_code == 200


def test_a_required_user_can_sign_out_before_setting_it_up(client, settings, editor):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    sign_in(client)

    client.post(reverse("admin:logout"))

    assert "_auth_user_id" not in client.session


def test_a_new_authenticator_replaces_the_old_one_only_once_confirmed(client, editor):
    old = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    signed_in_with_second_factor(client, editor, old)

    client.get(reverse("admin:two_factor_setup"))
    new = pending_device(editor)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()

    client.post(
        reverse("admin:two_factor_setup"),
        {"password": PASSWORD, "current_token": current_code(old), "otp_token": current_code(new)},
    )

    assert list(TOTPDevice.objects.filter(user=editor).values_list("pk", "confirmed")) == [(new.pk, True)]
    # The session moved to the new device, so it stays signed in.
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_pages_speak_russian(signed_in, editor):
    status = signed_in.get(reverse("admin:two_factor"), headers={"accept-language": "ru"}).content.decode()
    assert "Двухфакторный вход выключен." in status

    setup = signed_in.get(reverse("admin:two_factor_setup"), headers={"accept-language": "ru"}).content.decode()
    assert "Введите шесть цифр, которые приложение сейчас показывает" in setup
    assert "Код из приложения-аутентификатора" in setup

    codes_page = signed_in.post(
        reverse("admin:two_factor_setup"),
        {"password": PASSWORD, "otp_token": current_code(pending_device(editor))},
        headers={"accept-language": "ru"},
    ).content.decode()
    assert "Они показаны только сейчас." in codes_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_a_required_user_sets_it_up_at_first_sign_in_without_csp_errors(live_server, page, settings):
    settings.CSO_REQUIRE_2FA_GROUPS = ["Editors"]
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.create(name="Editors"))
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:two_factor_setup"))
    qr = page.locator("svg.cso-qr")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 100
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", current_code(pending_device(editor)))
    page.click("input[type=submit].default")

    assert page.locator(".cso-backup-codes li").count() == 10
    page.click("text=I have stored them: continue")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert [p for p in problems if "Content Security Policy" in p] == []
