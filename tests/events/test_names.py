"""Names as people type them: variant spellings meet, autocomplete ranks exact names and acronyms first,
and the directory warns before a likely duplicate person or organisation is saved."""

import hashlib
import importlib
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from events.archive import DATA_NAME, MANIFEST_NAME
from events.models import Organization, Person
from events.name_keys import VARIANT_RULES, acronym, fold, name_key, stored_keys, term_forms
from events.selectors.names import NameRank, likely_duplicates, rank_names
from tests.factories import OrganizationFactory, PersonFactory, PressContactFactory, UserFactory
from tests.security.archive_formats import as_format_2
from tests.security.test_backup_roundtrip import freshly_migrated_database

ON_POSTGRESQL = connection.vendor == "postgresql"


# --- The key: one spelling per name -------------------------------------------------------------------------

VARIANTS = [
    ("Nikolai", "Nikolay", "Nicolai", "Nikolaj", "Николай", "NIKOLAI"),
    ("Sergei", "Sergey", "Сергей"),
    ("Yuri", "Yury", "Iouri", "Yuriy", "Juri", "Юрий"),
    ("Aleksandr", "Alexander", "Александр"),
    ("Dmitri", "Dmitry", "Dmitriy", "Dmitrii", "Дмитрий"),
    ("Tatiana", "Tatyana", "Татьяна", "Tatiána"),
    ("Mikhail", "Michail", "Михаил"),
    ("Yevgeny", "Evgeny", "Evgenii", "Евгений"),
    ("Andreyev", "Andreev", "Андреев"),
    ("Grigoryev", "Grigoriev", "Григорьев"),
    ("Pyotr", "Petr", "Peter", "Пётр"),
    ("Fyodor", "Fedor", "Фёдор"),
    ("Philipp", "Filipp", "Philip", "Филипп"),
    ("Iwanow", "Ivanov", "Иванов"),
    ("Pugatchev", "Pugachev", "Пугачёв"),
    ("Khrushchev", "Khrushchyov", "Хрущёв"),
    ("Ilya", "Ilia", "Илья"),
    ("Mariya", "Maria", "Мария"),
    ("Nikolay Petrov", "Nikolai  Petrov", "Николай Петров", "nikolai-petrov"),
]


@pytest.mark.parametrize("spellings", VARIANTS, ids=[group[0] for group in VARIANTS])
def test_every_spelling_of_a_name_has_the_same_key(spellings):
    keys = {spelling: name_key(spelling) for spelling in spellings}
    assert len(set(keys.values())) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [("Petrov", "Petrova"), ("Ivanov", "Ivanova"), ("Nikolai", "Nikita"), ("Sergei", "Sergeev"), ("Anna", "Inna")],
)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


# One pair per rewrite rule: the spellings that meet only because of that rule.
RULE_EXAMPLES = {
    r"tch": ("pugatchev", "pugachev"),
    r"ks": ("aleksei", "alexei"),
    r"kh": ("khodorkovsky", "hodorkovsky"),
    r"ck": ("zaitseck", "zaitsek"),
    r"c(?!h)": ("nicolai", "nikolai"),
    r"ph": ("philipov", "filipov"),
    r"w": ("iwanow", "ivanov"),
    r"yo": ("pyotr", "petr"),
    r"[yj]": ("nikolay", "nikolai"),
    r"ou": ("iouri", "iuri"),
    r"(?<=[aeiou])ch(?=[aeiou])": ("michail", "mihail"),
    r"(.)\1+": ("dmitrii", "dmitri"),
    r"ie": ("ievgeni", "evgeni"),
    r"(?<=[^aeiou])er$": ("alexander", "alexandr"),
}


def test_every_rewrite_rule_has_an_example_here():
    assert {pattern for pattern, _replacement, _example in VARIANT_RULES} == set(RULE_EXAMPLES)


