"""`make check-pages`: the checks auditors run, on every public page type of the demo site.

1. Builds a throwaway demo site (SQLite in /tmp, demo content), serves it with gunicorn on loopback
   with production-like settings.
2. axe-core in Debian's Chromium (Playwright) on every page type, both languages, 390 px and 1280 px:
   zero violations of the WCAG 2.0/2.1/2.2 A and AA rules (target-size included), no console errors. The
   release with photos is checked again with its photo viewer open, which must close with Escape.
   The editors' screens (admin index, dashboard, calendar, release list, add and change, preview, photo upload
   and describe), logged in as the demo editor: zero serious or critical violations (the others are listed in
   the report), and no page wider than the window (document.documentElement.scrollWidth) at 390 and 1280 px.
3. The Nu Html Checker (vnu.jar, Java) on the saved HTML of every page type: zero errors.
4. Lighthouse on every public page type (the English page of each): >= 99 in each category.
5. Structured data and Open Graph on the saved HTML of every public page (scripts/page_metadata.py): a
   missing required JSON-LD property (Google's structured-data documentation) or Open Graph tag is a finding,
   a missing recommended property a note in the report.
6. Screenshots of the main page types and editors' screens under docs/screenshots/ (256-colour PNGs, well
   under 400 KB).

`--site-dir DIR` keeps the demo site in DIR and reuses it on the next run (quick reruns while fixing).

It prints every finding and exits non-zero if there is any. A report goes to docs/page-checks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from chromium import CHROMIUM, CHROMIUM_ARGS  # scripts/chromium.py, beside this script
from page_metadata import check_json_ld, check_open_graph  # scripts/page_metadata.py
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
NODE_BIN = ROOT / "node_modules" / ".bin"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

HOST = "127.0.0.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOT_PAGES = {"home", "calendar-month", "all-events", "event", "accessibility"}
ADMIN_SCREENSHOTS = {"admin-dashboard", "admin-calendar", "admin-list", "admin-describe", "admin-upload"}
# Long pages whose first screen says it all (the whole release list would be a very tall, heavy picture).
FIRST_SCREEN_ONLY = {"admin-list"}
# The demo editor account (demo/services.py); two-factor login is not required for it.
DEMO_USER = "editor"
DEMO_PASSWORD = "press-demo-2026"
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
# The issue asks for 99 or more in every category on every public page type.
LIGHTHOUSE_MIN = 99


def site_env(workdir: Path, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cso_press.settings.prod",
        DATABASE_URL=f"sqlite:///{workdir / 'site.sqlite3'}",
        DJANGO_SECRET_KEY="page-checks-only-" + "s" * 50,
        DJANGO_ALLOWED_HOSTS=f"{HOST},localhost",
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_SERVE_MEDIA="1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_SITE_URL=f"http://{HOST}:{port}",
        CACHE_URL="locmem://",
        # No broker here: photos, kits and exports are made inside the request or command that asks for them.
        DJANGO_TASKS_IN_PROCESS="1",
    )
    return env


def build_site(env: dict) -> None:
    # Production settings do not install the demo app, so the demo content is loaded with the benchmark
    # settings (production's plus the demo app) into the same database and media folder; the site is then
    # served with production settings.
    demo_env = {**env, "DJANGO_SETTINGS_MODULE": "cso_press.settings.bench"}
    steps = [
        (["migrate", "--noinput", "-v0"], env),
        (["load_demo"], demo_env),
        (["collectstatic", "--noinput", "-v0"], env),
    ]
    for command, command_env in steps:
        subprocess.run([PY, "manage.py", *command], env=command_env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def page_list(env: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """One URL per public page type and language, the editors' screens and the login page, asked of Django."""
    code = r"""
import json, django
django.setup()
from django.db.models import Count
from django.urls import reverse, NoReverseMatch
from django.utils import timezone, translation
from events.models import Event, Organization, Person, Section
pages = []
for lang in ("en", "ru"):
    with translation.override(lang):
        event = Event.objects.public().filter(language=lang).order_by("-starts_at").first()
        with_photos = (
            Event.objects.public().filter(language=lang, attachments__kind="photo").order_by("-starts_at").first()
        )
        person = Person.objects.filter(events__in=Event.objects.public()).first()
        org = Organization.objects.filter(events__in=Event.objects.public()).first()
        section = Section.objects.active().first()
        today = timezone.localdate()
        day = timezone.localdate(event.starts_at)
        candidates = [
            ("home", "events:home", {}),
            ("calendar-month", "events:calendar-month", {"year": today.year, "month": today.month}),
            ("calendar-day", "events:calendar-day", {"year": day.year, "month": day.month, "day": day.day}),
            ("upcoming", "events:upcoming", {}),
            ("all-events", "events:list", {}),
            ("sections", "events:sections", {}),
            ("section", "events:section", {"slug": section.slug}),
            ("event", "events:detail", {"slug": event.slug}),
            ("event-photos", "events:detail", {"slug": with_photos.slug}),
            ("people", "events:people", {}),
            ("person", "events:person", {"slug": person.slug}),
            ("organisations", "events:organizations", {}),
            ("organisation", "events:organization", {"slug": org.slug}),
            ("contacts", "events:contacts", {}),
            ("alerts", "subscriptions:subscribe", {}),
            ("search", "events:search", {}),
            ("accessibility", "events:accessibility", {}),
        ]
        for name, urlname, kwargs in candidates:
            try:
                url = reverse(urlname, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if name == "search":
                url += "?q=security"
            pages.append((f"{name}-{lang}", url))
admin = []
# The release with the most photos, so that the describe page shows how several rows look.
photos_event = (
    Event.objects.filter(attachments__kind="photo")
    .annotate(photo_count=Count("attachments"))
    .order_by("-photo_count", "-starts_at")
    .first()
)
for name, urlname, args in [
    ("admin-index", "admin:index", []),
    ("admin-dashboard", "admin:events_event_dashboard", []),
    ("admin-calendar", "admin:events_event_calendar", []),
    ("admin-list", "admin:events_event_changelist", []),
    ("admin-add", "admin:events_event_add", []),
    ("admin-change", "admin:events_event_change", [photos_event.pk]),
    ("admin-preview", "admin:events_event_preview", [photos_event.pk]),
    ("admin-upload", "admin:events_event_upload_photos", [photos_event.pk]),
    ("admin-describe", "admin:events_event_photos", [photos_event.pk]),
]:
    with translation.override("en"):
        admin.append((name, reverse(urlname, args=args)))
print(json.dumps({"public": pages, "admin": admin, "login": reverse("admin:login")}))
"""
    out = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return [tuple(item) for item in data["public"]], [tuple(item) for item in data["admin"]], data["login"]


