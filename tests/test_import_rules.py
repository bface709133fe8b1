"""The import rules hold and are enforced: `lint-imports` (in `make lint`) fails on a forbidden import, the
contracts in pyproject.toml pass on the real tree, no two modules import each other even by a detour, and
every import left inside a function says why."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
RUFF = Path(sys.executable).with_name("ruff")
SOURCE_FOLDERS = ("events", "cso_press", "subscriptions", "presslist", "scripts", "tests")


def lint_imports(folder: Path) -> subprocess.CompletedProcess:
    # import-linter puts the working folder first on sys.path, so the copy's packages are the ones analysed.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=folder,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_project(target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations")
    for package in ("events", "cso_press", "subscriptions", "presslist"):
        shutil.copytree(ROOT / package, target / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """Groups of modules that reach each other through their direct imports (Tarjan's strongly connected sets)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return found


def test_the_real_tree_keeps_every_import_contract():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# Each case: a module, a forbidden import appended to it, and what `lint-imports` must then report.
FORBIDDEN_IMPORTS = {
    "a model importing the admin": (
        "events/models/event.py",
        "from events import admin",
        [
            "events.models imports nothing above it (only the file checks below it) BROKEN",
            "events.models.event -> events.admin",
        ],
    ),
    "a public view importing an admin screen": (
        "events/views/pages.py",
        "from events.admin.views import history",
        ["Public pages and feeds never import admin code BROKEN", "events.views.pages -> events.admin.views.history"],
    ),
    "a page importing the file views": (
        "events/views/pages.py",
        "from events.views import files",
        [
            "The public pages never import the file and download views BROKEN",
            "events.views.pages -> events.views.files",
        ],
    ),
    "the file views importing a page": (
        "events/views/files.py",
        "from events.views import event",
        ["events.views.files -> events.views.event"],
    ),
    "events importing the project's urls": (
        "events/navigation.py",
        "from cso_press import urls",
        ["events never imports the project (cso_press) except its settings BROKEN"],
    ),
    "the press list importing an admin screen": (
        "presslist/services.py",
        "from events.admin import event",
        ["presslist is not allowed to import events.admin", "presslist.services -> events.admin"],
    ),
    "the e-mail alerts importing the press list": (
        "subscriptions/selectors.py",
        "from presslist import models",
        ["subscriptions is not allowed to import presslist", "subscriptions.selectors -> presslist.models"],
    ),
    "events importing the e-mail alerts": (
        "events/services/releases.py",
        "from subscriptions import models",
        ["events is not allowed to import subscriptions", "events.services.releases -> subscriptions.models"],
    ),
}


@pytest.mark.parametrize("case", FORBIDDEN_IMPORTS)
def test_a_forbidden_import_fails_the_import_lint(tmp_path, case):
    path, statement, reported = FORBIDDEN_IMPORTS[case]
    project = copy_of_the_project(tmp_path)
    module = project / path
    module.write_text(module.read_text() + f"\n{statement}  # noqa: E402, F401\n")

    result = lint_imports(project)

    assert result.returncode != 0
    for line in reported:
        assert line in result.stdout


def test_make_lint_runs_the_import_contracts_after_ruff():
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    commands = [line.strip() for line in recipe.splitlines()]

    assert commands[-1] == "$(VENV)/bin/lint-imports --no-logo --no-cache"
    assert any(command.startswith("$(VENV)/bin/ruff check") for command in commands[:-1])


def test_ruff_lints_events_media_but_not_the_uploaded_media_folder(tmp_path):
    project = copy_of_the_project(tmp_path)
    (project / "media").mkdir()
    (project / "media" / "uploaded.py").write_text("import os\n")

    files = subprocess.run(
        [str(RUFF), "check", "--show-files", "."], cwd=project, capture_output=True, text=True, timeout=60
    ).stdout.splitlines()

    assert str(project / "events" / "media" / "cleanup.py") in files
    assert str(project / "media" / "uploaded.py") not in files


def test_the_cycle_finder_finds_a_cycle_through_a_third_module():
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)

    assert cycles(graph, {"p.a", "p.b", "p.c", "p.d"}) == [["p.a", "p.b", "p.c"]]


@pytest.mark.parametrize("package", ["events", "cso_press"])
def test_no_two_modules_import_each_other(package):
    # Every import counts, those inside functions too: a cycle hidden in a function is still a cycle.
    graph = grimp.build_graph(package, cache_dir=None)
    modules = {module for module in graph.modules if ".migrations" not in module}

    assert cycles(graph, modules) == []


# A function-level import must say why on its own line, after the codes: "noqa: PLC0415 - <the reason>".
NOQA = re.compile(r"#\s*noqa:[^#\n]*PLC0415(?P<after>[^\n]*)")


def unexplained_imports(text: str) -> list[int]:
    """Line numbers of ``noqa`` marks for PLC0415 that give no reason after the codes."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if (match := NOQA.search(line)) and not re.match(r"\s*[-—:]\s*\w", match.group("after"))
    ]


def test_an_import_inside_a_function_without_a_reason_is_found():
    text = "def f():\n    import a  # noqa: PLC0415\n    import b  # noqa: F401, PLC0415 - b needs the registry\n"

    assert unexplained_imports(text) == [2]


def test_every_import_left_inside_a_function_says_why():
    unexplained = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in SOURCE_FOLDERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != Path(__file__).resolve()  # its own examples above are not imports
        for number in unexplained_imports(path.read_text())
    ]

    assert unexplained == []
