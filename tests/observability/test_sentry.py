"""Sentry gets the exception and nothing personal: a fake Sentry on a free port captures what the SDK really
sends from a process whose view fails with an e-mail address and an embargo token in its address and body."""

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured

from cso_press.observability.sentry import init_sentry, scrub_event
from tests.tasks.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "jane.doe@example.org"
TOKEN = "eyJsaW5rIjo0MiwidW50aWwiOjE3OTk5OTk5OTl9:1vSentrySecretSignature"
SESSION = "session-cookie-value-that-must-not-leave"
API_KEY = "authorization-value-that-must-not-leave"
GRANT = "signed-file-grant-that-must-not-leave"


class FakeSentry:
    """Accepts envelopes like sentry.io and keeps their raw bytes (decompressed)."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                owner.envelopes.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://public0123456789@127.0.0.1:{self.server.server_address[1]}/1"

    def events(self) -> list[dict]:
        found = []
        for envelope in self.envelopes:
            for line in envelope.splitlines():
                try:
                    item = json.loads(line)
                except ValueError:
                    continue
                if isinstance(item, dict) and "exception" in item:
                    found.append(item)
        return found

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


# The site's own WSGI application, as gunicorn calls it (Sentry hooks in there), with a browser's request: a
# staff member's session cookie, another cookie, an Authorization header, personal data in the query and body.
SCRIPT = """
import io, sys, sentry_sdk
from urllib.parse import quote, urlencode
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
session, email, token, cookie, api_key, grant = sys.argv[1:]
body = urlencode({"email": email, "note": "Call " + email + " tomorrow"}).encode()
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/en/embargo/" + token + "/notify/",
    "QUERY_STRING": urlencode({"email": email, "access": grant}), "SERVER_NAME": "localhost", "SERVER_PORT": "80",
    "HTTP_HOST": "localhost", "REMOTE_ADDR": "198.51.100.7", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
    "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
    "wsgi.run_once": False, "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
    "HTTP_COOKIE": "sessionid=" + session + "; tracking=" + cookie + "; csrftoken=" + "c" * 32,
    "HTTP_X_CSRFTOKEN": "c" * 32, "HTTP_AUTHORIZATION": "Bearer " + api_key,
}
answer = {}
def start_response(status, headers, exc_info=None):
    answer.update(status=status.split()[0], headers=dict(headers))
b"".join(application(environ, start_response))
print(answer["status"], answer["headers"]["X-Request-ID"])
sentry_sdk.flush(timeout=20)
"""


@pytest.mark.django_db(transaction=True)
def test_the_error_report_has_the_exception_and_no_personal_data_or_token(client):
    editor = get_user_model().objects.create_user(
        "sentry.editor", email="sentry.editor@example.org", password="x" * 12, is_staff=True
    )
    client.force_login(editor)
    session = client.cookies["sessionid"].value
    with FakeSentry() as sentry:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.observability.sentry_settings",
            "DATABASE_URL": database_url(),
            "SENTRY_DSN": sentry.dsn,
        }
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, session, EMAIL, TOKEN, SESSION, API_KEY, GRANT],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-4000:]
        status, request_id = done.stdout.split()

    assert status == "500"
    [event] = sentry.events()
    [exception] = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "Could not notify [email] about the embargo link [redacted]"
    assert exception["stacktrace"]["frames"][-1]["function"] == "failing_notification"
    assert event["user"] == {"id": str(editor.pk)}
    assert event["tags"]["request_id"] == request_id
    request = event["request"]
    assert request["url"] == "http://localhost/en/embargo/[redacted]/notify/"
    assert not {"cookies", "data", "query_string", "env"} & set(request)
    assert not {"authorization", "cookie"} & {name.lower() for name in request.get("headers", {})}

    everything = b"\n".join(sentry.envelopes).decode()
    assert request["method"] == "POST"
    for secret in (
        EMAIL,
        "jane.doe",
        TOKEN,
        "1vSentrySecretSignature",
        SESSION,
        API_KEY,
        GRANT,
        "sentry.editor",
        session,
    ):
        assert secret not in everything


def test_sentry_stays_off_without_a_dsn():
    assert init_sentry(dsn="") is False


@pytest.mark.parametrize("rate", ["often", "2", "-0.1"])
def test_a_wrong_trace_sample_rate_stops_start_up(rate):
    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE"):
        init_sentry(dsn="http://key@127.0.0.1:9/1", traces_sample_rate=rate)


def test_scrubbing_reaches_breadcrumbs_and_task_arguments():
    event = {
        "breadcrumbs": {"values": [{"message": f"Sending the kit to {EMAIL}"}]},
        "contexts": {"celery-job": {"task_name": "mail.send", "args": [EMAIL], "kwargs": {"to": EMAIL}}},
        "extra": {"sys.argv": ["celery", EMAIL]},
        "user": {"id": "7", "email": EMAIL, "username": "jane"},
    }

    scrubbed = scrub_event(event)

    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "Sending the kit to [email]"
    assert scrubbed["contexts"]["celery-job"] == {"task_name": "mail.send"}
    assert "extra" not in scrubbed
    assert "user" not in scrubbed  # outside a staff member's request no user is named at all
    assert EMAIL not in json.dumps(scrubbed)
