"""`make check-pages`: the checks auditors run, on every public page type of the demo site.

1. Builds a throwaway demo site (SQLite in /tmp, demo content), serves it with gunicorn on loopback
   with production-like settings.
2. axe-core in Debian's Chromium (Playwright) on every page type, both languages, 390 px and 1280 px:
   zero violations of the WCAG 2.0/2.1/2.2 A and AA rules.
3. The Nu Html Checker (vnu.jar, Java) on the saved HTML of every page type: zero errors.
4. Lighthouse on home, calendar, All events and an event page: >= 95 in each category.
5. Screenshots of the main page types under docs/screenshots/.

It prints every finding and exits non-zero if there is any. A report goes to docs/page-checks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
NODE_BIN = ROOT / "node_modules" / ".bin"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = os.environ.get("CSO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOT_PAGES = {"home", "calendar-month", "all-events", "event"}
LIGHTHOUSE_CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


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
    )
    return env


def build_site(env: dict) -> None:
    for command in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([PY, "manage.py", *command], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def page_list(env: dict) -> list[tuple[str, str]]:
    """One URL per public page type and language, asked of Django itself."""
    code = r"""
import json, django
django.setup()
from django.urls import reverse, NoReverseMatch
from django.utils import timezone, translation
from events.models import Event, Organization, Person, Section
pages = []
for lang in ("en", "ru"):
    with translation.override(lang):
        event = Event.objects.public().filter(language=lang).order_by("-starts_at").first()
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
            ("section", "events:section", {"slug": section.slug}),
            ("event", "events:detail", {"slug": event.slug}),
            ("people", "events:people", {}),
            ("person", "events:person", {"slug": person.slug}),
            ("organisations", "events:organizations", {}),
            ("organisation", "events:organization", {"slug": org.slug}),
            ("contacts", "events:contacts", {}),
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
print(json.dumps(pages))
"""
    out = subprocess.run([PY, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [tuple(item) for item in json.loads(out.strip().splitlines()[-1])]


def wait_for(url: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    raise SystemExit(f"the demo site did not answer at {url}")


def run_axe(base: str, pages, shots: Path | None, html_dir: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    findings = []
    axe_source = AXE.read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for width in (390, 1280):
            # bypass_csp lets us inject axe-core; the page's own scripts still run under its CSP.
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
                page.add_script_tag(content=axe_source)
                result = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                    WCAG_TAGS,
                )
                for violation in result["violations"]:
                    targets = "; ".join(",".join(node["target"]) for node in violation["nodes"][:3])
                    findings.append(f"{name} @{width}px: axe {violation['id']} ({violation['impact']}): {targets}")
                for error in console_errors:
                    findings.append(f"{name} @{width}px: console error: {error[:200]}")
                if shots is not None and name.endswith("-en") and name[:-3] in SCREENSHOT_PAGES:
                    page.screenshot(path=str(shots / f"{name[:-3]}-{width}.png"), full_page=True)
            context.close()
        browser.close()
    return findings


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


def run_lighthouse(base: str, pages, out_dir: Path) -> tuple[list[str], list[str]]:
    findings, scores = [], []
    wanted = {"home-en", "calendar-month-en", "all-events-en", "event-en"}
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    for name, path in pages:
        if name not in wanted:
            continue
        report = out_dir / f"lighthouse-{name}.json"
        subprocess.run(
            [
                str(NODE_BIN / "lighthouse"),
                base + path,
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
            findings.append(f"{name}: lighthouse produced no report")
            continue
        data = json.loads(report.read_text())
        row = []
        for category in LIGHTHOUSE_CATEGORIES:
            score = round((data["categories"][category]["score"] or 0) * 100)
            row.append(f"{category} {score}")
            if score < 95:
                failed = [
                    audit["id"]
                    for audit in data["audits"].values()
                    if audit.get("scoreDisplayMode") == "binary" and (audit.get("score") or 0) < 0.9
                ]
                findings.append(f"{name}: lighthouse {category} {score} < 95 (failing audits: {', '.join(failed[:8])})")
        scores.append(f"{name}: " + ", ".join(row))
    return findings, scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8197)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args()
    for needed in (AXE, VNU, NODE_BIN / "lighthouse"):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: run `npm ci --ignore-scripts` (make check-pages does)")
    workdir = Path(tempfile.mkdtemp(prefix="cso-check-pages-"))
    env = site_env(workdir, args.port)
    build_site(env)
    pages = page_list(env)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "cso_press.wsgi", "-w", "2", "-b", f"{HOST}:{args.port}"]
        + ["--log-level", "warning"],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    base = f"http://{HOST}:{args.port}"
    try:
        wait_for(base + pages[0][1])
        html_dir = workdir / "html"
        html_dir.mkdir()
        shots = None if args.no_screenshots else ROOT / "docs" / "screenshots"
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
        findings = run_axe(base, pages, shots, html_dir)
        findings += run_vnu(html_dir)
        scores: list[str] = []
        if not args.no_lighthouse:
            lh_findings, scores = run_lighthouse(base, pages, workdir)
            findings += lh_findings
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    lines = ["# Page checks", "", f"Pages checked ({len(pages)}): " + ", ".join(name for name, _ in pages), ""]
    lines += ["## Lighthouse", ""] + [f"- {s}" for s in scores] + [""]
    lines += ["## Findings", ""] + ([f"- {f}" for f in findings] or ["None."])
    (ROOT / "docs" / "page-checks.md").write_text("\n".join(lines) + "\n")
    for finding in findings:
        print(finding)
    print(f"{len(pages)} pages, {len(findings)} findings")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
