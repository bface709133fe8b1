"""Every admin page and action, for every role and every state of a release, against ONE permission table.

``PERMISSIONS`` below is the rule book; README's "Who may do what" table must say the same (checked here).
``URLS`` files every admin URL pattern under a row of that table: a URL pattern added without an entry fails
``test_every_admin_url_is_in_the_table``, so nobody can add a page that escapes this check.

Each URL is probed with GET and an empty POST, inside a transaction rolled back after the request, so a probe
that is allowed to act (publish, translate) leaves nothing behind for the next one. "Allowed" is 200, or a
redirect anywhere but the login page (or a 400 for bad input); "refused" is 403, 404 or the login page.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cso_press.accounts.models import BackupCodeDevice
from events.audit import audit_log
from events.models import ArchiveJob, Attachment, AuditLogEntry, EmbargoLink, Event, SiteIdentity
from events.permissions import TRANSITIONS
from events.services import embargo_links
from presslist.models import Journalist
from presslist.services import press_sends_queue
from subscriptions.models import Announcement, SendingSwitch, Subscriber, Suppression
from tests.events.roles import user_in
from tests.factories import EventFactory, OrganizationFactory, PersonFactory, PhotoFactory, UserFactory

pytestmark = pytest.mark.django_db

AUTHOR, EDITOR, PHOTO, ADMINISTRATOR = "Author", "Editor", "Photo and contacts staff", "Administrator"
ROLES = [AUTHOR, EDITOR, PHOTO, ADMINISTRATOR]
STATES = ["draft", "in review", "scheduled", "published", "withdrawn"]

# The rule book. A cell is "yes", "no", "read" (may look, not change) or the release states in which the role
# may do it. README.md carries the same table (see test_readme_states_the_same_rules).
PERMISSIONS = {
    "see": ("Open the admin; see releases, dashboard, calendar, preview, history", "yes", "yes", "yes", "yes"),
    "create": ("Write a new release; translate one (a new draft)", "yes", "yes", "no", "yes"),
    "edit": ("Edit a release's text, people and contacts; revert to a revision", "draft", "yes", "no", "yes"),
    "submit": ("Submit for review", "draft", "draft", "no", "draft"),
    "publish": ("Publish now, force publish, send back to the author", "no", "in review", "no", "in review"),
    "schedule": ("Schedule, or move a scheduled time", "no", "in review, scheduled", "no", "in review, scheduled"),
    "withdraw": ("Withdraw", "no", "scheduled, published", "no", "scheduled, published"),
    "republish": ("Publish a withdrawn release again", "no", "withdrawn", "no", "withdrawn"),
    "media": ("Upload, describe and order photos and documents; choose the cover", "draft", "yes", "draft", "yes"),
    "media_delete": ("Delete photos and documents", "no", "yes", "draft", "yes"),
    "media_add_elsewhere": ("Add a file anywhere but a release's upload page", "no", "no", "no", "no"),
    "restore": ("Restore a deleted release (as a draft)", "no", "yes", "no", "yes"),
    "delete": ("Delete a release", "no", "no", "no", "yes"),
    "embargo": ("Create and revoke embargo links", "no", "yes", "no", "yes"),
    "embargo_list": ("See embargo links", "no", "read", "no", "read"),
    "audit": ("See the audit log", "no", "read", "no", "read"),
    "audit_write": ("Change or delete the audit log", "no", "no", "no", "no"),
    "directory": ("People, organisations, phone numbers", "read", "read", "yes", "yes"),
    "directory_add": ("Add a missing person, organisation or press contact", "yes", "yes", "yes", "yes"),
    "sections": ("Sections", "read", "read", "read", "yes"),
    "accounts": ("Users, groups, two-factor devices, login records", "no", "no", "no", "yes"),
    "records_by_hand": ("Write login records or backup codes by hand", "no", "no", "no", "no"),
    "own_account": ("Own password, two-factor login, signing out", "yes", "yes", "yes", "yes"),
    "archive": ("Make and download backup archives (superusers only)", "no", "no", "no", "no"),
    "identity": ("The site's name, short name, logo and footer line", "no", "no", "no", "yes"),
    "identity_more": ("Add a second site identity, or delete it", "no", "no", "no", "no"),
    "presslist": ("The press list: accredited journalists", "no", "yes", "no", "yes"),
    "presslist_sends": ("See a release's press list sends and who opened their link", "no", "read", "no", "read"),
    "presslist_send": ("Send to the press list, revoke a journalist's link, send again", "no", "yes", "no", "yes"),
    "alerts_see": ("See e-mail alert subscribers and the subscribers per topic", "no", "read", "no", "read"),
    "alerts_delete": ("Delete an e-mail alert subscriber", "no", "no", "no", "yes"),
    "alerts_by_hand": ("Add or change a subscriber, or a second sending switch, by hand", "no", "no", "no", "no"),
    "suppression": ("Add and remove suppressed e-mail addresses", "no", "yes", "no", "yes"),
    "sending_switch": ("Pause and resume the sending of e-mail alerts", "no", "yes", "no", "yes"),
    "send_log": ("See a release's e-mail send log, send its alert to oneself as a test", "no", "yes", "no", "yes"),
}

# How a URL is probed: "page" needs only to look (GET and POST alike); "form" shows read-only on GET and
# needs the right to change on POST; "write" needs the right to change for GET and POST; "read" is a page
# nobody may POST to.
PAGE, FORM, WRITE, READ = "page", "form", "write", "read"


def model_urls(prefix: str, *, view: str, change: str, add: str, delete: str, change_kind: str = FORM) -> dict:
    return {
        f"{prefix}_changelist": (view, PAGE),
        f"{prefix}_add": (add, WRITE),
        f"{prefix}_history": (view, PAGE),
        f"{prefix}_delete": (delete, WRITE),
        # A change page opens (read-only) for whoever may see the list; saving it needs the change row.
        f"{prefix}_change": (change, change_kind, view),
    }


# URL name (or route, for unnamed ones) -> (row of PERMISSIONS, probe kind). The release's transition URL is
# filed once per transition.
URLS = {
    "index": ("see", PAGE),
    "login": ("own_account", PAGE),
    "logout": ("own_account", PAGE),
    "password_change": ("own_account", PAGE),
    "password_change_done": ("own_account", PAGE),
    "two_factor": ("own_account", PAGE),
    "two_factor_setup": ("own_account", PAGE),
    "two_factor_backup_codes": ("own_account", PAGE),
    "two_factor_remove": ("own_account", PAGE),
    "autocomplete": ("see", PAGE),
    "jsi18n": ("see", PAGE),
    "view_on_site": ("see", PAGE),
    "app_list:events": ("see", PAGE),
    "app_list:accounts": ("accounts", PAGE),
    "app_list:auth": ("accounts", PAGE),
    "app_list:axes": ("accounts", PAGE),
    "app_list:otp_totp": ("accounts", PAGE),
    "app_list:otp_static": ("accounts", PAGE),
    "app_list:presslist": ("presslist", PAGE),
    "app_list:subscriptions": ("alerts_see", PAGE),
    "trash": ("restore", WRITE),
    "events_event_dashboard": ("see", PAGE),
    "events_event_calendar": ("see", PAGE),
    "events_event_calendar_month": ("see", PAGE),
    "events_event_preview": ("see", PAGE),
    "events_event_compare": ("see", PAGE),
    "events_event_translate": ("create", WRITE),
    "events_event_revert": ("edit", WRITE),
    "events_event_upload_photos": ("media", WRITE),
    "events_event_photos": ("media", WRITE),
    "events_event_photo_states": ("media", WRITE),
    "events_event_photo_retry": ("media", WRITE),
    "events_event_archive": ("archive", WRITE),
    "events_event_archive_progress": ("archive", WRITE),
    "events_event_archive_download": ("archive", WRITE),
    "events_event_transition:submit": ("submit", WRITE),
    "events_event_transition:publish": ("publish", WRITE),
    "events_event_transition:force_publish": ("publish", WRITE),
    "events_event_transition:reject": ("publish", WRITE),
    "events_event_transition:schedule": ("schedule", WRITE),
    "events_event_transition:withdraw": ("withdraw", WRITE),
    "events_event_transition:republish": ("republish", WRITE),
    **model_urls("events_event", view="see", change="edit", add="create", delete="delete"),
    **model_urls("events_attachment", view="see", change="media", add="media_add_elsewhere", delete="media_delete"),
    **model_urls("events_auditlogentry", view="audit", change="audit", add="audit_write", delete="audit_write"),
    **model_urls(
        "events_embargolink",
        view="embargo_list",
        change="embargo_list",
        add="embargo",
        delete="accounts",
        change_kind=READ,
    ),  # fmt: skip
    # One row (the world has it): its list opens it, nobody adds a second one or deletes it.
    **model_urls(
        "events_siteidentity", view="identity", change="identity", add="identity_more", delete="identity_more"
    ),
    **model_urls("events_section", view="sections", change="sections", add="sections", delete="sections"),
    **model_urls("events_organization", view="directory", change="directory", add="directory_add", delete="directory"),
    **model_urls("events_person", view="directory", change="directory", add="directory_add", delete="directory"),
    "events_event_quick_add": ("directory_add", WRITE),
    **model_urls("presslist_journalist", view="presslist", change="presslist", add="presslist", delete="presslist"),
    "presslist_journalist_import": ("presslist", WRITE),
    "presslist_release_sends": ("presslist_sends", PAGE),
    "presslist_release_send": ("presslist_send", WRITE),
    "presslist_send_revoke": ("presslist_send", WRITE),
    "presslist_send_retry": ("presslist_send", WRITE),
    **model_urls("auth_group", view="accounts", change="accounts", add="accounts", delete="accounts"),
    **model_urls("auth_user", view="accounts", change="accounts", add="accounts", delete="accounts"),
    "auth_user_password_change": ("accounts", WRITE),
    **model_urls("axes_accessattempt", view="accounts", change="accounts", add="records_by_hand", delete="accounts"),
    **model_urls("axes_accesslog", view="accounts", change="accounts", add="records_by_hand", delete="accounts"),
    **model_urls("axes_accessfailurelog", view="accounts", change="accounts", add="records_by_hand", delete="accounts"),
    **model_urls("otp_totp_totpdevice", view="accounts", change="accounts", add="accounts", delete="accounts"),
    "otp_totp_totpdevice_config": ("accounts", PAGE),
    "otp_totp_totpdevice_qrcode": ("accounts", PAGE),
    **model_urls("otp_static_staticdevice", view="accounts", change="accounts", add="accounts", delete="accounts"),
    # E-mail alerts: readers change their own data; staff look, Administrators delete (subscriptions/admin.py).
    **model_urls(
        "subscriptions_subscriber",
        view="alerts_see",
        change="alerts_by_hand",
        add="alerts_by_hand",
        delete="alerts_delete",
        change_kind=READ,
    ),  # fmt: skip
    "subscriptions_subscriber_per_topic": ("alerts_see", PAGE),
    "subscriptions_send_log": ("send_log", PAGE),
    "subscriptions_test_send": ("send_log", PAGE),
    # Announcements are made by the sending engine; staff read them (the send log), nobody writes them by hand.
    **model_urls(
        "subscriptions_announcement",
        view="send_log",
        change="alerts_by_hand",
        add="alerts_by_hand",
        delete="alerts_delete",
        change_kind=READ,
    ),  # fmt: skip
    **model_urls(
        "subscriptions_suppression", view="suppression", change="suppression", add="suppression", delete="suppression"
    ),
    **model_urls(
        "subscriptions_sendingswitch",
        view="sending_switch",
        change="sending_switch",
        add="alerts_by_hand",
        delete="alerts_by_hand",
    ),  # fmt: skip
    # Backup codes are kept as digests: an administrator sees and deletes them, nobody writes them by hand.
    **model_urls(
        "accounts_backupcodedevice",
        view="accounts",
        change="records_by_hand",
        add="records_by_hand",
        delete="accounts",
        change_kind=READ,
    ),  # fmt: skip
}
# Unnamed patterns: Django's "<id>/" shortcut to each change page (a plain redirect; the change page then
# decides) and the admin's final catch-all (404 for unknown paths).
REDIRECTS = "<path:object_id>/"
CATCH_ALL = "(?P<url>.*)$"

# Every admin action of every ModelAdmin -> the row that decides whether it is offered.
ACTIONS = {
    "events.Event": {
        "delete_selected": "delete",
        "submit_selected": "submit",
        "publish_selected": "publish",
        "schedule_selected": "schedule",
        "translate_selected": "create",
    },
    "events.Attachment": {"delete_selected": "media_delete"},
    "events.AuditLogEntry": {"delete_selected": "audit_write"},
    "events.EmbargoLink": {"delete_selected": "accounts", "revoke_selected": "embargo"},
    "events.Section": {"delete_selected": "sections"},
    "events.SiteIdentity": {"delete_selected": "identity_more"},
    "events.Organization": {"delete_selected": "directory"},
    "events.Person": {"delete_selected": "directory"},
    "auth.Group": {"delete_selected": "accounts"},
    "auth.User": {"delete_selected": "accounts"},
    "axes.AccessAttempt": {"delete_selected": "accounts", "cleanup_expired_attempts": "accounts"},
    "axes.AccessLog": {"delete_selected": "accounts"},
    "axes.AccessFailureLog": {"delete_selected": "accounts"},
    "otp_totp.TOTPDevice": {"delete_selected": "accounts"},
    "otp_static.StaticDevice": {"delete_selected": "accounts"},
    "accounts.BackupCodeDevice": {"delete_selected": "accounts"},
    "presslist.Journalist": {"delete_selected": "presslist"},
    "subscriptions.Subscriber": {"delete_selected": "alerts_delete"},
    "subscriptions.Announcement": {"delete_selected": "alerts_delete"},
    "subscriptions.Suppression": {"delete_selected": "suppression"},
    "subscriptions.SendingSwitch": {"delete_selected": "alerts_by_hand"},
}


def cell(row: str, role: str) -> str:
    return PERMISSIONS[row][1 + ROLES.index(role)]


def may(row: str, role: str, state: str | None, *, write: bool) -> bool:
    value = cell(row, role)
    if value == "no":
        return False
    if not write:
        return True
    if value == "read":
        return False
    if value == "yes":
        return True
    return state in [item.strip() for item in value.split(",")]


def expected(key: str, role: str, state: str | None, method: str) -> bool:
    row, kind, *view_row = URLS[key]
    if kind == PAGE:
        return may(row, role, state, write=False)
    if kind in (FORM, READ) and method == "GET":
        return may(view_row[0] if view_row else row, role, state, write=False)
    if kind == READ:
        return False
    return may(row, role, state, write=True)


# Walking the URL configuration -------------------------------------------------------------------------------


def admin_patterns() -> list[tuple[str, str | None]]:
    """(route, name) of every admin URL pattern, nested ones included, plus the trash page beside the admin."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    found = list(walk(admin.site.get_urls()))
    found.append(("events/event/trash/", "trash"))
    return found


