"""The e-mail a journalist gets about a release: subject, plain text and HTML, all from templates, in the
journalist's language. No tracking: no pixel, no per-open redirect for the public link."""

from __future__ import annotations

from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, translation

from events.models import Event
from events.selectors.identity import site_identity
from events.selectors.releases import people_of
from events.selectors.times import date_formats, event_zone, local_times, zone_label

from .links import press_link
from .models import PressSend
from .selectors import embargo_until


def embargo_text(release: Event) -> str:
    """ "12 June 2026, 10:00 Moscow time (UTC+3)": the moment the embargo lifts, in the venue's zone and the
    active language."""
    zone = event_zone(release.time_zone)
    moment = embargo_until(release).astimezone(zone)
    full, _day_month = date_formats()
    return f"{formats.date_format(moment, full)}, {moment:%H:%M} {zone_label(zone, moment)}"


def release_address(send: PressSend) -> str:
    if send.kind == PressSend.Kind.EMBARGO:
        return press_link(send, send.language)
    return settings.CSO_SITE_URL.rstrip("/") + send.release.get_absolute_url()


def message_context(send: PressSend) -> dict:
    """Everything the templates show; call inside the recipient's language."""
    release = send.release
    _participants, contacts = people_of(release)
    return {
        "send": send,
        "journalist": send.journalist,
        "release": release,
        "when": local_times(release).text,
        "address": release_address(send),
        "embargoed": send.kind == PressSend.Kind.EMBARGO,
        "embargo_until": embargo_text(release) if send.kind == PressSend.Kind.EMBARGO else "",
        "press_contacts": contacts,
        "office": site_identity(send.language).name,
        "language": send.language,
    }


def build_message(send: PressSend, connection=None) -> EmailMultiAlternatives:
    with translation.override(send.language):
        context = message_context(send)
        subject = " ".join(render_to_string("presslist/mail/subject.txt", context).split())
        text = render_to_string("presslist/mail/release.txt", context)
        html = render_to_string("presslist/mail/release.html", context)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[send.journalist.email],
        connection=connection,
        headers={"Message-ID": make_msgid("presslist", domain=domain), "Content-Language": send.language},
    )
    message.attach_alternative(html, "text/html")
    return message
