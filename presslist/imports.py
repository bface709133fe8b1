"""Journalists from a CSV file: every row checked as the admin form checks it, then all saved or none.

Columns (first line): name, outlet, email, accredited_until (YYYY-MM-DD) required; phone, languages (en, ru,
"en,ru" or "ru,en"; default en), sections (section slugs separated by ";"), active (yes/no; default yes),
notes optional. A row whose e-mail is already on the list updates that journalist.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _

from events.models import Section

from .models import Journalist

REQUIRED = ("name", "outlet", "email", "accredited_until")
OPTIONAL = ("phone", "languages", "sections", "active", "notes")
TRUE, FALSE = {"", "yes", "y", "true", "1", "да"}, {"no", "n", "false", "0", "нет"}
MAX_ROWS = 5000


class JournalistRowForm(forms.ModelForm):
    class Meta:
        model = Journalist
        fields = ["name", "outlet", "email", "phone", "languages", "sections", "accredited_until", "active", "notes"]


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(raw: bytes) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file (comma or semicolon separated) as dicts with lower-case column names."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise forms.ValidationError(_("The file is not UTF-8 text.")) from error
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise forms.ValidationError(
            _("The first line must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = columns
    rows = [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
    if len(rows) > MAX_ROWS:
        raise forms.ValidationError(_("At most %(count)d rows at a time.") % {"count": MAX_ROWS})
    return rows


def _row_data(row: dict[str, str], sections: dict[str, int]) -> tuple[dict, list[str]]:
    problems = []
    slugs = [slug.strip() for slug in row.get("sections", "").split(";") if slug.strip()]
    unknown = [slug for slug in slugs if slug not in sections]
    if unknown:
        problems.append(_("unknown sections: %(slugs)s") % {"slugs": ", ".join(unknown)})
    active = row.get("active", "").lower()
    if active not in TRUE | FALSE:
        problems.append(_("active must be yes or no"))
    data = {
        "name": row.get("name", ""),
        "outlet": row.get("outlet", ""),
        "email": row.get("email", ""),
        "phone": row.get("phone", ""),
        "languages": row.get("languages", "").replace(" ", "") or Journalist.Languages.EN,
        "sections": [sections[slug] for slug in slugs if slug in sections],
        "accredited_until": row.get("accredited_until", ""),
        "notes": row.get("notes", ""),
    }
    if active in TRUE:
        data["active"] = "on"
    return data, problems


def journalists_import(rows: list[dict[str, str]]) -> ImportResult:
    """Check every row; save them all (adding or updating by e-mail) only when none has a problem."""
    result = ImportResult()
    sections = dict(Section.objects.values_list("slug", "pk"))
    existing = {email.lower(): pk for pk, email in Journalist.objects.values_list("pk", "email")}
    seen: set[str] = set()
    forms_to_save = []
    for number, row in enumerate(rows, start=2):  # line 1 holds the column names
        data, problems = _row_data(row, sections)
        email = data["email"].lower()
        if email in seen:
            problems.append(_("this e-mail address is on an earlier line too"))
        seen.add(email)
        instance = Journalist.objects.get(pk=existing[email]) if email in existing else None
        form = JournalistRowForm(data, instance=instance)
        if not form.is_valid():
            for name, messages in form.errors.items():
                label = name if name != "__all__" else ""
                problems.extend(f"{label}: {message}" if label else message for message in messages)
        if problems:
            result.errors.append(_("Line %(line)d: %(problems)s") % {"line": number, "problems": "; ".join(problems)})
        else:
            forms_to_save.append(form)
    if result.errors:
        return result
    with transaction.atomic():
        for form in forms_to_save:
            if form.instance.pk:
                result.updated += 1
            else:
                result.added += 1
            form.save()
    return result