@pytest.mark.parametrize(("pattern", "pair"), RULE_EXAMPLES.items(), ids=list(RULE_EXAMPLES))
def test_each_rewrite_rule_makes_its_variants_meet(pattern, pair):
    assert name_key(pair[0]) == name_key(pair[1])


def test_fold_lowercases_transliterates_and_drops_accents_and_punctuation():
    assert fold("Николай ПЕТРОВ") == "nikolay petrov"
    assert fold("José Ángel Müller-Lüdenscheidt") == "jose angel muller ludenscheidt"
    assert fold("O’Neil, Søren") == "oneil soren"
    assert fold("Щукин Йосиф Объединённый") == "shchukin yosif obedinennyy"
    assert fold("  !!  ") == ""


def test_acronyms_skip_small_words_in_both_languages():
    assert acronym("United Nations") == "un"
    assert acronym("Organization for Security and Co-operation in Europe") == "osce"
    assert acronym("Организация по безопасности и сотрудничеству в Европе") == "obse"
    assert acronym("Организация Объединённых Наций") == "oon"
    assert acronym("Foundation for Urban Nature") == "fun"


def test_the_stored_keys_hold_every_name_its_fold_and_the_acronyms():
    assert stored_keys(["Nikolay Petrov", "Николай Петров", "Petrov, Nikolay"]) == (
        "|nikolai petrov|nikolay petrov|petrov nikolai|petrov nikolay|"
    )
    names = ["United Nations", "Организация Объединённых Наций"]
    assert stored_keys([names[0], "", ""], acronyms_of=names) == "|united nations|#un|#oon|"
    assert stored_keys(["", "  "]) == ""


def test_a_typed_term_is_compared_as_its_key_and_as_typed():
    assert term_forms("Mik") == ["mik"]
    assert term_forms("Mikh") == ["mih", "mikh"]
    assert term_forms("?!") == []


# --- Keys stored on the rows ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_person_or_organisation_stores_its_keys_and_keeps_them_current():
    person = PersonFactory(name="Nikolay Petrov", name_ru="Николай Петров")
    assert person.name_key == "|nikolai petrov|nikolay petrov|petrov nikolai|petrov nikolay|"
    person.name = "Sergey Petrov"
    person.save(update_fields=["name"])
    person.refresh_from_db()
    assert "|sergei petrov|" in person.name_key
    assert "|nikolai petrov|" in person.name_key  # still the Russian name

    organization = OrganizationFactory(name="United Nations", name_ru="", short_name="UN")
    assert organization.name_key == "|united nations|un|#un|"


@pytest.mark.django_db
def test_the_migration_fills_the_keys_of_existing_rows():
    person = PersonFactory(name="Юрий Гагарин")
    organization = OrganizationFactory(name="Commonwealth of Independent States", short_name="CIS")
    Person.objects.update(name_key="")
    Organization.objects.update(name_key="")
    migration = importlib.import_module("events.migrations.0016_names_search")
    # fill_keys reads only the editor's connection; SQLite cannot open a real editor inside the test's transaction.
    migration.fill_keys(django_apps, SimpleNamespace(connection=connection))
    person.refresh_from_db()
    organization.refresh_from_db()
    assert person.name_key == "|iuri gagarin|yuriy gagarin|gagarin iuri|gagarin yuriy|"
    assert organization.name_key == (
        "|komonvealth of independent states|commonwealth of independent states|kis|cis|#cis|"
    )


@pytest.mark.django_db
def test_postgresql_gets_a_trigram_index_on_the_keys_and_sqlite_does_not():
    with connection.cursor() as cursor:
        names = {
            name
            for table in ("events_person", "events_organization")
            for name in connection.introspection.get_constraints(cursor, table)
        }
    expected = {"person_name_key_trgm", "organization_name_key_trgm"} if ON_POSTGRESQL else set()
    assert names & {"person_name_key_trgm", "organization_name_key_trgm"} == expected


# --- Ranking ------------------------------------------------------------------------------------------------


