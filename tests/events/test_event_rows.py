"""What list rows, photos and month grids show, as their templates write them: includes/picture.html,
includes/event_rows.html ({% event_rows %}) and includes/month_grid.html ({% month_grid %}); written rows
and grids are kept, so they must follow an edit and the turn of the day."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import Truncator

from events.calendar import month_grid
from events.templatetags.calendar_grid import TITLE_LENGTH, short_title
from events.templatetags.event_rows import LEAD_WORDS, short_lead
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 18, 9, 30, tzinfo=UTC)


def file_url(photo, size: str, image_format: str) -> str:
    name = photo.renditions[size][image_format].rsplit("/", 1)[-1]
    return f"/files/{photo.pk}/{size}-{image_format}/{name}"


def rows(events, back=None, level="", language="en", empty="Nothing here.") -> str:
    template = Template("{% load event_rows %}{% event_rows events back level empty=empty %}")
    with translation.override(language):
        return template.render(
            Context({"events": events, "back": back, "level": level, "empty": empty, "LANGUAGE_CODE": language})
        )


def grid(year: int, month: int, events, back=None, compact=False, language="en", today=None) -> str:
    template = Template("{% load calendar_grid %}{% month_grid month back compact %}")
    with translation.override(language):
        return template.render(
            Context({"month": month_grid(year, month, events, today=today), "back": back, "compact": compact})
        )


def test_a_photo_is_a_picture_with_webp_sources_a_sized_jpeg_its_alt_text_and_lazy_loading():
    photo = PhotoFactory(file=ContentFile(plain_jpeg(2400, 1600), name="big.jpg"), alt_text='The "<hall>" & stage')

    html = render_to_string(
        "includes/picture.html",
        {"photo": photo, "size": "thumb", "lazy": True, "sizes": "(min-width: 40em) 9rem, 6rem", "class": "thumb"},
    )

    thumb = photo.renditions["thumb"]
    assert html == (
        f'<picture><source type="image/webp" srcset="{file_url(photo, "thumb", "webp")} 480w" '
        f'sizes="(min-width: 40em) 9rem, 6rem"><img src="{file_url(photo, "thumb", "jpeg")}" '
        f'srcset="{file_url(photo, "thumb", "jpeg")} 480w" sizes="(min-width: 40em) 9rem, 6rem" '
        f'width="{thumb["width"]}" height="{thumb["height"]}" alt="The &quot;&lt;hall&gt;&quot; &amp; stage" '
        'class="thumb" loading="lazy" decoding="async"></picture>'
    )


def test_a_photo_without_renditions_shows_nothing():
    photo = PhotoFactory()
    photo.renditions = {}

    assert render_to_string("includes/picture.html", {"photo": photo}) == ""


def test_a_row_links_the_title_and_thumbnail_with_the_way_back_and_escapes_text():
    section = SectionFactory(name="Summits & Meetings")
    event = EventFactory(
        title="Talks on <border> cooperation",
        section=section,
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        lead="word " * 60,
    )
    event.cover = PhotoFactory(event=event, file=ContentFile(plain_jpeg(1600, 1000), name="talks.jpg"))
    event.save()

    html = rows([event], "/en/events/?page=2", "h2")

    link = f'href="{event.get_absolute_url()}?back=%2Fen%2Fevents%2F%3Fpage%3D2"'
    assert html.strip().startswith('<article class="event-item has-thumb">')
    assert html.count(link) == 2
    thumb = event.cover.renditions["thumb"]
    assert f'<a class="event-thumb" {link} tabindex="-1" aria-hidden="true"><picture><source type="image/webp"' in html
    assert f'width="{thumb["width"]}" height="{thumb["height"]}" alt="{event.cover.alt_text}"' in html
    assert 'sizes="(min-width: 40em) 9rem, 6rem"' in html and 'loading="lazy"' in html
    assert f'<h2 class="event-title"><a {link} hreflang="en">Talks on &lt;border&gt; cooperation</a></h2>' in html
    assert (
        '<p class="event-meta"><time datetime="2026-03-18T09:30:00+00:00">18 March 2026</time>'
        '<span class="event-time">09:30–11:30 UTC</span><span class="event-section">Summits &amp; Meetings</span></p>'
    ) in html
    # The lead is cut after 40 words.
    assert html.count("word") == 40 and "word …</p>" in html
    # Same-language rows carry no language badge.
    assert "event-language" not in html


def test_a_row_in_another_language_says_so_and_defaults_to_an_h3():
    event = EventFactory(language="ru", title="Переговоры", starts_at=START)

    html = rows([event])

    assert '<span class="event-language" lang="ru">Russian</span>' in html
    assert '<h3 class="event-title"><a href="' in html and 'hreflang="ru"' in html
    assert "has-thumb" not in html and "<picture>" not in html


def test_an_empty_list_says_so():
    assert rows([], empty="No <releases> yet.").strip() == '<p class="empty">No &lt;releases&gt; yet.</p>'


def test_rows_follow_an_edit(django_capture_on_commit_callbacks):
    event = EventFactory(title="First title", starts_at=START)
    assert "First title" in rows([event])

    with django_capture_on_commit_callbacks(execute=True):
        event.title = "Corrected title"
        event.save()

    html = rows([event])
    assert "Corrected title" in html and "First title" not in html


def test_rows_are_written_in_the_pages_language():
    event = EventFactory(language="en", starts_at=START)

    assert "18 March 2026" in rows([event])
    html = rows([event], language="ru")
    assert "18 марта 2026 г." in html and '<span class="event-language" lang="en">' in html


def day_cell(html: str, day: int) -> str:
    """The ``<td>`` of ``day`` in the current month (its number links to the day, or stands alone)."""
    cells = re.findall(r"<td[^>]*>.*?</td>", html)
    return next(
        cell
        for cell in cells
        if "other-month" not in cell and re.search(rf'(/{day}/"|<span class="day-number">{day}<)', cell)
    )


def test_a_busy_day_shows_three_releases_and_links_to_the_rest():
    events = [
        EventFactory(title=f"Meeting {number}", starts_at=START + timedelta(minutes=number)) for number in range(5)
    ]
    events[0].title = "A very long title that goes on and on well past the sixty characters a cell shows"

    html = grid(2026, 3, events, back="/en/calendar/2026/3/", today=date(2026, 3, 18))

    cell = day_cell(html, 18)
    assert cell.startswith('<td class="today has-events" aria-current="date">')
    assert '<a class="day-number" href="/en/calendar/2026/3/18/" aria-label="18 March 2026: 5 events">18</a>' in cell
    assert '<span class="day-full" aria-hidden="true">Wednesday, 18 March 2026</span>' in cell
    assert cell.count("<li><a href=") == 3
    assert (
        f'<li><a href="{events[1].get_absolute_url()}?back=%2Fen%2Fcalendar%2F2026%2F3%2F">Meeting 1</a></li>' in cell
    )
    assert f">{Truncator(events[0].title).chars(60)}</a>" in cell
    assert '<li class="more"><a href="/en/calendar/2026/3/18/">and 2 more</a></li>' in cell
    assert cell.endswith('<span class="today-label">Today</span></td>')
    assert day_cell(html, 19) == '<td class=""><span class="day-number">19</span></td>'
    # March 2026 starts on a Sunday: the grid opens with six days of February.
    assert html.count('<td class="other-month">') == 6 + 5


def test_the_compact_grid_shows_day_numbers_only_and_speaks_russian():
    events = [EventFactory(title=f"Встреча {number}", language="ru", starts_at=START) for number in range(5)]

    html = grid(2026, 3, events, compact=True, language="ru", today=date(2026, 3, 18))

    cell = day_cell(html, 18)
    assert 'aria-label="18 марта 2026 г.: 5 событий">18</a></td>' in cell
    assert "day-events" not in html and "today-label" not in html and "Встреча" not in html


def test_the_grid_follows_an_edit():
    event = EventFactory(title="Council session", starts_at=START)
    assert ">Council session</a>" in grid(2026, 3, [event])

    event.title = "Council session postponed"
    event.save()

    assert ">Council session postponed</a>" in grid(2026, 3, [event])
    assert 'aria-label="18 March 2026: 2 events"' in grid(2026, 3, [event, EventFactory(starts_at=START)])


def test_the_grid_follows_the_turn_of_the_day():
    event = EventFactory(starts_at=START)

    # A minute and a half apart, across midnight: a grid kept before it is not shown after it.
    with time_machine.travel(datetime(2026, 3, 18, 23, 59, tzinfo=UTC), tick=False):
        assert 'aria-current="date"><a class="day-number" href="/en/calendar/2026/3/18/"' in grid(2026, 3, [event])
    with time_machine.travel(datetime(2026, 3, 19, 0, 0, 30, tzinfo=UTC), tick=False):
        html = grid(2026, 3, [event])
    assert '<td class="today" aria-current="date"><span class="day-number">19</span>' in html
    assert '<td class="has-events"><a class="day-number" href="/en/calendar/2026/3/18/"' in html


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
