"""docs/deploy.md walked where it can be here, and the production lock it installs.

The blocks marked `<!-- walk: name -->` run with bash in a scratch folder standing in for the host: the
paths of the page are replaced (the table SUBSTITUTIONS), the database and Redis addresses of the environment
file by a throwaway PostgreSQL database and a Redis database of this test's own. Then `check --deploy` on the
production settings, `migrate`, `compile_catalogues` and `collectstatic` run exactly as the page writes them.
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psycopg
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.checkout import copy_of_the_checkout

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
FULL_LOCK = ROOT / "requirements.lock"
PROD_LOCK = ROOT / "requirements-prod.lock"
NGINX_SITE = ROOT / "deploy" / "nginx" / "cso_press.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
POSTGRES = "postgres://postgres@127.0.0.1:5432"
TEST_ONLY = ["pytest", "moto", "playwright", "ruff", "factory-boy", "hypothesis", "import-linter", "pytest-django"]


def require(condition: bool, message: str) -> None:
    """Skip without a tool this machine lacks; CI (which installs them all) fails instead."""
    if condition:
        return
    if os.environ.get("CSO_REQUIRE_BROWSER") == "1" or os.environ.get("CSO_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


# ---------------------------------------------------------------------------------------------------------
# requirements-prod.lock
# ---------------------------------------------------------------------------------------------------------


def pins(path: Path) -> dict[str, str]:
    """{normalised name: "name==version"} of a lock file."""
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            found[canonicalize_name(line.split("==")[0])] = line.strip()
    return found


def runtime_closure() -> set[str]:
    """pyproject's `dependencies` and everything they require, as installed (markers and extras applied)."""
    project = __import__("tomllib").loads((ROOT / "pyproject.toml").read_text())["project"]
    pending = [Requirement(text) for text in project["dependencies"]]
    seen: set[str] = set()
    done: set[tuple[str, frozenset]] = set()
    while pending:
        requirement = pending.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in done:
            continue
        done.add((name, extras))
        seen.add(name)
        for text in metadata.requires(requirement.name) or []:
            child = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(env) for env in environments):
                pending.append(child)
    return seen


def test_every_line_of_the_production_lock_is_in_the_full_lock():
    full = set(pins(FULL_LOCK).values())
    prod = pins(PROD_LOCK)
    assert prod, "requirements-prod.lock is empty"
    assert sorted(line for line in prod.values() if line not in full) == []


def test_the_production_lock_holds_no_test_or_lint_tools():
    prod = pins(PROD_LOCK)
    assert [name for name in TEST_ONLY if canonicalize_name(name) in prod] == []


def test_the_production_lock_is_exactly_the_runtime_dependencies_and_theirs():
    closure, prod = runtime_closure(), set(pins(PROD_LOCK))
    assert sorted(closure - prod) == [], "runtime packages missing from requirements-prod.lock"
    assert sorted(prod - closure) == [], "packages in requirements-prod.lock that nothing at runtime requires"


def test_the_production_lock_installs_into_an_empty_virtualenv(tmp_path):
    """pip resolves it alone (no package missing, none extra) without installing anything."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    report = tmp_path / "report.json"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(tmp_path / "venv" / "bin" / "python"), "install",
         "--dry-run", "--quiet", "--disable-pip-version-check", "--report", str(report), "-r", str(PROD_LOCK)],
        check=True,
        capture_output=True,
        timeout=600,
    )  # fmt: skip
    installed = {
        canonicalize_name(item["metadata"]["name"]): f"{item['metadata']['name']}=={item['metadata']['version']}"
        for item in json.loads(report.read_text())["install"]
    }
    assert set(installed) == set(pins(PROD_LOCK))
    assert {canonicalize_name(line.split("==")[0]): line.split("==")[1] for line in installed.values()} == {
        name: line.split("==")[1] for name, line in pins(PROD_LOCK).items()
    }


# ---------------------------------------------------------------------------------------------------------
# The walked blocks of docs/deploy.md
# ---------------------------------------------------------------------------------------------------------


def walked_blocks() -> dict[str, str]:
    text = DEPLOY_DOC.read_text()
    return dict(re.findall(r"<!-- walk: ([\w-]+) -->\n```sh\n(.*?)\n```", text, flags=re.DOTALL))


def substitutions(sandbox: Path, app: Path = ROOT) -> list[tuple[str, str]]:
    """The page's host paths and their stand-ins here, most specific first."""
    return [
        ("setpriv --reuid=cso_press --regid=cso_press --init-groups ", ""),
        ("/srv/cso_press/venv/bin/python", sys.executable),
        ("/srv/cso_press/app", str(app)),
        ("/srv/cso_press", str(sandbox / "srv" / "cso_press")),
        ("/etc/cso_press", str(sandbox / "etc" / "cso_press")),
        ("/usr/local/bin", str(sandbox / "bin")),
    ]


def localise(block: str, sandbox: Path, app: Path = ROOT) -> str:
    """Every host path replaced in one pass (a stand-in may itself contain a host path, e.g. the sandbox's
    own srv/cso_press)."""
    table = dict(substitutions(sandbox, app))
    return re.sub("|".join(re.escape(old) for old in table), lambda match: table[match.group(0)], block)


def run_block(block: str, sandbox: Path, env: dict, app: Path = ROOT) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", localise(block, sandbox, app)],
        cwd=sandbox,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def scratch_database():
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL is not answering on 127.0.0.1:5432: {exc}")
    name = f"h_deploydoc_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_page_marks_the_blocks_the_test_walks():
    assert list(walked_blocks()) == ["env", "cso-manage", "first-run"]
    text = "\n".join(walked_blocks().values())
    for old, _new in substitutions(Path("/sandbox")):
        assert old in text, f"{old!r} no longer appears in the walked blocks: update SUBSTITUTIONS"