def pattern_keys(route: str, name: str | None) -> list[str]:
    if name is None:
        return []
    if name == "app_list":
        return [f"app_list:{label}" for label in re.search(r"\(\?P<app_label>([^)]*)\)", route).group(1).split("|")]
    if name == "events_event_transition":
        return [f"events_event_transition:{transition}" for transition in services_transitions()]
    return [name]


def services_transitions() -> list[str]:
    return TRANSITIONS


def test_every_admin_url_is_in_the_table():
    named, unnamed = set(), []
    for route, name in admin_patterns():
        if name is None:
            unnamed.append(route)
        named.update(pattern_keys(route, name))
    assert named == set(URLS), "admin URLs missing from (or stale in) URLS: " + repr(named ^ set(URLS))
    model_admins = len(admin.site._registry)
    assert sorted(set(unnamed)) == sorted({CATCH_ALL, *(route for route in unnamed if route.endswith(REDIRECTS))})
    assert len([route for route in unnamed if route.endswith(REDIRECTS)]) == model_admins


def test_every_admin_action_is_in_the_table():
    registered = {
        model._meta.label: {name for _func, name, _description in model_admin._get_base_actions()}
        for model, model_admin in admin.site._registry.items()
    }
    assert registered == {label: set(actions) for label, actions in ACTIONS.items()}


