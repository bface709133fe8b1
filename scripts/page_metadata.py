"""The structured-data and Open Graph checks of `make check-pages` (scripts/check_pages.py), on saved HTML.

Standard library only, so the test suite runs them on sample pages (tests/events/test_seo.py).

JSON-LD: the properties Google's structured-data documentation asks for (developers.google.com/search/docs/
appearance/structured-data: Article, Event, Breadcrumb, Profile page, Organization). A missing *required*
property is a finding; a missing *recommended* one is a note (some do not apply to a press office: an event
with no end time, no participants, no tickets — ``offers`` and ``previousStartDate`` are not asked for at all).

Open Graph: every page has og:title, og:type and og:url (the canonical address); a page with an image has
og:image with its og:image:alt, width and height; a page showing release photos has an og:image.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

# type: (required, recommended); nested nodes are checked by their own @type.
JSON_LD_RULES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "NewsArticle": ((), ("headline", "image", "datePublished", "dateModified", "author")),
    "Event": (
        ("name", "startDate", "location"),
        ("description", "endDate", "eventAttendanceMode", "eventStatus", "image", "organizer", "performer"),
    ),
    "Place": (("address",), ("name",)),
    "PostalAddress": ((), ("streetAddress", "addressLocality", "addressCountry")),
    "BreadcrumbList": (("itemListElement",), ()),
    "ListItem": (("position", "name"), ("item",)),
    "Person": (("name",), ("url", "image", "jobTitle")),
    "Organization": ((), ("name", "url", "logo", "description", "sameAs")),
    "WebSite": (("name", "url"), ("potentialAction",)),
}
OPEN_GRAPH_REQUIRED = ("og:title", "og:type", "og:url")
OPEN_GRAPH_IMAGE = ("og:image:alt", "og:image:width", "og:image:height")


@dataclass
class PageHead:
    """What a page says to machines: meta tags (property or name → values), canonical, JSON-LD, its images."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str = ""
    json_ld: list = field(default_factory=list)
    json_errors: list[str] = field(default_factory=list)
    release_images: int = 0


class _HeadParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head = PageHead()
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.head.meta.setdefault(key, []).append(attributes.get("content") or "")
        elif tag == "link" and attributes.get("rel") == "canonical":
            self.head.canonical = attributes.get("href") or ""
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._script = []
        elif tag in ("img", "source") and "/files/" in (attributes.get("src") or attributes.get("srcset") or ""):
            self.head.release_images += 1

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            text = "".join(self._script)
            self._script = None
            try:
                self.head.json_ld.append(json.loads(text))
            except ValueError as exc:
                self.head.json_errors.append(f"JSON-LD is not JSON ({exc})")


def read_head(html: str) -> PageHead:
    parser = _HeadParser()
    parser.feed(html)
    parser.close()
    return parser.head


def typed_nodes(node, path: str = ""):
    """Every (path, object with an @type) inside ``node``, depth first."""
    if isinstance(node, dict):
        if "@type" in node:
            path = f"{path}/{node['@type']}" if path else node["@type"]
            yield path, node
        for key, value in node.items():
            yield from typed_nodes(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for item in node:
            yield from typed_nodes(item, path)


def _present(value) -> bool:
    return value not in (None, "", [], {})


def check_json_ld(name: str, html: str) -> tuple[list[str], list[str]]:
    """(findings, notes) about the JSON-LD of one page."""
    head = read_head(html)
    findings = [f"{name}: {error}" for error in head.json_errors]
    notes = []
    if not head.json_ld:
        findings.append(f"{name}: no JSON-LD")
    for block in head.json_ld:
        if isinstance(block, dict) and block.get("@context") not in ("https://schema.org", "http://schema.org"):
            findings.append(f"{name}: JSON-LD {block.get('@type', '?')} without the schema.org @context")
        crumbs = block.get("itemListElement") if isinstance(block, dict) else None
        last_crumb = crumbs[-1] if isinstance(crumbs, list) and crumbs else None
        for path, node in typed_nodes(block):
            required, recommended = JSON_LD_RULES.get(node["@type"], ((), ()))
            if node["@type"] == "ListItem" and node is not last_crumb:
                required = (*required, "item")  # only the last crumb (the page itself) may leave out its address
            missing = [prop for prop in required if not _present(node.get(prop))]
            findings += [f"{name}: {path} lacks required {prop}" for prop in missing]
            missing = [prop for prop in recommended if not _present(node.get(prop))]
            notes += [f"{name}: {path} lacks recommended {prop}" for prop in missing]
    return findings, notes


def check_open_graph(name: str, html: str) -> list[str]:
    """Findings about the Open Graph tags of one page."""
    head = read_head(html)
    first = {key: values[0] for key, values in head.meta.items()}
    findings = [f"{name}: no {prop}" for prop in OPEN_GRAPH_REQUIRED if not first.get(prop)]
    if head.canonical and first.get("og:url") and first["og:url"] != head.canonical:
        findings.append(f"{name}: og:url {first['og:url']} is not the canonical {head.canonical}")
    if first.get("og:image"):
        findings += [f"{name}: og:image without {prop}" for prop in OPEN_GRAPH_IMAGE if not first.get(prop)]
    elif head.release_images and first.get("og:type") == "article":
        # A release showing its photos is shared with one of them. Lists and the home page show other
        # releases' photos: none of those stands for the page, which is shared as text.
        findings.append(f"{name}: shows release photos but has no og:image")
    if not first.get("twitter:card"):
        findings.append(f"{name}: no twitter:card")
    return findings
