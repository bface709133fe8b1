"""Hardened settings: the deployment checklist passes in production, and every response carries its headers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as test_settings
from django.urls import reverse

from tests.factories import EventFactory

ROOT = Path(__file__).resolve().parents[2]


def run_deploy_check(**env_overrides) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    env = {key: value for key, value in env.items() if key not in ("REDIS_URL", "CACHE_URL")}
    env.update({"DJANGO_SETTINGS_MODULE": "cso_press.settings.prod", "DJANGO_TASKS_IN_PROCESS": "1"})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist_with_only_documented_variables():
    result = run_deploy_check(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="press.example.org",
        DJANGO_ADMIN_PATH="newsroom-7f3k/",
        DJANGO_TRUSTED_PROXY_COUNT="1",
        DJANGO_TRUSTED_PROXY_ADDRESSES="127.0.0.1",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_checklist_warns_about_the_default_admin_path_and_undeclared_proxies():
    result = run_deploy_check(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="press.example.org",
        DJANGO_TRUSTED_PROXY_COUNT="1",
    )

    assert result.returncode == 1
    assert "accounts.W001" in result.stderr
    assert "accounts.W002" in result.stderr


def test_production_settings_reject_a_weak_secret_key():
    result = run_deploy_check(DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="press.example.org")

    assert result.returncode == 1
    assert "security.W009" in result.stderr


def test_production_settings_refuse_to_start_without_allowed_hosts():
    result = run_deploy_check(DJANGO_SECRET_KEY=secrets.token_urlsafe(50))

    assert result.returncode == 1
    assert "DJANGO_ALLOWED_HOSTS must list the host names" in result.stderr


def test_production_refuses_to_start_without_a_task_broker():
    result = run_deploy_check(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="press.example.org",
        DJANGO_TASKS_IN_PROCESS="0",
    )

    assert result.returncode == 1
    assert "Production needs a task broker" in result.stderr


@pytest.mark.parametrize(
    "variables",
    [{"REDIS_URL": "redis://127.0.0.1:6379/1"}, {"CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//"}],
    ids=["site-redis", "rabbitmq"],
)
def test_production_sends_background_work_to_the_broker_it_is_given(variables):
    code = "import django; from django.conf import settings as s; django.setup(); print(s.CELERY_TASK_ALWAYS_EAGER)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CELERY_"))}
    env = {key: value for key, value in env.items() if key not in ("REDIS_URL", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="cso_press.settings.prod",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="press.example.org",
        **variables,
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"  # tasks go to workers, not into the request


def test_production_cookies_are_secure_host_only_and_http_only():
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "press.example.org",
        "DJANGO_TASKS_IN_PROCESS": "1",
    }
    code = (
        "import django, json; from django.conf import settings as s; django.setup(); print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_NAME, "
        "s.CSRF_COOKIE_SECURE, s.CSRF_COOKIE_NAME, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env, "DJANGO_SETTINGS_MODULE": "cso_press.settings.prod"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.strip() == (
        '[true, true, "Lax", "__Host-sessionid", true, "__Host-csrftoken", 31536000, true]'
    ), result.stderr
    assert test_settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.django_db
def test_public_page_sends_the_strict_policy_and_security_headers(client):
    event = EventFactory()

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_public_pages_contain_no_inline_script_or_style(client):
    event = EventFactory()

    for url in [reverse("events:home"), reverse("events:list"), event.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "<style" not in html, url
        assert " style=" not in html, url
        assert "<script>" not in html, url
        assert " on" + "click=" not in html.lower(), url


@pytest.mark.django_db
def test_admin_editor_page_allows_only_its_own_nonce_for_inline_script(admin_client_logged_in):
    response = admin_client_logged_in.get(reverse("admin:events_event_add"))

    assert response.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    script_sources = policy["script-src"].split()
    assert script_sources[0] == "'self'"
    assert len(script_sources) == 2 and script_sources[1].startswith("'nonce-")
    nonce = script_sources[1][len("'nonce-") : -1]
    html = response.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in html
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_each_admin_response_gets_a_fresh_nonce(admin_client_logged_in):
    first = admin_client_logged_in.get(reverse("admin:events_event_add"))["Content-Security-Policy"]
    second = admin_client_logged_in.get(reverse("admin:events_event_add"))["Content-Security-Policy"]

    assert "'nonce-" in first
    assert first != second