def test_readme_states_the_same_rules():
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| Action | Author |"))
    assert lines[start].strip("| ").split(" | ") == ["Action", *ROLES]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(tuple(part.strip() for part in line.strip().strip("|").split("|")))
    assert rows == [tuple(values) for values in PERMISSIONS.values()]


# The world the probes run in ---------------------------------------------------------------------------------


def release_in(state: str, reporter) -> Event:
    past, future = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    fields = {
        "draft": {"draft": True},
        "in review": {"in_review": True, "submitted_by": reporter},
        "scheduled": {"publish_at": future, "first_published_at": future, "submitted_by": reporter},
        "published": {"publish_at": past, "first_published_at": past, "submitted_by": reporter},
        "withdrawn": {
            "withdrawn": True,
            "publish_at": past,
            "first_published_at": past,
            "withdrawn_at": past,
            "withdrawal_reason": "Issued in error.",
        },
    }[state]
    event = EventFactory(title=f"A release {state}", **fields)
    event.lead = "A second revision."
    event.save()
    PhotoFactory(event=event)
    return event


@pytest.fixture
def world():
    reporter = UserFactory(username="reporter")
    events = {state: release_in(state, reporter) for state in STATES}
    embargo_links.embargo_link_create(
        event=events["in review"], user=reporter, expires_at=timezone.now() + timedelta(days=1)
    )
    audit_log(action="events.test.entry", actor=reporter, event=events["draft"])
    person, organization = PersonFactory(), OrganizationFactory()
    totp = TOTPDevice.objects.create(user=reporter, name="phone")
    static = StaticDevice.objects.create(user=reporter, name="backup")
    attempt = AccessAttempt.objects.create(
        username="x", ip_address="127.0.0.1", user_agent="t", get_data="", post_data="", failures_since_start=1
    )
    log = AccessLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t")
    failure = AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1", user_agent="t")
    journalist = Journalist.objects.create(
        name="Ivan Reporter", outlet="Courier", email="ivan@courier.example", accredited_until=date(2099, 1, 1)
    )
    [press_send] = press_sends_queue(release=events["scheduled"], journalists=[journalist], user=reporter)
    deleted = EventFactory(title="Deleted release")
    deleted_pk = deleted.pk
    deleted.delete()
    return {
        "archive_job": ArchiveJob.objects.create(state=ArchiveJob.State.DONE, file_name="private/archives/a.zip"),
        "deleted": Event.history.filter(id=deleted_pk, history_type="-").latest("history_id"),
        "events": events,
        "reporter": reporter,
        "press_send": press_send,
        "objects": {
            "events_auditlogentry": AuditLogEntry.objects.first(),
            "events_embargolink": EmbargoLink.objects.first(),
            "events_section": events["draft"].section,
            "events_organization": organization,
            "events_person": person,
            "events_siteidentity": SiteIdentity.objects.create(name_en="Test Office"),
            "auth_group": Group.objects.get(name=AUTHOR),
            "auth_user": reporter,
            "axes_accessattempt": attempt,
            "axes_accesslog": log,
            "axes_accessfailurelog": failure,
            "otp_totp_totpdevice": totp,
            "otp_static_staticdevice": static,
            "accounts_backupcodedevice": BackupCodeDevice.objects.create(user=reporter, name="Backup codes"),
            "presslist_journalist": journalist,
            "subscriptions_subscriber": Subscriber.objects.create(email="reader@example.org"),
            "subscriptions_suppression": Suppression.objects.create(address_hash="0" * 64, reason="manual"),
            "subscriptions_sendingswitch": SendingSwitch.objects.create(),
            "subscriptions_announcement": Announcement.objects.create(event=events["draft"], update_key="matrix"),
        },
    }


