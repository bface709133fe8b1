"""The production recipe's parts agree with each other and with the application, and the shipped nginx site loads
inside Debian's own nginx.conf. (``make prod-check`` runs the whole stack; .ci/run calls it.)"""

import os
import re
import runpy
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings

from scripts import varnish_front
from scripts.prod_check import BROTLI_MODULE, NGINX, SITE, CheckFailed, ProdCheck, local_site, make_certificates

GUNICORN_CONF = SITE.parents[1] / "gunicorn" / "gunicorn.conf.py"
MB = 1024 * 1024


def site_paths(folder: Path) -> dict:
    ca, certificate, key = make_certificates(folder, "press.test")
    return {
        "host": "press.test",
        "http_port": 18080,
        "https_port": 18443,
        "certificate": certificate,
        "key": key,
        "acme": folder,
        "static": folder,
        "media": folder,
        "pages": SITE.parent,
        "flag": folder / "maintenance.on",
        "upstream": "127.0.0.1:18001",
        "cache": "127.0.0.1:16081",
    }


def directive(name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", SITE.read_text(), flags=re.MULTILINE)


def gunicorn_settings(monkeypatch) -> dict:
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    return runpy.run_path(str(GUNICORN_CONF))


def test_a_local_copy_of_the_site_keeps_nothing_of_the_server_it_was_written_for(tmp_path):
    site = local_site(SITE.read_text(), **site_paths(tmp_path))

    for server_value in [
        "/srv/cso_press",
        "/etc/letsencrypt",
        "/var/www/acme",
        "press.example.org",
        "127.0.0.1:8001",
        "127.0.0.1:6081",
    ]:
        assert server_value not in site, server_value
    assert "server 127.0.0.1:18001;" in site
    assert "server 127.0.0.1:16081;" in site
    assert "listen [::]" not in site
    assert not re.search(r"listen (80|443)\b", site)


def test_the_local_cache_runs_the_recipes_vcl_with_only_its_addresses_changed():
    shipped = varnish_front.VCL.read_text()
    local = varnish_front.local_vcl(18001)

    assert '.port = "8001"' in shipped and "/srv/cso_press/app/" in shipped
    assert '.port = "18001"' in local
    code = "\n".join(line for line in local.splitlines() if not line.lstrip().startswith("#"))
    assert "/srv/cso_press" not in code
    assert f'std.fileread("{SITE.parent / "maintenance.html"}")' in local
    assert (SITE.parent / "maintenance.html").is_file()
    changed = [line for line in local.splitlines() if line not in shipped.splitlines()]
    assert len(changed) == 2, changed


def test_the_site_losing_a_value_its_header_promises_stops_the_local_copy(tmp_path):
    changed = SITE.read_text().replace("/srv/cso_press/maintenance.on", "/srv/cso_press/flag")

    with pytest.raises(CheckFailed, match="maintenance.on"):
        local_site(changed, **site_paths(tmp_path))


def test_nginx_refuses_no_line_of_the_site_inside_debians_own_nginx_conf(tmp_path):
    if not (Path(NGINX).exists() and BROTLI_MODULE.exists() and Path("/etc/nginx/nginx.conf").exists()):
        message = "nginx or its brotli module is missing: apt-get install -y nginx libnginx-mod-http-brotli-filter"
        if os.environ.get("CSO_REQUIRE_BROWSER") == "1":  # CI installs both
            pytest.fail(message)
        pytest.skip(message)
    site = tmp_path / "cso_press.conf"
    site.write_text(local_site(SITE.read_text(), **site_paths(tmp_path)))
    debian = Path("/etc/nginx/nginx.conf").read_text()
    assert "include /etc/nginx/sites-enabled/*;" in debian
    assert "include /etc/nginx/modules-enabled/*.conf;" in debian  # where Debian loads the brotli module
    main = (
        debian.replace("include /etc/nginx/sites-enabled/*;", f"include {site};")
        .replace("/var/log/nginx/", f"{tmp_path}/")
        .replace("/run/nginx.pid", f"{tmp_path}/nginx.pid")
    )
    (tmp_path / "nginx.conf").write_text(main)

    tested = subprocess.run([NGINX, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)

    assert tested.returncode == 0, tested.stderr
    assert "[warn]" not in tested.stderr, tested.stderr


def test_nginx_takes_one_photo_of_the_largest_size_the_application_accepts_and_not_much_more():
    [limit] = directive("client_max_body_size")
    accepted = int(limit.removesuffix("m")) * MB

    assert settings.CSO_MAX_UPLOAD_BYTES < accepted <= settings.CSO_MAX_UPLOAD_BYTES + 2 * MB
    megabytes = f"{settings.CSO_MAX_UPLOAD_BYTES // MB} MB"
    for page in ["too_large.html", "too_large.json"]:
        assert megabytes in (SITE.parent / page).read_text(), page


def test_gunicorn_keeps_sync_workers_behind_nginx_and_ends_a_stuck_request_before_nginx_gives_up(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    [upstream] = re.findall(r"upstream cso_press_app \{\s*server ([^;]+);", SITE.read_text())
    [read_timeout] = directive("proxy_read_timeout")

    assert conf["worker_class"] == "sync"
    assert conf["bind"] == upstream
    assert conf["timeout"] < int(read_timeout.removesuffix("s"))
    # nginx keeps idle connections to gunicorn for 60 s (its keepalive_timeout default for upstreams):
    # gunicorn must not close them first, or a request would meet a closed connection.
    assert conf["keepalive"] > 60
    assert conf["forwarded_allow_ips"] == "127.0.0.1"
    assert conf["control_socket_disable"] is True


def test_the_shared_cache_waits_for_gunicorn_and_never_closes_a_connection_nginx_reuses(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    vcl = (SITE.parents[1] / "varnish" / "cso_press.vcl").read_text()
    [cache] = re.findall(r"upstream cso_press_cache \{([^}]*)\}", SITE.read_text())
    [first_byte] = re.findall(r"\.first_byte_timeout = (\d+)s;", vcl)
    [idle] = re.findall(r"keepalive_timeout (\d+)s;", cache)
    drop_in = (SITE.parents[1] / "systemd" / "varnish.service.d" / "cso_press.conf").read_text()

    assert re.search(r"server 127\.0\.0\.1:6081;", cache)
    # A stuck request is ended by gunicorn (its timeout), not cut by varnishd first.
    assert conf["timeout"] < int(first_byte)
    # varnishd closes a client's idle connection after timeout_idle (5 s unless the drop-in sets it).
    assert "timeout_idle" not in drop_in
    assert int(idle) < 5


def test_gunicorn_takes_its_numbers_and_its_control_socket_from_the_environment(monkeypatch):
    gunicorn_settings(monkeypatch)
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:9100")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/cso-press-web/gunicorn.ctl")

    conf = runpy.run_path(str(GUNICORN_CONF))

    assert (conf["bind"], conf["workers"]) == ("127.0.0.1:9100", 3)
    assert conf["control_socket"] == "/run/cso-press-web/gunicorn.ctl"
    assert conf["control_socket_disable"] is False


def test_the_pages_nginx_answers_itself_are_in_both_languages_and_named_by_the_site():
    site = SITE.read_text()
    for page in ["maintenance.html", "too_large.html"]:
        text = (SITE.parent / page).read_text()
        assert '<html lang="en">' in text and '<section lang="ru">' in text, page
    assert "error_page 503 /_errors/maintenance.html;" in site
    assert "error_page 502 504 =503 /_errors/maintenance.html;" in site
    assert "error_page 413 /_errors$cso_press_too_large;" in site
    assert re.search(r"~application/json /too_large\.json;\s*default /too_large\.html;", site)


def test_each_check_prints_pass_or_fail_with_its_reason_and_a_failure_is_counted(tmp_path, capsys):
    run = ProdCheck(tmp_path)

    def refused():
        raise CheckFailed("answered 500")

    def broken():
        raise requests.ConnectionError("connection refused")

    run.check("a good check", lambda: "all there")
    run.check("a failing check", refused)
    run.check("an unreachable server", broken)

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "PASS  a good check: all there",
        "FAIL  a failing check: answered 500",
        "FAIL  an unreachable server: ConnectionError: connection refused",
    ]
    assert [ok for _, ok, _ in run.results] == [True, False, False]
