"""Full-text search over releases: PostgreSQL's ranked search, with a simpler fallback on SQLite.

Both paths share one interface, ``search_events(queryset, query, language=None)``, and one promise: the
result is ``queryset`` narrowed to the matches, best first, with a ``search_rank`` annotation. The caller
decides what may be searched (always ``Event.objects.public()`` on public pages); this module only ranks.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact, SearchVectorField
from django.db import connections
from django.db.models import Case, Expression, F, FloatField, Q, Value, When

from .models import EventQuerySet, Language

# Longer input is cut: nobody types more, and a huge query only costs the database time.
MAX_QUERY_LENGTH = 200
# The fallback turns every word into several LIKE clauses; beyond this many words we stop adding them.
MAX_FALLBACK_WORDS = 8

# At most this many matches are ranked and shown, the newest ones (see _newest_matches).
RANKED_CANDIDATES = 200

# Text-search configuration per content language. Migration 0007 stores each release's vector, built with
# its language's configuration, in the column ``search_document``; keep the two in step.
SEARCH_CONFIGS = {Language.EN.value: "english", Language.RU.value: "russian"}
SEARCH_DOCUMENT_COLUMN = "search_document"

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"\w+", re.UNICODE)


def clean_query(query: str | None) -> str:
    """The text worth searching for: control characters (PostgreSQL rejects NUL) removed, length capped."""
    text = " ".join(_CONTROL_CHARACTERS.sub(" ", str(query or "")).split())
    if len(text) > MAX_QUERY_LENGTH:
        # Cut at a word boundary: half a word would be searched for as a word of its own.
        text = text[: MAX_QUERY_LENGTH + 1]
        text = text.rsplit(" ", 1)[0] if " " in text else text[:MAX_QUERY_LENGTH]
    return text.strip()


class SearchDocument(Expression):
    """The stored text vector of a release (PostgreSQL only; migration 0007): the title weighs most, then the
    lead, then the body, each stemmed by the rules of the release's own language.

    The column is filled by the database, so the model does not declare it; this expression names it on
    whichever alias the event table has in the query at hand (``U0`` inside a subquery, for instance).
    """

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(SEARCH_DOCUMENT_COLUMN)}", []


def search_events(queryset: EventQuerySet, query: str, language: str | None = None) -> EventQuerySet:
    """Filter ``queryset`` to events matching ``query``, best matches first (title matches rank highest).

    ``language`` limits the search to releases in that language and picks its stemming rules; without it,
    each release is matched with the rules of its own language. Unknown languages give no results.
    """
    text = clean_query(query)
    if not text or (language is not None and language not in SEARCH_CONFIGS):
        return queryset.none()
    languages = [language] if language else list(SEARCH_CONFIGS)
    if connections[queryset.db].vendor == "postgresql":
        return _search_postgresql(queryset, text, languages)
    return _search_fallback(queryset, text, languages)


def _search_postgresql(queryset: EventQuerySet, text: str, languages: list[str]) -> EventQuerySet:
    matches = []
    ranks = []
    vector = SearchDocument()
    for code in languages:
        config = SEARCH_CONFIGS[code]
        search_query = SearchQuery(text, search_type="websearch", config=config)
        matches.append(Q(language=code) & Q(SearchVectorExact(vector, search_query)))
        ranks.append(When(language=code, then=SearchRank(vector, search_query)))
    return (
        _newest_matches(queryset, reduce(or_, matches))
        .annotate(search_rank=Case(*ranks, default=Value(0.0), output_field=FloatField()))
        .order_by("-search_rank", "-starts_at", "-pk")
    )


def _newest_matches(queryset: EventQuerySet, condition: Q) -> EventQuerySet:
    """``queryset`` narrowed to the newest ``RANKED_CANDIDATES`` rows matching ``condition``.

    A common word matches thousands of releases, and ranking each costs more than finding it in the index.
    So only the newest matches are ranked: a reader looks at the first pages, and among equally good matches
    the recent release wins.
    """
    newest = queryset.filter(condition).order_by("-starts_at", "-pk").values("pk")[:RANKED_CANDIDATES]
    return queryset.filter(pk__in=newest)


def _case_variants(word: str) -> set[str]:
    # SQLite's LIKE ignores case for ASCII letters only; for Cyrillic we try the forms text actually uses.
    return {word, word.lower(), word.capitalize(), word.upper()}


def _contains_word(field: str, word: str) -> Q:
    return reduce(or_, (Q(**{f"{field}__icontains": variant}) for variant in _case_variants(word)))


def _search_fallback(queryset: EventQuerySet, text: str, languages: list[str]) -> EventQuerySet:
    """Every word must appear in the title, lead or body; titles that hold every word come first."""
    words = list(dict.fromkeys(_WORD.findall(text)))[:MAX_FALLBACK_WORDS]
    if not words:
        return queryset.none()
    in_title = reduce(and_, (_contains_word("title", word) for word in words))
    in_lead = reduce(and_, (_contains_word("lead", word) for word in words))
    anywhere = reduce(
        and_,
        (_contains_word("title", w) | _contains_word("lead", w) | _contains_word("body", w) for w in words),
    )
    return (
        _newest_matches(queryset, anywhere & Q(language__in=languages))
        .annotate(
            search_rank=Case(
                When(in_title, then=Value(1.0)),
                When(in_lead, then=Value(0.4)),
                default=Value(0.2),
                output_field=FloatField(),
            )
        )
        .order_by(F("search_rank").desc(), "-starts_at", "-pk")
    )
