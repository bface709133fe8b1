import os

import pytest
from django.core.cache import cache as default_cache
from django.core.cache import caches
from django.utils import translation
from playwright.sync_api import sync_playwright

from events.selectors.identity import IDENTITY_KEY, NO_ROW
from scripts.chromium import CHROMIUM as CHROMIUM_PATH
from scripts.chromium import CHROMIUM_ARGS
from tests.storage.s3 import media_backend, moto_endpoint, s3_media, stored_files  # noqa: F401 - fixtures for every test module

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_and_cache(settings, tmp_path):
    """Every test gets its own media folder, empty caches and the default language."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for cache in caches.all(initialized_only=True):
        cache.clear()
    # As on a running site, the office's identity is already cached (a fresh test database has no row, so the
    # defaults from settings). Query budgets then count the page's own queries; saving a SiteIdentity forgets
    # this (events/signals.py), and tests/events/test_site_identity.py covers the cold read. A row written by a
    # fixture wider than one test (the demo's) is not seen until the test deletes IDENTITY_KEY.
    # It is filed under version 0 of the `site` cache tag, the version of a tag nothing has changed yet.
    default_cache.set(IDENTITY_KEY, (0, NO_ROW), None)
    # A test that leaves Russian active must not change the language of the next test's reverse().
    translation.activate(settings.LANGUAGE_CODE)
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "correct horse battery")


@pytest.fixture
def admin_client_logged_in(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright. CI sets CSO_REQUIRE_BROWSER=1 so a missing browser fails."""
    if not os.path.exists(CHROMIUM_PATH):
        message = f"Chromium not found at {CHROMIUM_PATH}; install it with `apt-get install -y chromium`."
        if os.environ.get("CSO_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """In CI a skipped browser test is a failure: it would hide a broken set-up."""
    if os.environ.get("CSO_REQUIRE_BROWSER") != "1":
        return
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "browser" in getattr(r, "keywords", {})]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} browser test(s) were skipped; CI requires them.", red=True)
        config._cso_browser_skipped = True


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CSO_REQUIRE_BROWSER") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if any("browser" in getattr(r, "keywords", {}) for r in skipped):
        session.exitstatus = 1


@pytest.fixture
def page_cache(settings):
    """Turn the anonymous page cache on, as in production."""
    settings.CSO_PAGE_CACHE_SECONDS = 300
    settings.CSO_BROWSER_CACHE_SECONDS = 60
    return settings
