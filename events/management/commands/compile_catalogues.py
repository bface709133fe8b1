"""Compile the message catalogues (.po → .mo) in Python, so that no machine needs GNU gettext's msgfmt.

Django's own `compilemessages` calls msgfmt. This command writes the same catalogue with polib: every
translated entry, plural forms and message contexts included, fuzzy and obsolete entries left out (as msgfmt
does without --use-fuzzy). It runs under any settings module, production's included.
"""

import os
import re
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_dirs() -> list[Path]:
    """The locale folders this project owns: LOCALE_PATHS and those of its own apps (not installed libraries,
    which ship their compiled catalogues)."""
    base = Path(settings.BASE_DIR).resolve()
    found = [Path(path).resolve() for path in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        folder = Path(config.path).resolve() / "locale"
        if folder.is_relative_to(base) and "site-packages" not in folder.parts and folder.is_dir():
            found.append(folder)
    return list(dict.fromkeys(found))


def is_compiled(entry: polib.POEntry) -> bool:
    """Whether msgfmt would put ``entry`` in the .mo: not fuzzy, not obsolete, and translated; a plural entry
    counts as translated when its first form is (its other forms may still be empty)."""
    if entry.obsolete or entry.fuzzy or not entry.msgid:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural.get(0))
    return bool(entry.msgstr)


PLACEHOLDER = re.compile(r"%\((\w+)\)")


def placeholder_problems(entry: polib.POEntry) -> list[str]:
    """A python-format translation may only use the named placeholders of its original: an unknown one would
    stop the page that shows it with a KeyError (msgfmt --check-format, as Django runs it, refuses it too)."""
    if "python-format" not in entry.flags:
        return []
    known = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
    translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
    unknown = sorted({name for text in translations for name in PLACEHOLDER.findall(text)} - known)
    return [f"msgid {entry.msgid!r} has a translation with the unknown placeholder %({name})s" for name in unknown]


def compile_catalogue(po_path: Path, mo_path: Path) -> bool:
    """Write ``mo_path`` from ``po_path``; True when its content changed.

    The file is replaced in one step (a running server never reads half a catalogue), and left alone when
    the content is the same, so repeated runs don't touch it.
    """
    try:
        catalogue = polib.pofile(str(po_path), wrapwidth=0)
    except (OSError, ValueError) as exc:  # polib raises OSError for a syntax error, with the line
        raise CommandError(f"{po_path}: {exc}") from exc
    compiled = polib.MOFile(encoding=catalogue.encoding)
    compiled.metadata = dict(catalogue.metadata)
    # As msgfmt (since gettext 0.19.8): the template's date is left out, so an unchanged translation compiles
    # to the same bytes after `makemessages`.
    compiled.metadata.pop("POT-Creation-Date", None)
    compiled.extend(entry for entry in catalogue if is_compiled(entry))
    problems = [problem for entry in compiled for problem in placeholder_problems(entry)]
    if problems:
        raise CommandError(f"{po_path}: " + "; ".join(problems))
    content = compiled.to_binary()
    if mo_path.exists() and mo_path.read_bytes() == content:
        return False
    handle, temporary = tempfile.mkstemp(dir=mo_path.parent, prefix=".", suffix=".mo.tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temporary, 0o644)
        os.replace(temporary, mo_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


class Command(BaseCommand):
    help = (
        "Compile the project's message catalogues (locale/<language>/LC_MESSAGES/*.po) into .mo files, without "
        "GNU gettext. Run it after installing or upgrading, before starting the site."
    )

    def handle(self, *args, **options):
        compiled = unchanged = 0
        for folder in catalogue_dirs():
            for po_path in sorted(folder.glob("*/LC_MESSAGES/*.po")):
                if compile_catalogue(po_path, po_path.with_suffix(".mo")):
                    compiled += 1
                    if options["verbosity"] >= 2:
                        self.stdout.write(f"Compiled {po_path}")
                else:
                    unchanged += 1
        if options["verbosity"] >= 1:
            self.stdout.write(f"Catalogues: {compiled} compiled, {unchanged} already up to date.")
