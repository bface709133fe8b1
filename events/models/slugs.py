"""The one rule for a release's slug: readable ASCII, at most ``SLUG_MAX_LENGTH`` characters, cut between words.

Titles run to hundreds of characters (a summit's full name, the ministers, the city); an address or a file
name built from all of it breaks mail clients, ``unzip`` and file systems. The rule keeps the first words that
fit, so the slug still says what the release is about. Russian titles are transliterated, so a slug is the
same whichever keyboard the editor used.

The admin's slug field asks the same rule in the browser (``static/cso_admin/release_slug.js``, fed the
``TRANSLITERATION`` table below through the widget); a browser test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.text import slugify

SLUG_MAX_LENGTH = 80
FALLBACK_SLUG = "release"

TRANSLITERATION: dict[str, str] = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch  y  e yu ya".split(" "),
        strict=True,
    )
)


def transliterate(text: str) -> str:
    """Lower case, Cyrillic letters spelled in Latin ones (the rest is left to ``slugify``)."""
    return "".join(TRANSLITERATION.get(char, char) for char in text.lower())


def shorten_slug(slug: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """The longest run of whole words of ``slug`` that fits ``max_length`` (a single longer word is cut)."""
    if len(slug) <= max_length:
        return slug
    head = slug[: max_length + 1]
    # The character just past the limit is looked at too: a hyphen there means the last word fits whole.
    head = head.rsplit("-", 1)[0] if "-" in head else head[:max_length]
    return head[:max_length].strip("-_")


def release_slug(title: str, max_length: int = SLUG_MAX_LENGTH) -> str:
    """``release_slug("Summit in Minsk: the ministers …") == "summit-in-minsk-the-ministers"``, ≤ max_length."""
    return shorten_slug(slugify(transliterate(title)), max_length) or FALLBACK_SLUG


def unique_slug(base: str, is_taken: Callable[[str], bool], max_length: int = SLUG_MAX_LENGTH) -> str:
    """``base`` (shortened by the rule), or the first of ``base-2``, ``base-3``… not taken, each ≤ max_length.

    The words are cut, never the number: ``shorten_slug`` makes room for the suffix.
    """
    base = shorten_slug(base, max_length) or FALLBACK_SLUG
    candidate, number = base, 2
    while is_taken(candidate):
        suffix = f"-{number}"
        candidate = f"{shorten_slug(base, max_length - len(suffix)) or FALLBACK_SLUG}{suffix}"
        number += 1
    return candidate
