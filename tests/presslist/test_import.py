"""Journalists from a CSV file: all rows or none, every problem named by its line."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from presslist.models import Journalist

from .conftest import make_journalist

pytestmark = pytest.mark.django_db

GOOD = (
    "name;outlet;email;phone;languages;sections;accredited_until;active;notes\n"
    "Maria Pressova;Evening News;maria@evening.example;8 495 123-45-67;ru,en;security;2031-12-31;yes;\n"
    "Ivan Reporter;Morning Post;IVAN@courier.example;;en;;2030-01-31;no;moved\n"
)


def upload(client, text: str, name: str = "list.csv"):
    return client.post(
        reverse("admin:presslist_journalist_import"),
        {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_an_editor_imports_new_journalists_and_updates_known_ones_by_address(client, editor, section):
    make_journalist(name="Ivan Reporter", email="ivan@courier.example", outlet="Daily Courier")
    client.force_login(editor)
    changelist = client.get(reverse("admin:presslist_journalist_changelist")).content.decode()
    assert reverse("admin:presslist_journalist_import") in changelist
    response = upload(client, GOOD)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Journalists imported: 1 added, 1 updated." in page
    maria = Journalist.objects.get(email="maria@evening.example")
    assert (maria.phone, maria.languages, list(maria.sections.all())) == ("+74951234567", "ru,en", [section])
    ivan = Journalist.objects.get(email__iexact="ivan@courier.example")
    assert (ivan.outlet, ivan.active, ivan.notes) == ("Morning Post", False, "moved")
    assert Journalist.objects.count() == 2


def test_a_file_with_a_bad_line_imports_nothing_and_names_each_problem(client, editor, section):
    bad = GOOD + (
        "Olga;Wire;not-an-address;;de;economy;someday;maybe;\n"
        "Maria Again;Evening News;MARIA@evening.example;;en;;2031-01-01;;\n"
    )
    client.force_login(editor)
    response = upload(client, bad)
    assert response.status_code == 200
    errors = response.context["errors"]
    assert len(errors) == 2
    assert errors[0].startswith("Line 4: unknown sections: economy; active must be yes or no;")
    assert "email: Enter a valid email address." in errors[0]
    assert "accredited_until: Enter a valid date." in errors[0]
    assert errors[1] == "Line 5: this e-mail address is on an earlier line too"
    assert "Nothing was imported." in response.content.decode()
    assert not Journalist.objects.exists()


def test_a_file_that_is_not_a_csv_list_is_a_form_error(client, editor):
    client.force_login(editor)
    latin1 = client.post(
        reverse("admin:presslist_journalist_import"),
        {"file": SimpleUploadedFile("list.csv", "név;é\n".encode("latin-1"))},
    )
    assert latin1.status_code == 200 and "The file is not UTF-8 text." in latin1.content.decode()
    columns = upload(client, "who,where\nA,B\n")
    assert "missing: name, outlet, email, accredited_until." in columns.content.decode()
    empty = client.post(reverse("admin:presslist_journalist_import"), {})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()


def test_an_author_cannot_import(client, author):
    client.force_login(author)
    assert client.get(reverse("admin:presslist_journalist_import")).status_code == 403
    assert upload(client, GOOD).status_code == 403
    assert not Journalist.objects.exists()