def probe_url(key: str, world: dict, state: str) -> str:
    """A concrete address for table entry ``key``; releases and their photos are the ones in ``state``."""
    event = world["events"][state]
    photo = event.attachments.first()
    name, _sep, detail = key.partition(":")
    if name == "app_list":
        return reverse("admin:app_list", kwargs={"app_label": detail})
    if name == "trash":
        return reverse("trash")
    if name == "view_on_site":
        return reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Event).pk, event.pk])
    if name == "autocomplete":
        return reverse("admin:autocomplete") + "?app_label=events&model_name=event&field_name=section"
    if name == "events_event_transition":
        return reverse("admin:events_event_transition", args=[event.pk, detail])
    if name == "events_event_calendar_month":
        return reverse(f"admin:{name}", args=[2026, 5])
    if name == "events_event_compare":
        first, second = event.history.order_by("history_id")[:2]
        return reverse(f"admin:{name}", args=[event.pk]) + f"?old={first.history_id}&new={second.history_id}"
    if name == "events_event_revert":
        return reverse(f"admin:{name}", args=[event.pk, event.history.order_by("history_id").first().history_id])
    if name in ("events_event_archive_progress", "events_event_archive_download"):
        return reverse(f"admin:{name}", args=[world["archive_job"].pk])
    if name == "auth_user_password_change":
        return reverse(f"admin:{name}", args=[world["reporter"].pk])
    if name in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"):
        return reverse(f"admin:{name}", args=[world["objects"]["otp_totp_totpdevice"].pk])
    if name in (
        "presslist_release_sends",
        "presslist_release_send",
        "subscriptions_send_log",
        "subscriptions_test_send",
    ):
        return reverse(f"admin:{name}", args=[event.pk])
    if name in ("presslist_send_revoke", "presslist_send_retry"):
        return reverse(f"admin:{name}", args=[world["press_send"].pk])
    if name == "events_event_photo_retry":
        return reverse(f"admin:{name}", args=[event.pk, photo.pk])
    if name in (
        "events_event_photos",
        "events_event_photo_states",
        "events_event_upload_photos",
        "events_event_preview",
        "events_event_translate",
        "events_event_history",
        "events_event_delete",
        "events_event_change",
    ):
        return reverse(f"admin:{name}", args=[event.pk])
    if name.startswith("events_attachment_") and not name.endswith(("_changelist", "_add")):
        return reverse(f"admin:{name}", args=[photo.pk])
    prefix, _sep, view = name.rpartition("_")
    if view in ("history", "delete", "change") and prefix in world["objects"]:
        return reverse(f"admin:{name}", args=[world["objects"][prefix].pk])
    return reverse(f"admin:{name}")


