"""The editors' screens pass axe-core (no serious or critical violation) and fit the window, on a desktop
(1280 px) and on a phone (390 px): nothing makes the page scroll sideways.

axe-core comes from npm (`make node_modules/.installed`, which `make test` depends on); without it these tests
fail rather than skip, so a missing install cannot pass for an accessible admin.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from events.media.services import attachments_upload
from events.models import Attachment
from tests.events.media_samples import camera_jpeg, plain_jpeg
from tests.events.roles import user_in
from tests.factories import EventFactory, EventParticipantFactory, EventPressContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}

# Each screen by name, with the URL an editor opens for the release that has photos.
SCREENS = {
    "index": lambda release: reverse("admin:index"),
    "dashboard": lambda release: reverse("admin:events_event_dashboard"),
    "calendar": lambda release: reverse("admin:events_event_calendar"),
    "release list": lambda release: reverse("admin:events_event_changelist"),
    "release add": lambda release: reverse("admin:events_event_add"),
    "release change": lambda release: reverse("admin:events_event_change", args=[release.pk]),
    "photo upload": lambda release: reverse("admin:events_event_upload_photos", args=[release.pk]),
    "photo describe": lambda release: reverse("admin:events_event_photos", args=[release.pk]),
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make node_modules/.installed` (npm ci --ignore-scripts).")
    return AXE.read_text()


@pytest.fixture
def release_with_photos():
    """A draft as editors meet them: a long title, people, a press contact, and three processed photos (one
    with a camera file's long name and IPTC caption)."""
    release = EventFactory(
        draft=True,
        title="Foreign ministers of the member states meet in Dushanbe to discuss regional security cooperation",
        slug="foreign-ministers-meet-in-dushanbe",
    )
    EventParticipantFactory(event=release)
    EventParticipantFactory(event=release)
    EventPressContactFactory(event=release)
    files = [
        SimpleUploadedFile("IMG_0101.JPG", plain_jpeg(color="#884422"), content_type="image/jpeg"),
        SimpleUploadedFile(
            "2026-12-03_Dushanbe_foreign-ministers-meeting_plenary-session_official-photo_0102.jpg",
            camera_jpeg(iptc={(2, 120): "Signing of the joint statement", (2, 80): "Maria Bildova"}),
            content_type="image/jpeg",
        ),
        SimpleUploadedFile("IMG_0103.JPG", plain_jpeg(color="#224488"), content_type="image/jpeg"),
    ]
    attachments_upload(event=release, files=files)
    assert list(release.attachments.values_list("state", flat=True)) == [Attachment.State.READY] * 3
    return release


def editor_page(browser, live_server, width: int):
    """A browser tab at ``width`` px, signed in as an editor (a server-side session; the login form has its
    own tests). bypass_csp lets axe-core be injected; the CSP itself is tested elsewhere."""
    client = Client()
    client.force_login(user_in("Editor", "editor"))
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB", bypass_csp=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]  # fmt: skip
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def blocking_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): " + "; ".join(",".join(n["target"]) for n in v["nodes"][:4])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def widest_elements(page, width: int) -> list[str]:
    """What sticks out past the window, to say in the failure message where the extra width comes from."""
    return page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1 && el.getClientRects().length)
            .filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
            .slice(0, 6)
            .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className
                === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}`
                + ` ends at ${Math.round(el.getBoundingClientRect().right)} px`)""",
        width,
    )


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_editor_screen_has_no_serious_axe_violation_and_no_sideways_scrolling(
    browser, live_server, axe_source, release_with_photos, screen, width
):
    page = editor_page(browser, live_server, width)
    response = page.goto(live_server.url + SCREENS[screen](release_with_photos), wait_until="networkidle")
    assert response.status == 200
    assert "/login/" not in page.url

    problems = blocking_violations(page, axe_source)
    page_width = page.evaluate("document.documentElement.scrollWidth")
    if page_width > width:
        problems.append(f"{page_width} px wide at {width} px: {widest_elements(page, width)}")
    page.context.close()
    assert not problems, f"{screen} at {width} px:\n" + "\n".join(problems)
