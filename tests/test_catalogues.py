"""The Russian catalogue is compiled in Python (manage.py compile_catalogues): the same translations as GNU
msgfmt gives, plural forms and contexts included, fuzzy entries left out; and `make messages` works on a
machine without gettext."""

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from events.management.commands.compile_catalogues import compile_catalogue
from tests.deploy.checkout import copy_of_the_checkout

ROOT = Path(__file__).resolve().parents[1]
RUSSIAN_PO = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RUSSIAN_MO = RUSSIAN_PO.with_suffix(".mo")

SAMPLE_PO = r"""msgid ""
msgstr ""
"Language: ru\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"POT-Creation-Date: 2026-11-25 07:49+0000\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && "
"n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "Draft"
msgstr "Черновик"

msgctxt "month name"
msgid "May"
msgstr "Май"

msgctxt "verb"
msgid "May"
msgstr "Может"

#, python-format
msgid "%(count)s photo"
msgid_plural "%(count)s photos"
msgstr[0] "%(count)s фотография"
msgstr[1] "%(count)s фотографии"
msgstr[2] "%(count)s фотографий"

msgid "Half-done plural"
msgid_plural "Half-done plurals"
msgstr[0] "Недоделано"
msgstr[1] ""
msgstr[2] ""

#, fuzzy
msgid "Guessed"
msgstr "Угадано"

msgid "Untranslated"
msgstr ""

msgid ""
"A long line that the editor wrapped "
"over two lines\twith a tab and \"quotes\""
msgstr ""
"Длинная строка, перенесённая "
"на две строки\tс табуляцией и «кавычками»"

#~ msgid "Obsolete"
#~ msgstr "Устаревшее"
"""


def msgfmt() -> str:
    found = shutil.which("msgfmt")
    if not found:
        message = "GNU msgfmt is not installed (apt-get install gettext): nothing to compare with"
        if os.environ.get("CSO_REQUIRE_BROWSER") == "1":  # CI installs gettext: the comparison must run there
            pytest.fail(message)
        pytest.skip(message)
    return found


def load(mo_path: Path) -> gettext.GNUTranslations:
    with mo_path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def assert_same_as_msgfmt(po_path: Path, tmp_path: Path) -> gettext.GNUTranslations:
    ours, theirs = tmp_path / "ours.mo", tmp_path / "msgfmt.mo"
    compile_catalogue(po_path, ours)
    subprocess.run([msgfmt(), "--output-file", str(theirs), str(po_path)], check=True)
    python, gnu = load(ours), load(theirs)
    # Every entry (context\x04id keys, (id, n) keys of plural forms) and the header, nothing more or less.
    assert python._catalog == gnu._catalog
    assert python.info() == gnu.info()
    assert [python.plural(n) for n in range(250)] == [gnu.plural(n) for n in range(250)]
    return python


def test_the_russian_catalogue_matches_msgfmt_entry_for_entry(tmp_path):
    compiled = assert_same_as_msgfmt(RUSSIAN_PO, tmp_path)
    assert len(compiled._catalog) > 500


def test_plurals_contexts_and_wrapped_strings_survive_and_fuzzy_ones_are_left_out(tmp_path):
    po_path = tmp_path / "sample.po"
    po_path.write_text(SAMPLE_PO, encoding="utf-8")
    compiled = assert_same_as_msgfmt(po_path, tmp_path)
    assert compiled.gettext("Draft") == "Черновик"
    assert compiled.pgettext("month name", "May") == "Май"
    assert compiled.pgettext("verb", "May") == "Может"
    photos = [compiled.ngettext("%(count)s photo", "%(count)s photos", n) % {"count": n} for n in (1, 3, 5, 21)]
    assert photos == ["1 фотография", "3 фотографии", "5 фотографий", "21 фотография"]
    assert compiled.gettext("Guessed") == "Guessed"  # fuzzy: not used
    assert compiled.gettext("Untranslated") == "Untranslated"
    assert compiled.gettext("Obsolete") == "Obsolete"
    # As msgfmt: a plural counts once its first form is translated; the forms still empty read as "".
    assert compiled.ngettext("Half-done plural", "Half-done plurals", 1) == "Недоделано"
    long_id = 'A long line that the editor wrapped over two lines\twith a tab and "quotes"'
    assert compiled.gettext(long_id) == "Длинная строка, перенесённая на две строки\tс табуляцией и «кавычками»"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('msgid "Draft"\nnot a po line\n', "Syntax error"),
        ('#, python-format\nmsgid "%(count)s photos"\nmsgstr "%(число)s фото"\n', "unknown placeholder %(число)s"),
    ],
)
def test_a_broken_catalogue_is_refused_naming_the_file_and_nothing_is_written(tmp_path, text, message):
    po_path = tmp_path / "broken.po"
    po_path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.po.*" + re.escape(message)):
        compile_catalogue(po_path, tmp_path / "broken.mo")
    assert not (tmp_path / "broken.mo").exists()


def test_the_command_compiles_the_site_catalogue_that_django_then_serves_in_russian():
    call_command("compile_catalogues", verbosity=0)
    assert RUSSIAN_MO.stat().st_size > 0
    translation.trans_real._translations.clear()  # forget catalogues loaded before this test
    with translation.override("ru"):
        assert translation.gettext("Russian") == "Русский"
        assert translation.gettext("English") == "Английский"
    # A second run leaves the file alone (same bytes, same time stamp): nothing for a running site to reload.
    before = RUSSIAN_MO.stat().st_mtime_ns
    call_command("compile_catalogues", verbosity=0)
    assert RUSSIAN_MO.stat().st_mtime_ns == before


def test_a_plural_from_the_site_catalogue_in_russian():
    call_command("compile_catalogues", verbosity=0)
    translation.trans_real._translations.clear()
    catalogue = load(RUSSIAN_MO)
    plurals = [key for key in catalogue._catalog if isinstance(key, tuple)]
    assert plurals, "the Russian catalogue has plural entries"
    singular = plurals[0][0]
    forms = {index: catalogue._catalog[(singular, index)] for index in range(3)}
    with translation.override("ru"):
        # 1, 2 and 5 take Russian's three forms; 21 the first again, 11 the third.
        for number, form in ((1, 0), (2, 1), (5, 2), (21, 0), (11, 2)):
            assert translation.ngettext(singular, singular + "s", number) == forms[form]


def test_make_messages_needs_no_gettext(tmp_path):
    """`make messages` in a fresh copy of the checkout, with a PATH holding only make, bash, sh and Python."""
    checkout = copy_of_the_checkout(tmp_path / "checkout")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("make", "bash", "sh"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    (bin_dir / "python3").symlink_to(sys.executable)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    env["DJANGO_SETTINGS_MODULE"] = "cso_press.settings.test"
    mo_path = checkout / "locale" / "ru" / "LC_MESSAGES" / "django.mo"
    assert not mo_path.exists()
    # -o: the virtualenv counts as installed (this test is about the catalogues, not about pip and the network).
    result = subprocess.run(
        ["make", "-o", ".venv/.installed", "messages"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "msgfmt" not in result.stderr
    compiled = load(mo_path)
    assert compiled.gettext("Russian") == "Русский"
    assert compiled._catalog == load_fresh_compile(tmp_path)._catalog


def load_fresh_compile(tmp_path: Path) -> gettext.GNUTranslations:
    compile_catalogue(RUSSIAN_PO, tmp_path / "fresh.mo")
    return load(tmp_path / "fresh.mo")