def post_data(key: str, world: dict) -> dict:
    if key == "trash":  # an empty POST names no entry (404); restoring the deleted release is the act itself
        return {"history_id": world["deleted"].history_id}
    return {}


STATE_DEPENDENT = ("events_event_", "events_attachment_", "view_on_site")
GET_ONLY = {
    "autocomplete", "jsi18n", "view_on_site", "password_change_done", "otp_totp_totpdevice_qrcode", "two_factor",
}  # fmt: skip
POST_ONLY = {
    "logout", "two_factor_backup_codes", "two_factor_remove", "events_event_photo_retry", "events_event_quick_add",
    "presslist_send_revoke", "presslist_send_retry", "subscriptions_test_send",
}  # fmt: skip


def outcome(response) -> bool | None:
    """True (allowed), False (refused), None (neither: a method not allowed, a server error)."""
    if response.status_code in (200, 400):
        return True
    if response.status_code in (301, 302):
        return "/login/" not in response["Location"]
    if response.status_code in (403, 404):
        return False
    return None


def probes(world):
    for key in sorted(URLS):
        dependent = key.startswith(STATE_DEPENDENT) and not key.endswith(
            ("_changelist", "_add", "_dashboard", "_calendar", "_calendar_month", "_archive", "_progress", "_download")
        )
        for state in STATES if dependent else ["draft"]:
            methods = ["GET"] if key in GET_ONLY else ["POST"] if key in POST_ONLY else ["GET", "POST"]
            for method in methods:
                yield key, state if dependent else None, method, probe_url(key, world, state)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_admin_pages_the_table_allows(client, world, role):
    user = user_in(role)
    wrong = []
    for key, state, method, url in probes(world):
        with transaction.atomic():
            client.force_login(user)
            response = client.get(url) if method == "GET" else client.post(url, post_data(key, world))
            transaction.set_rollback(True)
        allowed, wanted = outcome(response), expected(key, role, state, method)
        if allowed != wanted:
            wrong.append(f"{method} {key} [{state}]: {response.status_code}, table says {'yes' if wanted else 'no'}")
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_offered_exactly_the_admin_actions_the_table_allows(world, role):
    request = RequestFactory().get("/")
    request.user = user_in(role)
    wrong = []
    for model, model_admin in admin.site._registry.items():
        # An action is usable only from a change list the user may open.
        offered = set(model_admin.get_actions(request)) if model_admin.has_view_or_change_permission(request) else set()
        for action, row in ACTIONS[model._meta.label].items():
            if (action in offered) != (cell(row, role) not in ("no", "read")):
                wrong.append(f"{model._meta.label}.{action}")
    assert not wrong, "\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ROLES)
def test_delete_selected_removes_a_photo_only_where_the_table_allows(client, world, role):
    user = user_in(role)
    wrong = []
    for state in STATES:
        photo = world["events"][state].attachments.get()
        with transaction.atomic():
            client.force_login(user)
            client.post(
                reverse("admin:events_attachment_changelist"),
                {"action": "delete_selected", "_selected_action": [photo.pk], "post": "yes"},
            )
            gone = not Attachment.objects.filter(pk=photo.pk).exists()
            transaction.set_rollback(True)
        if gone != may("media_delete", role, state, write=True):
            wrong.append(state)
    assert not wrong, "\n" + "\n".join(wrong)
