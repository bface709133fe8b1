"""The systemd units in deploy/systemd/: systemd itself accepts them (``systemd-analyze verify``, where the machine
has it), they run what the recipe says, as the site's user, from its folders, hardened, restarted on failure.
``make prod-check`` runs their ExecStart commands for real (scripts/prod_check.py ``unit_command``)."""

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from scripts.prod_check import ROOT, UNITS, read_unit, unit_command

SERVICES = ["cso-press-web.service", "cso-press-worker.service", "cso-press-scheduler.service"]
VENV_BIN = "/srv/cso_press/venv/bin/"
APP = "/srv/cso_press/app"
# The shared cache: Debian's own varnish.service (package `varnish`) with the recipe's drop-in.
VARNISH_DROP_IN = "varnish.service.d/cso_press.conf"
DEBIAN_VARNISH_UNIT = Path("/lib/systemd/system/varnish.service")


def setting(unit: str, section: str, key: str) -> str:
    """A key systemd reads once (the last value given)."""
    return read_unit(unit)[section][key][-1]


def test_the_recipe_has_the_three_services_and_a_target_that_starts_them_with_the_shared_cache():
    assert sorted(path.name for path in UNITS.iterdir()) == sorted([*SERVICES, "cso-press.target", "varnish.service.d"])
    assert sorted(setting("cso-press.target", "Unit", "Wants").split()) == sorted([*SERVICES, "varnish.service"])
    assert setting("cso-press.target", "Install", "WantedBy") == "multi-user.target"
    for name in SERVICES:
        assert setting(name, "Unit", "PartOf") == "cso-press.target", name
        assert setting(name, "Install", "WantedBy") == "cso-press.target", name


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_the_site_user_from_its_folders_with_its_environment_and_hardening(name):
    service = {key: values[-1] for key, values in read_unit(name)["Service"].items()}

    assert service["User"] == service["Group"] == "cso_press"
    assert service["WorkingDirectory"] == APP
    assert service["EnvironmentFile"] == "/etc/cso_press/env"
    assert "DJANGO_SETTINGS_MODULE=cso_press.settings.prod" in read_unit(name)["Service"]["Environment"]
    assert service["Restart"] == "on-failure"
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "ProtectHome": "yes",
        "PrivateDevices": "yes",
    }.items():
        assert service[key] == value, (name, key)
    # Only the media folder is writable (besides the scheduler's own state folder), and not required to exist.
    assert service.get("ReadWritePaths", "-/srv/cso_press/media") == "-/srv/cso_press/media"


@pytest.mark.parametrize("name", SERVICES)
def test_each_command_is_a_program_of_the_virtualenv_and_its_files_are_in_the_checkout(name):
    command = shlex.split(setting(name, "Service", "ExecStart"))

    assert command[0].startswith(VENV_BIN), command
    local = unit_command(name, venv=ROOT / ".venv", app=ROOT, state=Path("/tmp"))
    assert Path(local[0]).is_file(), local[0]
    for argument in command[1:]:
        if argument.startswith(APP):
            assert (ROOT / argument.removeprefix(APP + "/")).is_file(), argument


def test_gunicorn_reads_the_shipped_configuration():
    command = shlex.split(setting("cso-press-web.service", "Service", "ExecStart"))
    assert command == [f"{VENV_BIN}gunicorn", "--config", f"{APP}/deploy/gunicorn/gunicorn.conf.py"]


def test_the_worker_takes_every_queue_the_tasks_are_sent_to():
    command = shlex.split(setting("cso-press-worker.service", "Service", "ExecStart"))
    queues = command[command.index("--queues") + 1].split(",")
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}

    assert command[:4] == [f"{VENV_BIN}celery", "--app", "cso_press", "worker"]
    assert sorted(queues) == sorted(routed) == ["default", "mail", "media"]


def test_the_scheduler_is_celery_beat_keeping_its_schedule_in_its_state_folder():
    command = shlex.split(setting("cso-press-scheduler.service", "Service", "ExecStart"))
    state = setting("cso-press-scheduler.service", "Service", "StateDirectory")

    assert command[:4] == [f"{VENV_BIN}celery", "--app", "cso_press", "beat"]
    assert command[command.index("--schedule") + 1] == f"/var/lib/{state}/celerybeat-schedule"


def test_varnish_runs_the_recipes_vcl_on_loopback_with_a_memory_size():
    service = read_unit(VARNISH_DROP_IN)["Service"]
    # An empty ExecStart first clears Debian's command; the second is the one systemd runs.
    assert service["ExecStart"][0] == ""
    command = shlex.split(service["ExecStart"][-1])
    options = dict(zip(command[1:-1], command[2:], strict=False))

    assert command[0] == "/usr/sbin/varnishd"
    assert "-F" in command  # in the foreground, as Type=simple of Debian's unit expects
    assert options["-a"] == "127.0.0.1:6081"  # nginx's `cso_press_cache` upstream; never the outside world
    assert options["-T"].startswith("127.0.0.1:")
    assert options["-f"] == "/etc/varnish/cso_press.vcl"
    assert options["-s"].startswith("malloc,") and options["-s"].endswith(("m", "g", "G", "M"))
    assert options["-j"] == "unix,user=vcache"
    assert "127.0.0.1:6081;" in (ROOT / "deploy" / "nginx" / "cso_press.conf").read_text()
    assert service["ExecReload"][-1] == "/usr/share/varnish/varnishreload /etc/varnish/cso_press.vcl"
    assert read_unit(VARNISH_DROP_IN)["Unit"]["PartOf"] == ["cso-press.target"]


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:  # the checks above (configparser) are what is left on a machine without systemd
        pytest.skip("systemd-analyze is not installed")
    # The units as they would be on a server, their programs and files moved to this checkout (systemd checks
    # that the programs exist).
    for path in UNITS.iterdir():
        if path.is_file():
            text = path.read_text().replace("/srv/cso_press/venv", str(ROOT / ".venv")).replace(APP, str(ROOT))
            (tmp_path / path.name).write_text(text)
    # Debian's varnish unit next to the recipe's drop-in, which systemd reads from the unit's own folder.
    if not DEBIAN_VARNISH_UNIT.exists():
        message = f"{DEBIAN_VARNISH_UNIT} is missing: apt-get install -y varnish"
        if os.environ.get("CSO_REQUIRE_SERVICES") == "1" or os.environ.get("CSO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    shutil.copy(DEBIAN_VARNISH_UNIT, tmp_path / "varnish.service")
    (tmp_path / "varnish.service.d").mkdir()
    shutil.copy(UNITS / VARNISH_DROP_IN, tmp_path / VARNISH_DROP_IN)

    verified = subprocess.run(
        [analyze, "verify", *(str(tmp_path / name) for name in [*SERVICES, "varnish.service", "cso-press.target"])],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr
