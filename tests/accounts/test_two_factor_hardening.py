"""Issue 13, finding 8: hashed backup codes, re-authentication before the second factor changes, one answer
for every failed sign-in, a per-account lockout across addresses, and deploy checks for the login settings."""

import hashlib
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cso_press.accounts import checks
from cso_press.accounts.auth_backends import client_ip
from cso_press.accounts.models import BackupCode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
CODE_PATTERN = re.compile(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>")


@pytest.fixture
def editor():
    return UserFactory(username="editor")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "000000" if current_code(device) != "000000" else "111111"


def turn_on(client, user) -> tuple[TOTPDevice, list[str]]:
    client.force_login(user)
    client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": current_code(device)})
    device.refresh_from_db()
    assert device.confirmed
    return device, CODE_PATTERN.findall(response.content.decode())


def signed_in_with_second_factor(user, device) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def sign_in(client, *, username="editor", password=PASSWORD, token="", address="203.0.113.7", **extra):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "otp_token": token, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
        **extra,
    )


class VisiblePage(HTMLParser):
    """What a person sees on a page (its text), and which form fields come back filled in."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.filled: set[str] = set()
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"script", "style", "svg"}:
            self._hidden_depth += 1
        if tag == "input" and attrs.get("type") not in {"hidden", "submit"} and attrs.get("value"):
            self.filled.add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag in {"script", "style", "svg"}:
            self._hidden_depth -= 1

    def handle_data(self, data):
        if not self._hidden_depth and data.strip():
            self.text.append(" ".join(data.split()))


def visible(response) -> tuple[int, str, frozenset[str]]:
    page = VisiblePage()
    page.feed(response.content.decode())
    return response.status_code, " ".join(page.text), frozenset(page.filled)


# --- Backup codes are kept only as digests ---------------------------------------------------------------


def test_backup_codes_are_stored_only_as_keyed_digests(client, editor):
    _device, codes = turn_on(client, editor)
    plain = {code.replace("-", "") for code in codes}

    stored = set(BackupCode.objects.filter(device__user=editor).values_list("code_hash", flat=True))

    assert len(stored) == 10
    assert not StaticToken.objects.exists()
    assert not stored & plain
    assert not any(code in digest for digest in stored for code in plain)
    # Not a bare hash of the code either, which trying every eight-letter code would reverse.
    assert not stored & {hashlib.sha256(code.encode()).hexdigest() for code in plain}


def test_a_hashed_backup_code_signs_in_once_and_is_then_marked_used(client, editor):
    _device, codes = turn_on(client, editor)
    client.logout()

    assert sign_in(Client(), token=codes[2]).status_code == 302
    again = sign_in(Client(), token=codes[2])

    assert again.status_code == 200
    assert "Signing in failed." in again.content.decode()
    assert BackupCode.objects.filter(device__user=editor, used_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_plain_backup_codes_which_keep_working():
    executor = MigrationExecutor(connection)
    target = ("events", "0011_backup_codes")
    # Just before this migration, whatever number the migrations before it end up with.
    parents = [parent.key for parent in executor.loader.graph.node_map[target].parents]
    executor.migrate([key for key in parents if key[0] == "events"])
    old_apps = executor.loader.project_state(parents).apps
    user = old_apps.get_model("auth", "User").objects.create(username="editor", is_staff=True)
    device = old_apps.get_model("otp_static", "StaticDevice").objects.create(user=user, name="Backup codes")
    for token in ["abcd2345", "efgh6723"]:
        old_apps.get_model("otp_static", "StaticToken").objects.create(device=device, token=token)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not StaticToken.objects.exists()
    stored = set(BackupCode.objects.filter(device__user_id=user.pk).values_list("code_hash", flat=True))
    assert len(stored) == 2 and not stored & {"abcd2345", "efgh6723"}
    migrated = get_user_model().objects.get(pk=user.pk)
    migrated.set_password(PASSWORD)
    migrated.save()
    TOTPDevice.objects.create(user=migrated, name="Phone", confirmed=True)
    assert sign_in(Client(), token="ABCD-2345").status_code == 302
    assert BackupCode.objects.filter(used_at__isnull=True).count() == 1


# --- A session alone cannot change the second factor -----------------------------------------------------


def test_a_session_alone_cannot_make_new_backup_codes(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, device)

    bare = client.post(reverse("admin:two_factor_backup_codes"))
    code_only = client.post(
        reverse("admin:two_factor_backup_codes"),
        {"renew-password": "not the password", "renew-current_token": current_code(device)},
    )

    assert bare.status_code == code_only.status_code == 200
    assert "Your password or the code is not right." in code_only.content.decode()
    assert CODE_PATTERN.findall(bare.content.decode()) == CODE_PATTERN.findall(code_only.content.decode()) == []
    assert not BackupCode.objects.exists()


def test_new_backup_codes_with_the_password_and_the_current_code(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, device)

    response = client.post(
        reverse("admin:two_factor_backup_codes"),
        {"renew-password": PASSWORD, "renew-current_token": current_code(device)},
    )

    assert len(CODE_PATTERN.findall(response.content.decode())) == 10


def test_a_session_and_a_code_without_the_password_cannot_remove_two_factor(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, device)
    code = current_code(device)

    response = client.post(
        reverse("admin:two_factor_remove"),
        {"otp_token": code, "remove-current_token": code, "remove-password": "not the password"},
    )

    assert response.status_code == 200
    assert "Your password or the code is not right." in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_a_session_and_the_password_without_a_code_cannot_remove_two_factor(editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, device)

    response = client.post(
        reverse("admin:two_factor_remove"),
        {"otp_token": wrong_code(device), "remove-password": PASSWORD, "remove-current_token": wrong_code(device)},
    )

    assert response.status_code == 200
    assert "Your password or the code is not right." in response.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()


def test_a_session_alone_cannot_replace_the_authenticator(editor):
    old = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, old)
    client.get(reverse("admin:two_factor_setup"))
    attacker_app = TOTPDevice.objects.get(user=editor, confirmed=False)

    without_password = client.post(reverse("admin:two_factor_setup"), {"otp_token": current_code(attacker_app)})
    without_old_code = client.post(
        reverse("admin:two_factor_setup"), {"password": PASSWORD, "otp_token": current_code(attacker_app)}
    )

    assert without_password.status_code == without_old_code.status_code == 200
    assert "This field is required." in without_old_code.content.decode()
    assert list(TOTPDevice.objects.filter(user=editor, confirmed=True).values_list("pk", flat=True)) == [old.pk]


def test_replacing_the_authenticator_with_the_password_and_the_old_apps_code(editor):
    old = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, old)
    client.get(reverse("admin:two_factor_setup"))
    new = TOTPDevice.objects.get(user=editor, confirmed=False)

    response = client.post(
        reverse("admin:two_factor_setup"),
        {"password": PASSWORD, "current_token": current_code(old), "otp_token": current_code(new)},
    )

    assert len(CODE_PATTERN.findall(response.content.decode())) == 10
    assert list(TOTPDevice.objects.filter(user=editor).values_list("pk", flat=True)) == [new.pk]


def test_the_first_set_up_asks_for_the_password(client, editor):
    client.force_login(editor)
    client.get(reverse("admin:two_factor_setup"))
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    response = client.post(reverse("admin:two_factor_setup"), {"otp_token": current_code(device)})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_re_authentication_is_throttled_like_the_login(settings, editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    client = signed_in_with_second_factor(editor, device)
    url = reverse("admin:two_factor_remove")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url, {"remove-password": "guess", "remove-current_token": wrong_code(device)}, REMOTE_ADDR="1.2.3.4"
        )

    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):  # past the device's own wait
        device.refresh_from_db()
        right = client.post(
            url, {"remove-password": PASSWORD, "remove-current_token": current_code(device)}, REMOTE_ADDR="1.2.3.4"
        )

    assert right.status_code == 200
    assert "Your password or the code is not right." in right.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


# --- One answer for every failed sign-in ----------------------------------------------------------------


def test_every_failed_sign_in_gets_the_same_answer(settings, editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):  # lock the pair (editor, 198.51.100.50)
        sign_in(Client(), password="guess", address="198.51.100.50")

    answers = {
        "unknown user": sign_in(Client(), username="nobody", address="198.51.100.1"),
        "wrong password": sign_in(Client(), password="guess", token=current_code(device), address="198.51.100.2"),
        "no code": sign_in(Client(), address="198.51.100.3"),
        "wrong code": sign_in(Client(), token=wrong_code(device), address="198.51.100.4"),
        "backup code that is not one": sign_in(Client(), token="zzzz-zzzz", address="198.51.100.5"),
        "locked out": sign_in(Client(), token=current_code(device), address="198.51.100.50"),
    }

    seen = {name: visible(response) for name, response in answers.items()}
    assert len(set(seen.values())) == 1, seen
    status, text, filled = seen["wrong code"]
    assert status == 200
    assert "Signing in failed." in text
    assert filled == {"username"}
    assert {response.templates[0].name for response in answers.values()} == {"admin/login_two_factor.html"}


def test_wrong_codes_count_as_failed_sign_ins_for_the_lockout(settings, editor):
    device = TOTPDevice.objects.create(user=editor, name="Phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), token=wrong_code(device))

    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):  # past the device's own wait
        device.refresh_from_db()
        response = sign_in(Client(), token=current_code(device))

    assert response.status_code == 200
    assert "Signing in failed." in response.content.decode()


# --- The account is locked after too many failures from any addresses ----------------------------------


@pytest.mark.parametrize("rotate", ["REMOTE_ADDR", "X-Forwarded-For"])
def test_failures_spread_over_many_addresses_lock_the_account(client, settings, editor, rotate):
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    for n in range(25):
        if rotate == "REMOTE_ADDR":
            sign_in(Client(), password="guess", address=f"192.0.2.{n + 1}")
        else:  # a client that reaches the site directly, writing its own header each time
            sign_in(Client(), password="guess", address="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")

    response = sign_in(client, address="198.51.100.200")

    assert response.status_code == 200
    assert "Signing in failed." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_account_limit_leave_the_owner_able_to_sign_in(client, settings, editor):
    for n in range(settings.CSO_LOGIN_ACCOUNT_FAILURE_LIMIT - 1):
        sign_in(Client(), password="guess", address=f"192.0.2.{n + 1}")

    assert sign_in(client, address="198.51.100.200").status_code == 302


def test_an_administrator_unlocks_the_account_with_axes_reset_username(client, settings, editor):
    for n in range(settings.CSO_LOGIN_ACCOUNT_FAILURE_LIMIT):
        sign_in(Client(), password="guess", address=f"192.0.2.{n + 1}")
    assert sign_in(Client(), address="198.51.100.200").status_code == 200

    call_command("axes_reset_username", "editor")

    assert sign_in(client, address="198.51.100.200").status_code == 302


def test_the_account_lock_ends_with_the_cool_off_time(client, settings, editor):
    for n in range(settings.CSO_LOGIN_ACCOUNT_FAILURE_LIMIT):
        sign_in(Client(), password="guess", address=f"192.0.2.{n + 1}")

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1), tick=False):
        assert sign_in(client, address="198.51.100.200").status_code == 302


# --- Forwarded addresses are read only from declared proxies -------------------------------------------


def test_with_declared_proxies_the_forwarded_address_is_read_only_from_them(settings):
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/24", "::1"]
    factory = RequestFactory()

    through_proxy = factory.post("/", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="192.0.2.10")
    direct = factory.post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.10")

    assert client_ip(through_proxy) == "192.0.2.10"
    assert client_ip(direct) == "203.0.113.9"


def test_a_direct_client_rotating_x_forwarded_for_is_locked_out_when_proxies_are_declared(client, settings, editor):
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(), password="guess", address="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1")

    response = sign_in(client, address="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.99.1")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- check --deploy --------------------------------------------------------------------------------------


def deploy_issue_ids() -> set[str]:
    return {issue.id for issue in run_checks(include_deployment_checks=True) if issue.id.startswith("accounts.")}


def test_deploy_check_warns_about_a_proxy_count_without_declared_proxies(settings):
    settings.CSO_ADMIN_PATH = "newsroom-7f3k/"
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = []
    assert deploy_issue_ids() == {"accounts.W001"}

    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    assert deploy_issue_ids() == set()

    settings.CSO_TRUSTED_PROXY_COUNT = 0
    settings.CSO_TRUSTED_PROXY_ADDRESSES = []
    assert deploy_issue_ids() == set()


def test_deploy_check_refuses_a_trusted_proxy_that_is_not_an_address(settings):
    settings.CSO_ADMIN_PATH = "newsroom-7f3k/"
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["nginx.local"]

    assert deploy_issue_ids() == {"accounts.E001"}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")) == (
        "203.0.113.9"
    )


def test_deploy_check_warns_about_the_default_admin_path(settings):
    settings.CSO_ADMIN_PATH = "admin/"
    assert deploy_issue_ids() == {"accounts.W002"}
    assert "DJANGO_ADMIN_PATH" in checks.check_admin_path()[0].hint

    settings.CSO_ADMIN_PATH = "newsroom-7f3k/"
    assert deploy_issue_ids() == set()


def test_the_checks_run_only_with_deploy(settings):
    settings.CSO_ADMIN_PATH = "admin/"
    settings.CSO_TRUSTED_PROXY_COUNT = 1

    assert {issue.id for issue in run_checks() if issue.id.startswith("events.")} == set()


def test_the_failed_sign_in_answer_speaks_russian(editor):
    response = sign_in(Client(), password="guess", headers={"accept-language": "ru"})

    assert "Войти не удалось." in response.content.decode()


def test_an_administrator_sees_how_many_backup_codes_are_left_but_never_the_codes(admin_client, client, editor):
    _device, codes = turn_on(client, editor)

    listing = admin_client.get(reverse("admin:accounts_backupcodedevice_changelist")).content.decode()
    digests = BackupCode.objects.values_list("code_hash", flat=True)

    assert "editor" in listing
    assert ">10<" in listing
    assert not any(code in listing for code in codes)
    assert not any(digest in listing for digest in digests)


def test_a_mistyped_new_code_does_not_use_up_the_backup_code_given_as_the_current_one(client, editor):
    old, codes = turn_on(client, editor)
    client.get(reverse("admin:two_factor_setup"))
    new = TOTPDevice.objects.get(user=editor, confirmed=False)

    client.post(
        reverse("admin:two_factor_setup"),
        {"password": PASSWORD, "current_token": codes[0], "otp_token": wrong_code(new)},
    )

    assert BackupCode.objects.filter(device__user=editor, used_at__isnull=True).count() == 10
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):  # past the wait a miss causes
        new.refresh_from_db()
        client.post(
            reverse("admin:two_factor_setup"),
            {"password": PASSWORD, "current_token": codes[0], "otp_token": current_code(new)},
        )
    assert list(TOTPDevice.objects.filter(user=editor).values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk
