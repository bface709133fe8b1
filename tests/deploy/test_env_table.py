"""docs/deploy.md's table of environment variables lists exactly the variables the code reads.

The code is read, not imported: every call of the settings' helpers (env_str, env_bool, env_int, env_list)
and of os.environ.get / os.environ.setdefault / os.environ[...] / os.getenv with a literal name, in
cso_press/, events/ and deploy/gunicorn/.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
SCANNED = [*sorted((ROOT / "cso_press").rglob("*.py")), *sorted((ROOT / "events").rglob("*.py"))]
SCANNED += sorted((ROOT / "deploy" / "gunicorn").glob("*.py"))
ENV_HELPERS = {"env_str", "env_bool", "env_int", "env_list"}
ENVIRON_METHODS = {"get", "setdefault", "pop"}


def _is_os_environ(node: ast.AST) -> bool:
    """``os.environ`` (or ``environ`` imported from os)."""
    if isinstance(node, ast.Attribute) and node.attr == "environ":
        return isinstance(node.value, ast.Name) and node.value.id == "os"
    return isinstance(node, ast.Name) and node.id == "environ"


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _call_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def names_read(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func, name = node.func, _literal(node.args[0])
            if name is None:
                continue
            if _call_name(func) in ENV_HELPERS:
                found.add(name)
            elif isinstance(func, ast.Attribute) and func.attr in ENVIRON_METHODS and _is_os_environ(func.value):
                found.add(name)
            elif _call_name(func) == "getenv":
                found.add(name)
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and _literal(node.slice):
            found.add(_literal(node.slice))
    return found


def variables_read_by_the_code() -> dict[str, list[str]]:
    """Each variable with the files that read it."""
    readers: dict[str, list[str]] = {}
    for path in SCANNED:
        for name in names_read(ast.parse(path.read_text(), filename=str(path))):
            readers.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return readers


def variables_in_the_table() -> list[str]:
    """The names in the first column of the table under "## Environment variables" (a cell may name two)."""
    section = DEPLOY_DOC.read_text().split("\n## Environment variables\n", 1)[1].split("\n## ", 1)[0]
    names = []
    for line in section.splitlines():
        cells = line.split("|")
        if line.startswith("| `") and len(cells) > 2:
            names += re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[1])
    return names


def test_the_scanner_finds_every_kind_of_read():
    source = """
import os
from os import environ
a = env_str("A_STR", "x")
b = env.env_bool("B_BOOL")
c = os.environ.get("C_GET", "1")
d = os.environ["D_ITEM"]
os.environ.setdefault("E_SETDEFAULT", "v")
f = os.getenv("F_GETENV")
g = environ.get("G_FROM_IMPORT")
h = os.environ.get(some_variable)
i = other.get("NOT_ENV")
"""
    assert names_read(ast.parse(source)) == {
        "A_STR",
        "B_BOOL",
        "C_GET",
        "D_ITEM",
        "E_SETDEFAULT",
        "F_GETENV",
        "G_FROM_IMPORT",
    }


def test_the_table_lists_every_variable_the_code_reads():
    readers = variables_read_by_the_code()
    listed = set(variables_in_the_table())
    missing = {name: files for name, files in sorted(readers.items()) if name not in listed}
    assert not missing, f"read by the code but not in docs/deploy.md's table: {missing}"


def test_the_table_lists_nothing_the_code_does_not_read():
    readers = variables_read_by_the_code()
    unread = sorted(set(variables_in_the_table()) - set(readers))
    assert not unread, f"in docs/deploy.md's table but read nowhere: {unread}"


def test_each_variable_has_one_row():
    names = variables_in_the_table()
    assert len(names) > 50
    assert sorted({name for name in names if names.count(name) > 1}) == []
