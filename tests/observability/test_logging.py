"""Log lines as the site writes them: one JSON object per line with the request's id, the staff user's id, the
URL name, the status and the time taken; no query string, no embargo token, no anonymous reader's anything."""

import logging
import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cso_press.web.middleware import RequestObservabilityMiddleware
from events.tasks import purge_trash

pytestmark = pytest.mark.django_db

ISO_UTC_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_an_anonymous_page_view_writes_one_access_line_with_every_field(client, json_log):
    response = client.get(reverse("events:list"))

    assert response.status_code == 200
    [line] = json_log.access_lines()
    assert ISO_UTC_MS.fullmatch(line["time"])
    assert line["level"] == "INFO"
    assert line["message"] == "GET /en/events/ 200"
    assert line["view"] == "events:list"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert line["path"] == "/en/events/"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert GENERATED_ID.fullmatch(line["request_id"])
    assert response["X-Request-ID"] == line["request_id"]


def test_each_request_gets_its_own_id(client, json_log):
    first = client.get(reverse("events:home"))
    second = client.get(reverse("events:home"))

    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in json_log.access_lines()] == [first["X-Request-ID"], second["X-Request-ID"]]


def test_the_logged_path_has_no_query_string(client, json_log):
    client.get(reverse("events:list"), {"q": "jane.doe@example.org", "access": "signed-grant-value"})

    [line] = json_log.access_lines()
    assert line["path"] == "/en/events/"
    assert "jane.doe" not in json_log.text
    assert "signed-grant-value" not in json_log.text


def test_an_embargo_token_in_the_address_never_reaches_the_log(client, json_log):
    token = "eyJsaW5rIjoxLCJ1bnRpbCI6MTc5OTk5OTk5OX0:1vSecretSignature"

    response = client.get(reverse("events:embargo", kwargs={"token": token}))

    [line] = json_log.access_lines()
    assert line["view"] == "events:embargo"
    assert line["path"] == "/en/embargo/[redacted]/"
    assert line["status"] == response.status_code
    assert token not in json_log.text
    assert "1vSecretSignature" not in json_log.text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_page_answered_before_django_resolved_its_address_is_still_named_and_redacted(json_log, language):
    token = "eyJsaW5rIjo3fQ:1vCachedSecret"

    def answered_from_the_page_cache(request):
        request.cso_page_cache = "hit"
        return HttpResponse("a page from the cache")

    RequestObservabilityMiddleware(answered_from_the_page_cache)(RequestFactory().get(f"/{language}/embargo/{token}/"))

    [line] = json_log.access_lines()
    assert (line["view"], line["path"]) == ("events:embargo", f"/{language}/embargo/[redacted]/")
    assert "1vCachedSecret" not in json_log.text


def test_a_staff_members_requests_carry_their_user_id_and_nothing_else_about_them(client, json_log):
    editor = get_user_model().objects.create_superuser(
        "marta.ivanova", email="marta.ivanova@example.org", password="x" * 12, first_name="Marta"
    )
    client.force_login(editor)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    [line] = json_log.access_lines()
    assert line["user_id"] == editor.pk
    assert line["view"] == "admin:index"
    assert "marta" not in json_log.text.lower()


def test_a_signed_in_user_who_is_not_staff_is_not_identified(client, json_log):
    reader = get_user_model().objects.create_user("reader", email="reader@example.org", password="x" * 12)
    client.force_login(reader)

    client.get(reverse("admin:index"))

    assert {line["user_id"] for line in json_log.lines()} == {None}
    assert "reader@example.org" not in json_log.text


def test_a_not_found_page_is_logged_with_its_status_and_url_name(client, json_log):
    response = client.get("/en/events/no-such-release/")

    assert response.status_code == 404
    [line] = json_log.access_lines()
    assert (line["status"], line["view"], line["level"]) == (404, "events:detail", "INFO")


def test_an_address_no_route_matches_is_logged_as_unmatched(client, json_log):
    client.get("/no/such/address")

    [line] = json_log.access_lines()
    assert (line["status"], line["view"]) == (404, "unmatched")


def test_a_server_error_is_logged_with_its_exception_and_the_requests_id(client, json_log):
    client.raise_request_exception = False
    with mock.patch("cso_press.web.health.check_cache", side_effect=RuntimeError("cache exploded")):
        response = client.get("/readyz")

    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    [error] = [line for line in json_log.lines() if line["level"] == "ERROR"]
    assert error["logger"] == "django.request"
    assert error["request_id"] == request_id
    assert error["exception_type"] == "RuntimeError"
    assert "RuntimeError: cache exploded" in error["exception"]
    assert "Traceback (most recent call last)" in error["exception"]
    [access] = json_log.access_lines()
    assert (access["status"], access["view"], access["request_id"]) == (500, "readyz", request_id)


