"""Screenshots of the public site at desktop and phone widths, with headless Chromium.

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 [--out docs/screenshots]

The site must be running with some published releases (``manage.py load_demo``). The event page shot uses the
first release with a photo on the All events list, so the script needs no knowledge of the data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urljoin

from chromium import CHROMIUM, CHROMIUM_ARGS  # scripts/chromium.py, beside this script
from playwright.sync_api import sync_playwright

WIDTHS = {"1280": (1280, 900), "390": (390, 844)}
# Full-page shots are cut at this height so that each PNG stays well under 400 KB.
MAX_HEIGHT = {"1280": 1900, "390": 3000}
PAGES = {"home": "/en/", "calendar": "/en/calendar/", "all-events": "/en/events/"}


def first_event_path(page, base_url: str) -> str:
    page.goto(urljoin(base_url, "/en/events/"), wait_until="networkidle")
    # A release with photos shows more of the page (gallery); any release will do otherwise.
    with_photo = page.locator(".event-item.has-thumb .event-title a")
    links = with_photo if with_photo.count() else page.locator(".event-title a")
    href = links.first.get_attribute("href") if links.count() else None
    if not href:
        sys.exit("No published release found on the All events page; load some data first.")
    return href


def shoot(page, url: str, path: Path, width_key: str) -> None:
    page.goto(url, wait_until="networkidle")
    width, _ = WIDTHS[width_key]
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT[width_key])
    page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height}, full_page=True)
    print(f"{path} ({path.stat().st_size // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for width_key, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
            page = context.new_page()
            pages = {**PAGES, "event": first_event_path(page, args.base_url)}
            for name, path in pages.items():
                shoot(page, urljoin(args.base_url, path), args.out / f"{name}-{width_key}.png", width_key)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