@pytest.fixture
def un_and_lookalikes():
    for name, short_name in [
        ("Foundation for Urban Nature", ""),
        ("Tunisia Embassy", ""),
        ("United Nations Educational, Scientific and Cultural Organization", "UNESCO"),
        ("United Nations", ""),
    ]:
        OrganizationFactory(name=name, short_name=short_name)


@pytest.mark.django_db
def test_un_ranks_the_united_nations_first_then_prefixes_then_names_that_merely_contain_it(un_and_lookalikes):
    ranked = rank_names(Organization.objects.all(), "UN")
    assert [(org.name, org.name_rank) for org in ranked] == [
        ("United Nations", NameRank.EXACT),
        ("United Nations Educational, Scientific and Cultural Organization", NameRank.PREFIX),
        ("Foundation for Urban Nature", NameRank.WORDS),
        ("Tunisia Embassy", NameRank.WORDS),
    ]


@pytest.mark.django_db
def test_ranking_stages_for_a_person():
    for name in ["Ivan Vinnikolaev", "Ivan Nikolaevich Petrov", "Nikolay Petrov", "Anna Nikolaeva", "Nikola"]:
        PersonFactory(name=name)
    ranked = rank_names(Person.objects.all(), "Nikola")
    # Exact, then a name or sort name ("Nikolaeva, Anna") that starts with it, then a word that does, then
    # anywhere; ties by sort name.
    assert [(person.name, person.name_rank) for person in ranked] == [
        ("Nikola", NameRank.EXACT),
        ("Anna Nikolaeva", NameRank.PREFIX),
        ("Nikolay Petrov", NameRank.PREFIX),
        ("Ivan Nikolaevich Petrov", NameRank.WORD_PREFIX),
        ("Ivan Vinnikolaev", NameRank.WORDS),
    ]
    # On PostgreSQL, names merely similar to "Nikolaj" follow, closest first (SQLite has no similarity).
    similar = [
        ("Nikola", NameRank.SIMILAR),
        ("Anna Nikolaeva", NameRank.SIMILAR),
        ("Ivan Nikolaevich Petrov", NameRank.SIMILAR),
    ]
    assert [(person.name, person.name_rank) for person in rank_names(Person.objects.all(), "nikolaj")] == [
        ("Nikolay Petrov", NameRank.PREFIX),
        *(similar if ON_POSTGRESQL else []),
    ]


@pytest.mark.django_db
def test_a_term_of_punctuation_only_finds_nothing():
    PersonFactory(name="Nikolay Petrov")
    assert list(rank_names(Person.objects.all(), "?!")) == []


@pytest.mark.django_db
def test_a_misspelt_name_is_found_on_postgresql_only():
    PersonFactory(name="Nikolay Petrov")
    found = [person.name for person in rank_names(Person.objects.all(), "Nikolai Petorv")]
    # SQLite has no trigram similarity: a match needs the typed words to appear in a name.
    assert found == (["Nikolay Petrov"] if ON_POSTGRESQL else [])


# --- The admin's autocomplete and list search ------------------------------------------------------------------


def autocomplete(client, model_name, field_name, term, page=1):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "events", "model_name": model_name, "field_name": field_name, "term": term, "page": page},
    )
    assert response.status_code == 200
    return response.json()


def texts(answer):
    return [result["text"] for result in answer["results"]]


@pytest.mark.django_db
def test_un_in_the_release_forms_organisations_lists_the_united_nations_first(
    admin_client_logged_in, un_and_lookalikes
):
    answer = autocomplete(admin_client_logged_in, "event", "organizations", "UN")
    assert texts(answer) == [
        "United Nations",
        "United Nations Educational, Scientific and Cultural Organization (UNESCO)",
        "Foundation for Urban Nature",
        "Tunisia Embassy",
    ]


