"""Where Debian's Chromium is and the flags it runs with headless here: shared by the browser tests,
`make check-pages` and the screenshot script (never `playwright install`; there is no download)."""

import os

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
