"""List rows and month grids are written out in Python for speed; they must say what the templates said."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.utils import translation
from django.utils.text import Truncator

from events.media.services import attachments_upload
from events.templatetags.calendar_grid import TITLE_LENGTH, short_title
from events.templatetags.event_rows import LEAD_WORDS, event_row, picture_html, short_lead
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, SectionFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 18, 9, 30, tzinfo=UTC)


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def uploaded_photo(event, **fields):
    [photo] = attachments_upload(event=event, files=[SimpleUploadedFile("talks.jpg", plain_jpeg(1600, 1000))])
    for name, value in fields.items():
        setattr(photo, name, value)
    photo.save()
    return photo


@pytest.mark.parametrize(
    "size,options",
    [
        ("thumb", {"lazy": True, "sizes": "(min-width: 40em) 9rem, 6rem"}),
        ("thumb", {"lazy": True, "sizes": "(min-width: 60em) 20em, 100vw", "css_class": "gallery-thumb"}),
        ("large", {}),
    ],
)
def test_picture_markup_is_the_one_the_picture_template_writes(size, options):
    photo = uploaded_photo(EventFactory(), alt_text='Ministers "at" the <table> & chairs')
    template = Template(
        '{% include "includes/picture.html" with photo=photo size=size lazy=lazy sizes=sizes class=css_class %}'
    )
    expected = template.render(Context({"photo": photo, "size": size, **options}))

    written = picture_html(photo, size, **options)
    tag = Template(
        "{% load event_rows %}{% picture photo size lazy=lazy|default:False sizes=sizes|default:'100vw' "
        "css_class=css_class|default:'' %}"
    ).render(Context({"photo": photo, "size": size, **options}))

    assert squeezed(written) == squeezed(expected)
    assert tag == written
    assert 'alt="Ministers &quot;at&quot; the &lt;table&gt; &amp; chairs"' in written
    assert ' width="' in written and ' height="' in written


def test_a_row_links_the_title_and_thumbnail_with_the_way_back_and_escapes_text():
    section = SectionFactory(name="Summits & Meetings")
    event = EventFactory(
        title="Talks on <border> cooperation",
        section=section,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        lead="word " * 60,
    )
    event.cover = uploaded_photo(event)
    event.save()
    with translation.override("en"):
        html = event_row({"LANGUAGE_CODE": "en"}, event, "/en/events/?page=2", "h2")

    assert html.startswith('<article class="event-item has-thumb">')
    assert html.count(f'href="{event.get_absolute_url()}?back=%2Fen%2Fevents%2F%3Fpage%3D2"') == 2
    assert '<h2 class="event-title">' in html and "Talks on &lt;border&gt; cooperation" in html
    assert "Summits &amp; Meetings" in html
    assert '<time datetime="2026-03-18T09:30:00+00:00">18 March 2026</time>' in html
    assert '<span class="event-time">09:30–11:30</span>' in html
    assert 'loading="lazy"' in html
    # The lead is cut after 40 words.
    assert html.count("word") == 40 and "word …</p>" in html
    # Same-language rows carry no language badge.
    assert "event-language" not in html


def test_a_row_in_another_language_says_so_and_defaults_to_an_h3():
    event = EventFactory(language="ru", title="Переговоры", starts_at=START)
    with translation.override("en"):
        html = event_row({"LANGUAGE_CODE": "en"}, event)

    assert '<span class="event-language" lang="ru">Russian</span>' in html
    assert '<h3 class="event-title"><a href="' in html and 'hreflang="ru"' in html
    assert "has-thumb" not in html and "<picture>" not in html


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Short title",
        "  spaced \n  out  ",
        "word " * 40,
        "word " * 41,
        "x" * 60,
        "x" * 61,
        "e\u0301" * 59,
        "Саммит " * 12,
    ],
)
def test_shortened_titles_and_leads_match_the_truncator(text):
    assert short_title(text) == Truncator(text).chars(TITLE_LENGTH)
    assert short_lead(text) == Truncator(text).words(LEAD_WORDS, truncate=" …")