def test_the_documented_set_up_runs_on_production_settings(scratch_database, tmp_path):
    sandbox = tmp_path
    (sandbox / "srv" / "cso_press" / "media").mkdir(parents=True)
    (sandbox / "srv" / "cso_press" / "staticfiles").mkdir()
    (sandbox / "etc").mkdir()
    (sandbox / "bin").mkdir()
    # A clean environment: nothing of the test run's own settings (DATABASE_URL, CACHE_URL, …) leaks in.
    env = {"PATH": f"{sandbox / 'bin'}:{os.environ['PATH']}", "HOME": str(sandbox), "LANG": "C.UTF-8"}
    blocks = walked_blocks()

    run_block(blocks["env"], sandbox, env)
    env_file = sandbox / "etc" / "cso_press" / "env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert env_file.parent.stat().st_mode & 0o777 == 0o700
    text = env_file.read_text()
    assert re.search(r"^DJANGO_SECRET_KEY=\S{60,}$", text, flags=re.MULTILINE), "a generated secret key"
    assert re.search(r"^DJANGO_ADMIN_PATH=desk-[0-9a-f]{8}/$", text, flags=re.MULTILINE)
    for old, new in [
        ("DATABASE_URL=postgres:///cso_press\n", f"DATABASE_URL={scratch_database}\n"),
        # Redis databases of this test's own (nothing here writes to them; they must only parse).
        ("REDIS_URL=redis://127.0.0.1:6379/0\n", "REDIS_URL=redis://127.0.0.1:6379/14\n"),
        ("CELERY_BROKER_URL=redis://127.0.0.1:6379/1\n", "CELERY_BROKER_URL=redis://127.0.0.1:6379/15\n"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    env_file.write_text(text + "DJANGO_CACHE_PREFIX=h_deploydoc\n")

    # /srv/cso_press/app: a copy of the checkout, as the clone of step 2 gives it (no compiled catalogues).
    app = copy_of_the_checkout(sandbox / "srv" / "cso_press" / "app")
    run_block(blocks["cso-manage"], sandbox, env, app)
    assert os.access(sandbox / "bin" / "cso-manage", os.X_OK)

    mo_file = app / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
    assert not mo_file.exists()
    result = run_block(blocks["first-run"], sandbox, env, app)
    assert "System check identified no issues" in result.stdout + result.stderr
    with psycopg.connect(scratch_database) as connection:
        applied = connection.execute("SELECT count(*) FROM django_migrations WHERE app = 'events'").fetchone()[0]
    assert applied > 10
    assert mo_file.stat().st_size > 0
    manifest = json.loads((sandbox / "srv" / "cso_press" / "staticfiles" / "staticfiles.json").read_text())
    hashed = manifest["paths"]
    assert len(hashed) > 20
    assert [name for name in hashed.values() if not re.search(r"\.[0-9a-f]{12}(\.|$)", name)] == []


def test_a_missing_setting_stops_the_documented_commands(tmp_path):
    """cso-manage on an environment file without the secret key: a clear error, not a running site."""
    sandbox = tmp_path
    (sandbox / "etc" / "cso_press").mkdir(parents=True)
    (sandbox / "bin").mkdir()
    (sandbox / "etc" / "cso_press" / "env").write_text(
        "DJANGO_SETTINGS_MODULE=cso_press.settings.prod\nDJANGO_ALLOWED_HOSTS=press.example.org\n"
    )
    env = {"PATH": f"{sandbox / 'bin'}:{os.environ['PATH']}", "HOME": str(sandbox), "LANG": "C.UTF-8"}
    run_block(walked_blocks()["cso-manage"], sandbox, env)
    result = subprocess.run(
        [str(sandbox / "bin" / "cso-manage"), "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


# ---------------------------------------------------------------------------------------------------------
# nginx
# ---------------------------------------------------------------------------------------------------------


def test_the_shipped_nginx_site_passes_nginx_t_with_the_documented_adaptations(tmp_path):
    """deploy/nginx/cso_press.conf with the /srv paths pointed here and a self-signed certificate in place of
    the site's: what step 10 asks an administrator to adapt."""
    require(os.path.exists(NGINX), "nginx is not installed: apt-get install -y nginx")
    require(bool(shutil.which("openssl")), "openssl is not installed")
    sandbox = tmp_path
    for folder in ("srv/cso_press/media", "srv/cso_press/staticfiles", "logs", "temp"):
        (sandbox / folder).mkdir(parents=True)
    cert, key = sandbox / "fullchain.pem", sandbox / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=press.example.org",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    site = localise(NGINX_SITE.read_text(), sandbox)
    site = re.sub(r"(?m)^(\s*ssl_certificate)\s+\S+;", rf"\1 {cert};", site)
    site = re.sub(r"(?m)^(\s*ssl_certificate_key)\s+\S+;", rf"\1 {key};", site)
    site = re.sub(r"(?m)^(\s*ssl_trusted_certificate)\s+\S+;", rf"\1 {cert};", site)
    assert not re.search(r"(^|[\s\"'])/srv/", site, flags=re.MULTILINE), "a /srv path left unadapted"
    (sandbox / "site.conf").write_text(site)
    modules = "include /etc/nginx/modules-enabled/*.conf;" if Path("/etc/nginx/modules-enabled").is_dir() else ""
    temp = sandbox / "temp"
    (sandbox / "nginx.conf").write_text(
        f"""pid {sandbox}/nginx.pid;
error_log {sandbox}/logs/error.log;
{modules}
events {{}}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {sandbox}/site.conf;
}}
"""
    )
    result = subprocess.run([NGINX, "-t", "-c", str(sandbox / "nginx.conf")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