@pytest.mark.django_db
def test_the_ranking_survives_the_autocompletes_pages_of_twenty(admin_client_logged_in):
    for number in range(22):
        OrganizationFactory(name=f"Fund {number:02}", short_name="")
    OrganizationFactory(name="Union of Journalists", short_name="")  # created last, ranked first
    first = autocomplete(admin_client_logged_in, "event", "organizations", "un", page=1)
    second = autocomplete(admin_client_logged_in, "event", "organizations", "un", page=2)
    assert first["pagination"] == {"more": True}
    assert second["pagination"] == {"more": False}
    assert texts(first) + texts(second) == ["Union of Journalists", *(f"Fund {number:02}" for number in range(22))]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Nikolai", "Николай", "Petrov", "nikolai petrov", "Petrov Nikolai", "Nicolai Petrov"])
def test_the_participant_autocomplete_finds_nikolay_petrov_however_typed(admin_client_logged_in, term):
    PersonFactory(name="Nikolay Petrov", position="")
    PersonFactory(name="Anna Ivanova", position="")
    assert texts(autocomplete(admin_client_logged_in, "eventparticipant", "person", term)) == ["Nikolay Petrov"]


@pytest.mark.django_db
@pytest.mark.parametrize("term", ["Sergei Ivanov", "Sergey", "ivanov"])
def test_a_person_entered_in_cyrillic_only_is_found_by_a_latin_spelling(admin_client_logged_in, term):
    PressContactFactory(name="Сергей Иванов", name_ru="", position="")
    assert texts(autocomplete(admin_client_logged_in, "eventpresscontact", "person", term)) == ["Сергей Иванов"]


@pytest.mark.django_db
def test_the_press_contact_autocomplete_still_lists_press_contacts_only(admin_client_logged_in):
    PressContactFactory(name="Nikolay Petrov", position="")
    PersonFactory(name="Nikolai Petrovsky", position="")
    assert texts(autocomplete(admin_client_logged_in, "eventpresscontact", "person", "Nikolai")) == ["Nikolay Petrov"]


@pytest.mark.django_db
def test_the_people_list_search_is_ranked_and_still_finds_an_email(admin_client_logged_in):
    PersonFactory(name="Ivan Petrovsky", email="")
    PersonFactory(name="Nikolay Petrov", email="")
    PersonFactory(name="Olga Smirnova", email="petrov.office@example.org")
    url = reverse("admin:events_person_changelist")

    ranked = admin_client_logged_in.get(url, {"q": "Petrov"}).context["cl"].result_list
    # Both sort names ("Petrov, Nikolay", "Petrovsky, Ivan") start with the term: alphabetical. The e-mail last.
    assert [person.name for person in ranked] == ["Nikolay Petrov", "Ivan Petrovsky", "Olga Smirnova"]

    by_column = admin_client_logged_in.get(url, {"q": "Petrov", "o": "1"}).context["cl"].result_list
    assert [person.name for person in by_column] == ["Ivan Petrovsky", "Nikolay Petrov", "Olga Smirnova"]


@pytest.mark.django_db
def test_the_organisations_list_search_finds_a_russian_acronym(admin_client_logged_in):
    OrganizationFactory(name="United Nations", name_ru="Организация Объединённых Наций", short_name="UN")
    OrganizationFactory(name="Union of Journalists", name_ru="", short_name="")
    url = reverse("admin:events_organization_changelist")
    found = admin_client_logged_in.get(url, {"q": "ООН"}).context["cl"].result_list
    # The acronym of its Russian name first; "Union" only contains the key of "ООН" ("on": doubles collapse).
    assert [organization.name for organization in found] == ["United Nations", "Union of Journalists"]


