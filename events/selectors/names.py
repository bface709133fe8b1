"""Names as people type them: ranked name search and likely duplicates, for people and organisations.

The text rules (folding, transliteration variants, acronyms) are in ``events.name_keys``; each row stores its
keys in ``name_key`` (see that module for the format). Here they are compared with what an editor types.

``rank_names`` orders matches in stages (``NameRank``): the term is exactly a name, short name or acronym;
a name starts with it; an acronym starts with it; a word of a name starts with it; every word of it appears
somewhere in the names; on PostgreSQL, the names are merely similar (``pg_trgm`` word similarity of the
keys, which forgives a misspelling). Within a stage the model's own alphabetical order decides.

What SQLite does not do: the similarity stage. A misspelt name ("Petorv") is found on PostgreSQL only; on
SQLite a match needs the term (or its key) to appear in a name. Both databases fold case, accents, Cyrillic
and the transliteration variants alike, because the keys are computed in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import TrigramStrictWordSimilarity, TrigramWordSimilarity
from django.db import connections
from django.db.models import Case, F, FloatField, IntegerField, Model, Q, QuerySet, Value, When

from ..models import Organization, Person
from ..name_keys import ACRONYM_MARK, SEPARATOR, acronym, fold, name_key, term_forms

__all__ = ["NameRank", "likely_duplicates", "name_key", "rank_names"]

# Nobody types a longer name; a huge term only costs the database time.
MAX_TERM_LENGTH = 100
# pg_trgm word similarity above which a name counts as a (misspelt) match; shorter terms are not compared.
NAME_SIMILARITY = 0.5
SIMILARITY_MIN_LENGTH = 3
# Strict word similarity above which an existing name is a likely duplicate ("Nikolai Petroff" ~ 0.76).
DUPLICATE_SIMILARITY = 0.7
# A new organisation whose acronym is another's short name is a likely duplicate, if the acronym is this long.
DUPLICATE_ACRONYM_MIN_LENGTH = 3


class NameRank(IntEnum):
    EXACT = 0
    PREFIX = 1
    ACRONYM = 2
    WORD_PREFIX = 3
    WORDS = 4
    SIMILAR = 5
    OTHER = 6  # matched by the caller's own condition (``also``), not by a name


def _has(text: str) -> Q:
    return Q(name_key__contains=text)


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(or_, conditions, Q(pk__in=[]))


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def rank_names(queryset: QuerySet, term: str, *, also: Q | None = None) -> QuerySet:
    """``queryset`` (people or organisations) narrowed to the names matching ``term``, best first.

    Annotated with ``name_rank`` (a ``NameRank``) and ``name_similarity`` (PostgreSQL; 0 elsewhere). ``also``
    adds rows matched some other way (an e-mail address, say); they come last. A term with nothing to search
    for (punctuation only) matches only ``also``.
    """
    forms = term_forms(str(term or "")[:MAX_TERM_LENGTH])
    stages = [
        (NameRank.EXACT, _any(_has(f"{SEPARATOR}{form}{SEPARATOR}") for form in forms)
         | _any(_has(f"{SEPARATOR}{ACRONYM_MARK}{form}{SEPARATOR}") for form in forms)),
        (NameRank.PREFIX, _any(_has(f"{SEPARATOR}{form}") for form in forms)),
        (NameRank.ACRONYM, _any(_has(f"{SEPARATOR}{ACRONYM_MARK}{form}") for form in forms)),
        (NameRank.WORD_PREFIX, _any(_has(f" {form}") for form in forms)),
        (NameRank.WORDS, _any(reduce(and_, (_has(word) for word in form.split())) for form in forms)),
    ]  # fmt: skip
    similarity = Value(0.0, output_field=FloatField())
    if forms and _is_postgresql(queryset) and len(forms[0]) >= SIMILARITY_MIN_LENGTH:
        similarity = TrigramWordSimilarity(Value(forms[0]), "name_key")
        stages.append((NameRank.SIMILAR, Q(name_similarity__gt=NAME_SIMILARITY)))
    if also is not None:
        stages.append((NameRank.OTHER, also))
    ranked = (
        queryset.annotate(name_similarity=similarity)
        .filter(_any(condition for _rank, condition in stages))
        .annotate(
            name_rank=Case(
                *(When(condition, then=Value(int(rank))) for rank, condition in stages),
                default=Value(int(NameRank.OTHER)),
                output_field=IntegerField(),
            )
        )
    )
    # Similarity orders only the similar stage; every other stage is alphabetical, as the model sorts.
    closeness = Case(When(name_rank=NameRank.SIMILAR, then=F("name_similarity")), default=Value(0.0))
    return ranked.order_by("name_rank", closeness.desc(), *queryset.model._meta.ordering, "pk")


def _duplicate_condition(model: type[Model], texts: list[str]) -> Q:
    conditions = []
    for text in texts:
        key, folded = name_key(text), fold(text)
        if key:
            conditions.append(_has(f"{SEPARATOR}{key}{SEPARATOR}"))
        if folded:
            conditions.append(_has(f"{SEPARATOR}{folded}{SEPARATOR}"))
            conditions.append(_has(f"{SEPARATOR}{ACRONYM_MARK}{folded}{SEPARATOR}"))
        initials = acronym(text)
        if model is Organization and len(initials) >= DUPLICATE_ACRONYM_MIN_LENGTH:
            conditions.append(_has(f"{SEPARATOR}{initials}{SEPARATOR}"))
            conditions.append(_has(f"{SEPARATOR}{ACRONYM_MARK}{initials}{SEPARATOR}"))
    return _any(conditions)


def likely_duplicates(
    model: type[Model], name: str, *, exclude_pk: int | None = None, limit: int = 5, also: Iterable[str] = ()
) -> list[Model]:
    """People or organisations (``model``) that are probably the one called ``name``, closest first.

    A row is a likely duplicate when one of its names, sort name, short name or acronyms has the same key as
    ``name`` (or as a text in ``also``: the Russian name, the short name), when for organisations its acronym
    is the new one's, or, on PostgreSQL, when its names are very similar to ``name`` (a misspelling).
    ``exclude_pk`` leaves out the row being edited.
    """
    if model not in (Person, Organization):
        raise ValueError(f"likely_duplicates() knows people and organisations, not {model.__name__}")
    texts = [text[:MAX_TERM_LENGTH] for text in (name, *also) if text and text.strip()]
    if not texts:
        return []
    queryset = model._default_manager.all()
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    same = _duplicate_condition(model, texts)
    similarity = Value(0.0, output_field=FloatField())
    key = name_key(texts[0])
    if _is_postgresql(queryset) and len(key) >= SIMILARITY_MIN_LENGTH:
        similarity = TrigramStrictWordSimilarity(Value(key), "name_key")
        matches = queryset.annotate(name_similarity=similarity).filter(
            same | Q(name_similarity__gt=DUPLICATE_SIMILARITY)
        )
    else:
        matches = queryset.annotate(name_similarity=similarity).filter(same)
    ordered = matches.annotate(
        same_key=Case(When(same, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("same_key", F("name_similarity").desc(), *model._meta.ordering, "pk")
    return list(ordered[:limit])
