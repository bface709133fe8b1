"""Full-text search over releases: PostgreSQL's ranked search, with a simpler fallback on SQLite.

Both paths share one interface, ``search_events(queryset, query, language=None)``, and one promise: the
result is ``queryset`` narrowed to *every* match, best first, with a ``search_rank`` annotation. Nothing is
cut off: a match from twenty years ago is on some page. The rank is the part of the release that holds every
word: the title, then the title or lead, then anywhere; within a rank the newest release comes first.
``search_tiers`` gives the same list as one queryset per rank, so a page is found by walking the date index
(fast however common the word); ``count_matches`` counts exactly up to ``EXACT_COUNT_LIMIT`` and estimates
beyond, saying so. The caller decides what may be searched (always ``Event.objects.public()`` on public
pages); this module only matches and ranks. ``matching_words`` is the match alone, for the words filter.

PostgreSQL reads the stored vector ``search_document`` (migration 0007: a generated column, stemmed by the
rules of each release's language, 'english' or 'russian', under a GIN index). SQLite has no text search:
there every word must appear as a substring of the title, lead or body (any letter case, Cyrillic too), each
query reads every row, and counts are always exact: good enough for development and tests, and said so here
rather than pretended otherwise. Stemming ("саммита" for "саммит") exists only on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.db import connections
from django.db.models import Case, Expression, FloatField, Q, Value, When

from .models import EventQuerySet, Language

# Longer input is cut: nobody types more, and a huge query only costs the database time.
MAX_QUERY_LENGTH = 200
# Up to this many matches are counted exactly; beyond, the count is PostgreSQL's estimate ("about N").
EXACT_COUNT_LIMIT = 1000
# The rank of a match whose words are all in the title, all in the title or lead, anywhere.
TIER_RANKS = (1.0, 0.4, 0.2)

# Every word becomes a clause (several LIKEs in the fallback); beyond this many words we stop adding them.
MAX_FALLBACK_WORDS = 8

# Text-search configuration per content language. Migration 0007 stores each release's vector, built with
# its language's configuration, in the column ``search_document``; keep the two in step.
SEARCH_CONFIGS = {Language.EN.value: "english", Language.RU.value: "russian"}
SEARCH_DOCUMENT_COLUMN = "search_document"
# The vector of each rank's part (migration 0020 adds the first two): every word in the title, in the title
# or lead, anywhere. A column per part gives the planner statistics per part (see the migration).
TIER_COLUMNS = ("search_title", "search_heading", SEARCH_DOCUMENT_COLUMN)

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
    """A stored text vector of a release (PostgreSQL only), stemmed by the rules of the release's language:
    ``search_document`` (title, lead and body; migration 0007), ``search_heading`` (title and lead) or
    ``search_title`` (migration 0020), each under a GIN index.

    The columns are filled by the database, so the model does not declare them; this expression names one on
    whichever alias the event table has in the query at hand (``U0`` inside a subquery, for instance).
    """

    output_field = SearchVectorField()

    def __init__(self, column: str = SEARCH_DOCUMENT_COLUMN):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(self.column)}", []


def search_events(queryset: EventQuerySet, query: str, language: str | None = None) -> EventQuerySet:
    """Filter ``queryset`` to events matching ``query``, best matches first, in one query.

    ``language`` limits the search to releases in that language and picks its stemming rules; without it,
    each release is matched with the rules of its own language. Unknown languages give no results.
    """
    tiers = _tier_conditions(queryset, query, language)
    if tiers is None:
        return queryset.none()
    ranks = [When(condition, then=Value(rank)) for condition, rank in zip(tiers, TIER_RANKS, strict=True)]
    return (
        queryset.filter(tiers[-1])
        .annotate(search_rank=Case(*ranks, default=Value(0.0), output_field=FloatField()))
        .order_by("-search_rank", "-starts_at", "-pk")
    )


def search_tiers(queryset: EventQuerySet, query: str, language: str | None = None) -> list[EventQuerySet]:
    """The matches of ``search_events`` in its order, as one queryset per rank, each newest first.

    Read one after the other they give the same list; but each is ordered by date alone, so the database
    walks its date index and stops after a page, where one ranked query would sort every match first.
    """
    tiers = _tier_conditions(queryset, query, language)
    if tiers is None:
        return []
    found = []
    for index, condition in enumerate(tiers):
        tier = queryset.filter(condition)
        if index:
            # Each condition includes the one before it, so leaving out that one leaves out every higher rank.
            tier = tier.exclude(tiers[index - 1])
        found.append(tier.order_by("-starts_at", "-pk"))
    return found


def count_matches(queryset: EventQuerySet) -> tuple[int, str]:
    """How many rows ``queryset`` has, and how sure that number is: ``""`` counted, ``"about"`` estimated,
    ``"more"`` at least that many.

    Up to ``EXACT_COUNT_LIMIT`` the rows are counted, and the count stops there; beyond it PostgreSQL's own
    estimate (from its statistics, no rows read) is given, to be shown as "about N". Counting 80,000
    matches of a common word reads most of the table; nobody pages that far, but the reader should know the
    size. When the estimate is below what was already counted (it multiplies the odds of words that come
    together, so it guesses low for phrases), all that is sure is "more than the limit", and that is said.
    SQLite has no estimate: it always counts.
    """
    if connections[queryset.db].vendor != "postgresql":
        return queryset.count(), ""
    counted = queryset.order_by().values("pk")[: EXACT_COUNT_LIMIT + 1].count()
    if counted <= EXACT_COUNT_LIMIT:
        return counted, ""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    # Two significant figures: the estimate is not better than that, and "about 84,970" would pretend it is.
    rounded = int(float(f"{estimate:.2g}"))
    if rounded <= EXACT_COUNT_LIMIT:
        return EXACT_COUNT_LIMIT, "more"
    return rounded, "about"


def matching_words(queryset: EventQuerySet, query: str, language: str | None = None) -> EventQuerySet:
    """``queryset`` narrowed to releases holding every word of ``query``, in its own order (no ranking).

    The same match as ``search_events``: on PostgreSQL the stored vector and its GIN index answer it, each
    release with the stemming rules of its own language, or only releases in ``language`` when given (the
    list shows one language: saying so lets the planner estimate the match, and walk the date index when
    the words are common). Blank input leaves ``queryset`` as it is.
    """
    if not clean_query(query):
        return queryset
    tiers = _tier_conditions(queryset, query, language)
    return queryset.filter(tiers[-1]) if tiers is not None else queryset.none()


def _tier_conditions(queryset: EventQuerySet, query: str, language: str | None) -> list[Q] | None:
    """Conditions for "every word in the title", "… in the title or lead", "… anywhere", each including the
    ones before it; None when nothing can be searched for."""
    text = clean_query(query)
    if not text or (language is not None and language not in SEARCH_CONFIGS):
        return None
    words = _words(text)
    if not words:
        return None
    languages = [language] if language else list(SEARCH_CONFIGS)
    if connections[queryset.db].vendor == "postgresql":
        return [_vector_match(words, languages, column) for column in TIER_COLUMNS]
    in_title = reduce(and_, (_contains_word("title", word) for word in words))
    in_lead = reduce(and_, (_contains_word("title", w) | _contains_word("lead", w) for w in words))
    anywhere = _words_anywhere(words) & Q(language__in=languages)
    return [in_title & Q(language__in=languages), in_lead & Q(language__in=languages), anywhere]


def _word_query(words: list[str], code: str) -> SearchQuery:
    """Every word, stemmed by the language's rules.

    Russian words are matched as the start of a stored word, because the Russian stemmer cuts some nouns
    further than their own forms: "саммит" becomes "самм" while "саммита" is stored as "саммит"; "самм:*"
    finds both. English stems need no such help, and an exact stem keeps "art" from finding "article". A
    word is only letters and digits (``_WORD``), so quoting it cannot break the query syntax.
    """
    config = SEARCH_CONFIGS[code]
    suffix = ":*" if code == Language.RU.value else ""
    return reduce(and_, (SearchQuery(f"'{word}'{suffix}", search_type="raw", config=config) for word in words))


def _vector_match(words: list[str], languages: list[str], column: str) -> Q:
    """Each release matched with its own language's query; with several languages, one ``@@`` over all of
    them comes first, so the GIN index finds the candidates in one scan."""
    queries = {code: _word_query(words, code) for code in languages}
    vector = SearchDocument(column)
    per_language = reduce(or_, (Q(language=code) & Q(SearchVectorExact(vector, q)) for code, q in queries.items()))
    if len(queries) == 1:
        return per_language
    return Q(SearchVectorExact(vector, reduce(or_, queries.values()))) & per_language


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