# --- Likely duplicates ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_likely_duplicates_of_a_person_by_key_and_by_sort_order():
    nikolay = PersonFactory(name="Nikolay Petrov")
    petrovsky = PersonFactory(name="Nikolai Petrovsky")
    PersonFactory(name="Anna Ivanova")
    # PostgreSQL also offers a very similar name, after the same ones; SQLite knows only the same keys.
    similar = [petrovsky] if ON_POSTGRESQL else []
    assert likely_duplicates(Person, "Nikolai Petrov") == [nikolay, *similar]
    assert likely_duplicates(Person, "Petrov Nikolai") == [nikolay, *similar]
    assert likely_duplicates(Person, "Николай Петров") == [nikolay, *similar]
    assert likely_duplicates(Person, "Nikolai Petrov", exclude_pk=nikolay.pk) == similar
    assert likely_duplicates(Person, "Olga Smirnova") == []
    assert likely_duplicates(Person, "") == []


@pytest.mark.django_db
def test_likely_duplicates_of_an_organisation_by_short_name_and_acronym():
    osce = OrganizationFactory(name="Organization for Security and Co-operation in Europe", short_name="OSCE")
    OrganizationFactory(name="Organisation of Islamic Cooperation", short_name="OIC")
    assert likely_duplicates(Organization, "OSCE") == [osce]
    assert likely_duplicates(Organization, "Organisation for Security and Cooperation in Europe") == [osce]
    assert likely_duplicates(Organization, "Anything", also=["", "osce"]) == [osce]
    assert likely_duplicates(Organization, "Организация по безопасности и сотрудничеству в Европе") == []


@pytest.mark.django_db
def test_a_misspelt_duplicate_is_caught_on_postgresql_only():
    nikolay = PersonFactory(name="Nikolay Petrov")
    assert likely_duplicates(Person, "Nikolai Petroff") == ([nikolay] if ON_POSTGRESQL else [])


