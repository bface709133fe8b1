"""The release page as a reader and a journalist meet it (issue 17, point 1), and the list pages' filters
(point 3): what the HTML offers. Layout measured in a real browser: tests/browser/test_release_page_layout.py."""

from datetime import UTC, datetime

import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation

from events.media.photos import rendition
from tests.events.media_samples import plain_jpeg
from tests.factories import EventFactory, EventPressContactFactory, PhotoFactory, SectionFactory

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def page_of(client, event) -> lxml.html.HtmlElement:
    response = client.get(event.get_absolute_url())
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def css(tree, selector: str) -> list:
    """Elements matching ``tag.class`` (either part optional), or ``#id``: enough CSS for these pages."""
    if selector.startswith("#"):
        return tree.xpath(f".//*[@id='{selector[1:]}']")
    tag, _dot, name = selector.partition(".")
    path = f".//{tag or '*'}"
    if name:
        path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
    return tree.xpath(path)


def document_position(tree, element) -> int:
    return list(tree.iter()).index(element)


def srcset_widths(srcset: str) -> list[int]:
    return [int(candidate.strip().rsplit(" ", 1)[1].rstrip("w")) for candidate in srcset.split(",")]


@pytest.fixture
def release():
    event = EventFactory(slug="summit-in-minsk", title="Summit in Minsk", starts_at=STARTS, lead="The lead.")
    first = PhotoFactory(event=event, position=1, caption="The hall.", credit="Agency One", alt_text="A hall")
    cover = PhotoFactory(
        event=event,
        position=2,
        file=ContentFile(plain_jpeg(2400, 1600), name="COVER.JPG"),
        caption="The ministers shake hands.",
        credit="Press Office / A. Photographer",
        alt_text="Two ministers shaking hands",
    )
    event.cover = cover
    event.save()
    return event, first, cover


def test_the_cover_photo_is_the_lead_image_under_the_title_with_caption_and_credit(client, release):
    event, _first, cover = release

    tree = page_of(client, event)

    figure = css(tree, "figure.release-cover")[0]
    title = css(tree, "h1.release-title")[0]
    lead = css(tree, ".release-lead")[0]
    assert document_position(tree, title) < document_position(tree, figure) < document_position(tree, lead)
    assert css(figure, "img")[0].get("alt") == "Two ministers shaking hands"
    caption = css(figure, "figcaption")[0].text_content()
    assert "The ministers shake hands." in caption
    assert "Photo: Press Office / A. Photographer" in caption
    # The lead image is not lazy: it is the first thing a reader sees.
    assert css(figure, "img")[0].get("loading") is None
    assert css(figure, "img")[0].get("fetchpriority") == "high"


def test_without_a_chosen_cover_the_first_photo_leads_and_without_photos_there_is_no_lead_image(client):
    event = EventFactory(slug="with-photo", starts_at=STARTS)
    PhotoFactory(event=event, caption="First photo.", alt_text="The first photo")
    bare = EventFactory(slug="no-photo", starts_at=STARTS)

    assert css(css(page_of(client, event), "figure.release-cover")[0], "img")[0].get("alt") == "The first photo"
    assert css(page_of(client, bare), "figure.release-cover") == []


def test_lead_image_and_gallery_offer_a_srcset_candidate_sharp_on_a_3x_phone(client, release):
    event, _first, _cover = release

    tree = page_of(client, event)

    # 390 CSS px × 3 = 1170 device pixels; the largest rendition is 1920 px wide for a 2400 px photo.
    for where in (css(tree, "figure.release-cover")[0], css(tree, "li.gallery-item")[1]):
        img = css(where, "img")[0]
        assert max(srcset_widths(img.get("srcset"))) == 1920
        webp = where.xpath(".//source[@type='image/webp']")[0]
        assert max(srcset_widths(webp.get("srcset"))) == 1920
    # The <img src> stays the medium size for browsers that ignore srcset.
    assert css(css(tree, "figure.release-cover")[0], "img")[0].get("width") == "960"


