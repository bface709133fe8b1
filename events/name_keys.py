"""Names as people type them: the text rules that turn a name into search keys (no database, no HTML).

A person or organisation is stored with one text column, ``name_key``, made by ``stored_keys()`` from every
name it goes by. Searches and the duplicate check (``events.selectors.names``) compare a typed term with it.
The rules live here, below the models, because ``save()`` fills the column; the selectors re-export them.

Three forms of a text:

``fold(text)``
    lower case, Cyrillic transliterated to Latin with one scheme (``CYRILLIC``, close to BGN/PCGN: й → y,
    х → kh, ц → ts, щ → shch, ё → e, ь and ъ dropped), accents removed (``é`` → ``e``), anything but letters
    and digits a word break, apostrophes dropped. "Николай" → "nikolay".

``name_key(text)``
    the fold with common transliteration variants collapsed (``VARIANT_RULES``, applied in order to each
    word), so that Nikolai, Nikolay, Nicolai and Николай all give "nikolai".

``acronym(text)``
    the initials of the words, skipping ``ACRONYM_SKIPPED_WORDS`` (of, the, for, and, и, по, …):
    "Organization for Security and Co-operation in Europe" → "osce", "Организация Объединённых Наций" → "oon".

``stored_keys()`` joins the keys and folds of every name, and the acronyms (marked with ``#``), between
``|`` separators: "|nikolai petrov|nikolay petrov|petrov nikolai|". So "is exactly a name" is
"contains ``|term|``", "a name starts with the term" is "contains ``|term``", "a word starts with it" is
"contains `` term``": plain ``LIKE`` on any database, a trigram index on PostgreSQL.

Keys are computed when a row is saved; change these rules and migrate the stored keys again (0016 shows how).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# One transliteration scheme for Cyrillic (Russian, with the Ukrainian and Belarusian letters people paste).
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
# Latin letters that Unicode does not decompose into a base letter and an accent.
LATIN_EXTRA = {"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d"}
_TRANSLITERATION = str.maketrans({**CYRILLIC, **LATIN_EXTRA})

# Collapsing transliteration variants: (pattern, replacement, example), applied in this order to each word of
# the fold. Every rule is applied to the stored names and to what is typed alike, so a rule that also changes
# an unrelated name (Richard → rihard) costs nothing: both sides change the same way.
VARIANT_RULES: tuple[tuple[str, str, str], ...] = (
    (r"tch", "ch", "Pugatchev (French) = Pugachev"),
    (r"ks", "x", "Aleksandr = Alexandr"),
    (r"kh", "h", "Mikhail = Mihail, Khodorkovsky = Hodorkovsky"),
    (r"ck", "k", "Zaitseck = Zaitsek"),
    (r"c(?!h)", "k", "Nicolai = Nikolai"),
    (r"ph", "f", "Philipp = Filipp"),
    (r"w", "v", "Iwanow (German) = Ivanov"),
    (r"yo", "e", "Pyotr = Petr, Fyodor = Fedor, Semyon = Semen (ё written as e)"),
    (r"[yj]", "i", "Nikolay = Nikolai, Sergey = Sergei, Tatyana = Tatiana, Nikolaj = Nikolai"),
    (r"ou", "u", "Iouri (French) = Iuri = Yuri"),
    (r"(?<=[aeiou])ch(?=[aeiou])", "h", "Michail (German, Greek) = Mihail = Mikhail"),
    (r"(.)\1+", r"\1", "Filipp = Filip, Dmitrii = Dmitri, Yuriy (→ iurii) = Yuri"),
    (r"ie", "e", "Yevgeny (→ ievgeni) = Evgeni, Andreyev = Andreev, Grigoryev = Grigorev"),
    (r"(.)\1+", r"\1", "Andreyev (→ andreev) = Andreev (→ andrev)"),
    (r"(?<=[^aeiou])er$", "r", "Alexander = Alexandr, Peter = Petr (= Пётр)"),
)
_COMPILED_RULES = tuple((re.compile(pattern), replacement) for pattern, replacement, _example in VARIANT_RULES)

# Small words left out of an acronym, in English, French and (transliterated) Russian.
ACRONYM_SKIPPED_WORDS = frozenset(
    "of the for and on in at to a an by with de des du la le les et pour i v vo po dlya na o ob pri s so k ko".split()
)

_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’ʼ`´]")
# The separators of the stored column; a folded text never holds them.
SEPARATOR = "|"
ACRONYM_MARK = "#"


def fold(text: str | None) -> str:
    """``text`` lower-cased, transliterated, without accents or punctuation, words separated by one space."""
    text = unicodedata.normalize("NFC", str(text or "")).casefold()
    # Transliterate before decomposing: NFKD would split й into и and a breve.
    text = text.translate(_TRANSLITERATION)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NOT_A_WORD.sub(" ", text).split())


def _word_key(word: str) -> str:
    for pattern, replacement in _COMPILED_RULES:
        word = pattern.sub(replacement, word)
    return word


def name_key(text: str | None) -> str:
    """The search key of ``text``: its fold with transliteration variants collapsed ("Николай" → "nikolai")."""
    return " ".join(_word_key(word) for word in fold(text).split())


def acronym(text: str | None) -> str:
    """The folded initials of the words of ``text``, small words skipped ("United Nations" → "un")."""
    initials = []
    for raw_word in str(text or "").split():
        words = fold(raw_word).split()
        # A hyphenated word ("Co-operation") gives one initial.
        if words and words[0] not in ACRONYM_SKIPPED_WORDS:
            initials.append(words[0][0])
    return "".join(initials)


def term_forms(term: str | None) -> list[str]:
    """What a typed ``term`` is compared with the stored keys as: its key, and its plain fold when it differs.

    The fold catches a name typed half-way through a variant ("Mik" of "Mikhail": its key is "mihail").
    """
    return list(dict.fromkeys(form for form in (name_key(term), fold(term)) if form))


def stored_keys(names: Iterable[str | None], acronyms_of: Iterable[str | None] = ()) -> str:
    """The ``name_key`` column of a row known by ``names``, with the acronyms of ``acronyms_of``.

    Acronyms shorter than two letters are left out: one initial matches too much.
    """
    parts: list[str] = []
    for name in names:
        parts.extend((name_key(name), fold(name)))
    for name in acronyms_of:
        initials = acronym(name)
        if len(initials) >= 2:
            parts.append(ACRONYM_MARK + initials)
    parts = list(dict.fromkeys(part for part in parts if part))
    return f"{SEPARATOR}{SEPARATOR.join(parts)}{SEPARATOR}" if parts else ""


def person_search_key(person) -> str:
    """The ``name_key`` of a person (any object with its name fields: a historical model in a migration too)."""
    return stored_keys([person.name, person.name_ru, person.sort_name])


def organization_search_key(organization) -> str:
    """The ``name_key`` of an organisation: its names and short name, and the acronyms of its names."""
    names = [organization.name, organization.name_ru]
    return stored_keys([*names, organization.short_name], acronyms_of=names)