def person_form(**changes):
    data = {
        "name": "Nikolai Petrov",
        "name_ru": "",
        "sort_name": "",
        "slug": "nikolai-petrov",
        "position": "",
        "position_ru": "",
        "email": "",
        "bio": "",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_adding_nikolai_petrov_when_nikolay_petrov_exists_warns_and_saves_only_when_confirmed(admin_client_logged_in):
    nikolay = PersonFactory(name="Nikolay Petrov")
    url = reverse("admin:events_person_add")

    refused = admin_client_logged_in.post(url, person_form())
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "A person like this already exists:" in page
    assert f'href="{reverse("admin:events_person_change", args=[nikolay.pk])}"' in page
    assert "Save anyway: this is a different person" in page
    assert 'type="checkbox" name="save_anyway"' in page
    assert not Person.objects.filter(slug="nikolai-petrov").exists()

    saved = admin_client_logged_in.post(url, person_form(save_anyway="on"))
    assert saved.status_code == 302
    assert Person.objects.filter(slug="nikolai-petrov").exists()


@pytest.mark.django_db
def test_a_new_person_with_no_likely_duplicate_shows_no_save_anyway_box(admin_client_logged_in):
    PersonFactory(name="Anna Ivanova")
    form_page = admin_client_logged_in.get(reverse("admin:events_person_add")).content.decode()
    assert "Save anyway" not in form_page
    assert '<input type="hidden" name="save_anyway"' in form_page
    saved = admin_client_logged_in.post(reverse("admin:events_person_add"), person_form())
    assert saved.status_code == 302


@pytest.mark.django_db
def test_editing_a_person_is_not_refused_as_a_duplicate_of_itself(admin_client_logged_in):
    nikolay = PersonFactory(name="Nikolay Petrov", slug="nikolay-petrov")
    url = reverse("admin:events_person_change", args=[nikolay.pk])
    seen_state = admin_client_logged_in.get(url).context["adminform"].form["seen_state"].value()
    saved = admin_client_logged_in.post(
        url, person_form(name="Nikolai Petrov", slug="nikolay-petrov", seen_state=seen_state)
    )
    assert saved.status_code == 302
    nikolay.refresh_from_db()
    assert nikolay.name == "Nikolai Petrov"


def organization_form(**changes):
    data = {
        "name": "OSCE",
        "name_ru": "",
        "short_name": "",
        "slug": "osce-2",
        "kind": Organization.Kind.INTERNATIONAL,
        "country": "",
        "website": "",
        "description": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "entered",
    [
        {"name": "OSCE"},
        {"name": "Organisation for Security and Co-operation in Europe", "short_name": "OSCE"},
        {"name": "ОБСЕ", "name_ru": "Организация по безопасности и сотрудничеству в Европе"},
    ],
    ids=["short-name-as-name", "same-short-name", "russian-names"],
)
def test_a_second_osce_is_refused_until_save_anyway_is_ticked(admin_client_logged_in, entered):
    osce = OrganizationFactory(
        name="Organization for Security and Co-operation in Europe",
        name_ru="Организация по безопасности и сотрудничеству в Европе",
        short_name="OSCE",
    )
    url = reverse("admin:events_organization_add")

    refused = admin_client_logged_in.post(url, organization_form(**entered))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "An organisation like this already exists:" in page
    assert f'href="{reverse("admin:events_organization_change", args=[osce.pk])}"' in page
    assert "Save anyway: this is a different organisation" in page
    assert Organization.objects.count() == 1

    saved = admin_client_logged_in.post(url, organization_form(**entered, save_anyway="on"))
    assert saved.status_code == 302
    assert Organization.objects.count() == 2


@pytest.mark.django_db
def test_the_duplicate_warning_escapes_the_names_it_links(admin_client_logged_in):
    OrganizationFactory(name="<b>OSCE</b>", short_name="OSCE")
    page = admin_client_logged_in.post(reverse("admin:events_organization_add"), organization_form()).content.decode()
    assert "&lt;b&gt;OSCE&lt;/b&gt;" in page
    assert "<b>OSCE</b>" not in page


@pytest.mark.django_db
def test_the_duplicate_warning_speaks_russian_to_a_russian_admin(admin_client_logged_in):
    PersonFactory(name="Nikolay Petrov")
    response = admin_client_logged_in.post(reverse("admin:events_person_add"), person_form(), HTTP_ACCEPT_LANGUAGE="ru")
    page = response.content.decode()
    assert "Похожий человек уже есть в справочнике:" in page
    assert "Всё равно сохранить: это другой человек" in page


def without_name_keys(archive_path):
    """Rewrite an archive as the site wrote it before migration 0016: no ``name_key`` in any row."""
    with zipfile.ZipFile(archive_path) as archive:
        members = as_format_2({name: archive.read(name) for name in archive.namelist()})
    rows = json.loads(members[DATA_NAME])
    for row in rows:
        row["fields"].pop("name_key", None)
    members[DATA_NAME] = json.dumps(rows).encode()
    manifest = json.loads(members[MANIFEST_NAME])
    manifest["sha256"][DATA_NAME] = hashlib.sha256(members[DATA_NAME]).hexdigest()
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    with zipfile.ZipFile(archive_path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.mark.django_db(transaction=True)
def test_people_restored_from_a_backup_made_before_the_keys_are_found_by_any_spelling(tmp_path):
    PersonFactory(name="Nikolay Petrov", slug="nikolay-petrov")
    OrganizationFactory(name="United Nations", short_name="", slug="un")
    archive_path = tmp_path / "backup.zip"
    call_command("export_archive", str(archive_path), stdout=io.StringIO())
    without_name_keys(archive_path)

    with freshly_migrated_database(tmp_path):
        call_command("import_archive", str(archive_path), stdout=io.StringIO())
        assert [person.slug for person in rank_names(Person.objects.all(), "Николай")] == ["nikolay-petrov"]
        assert [org.slug for org in rank_names(Organization.objects.all(), "UN")] == ["un"]


@pytest.mark.django_db
def test_a_reader_who_may_only_view_people_gets_no_save_anyway_field(client):
    reader = UserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_person"))
    client.force_login(reader)
    person = PersonFactory(name="Nikolay Petrov")
    response = client.get(reverse("admin:events_person_change", args=[person.pk]))
    assert response.status_code == 200
    assert "field-save_anyway" not in response.content.decode()