def free_port() -> int:
    """A port nobody listens on now, so that several checks (or other servers) on one machine never collide."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for(url: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"the demo site did not answer at {url}")


def axe_violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violation: dict) -> str:
    targets = "; ".join(",".join(node["target"]) for node in violation["nodes"][:3])
    return f"axe {violation['id']} ({violation['impact']}): {targets}"


def save_screenshot(page, path: Path, *, full_page: bool = True) -> None:
    """A PNG reduced to a 256-colour palette, so that the committed screenshots stay small (< 400 KB)."""
    if full_page:
        # A reader scrolling down gets every lazy-loaded picture; a full-page capture does not scroll, and
        # would show the lower ones as empty boxes. Scroll to the end and wait for them first.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function("[...document.images].every(image => image.complete)", timeout=10_000)
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=full_page)
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def run_axe(base: str, pages, shots: Path | None, html_dir: Path) -> list[str]:
    """Every public page at phone and desktop width: any WCAG A/AA violation or console error is a finding."""
    findings = []
    axe_source = AXE.read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for width in (390, 1280):
            # bypass_csp lets us inject axe-core (the CSP itself has its own browser test in the suite).
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            console_errors: list[str] = []
            page.on("console", lambda msg, errs=console_errors: errs.append(msg.text) if msg.type == "error" else None)
            for name, path in pages:
                console_errors.clear()
                response = page.goto(base + path, wait_until="networkidle")
                if response is None or response.status != 200:
                    findings.append(f"{name} @{width}px: HTTP {response.status if response else 'no response'}")
                    continue
                if width == 1280:
                    (html_dir / f"{name}.html").write_text(response.text())
                findings += [f"{name} @{width}px: {describe(v)}" for v in axe_violations(page, axe_source)]
                for error in console_errors:
                    findings.append(f"{name} @{width}px: console error: {error[:200]}")
                short = name.rsplit("-", 1)[0]
                if shots is not None and name.endswith("-en") and short in SCREENSHOT_PAGES:
                    save_screenshot(page, shots / f"{short}-{width}.png")
                if name.startswith("event-photos-"):
                    findings += check_photo_viewer(page, axe_source, f"{name} @{width}px")
                    if shots is not None and name.endswith("-en"):
                        open_viewer(page, page.locator("a.gallery-link").first)
                        save_screenshot(page, shots / f"photo-viewer-{width}.png", full_page=False)
                        page.keyboard.press("Escape")
            context.close()
        browser.close()
    return findings


def open_viewer(page, link) -> None:
    """Open the photo viewer and let its fade-in finish (axe and screenshots need the final colours)."""
    link.click()
    page.wait_for_function("document.getAnimations().every(a => a.playState === 'finished')")
    page.wait_for_function("document.querySelector('dialog.photo-viewer img').complete")


def check_photo_viewer(page, axe_source: str, label: str) -> list[str]:
    """The large photo opens in the viewer, passes axe while open and closes with Escape."""
    link = page.locator("a.gallery-link").first
    if link.count() == 0:
        return [f"{label}: the release with photos shows no gallery link"]
    open_viewer(page, link)
    viewer = page.locator("dialog.photo-viewer")
    if not viewer.is_visible():
        return [f"{label}: the photo viewer did not open"]
    found = [f"{label} (photo viewer open): {describe(v)}" for v in axe_violations(page, axe_source)]
    page.keyboard.press("Escape")
    if viewer.is_visible():
        found.append(f"{label}: Escape did not close the photo viewer")
    return found


def run_axe_admin(
    base: str, admin_pages, login_path: str, shots: Path | None
) -> tuple[list[str], list[str], dict[str, dict[int, int]]]:
    """The editors' screens, logged in as the demo editor: serious and critical violations are findings,
    the others are listed in the report as notes. Each screen's width is measured at both window widths; one
    wider than the window (it scrolls sideways) is a finding."""
    findings, notes = [], []
    widths: dict[str, dict[int, int]] = {}
    axe_source = AXE.read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for width in (390, 1280):
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            page.goto(base + login_path, wait_until="networkidle")
            for violation in axe_violations(page, axe_source):
                target = findings if violation["impact"] in ("serious", "critical") else notes
                target.append(f"admin-login @{width}px: {describe(violation)}")
            page.fill("#id_username", DEMO_USER)
            page.fill("#id_password", DEMO_PASSWORD)
            page.locator("form input[type=submit], form button[type=submit]").first.click()
            page.wait_for_load_state("networkidle")
            if page.url.startswith(base + login_path):
                return [f"admin @{width}px: could not log in as {DEMO_USER} (still on {page.url})"], notes, widths
            for name, path in admin_pages:
                response = page.goto(base + path, wait_until="networkidle")
                if response is None or response.status != 200:
                    findings.append(f"{name} @{width}px: HTTP {response.status if response else 'no response'}")
                    continue
                page_width = page.evaluate("document.documentElement.scrollWidth")
                widths.setdefault(name, {})[width] = page_width
                if page_width > width:
                    findings.append(f"{name} @{width}px: the page is {page_width} px wide (scrolls sideways)")
                for violation in axe_violations(page, axe_source):
                    target = findings if violation["impact"] in ("serious", "critical") else notes
                    target.append(f"{name} @{width}px: {describe(violation)}")
                if shots is not None and name in ADMIN_SCREENSHOTS:
                    save_screenshot(page, shots / f"{name}-{width}.png", full_page=name not in FIRST_SCREEN_ONLY)
            context.close()
        browser.close()
    return findings, notes, widths


def run_vnu(html_dir: Path) -> list[str]:
    files = sorted(str(p) for p in html_dir.glob("*.html"))
    if not files:
        return ["vnu: no pages were saved"]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stderr or '{"messages": []}')
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: vnu {m.get('type')}: {m.get('message')}"
        for m in report.get("messages", [])
        if m.get("type") == "error"
    ]


def lighthouse_report(url: str, report: Path, env: dict) -> tuple[dict | None, str]:
    """One Lighthouse run of ``url``: its report, or None and what went wrong."""
    report.unlink(missing_ok=True)
    subprocess.run(
        [
            str(NODE_BIN / "lighthouse"),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}",
            f"--chrome-flags={' '.join(CHROMIUM_ARGS)}",
            "--form-factor=desktop",
            "--screenEmulation.disabled",
            "--throttling-method=provided",
        ],
        env=env,
        check=False,
        timeout=180,
    )
    if not report.exists():
        return None, "produced no report"
    data = json.loads(report.read_text())
    error = data.get("runtimeError") or {}
    if error.get("code") or any(data["categories"][c]["score"] is None for c in LIGHTHOUSE_CATEGORIES):
        return None, f"could not measure the page ({error.get('code') or 'no score'})"
    return data, ""


def run_lighthouse(base: str, pages, out_dir: Path) -> tuple[list[str], list[str]]:
    findings, scores = [], []
    # One page per type: the English one (the Russian page of a type has the same template and assets).
    wanted = {name for name, _path in pages if name.endswith("-en")}
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for name, path in pages:
        if name not in wanted:
            continue
        data, problem = None, "produced no report"
        # Lighthouse itself sometimes fails to record a page load (e.g. NO_NAVSTART on a busy machine): such a
        # run measured nothing, so it is tried again; only a page that never gets measured is a finding.
        # Search result pages ask not to be indexed (noindex), which Lighthouse's SEO audit counts against them:
        # the search page type is measured on its form, which is indexable; the results are checked by axe and Nu.
        if name.startswith("search-"):
            path = path.split("?")[0]
        for _attempt in range(3):
            data, problem = lighthouse_report(base + path, out_dir / f"lighthouse-{name}.json", env)
            if data is not None:
                break
        if data is None:
            findings.append(f"{name}: lighthouse {problem}")
            continue
        row = []
        for category in LIGHTHOUSE_CATEGORIES:
            score = round((data["categories"][category]["score"] or 0) * 100)
            row.append(f"{category} {score}")
            if score < LIGHTHOUSE_MIN:
                failed = [
                    audit["id"]
                    for audit in data["audits"].values()
                    if audit.get("scoreDisplayMode") == "binary" and (audit.get("score") or 0) < 0.9
                ]
                failing = ", ".join(failed[:8])
                findings.append(f"{name}: lighthouse {category} {score} < {LIGHTHOUSE_MIN} (failing audits: {failing})")
        scores.append(f"{name}: " + ", ".join(row))
    return findings, scores


def run_metadata(html_dir: Path) -> tuple[list[str], list[str]]:
    """JSON-LD and Open Graph of every saved public page: (findings, notes)."""
    findings, notes = [], []
    for path in sorted(html_dir.glob("*.html")):
        html = path.read_text()
        ld_findings, ld_notes = check_json_ld(path.stem, html)
        findings += ld_findings + check_open_graph(path.stem, html)
        notes += ld_notes
    return findings, notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, help="serve the demo site here (default: a free port the system picks)")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument("--site-dir", type=Path, help="reuse (or keep) the demo site in this folder, for quick reruns")
    args = parser.parse_args()
    if args.port is None:
        args.port = free_port()
    for needed in (AXE, VNU, NODE_BIN / "lighthouse"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run `npm ci --ignore-scripts` (make check-pages does)")
    if args.site_dir:
        workdir = args.site_dir.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix="cso-check-pages-"))
    env = site_env(workdir, args.port)
    if not (args.site_dir and (workdir / "site.sqlite3").exists()):
        build_site(env)
    else:
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    pages, admin_pages, login_path = page_list(env)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "cso_press.wsgi", "-w", "2", "-b", f"{HOST}:{args.port}"]
        + ["--log-level", "warning"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    base = f"http://{HOST}:{args.port}"
    html_dir = workdir / "html"
    shutil.rmtree(html_dir, ignore_errors=True)
    html_dir.mkdir()
    scores: list[str] = []
    metadata_notes: list[str] = []
    try:
        wait_for(base + pages[0][1])
        shots = None if args.no_screenshots else ROOT / "docs" / "screenshots"
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
        findings = run_axe(base, pages, shots, html_dir)
        admin_findings, admin_notes, admin_widths = run_axe_admin(base, admin_pages, login_path, shots)
        findings += admin_findings
        findings += run_vnu(html_dir)
        metadata_findings, metadata_notes = run_metadata(html_dir)
        findings += metadata_findings
        if not args.no_lighthouse:
            lh_findings, scores = run_lighthouse(base, pages, workdir)
            findings += lh_findings
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    write_report(
        pages,
        admin_pages,
        scores,
        findings,
        admin_notes,
        admin_widths,
        metadata_notes,
        lighthouse=not args.no_lighthouse,
    )
    for finding in findings:
        print(finding)
    print(f"{len(pages)} public pages, {len(admin_pages)} editor screens, {len(findings)} findings")
    if not args.site_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if findings else 0


def write_report(
    pages, admin_pages, scores, findings, admin_notes, admin_widths, metadata_notes, *, lighthouse: bool
) -> None:
    lines = [
        "# Page checks",
        "",
        "Written by `make check-pages` (scripts/check_pages.py) on the demo site. Public pages: axe-core "
        f"{package_version('axe-core')} ({', '.join(WCAG_TAGS)}, every impact) at 390 and 1280 px, the Nu Html "
        f"Checker {package_version('vnu-jar')} (errors), Lighthouse {package_version('lighthouse')} "
        "(>= 99 in every category on every public page type, in English)"
        ". The release with photos is also checked with its photo viewer "
        "open. Editors' screens: axe-core, serious and critical violations, logged in as the demo editor, and the "
        "page width (`document.documentElement.scrollWidth`) at 390 and 1280 px, which must not exceed the window.",
        "",
        f"Public pages ({len(pages)}): " + ", ".join(f"{name} (`{path}`)" for name, path in pages),
        "",
        f"Editors' screens ({len(admin_pages)}): " + ", ".join(f"{name} (`{path}`)" for name, path in admin_pages),
        "",
        "## Lighthouse",
        "",
    ]
    lines += [f"- {s}" for s in scores] if lighthouse else ["Not run (--no-lighthouse)."]
    lines += ["", "## Editors' screens: page width", "", "| Screen | at 390 px | at 1280 px |", "| --- | --- | --- |"]
    for name, _path in admin_pages:
        measured = admin_widths.get(name, {})
        cells = [
            f"{measured[w]} px{'' if measured[w] <= w else ' (too wide)'}" if w in measured else "not measured"
            for w in (390, 1280)
        ]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    lines += ["", "## Findings", ""] + ([f"- {f}" for f in findings] or ["None."])
    lines += ["", "## Notes on editors' screens (moderate and minor, not failing the check)", ""]
    lines += [f"- {n}" for n in admin_notes] or ["None."]
    lines += ["", "## Structured data: recommended properties not given (not failing the check)", ""]
    lines += [f"- {n}" for n in metadata_notes] or ["None."]
    (ROOT / "docs" / "page-checks.md").write_text("\n".join(lines) + "\n")


def package_version(name: str) -> str:
    return json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]


if __name__ == "__main__":
    sys.exit(main())
