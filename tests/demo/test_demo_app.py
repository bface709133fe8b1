"""The demo content is its own app: dev, test and bench settings install it, production settings do not, and
the press content (`events`) never imports it."""

from __future__ import annotations

import ast
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEMO_COMMANDS = ["load_demo", "generate_events"]


def run_python(settings_module: str, *args: str, **env_overrides: str) -> subprocess.CompletedProcess:
    """Python in a fresh process with these settings and none of this process's DJANGO_ variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **env_overrides})
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production_env() -> dict[str, str]:
    """The variables production (and benchmark) settings refuse to start without."""
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "press.example.org",
        "DJANGO_TASKS_IN_PROCESS": "1",
    }


def installed_apps(settings_module: str, **env_overrides: str) -> list[str]:
    code = (
        "import django, json; django.setup(); "
        "from django.conf import settings; print(json.dumps(settings.INSTALLED_APPS))"
    )
    result = run_python(settings_module, "-c", code, **env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------------
# Which settings install it


def test_production_settings_do_not_install_the_demo_app():
    assert not [app for app in installed_apps("cso_press.settings.prod", **production_env()) if "demo" in app]


@pytest.mark.parametrize("command", DEMO_COMMANDS)
def test_production_settings_do_not_know_the_demo_commands(command):
    result = run_python("cso_press.settings.prod", "manage.py", "help", command, **production_env())

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"Unknown command: '{command}'" in result.stderr


@pytest.mark.parametrize("settings_module", ["cso_press.settings.dev", "cso_press.settings.bench"])
def test_dev_and_bench_settings_install_the_demo_app(settings_module):
    env = production_env() if settings_module.endswith("bench") else {}

    assert installed_apps(settings_module, **env).count("demo.apps.DemoConfig") == 1


def test_load_demo_is_a_command_of_manage_py_in_dev_settings():
    result = run_python("cso_press.settings.dev", "manage.py", "help", "load_demo")

    assert result.returncode == 0, result.stderr
    assert "Load the demo content" in result.stdout
    assert "--refresh" in result.stdout


def test_test_settings_install_the_demo_app_and_its_commands_come_from_it():
    assert apps.is_installed("demo")
    commands = get_commands()
    assert {command: commands[command] for command in DEMO_COMMANDS} == dict.fromkeys(DEMO_COMMANDS, "demo")


# ---------------------------------------------------------------------------------------------------------
# Which way imports go


def _imported_modules(path: Path, root: Path = ROOT) -> set[str]:
    """Absolute names of the modules a file imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(root).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            names.add(module)
            # `from events import demo` names the module in the imported names.
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _is_demo_code(module: str) -> bool:
    return any(module == root or module.startswith(root + ".") for root in ("demo", "events.demo"))


def test_no_module_of_events_imports_the_demo_code():
    offenders = {
        str(path.relative_to(ROOT)): sorted(filter(_is_demo_code, _imported_modules(path)))
        for path in sorted((ROOT / "events").rglob("*.py"))
    }

    assert {path: modules for path, modules in offenders.items() if modules} == {}


def test_the_import_check_sees_absolute_relative_and_from_package_imports(tmp_path):
    # The check above must be able to fail: each of these spellings reaches the demo code.
    package = tmp_path / "events" / "management" / "commands"
    package.mkdir(parents=True)
    samples = {
        "absolute.py": "import demo.services\n",
        "from_absolute.py": "from demo.plan import build_plan\n",
        "from_package.py": "from events import demo\n",
        "relative.py": "from ...demo.services import demo_load\n",
    }
    for name, source in samples.items():
        (package / name).write_text(source)

    found = {name: sorted(filter(_is_demo_code, _imported_modules(package / name, tmp_path))) for name in samples}

    assert found == {
        "absolute.py": ["demo.services"],
        "from_absolute.py": ["demo.plan", "demo.plan.build_plan"],
        "from_package.py": ["events.demo"],
        "relative.py": ["events.demo.services", "events.demo.services.demo_load"],
    }
