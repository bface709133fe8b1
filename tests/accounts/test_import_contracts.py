"""The project's plumbing apps keep their place: `make lint` fails when sign-in code imports the editorial
services, when plumbing imports a page, or when events imports the sign-in app back."""

import pytest

from tests.test_import_rules import copy_of_the_project, lint_imports


@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    [
        (
            "cso_press/accounts/two_factor.py",
            "from events import services",
            "Sign-in and two-factor code (cso_press.accounts) never imports the editorial services or screens",
            "cso_press.accounts.two_factor -> events.services",
        ),
        (
            "cso_press/web/health.py",
            "from events.views import pages",
            "The project's plumbing apps never import events' pages, feeds or admin screens",
            "cso_press.web.health -> events.views.pages",
        ),
        (
            "events/audit.py",
            "from cso_press.accounts import two_factor",
            "events never imports the project (cso_press) except its settings",
            "events.audit -> cso_press.accounts.two_factor",
        ),
    ],
)
def test_a_forbidden_import_around_the_plumbing_apps_fails_the_import_lint(tmp_path, module, line, contract, chain):
    project = copy_of_the_project(tmp_path)
    path = project / module
    path.write_text(path.read_text() + f"\n{line}  # noqa: E402, F401\n")

    result = lint_imports(project)

    assert result.returncode != 0
    assert f"{contract} BROKEN" in " ".join(result.stdout.split())
    assert chain in result.stdout
