"""Full-text search over releases: PostgreSQL's ranked search, with a simpler fallback on SQLite.

Both paths share one interface, ``search_events(queryset, query, language=None)``, and one promise: the
result is ``queryset`` narrowed to *every* match, best first, with a ``search_rank`` annotation. Nothing is
cut off: a match from twenty years ago is on some page, and the count of the results is the true one. The
caller decides what may be searched (always ``Event.objects.public()`` on public pages); this module only
matches and ranks. ``matching_words`` is the match alone, for the "All events" words filter.

PostgreSQL reads the stored vector ``search_document`` (migration 0007: a generated column, stemmed by the
rules of each release's language, 'english' or 'russian', under a GIN index). SQLite has no text search:
there every word must appear as a substring of the title, lead or body (any letter case, Cyrillic too), and
the rank is only "in the title, in the lead, elsewhere": good enough for development and tests, and said so
here rather than pretended otherwise. Stemming ("саммита" for "саммит") exists only on PostgreSQL.
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
# Every word becomes a clause (several LIKEs in the fallback); beyond this many words we stop adding them.
MAX_FALLBACK_WORDS = 8

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


def matching_words(queryset: EventQuerySet, query: str) -> EventQuerySet:
    """``queryset`` narrowed to releases holding every word of ``query``, in its own order (no ranking).

    The same match as ``search_events``: on PostgreSQL the stored vector and its GIN index answer it, each
    release with the stemming rules of its own language. Blank input leaves ``queryset`` as it is.
    """
    text = clean_query(query)
    if not text:
        return queryset
    languages = list(SEARCH_CONFIGS)
    if connections[queryset.db].vendor == "postgresql":
        condition = _vector_match(_words(text), languages)
    else:
        condition = _words_anywhere(_words(text))
        condition = condition & Q(language__in=languages) if condition is not None else None
    return queryset.filter(condition) if condition is not None else queryset.none()


def _word_query(words: list[str], code: str) -> SearchQuery:
    """Every word, stemmed by the language's rules, as the start of a word of the release.

    A prefix rather than the bare stem because the Russian stemmer cuts some nouns further than their own
    forms: "саммит" becomes "самм" while "саммита" is stored as "саммит"; "самм:*" finds both. A word is
    only letters and digits (``_WORD``), so quoting it cannot break the query syntax.
    """
    config = SEARCH_CONFIGS[code]
    return reduce(and_, (SearchQuery(f"'{word}':*", search_type="raw", config=config) for word in words))


def _vector_match(words: list[str], languages: list[str]) -> Q | None:
    """Each release matched with its own language's query; one ``@@`` over all of them lets the GIN index
    find the candidates in one scan, whatever the number of languages."""
    if not words:
        return None
    queries = {code: _word_query(words, code) for code in languages}
    vector = SearchDocument()
    per_language = reduce(or_, (Q(language=code) & Q(SearchVectorExact(vector, q)) for code, q in queries.items()))
    if len(queries) == 1:
        return per_language
    return Q(SearchVectorExact(vector, reduce(or_, queries.values()))) & per_language


def _search_postgresql(queryset: EventQuerySet, text: str, languages: list[str]) -> EventQuerySet:
    # Every match is ranked: the GIN index finds them, the rank reads each one's stored vector.
    words = _words(text)
    condition = _vector_match(words, languages)
    if condition is None:
        return queryset.none()
    ranks = [When(language=code, then=SearchRank(SearchDocument(), _word_query(words, code))) for code in languages]
    return (
        queryset.filter(condition)
        .annotate(search_rank=Case(*ranks, default=Value(0.0), output_field=FloatField()))
        .order_by("-search_rank", "-starts_at", "-pk")
    )


def _case_variants(word: str) -> set[str]:
    # SQLite's LIKE ignores case for ASCII letters only; for Cyrillic we try the forms text actually uses.
    return {word, word.lower(), word.capitalize(), word.upper()}


def _contains_word(field: str, word: str) -> Q:
    return reduce(or_, (Q(**{f"{field}__icontains": variant}) for variant in _case_variants(word)))


def _words(text: str) -> list[str]:
    return list(dict.fromkeys(_WORD.findall(text)))[:MAX_FALLBACK_WORDS]


def _words_anywhere(words: list[str]) -> Q | None:
    if not words:
        return None
    return reduce(
        and_,
        (_contains_word("title", w) | _contains_word("lead", w) | _contains_word("body", w) for w in words),
    )


def _search_fallback(queryset: EventQuerySet, text: str, languages: list[str]) -> EventQuerySet:
    """Every word must appear in the title, lead or body; titles that hold every word come first."""
    words = _words(text)
    anywhere = _words_anywhere(words)
    if anywhere is None:
        return queryset.none()
    in_title = reduce(and_, (_contains_word("title", word) for word in words))
    in_lead = reduce(and_, (_contains_word("lead", word) for word in words))
    return (
        queryset.filter(anywhere & Q(language__in=languages))
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