def test_every_line_written_during_a_request_carries_its_id(client, json_log):
    def failing_check():
        logging.getLogger("cso_press.web.health").warning("Health check: cache unavailable: %s", "refused")
        return {"ok": False, "error": "ConnectionError"}

    with mock.patch("cso_press.web.health.check_cache", side_effect=failing_check):
        response = client.get("/readyz")

    lines = json_log.lines()
    assert [line["logger"] for line in lines] == ["cso_press.web.health"]  # probes' access lines are DEBUG
    assert lines[0]["request_id"] == response["X-Request-ID"]


def test_log_lines_outside_any_request_have_no_request_id(json_log):
    logging.getLogger("cso_press.tests").warning("Between two requests")

    [line] = json_log.lines()
    assert line["request_id"] is None
    assert line["user_id"] is None
    assert line["message"] == "Between two requests"


def test_a_multi_line_message_stays_on_one_json_line(json_log):
    logging.getLogger("cso_press.tests").warning("first\nsecond")

    assert len(json_log.text.splitlines()) == 1
    assert json_log.lines()[0]["message"] == "first\nsecond"


@pytest.fixture
def behind_proxy(settings):
    settings.CSO_TRUSTED_PROXY_COUNT = 1
    settings.CSO_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]


def test_the_request_id_of_the_trusted_proxy_is_kept(client, json_log, behind_proxy):
    response = client.get(reverse("events:home"), HTTP_X_REQUEST_ID="7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a")

    assert response["X-Request-ID"] == "7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a"
    assert json_log.access_lines()[0]["request_id"] == "7f3c2a9e0b1d4c5e8f6a7b8c9d0e1f2a"


@pytest.mark.parametrize(
    "offered",
    ["a b", "id\nforged log line", "x" * 65, "<script>", "", "-starts-with-a-dash"],
)
def test_an_unsafe_request_id_is_replaced_by_a_new_one(client, json_log, behind_proxy, offered):
    response = client.get(reverse("events:home"), HTTP_X_REQUEST_ID=offered)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert json_log.access_lines()[0]["request_id"] == response["X-Request-ID"]


def test_a_request_id_from_a_client_that_went_round_the_proxy_is_not_believed(client, behind_proxy):
    response = client.get(reverse("events:home"), HTTP_X_REQUEST_ID="chosen-by-the-client", REMOTE_ADDR="203.0.113.9")

    assert response["X-Request-ID"] != "chosen-by-the-client"


def test_without_a_declared_proxy_the_header_is_not_believed(client):
    response = client.get(reverse("events:home"), HTTP_X_REQUEST_ID="chosen-by-the-client")

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_the_text_format_shows_the_request_id_and_the_access_fields(client, text_log):
    response = client.get(reverse("events:list"))

    [line] = text_log.text.splitlines()
    assert f"INFO cso_press.request [{response['X-Request-ID']}] GET /en/events/ 200" in line
    assert "view=events:list" in line
    assert "status=200" in line


def test_a_task_logs_its_name_and_id(json_log):
    result = purge_trash.delay()

    [line] = [line for line in json_log.lines() if line["message"].startswith("Purged")]
    assert line["task_name"] == "maintenance.purge_trash"
    assert line["task_id"] == result.id
    assert line["request_id"] is None


def test_a_task_run_inside_a_request_keeps_the_requests_id(client, json_log):
    def run_task_then_check():
        purge_trash.delay()
        return {"ok": True}

    with mock.patch("cso_press.web.health.check_cache", side_effect=run_task_then_check):
        response = client.get("/readyz")

    [line] = [line for line in json_log.lines() if line["message"].startswith("Purged")]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["task_name"] == "maintenance.purge_trash"


def formatter_under(settings_module: str, **environment) -> str:
    script = "from django.conf import settings; print(settings.LOGGING['handlers']['console']['formatter'])"
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_LOG_FORMAT"}
    env = {**inherited, "DJANGO_SETTINGS_MODULE": settings_module, **environment}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "press.example.org",
    "DJANGO_TASKS_IN_PROCESS": "1",
}


def test_the_log_format_is_json_in_production_and_text_in_development():
    assert formatter_under("cso_press.settings.prod", **PRODUCTION) == "json"
    assert formatter_under("cso_press.settings.prod", **PRODUCTION, DJANGO_LOG_FORMAT="text") == "text"
    assert formatter_under("cso_press.settings.dev") == "text"
    assert formatter_under("cso_press.settings.dev", DJANGO_LOG_FORMAT="json") == "json"


def test_an_unknown_log_format_stops_start_up():
    script = "from django.conf import settings; settings.LOGGING"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cso_press.settings.dev", "DJANGO_LOG_FORMAT": "xml"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "DJANGO_LOG_FORMAT must be json or text, not 'xml'" in done.stderr