def test_gallery_thumbnails_link_to_the_large_image_for_the_viewer(client, release):
    event, _first, cover = release

    tree = page_of(client, event)

    links = css(tree, "a.gallery-link")
    assert links[1].get("href") == rendition(cover, "large").jpeg_url
    assert tree.xpath(".//script[contains(@src, 'js/gallery.js')]")


def test_download_link_says_the_pixel_size_and_the_size_of_the_file_it_sends(client, release):
    event, first, cover = release
    cover.refresh_from_db()

    tree = page_of(client, event)

    texts = [link.text_content() for link in css(tree, "a.gallery-download")]
    assert texts[1].startswith(f"Download high resolution, 2400×1600, {filesizeformat(cover.size)}")
    response = client.get(reverse("events:photo-download", kwargs={"slug": event.slug, "pk": cover.pk}))
    assert len(b"".join(response.streaming_content)) == cover.size  # the size said is the size sent
    assert texts[0].startswith("Download high resolution, 64×48, ")


def test_download_link_says_the_size_in_russian(client):
    with translation.override("ru"):
        event = EventFactory(slug="vstrecha", language="ru", starts_at=STARTS)
    PhotoFactory(event=event, file=ContentFile(plain_jpeg(640, 480), name="A.JPG"))

    tree = page_of(client, event)

    text = css(tree, "a.gallery-download")[0].text_content()
    assert text.startswith("Скачать в высоком разрешении, 640×480, ")
    assert "КБ" in text


def test_a_press_contacts_link_near_the_top_jumps_to_the_contacts(client, release):
    event, _first, _cover = release
    EventPressContactFactory(event=event)

    tree = page_of(client, event)

    jump = css(css(tree, ".release-head")[0], "a.release-jump")[0]
    assert jump.text_content().startswith("Press contacts")
    target = css(tree, jump.get("href"))[0]
    assert css(target, "h2")[0].text_content() == "Press contacts"
    assert document_position(tree, jump) < document_position(tree, css(tree, ".release-lead")[0])


def test_no_press_contacts_link_without_press_contacts(client, release):
    event, _first, _cover = release

    assert css(page_of(client, event), "a.release-jump") == []


def test_very_long_official_titles_get_the_smaller_headline_scale(client):
    long = EventFactory(slug="long", starts_at=STARTS, title=("Meeting of the Council " * 11)[:240])
    short = EventFactory(slug="short", starts_at=STARTS, title="Summit in Minsk")

    assert css(page_of(client, long), "h1")[0].get("class") == "release-title release-title-long"
    assert css(page_of(client, short), "h1")[0].get("class") == "release-title"


@pytest.mark.parametrize("path", ["events:list", "section"])
def test_filters_sit_behind_one_closed_button_and_the_chips_come_above_the_results(client, path):
    section = SectionFactory(name="Security", slug="security")
    EventFactory(section=section, starts_at=STARTS, title="Security talks")
    url = reverse("events:list") if path == "events:list" else section.get_absolute_url()

    response = client.get(url, {"kind": "press_release", "q": "talks"})
    tree = lxml.html.fromstring(response.content.decode())

    details = css(tree, "details.filter-details")[0]
    assert details.get("open") is None
    assert css(details, "summary")[0].text_content() == "Filters (2 in use)"
    assert css(details, "form.filters")
    chips = css(css(tree, ".list-results")[0], "ul.chips")[0]
    assert document_position(tree, chips) < document_position(tree, css(tree, ".event-title")[0])
    assert document_position(tree, chips) < document_position(tree, css(tree, ".result-count")[0])
    assert not css(details, ".chips")


def test_filters_open_themselves_when_a_filter_needs_fixing(client):
    response = client.get(reverse("events:list"), {"date_from": "not a date"})
    tree = lxml.html.fromstring(response.content.decode())

    details = css(tree, "details.filter-details")[0]
    assert details.get("open") is not None
    assert css(details, ".form-errors")


def test_filter_button_without_filters_in_use_says_filters(client):
    tree = lxml.html.fromstring(client.get(reverse("events:list")).content.decode())

    assert css(css(tree, "details.filter-details")[0], "summary")[0].text_content() == "Filters"
    assert css(tree, "ul.chips") == []
