"""The alert e-mails: a release's alert (or its "Updated:" alert), a digest, and a staff member's test.

Every message has a plain-text and an HTML part written by templates (templates/subscriptions/mail/), in the
reader's language, with no image and nothing that reports an opening. What a message says of a release (its
date and time in the venue's zone, place, lead, address, press contacts) is read once per release and
language (``release_facts``) and reused for every reader in a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Event
from events.selectors.identity import site_identity
from events.selectors.releases import people_of
from events.selectors.times import local_times

from . import links
from .models import Subscriber


@dataclass
class Contact:
    name: str
    position: str
    email: str
    phones: list[str]


@dataclass
class ReleaseFacts:
    """What an e-mail says about one release, in one language."""

    title: str
    when: str
    place: str
    lead: str
    link: str
    contacts: list[Contact] = field(default_factory=list)
    # The release's part of a message, written once per language and heading level and reused for every reader
    # (only the footer's links differ from one reader to the next): (language, level) → (text, HTML).
    written: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict, repr=False)

    def parts(self, language: str, level: int = 1) -> tuple[str, str]:
        if (language, level) not in self.written:
            context = {"release": self, "level": level}
            with translation.override(language):
                text = render_to_string("subscriptions/mail/_release.txt", context)
                html = mark_safe(render_to_string("subscriptions/mail/_release.html", context))  # noqa: S308 - our template
            self.written[(language, level)] = (text, html)
        return self.written[(language, level)]


def site_address(path: str) -> str:
    return settings.CSO_SITE_URL.rstrip("/") + path


def release_facts(event: Event, language: str) -> ReleaseFacts:
    with translation.override(language):
        _participants, contacts = people_of(event)
        return ReleaseFacts(
            title=event.title,
            when=local_times(event).text,
            place=event.location,
            lead=event.lead,
            link=site_address(event.get_absolute_url()),
            contacts=[
                Contact(
                    name=person.display_name,
                    position=person.display_position,
                    email=person.email,
                    phones=[phone.number for phone in person.phones.all()],
                )
                for person in contacts
            ],
        )


def new_message_id() -> str:
    return make_msgid(domain=urlsplit(settings.CSO_SITE_URL).hostname or "localhost")


def _message(
    *, to: str, subject: str, template: str, context: dict, language: str, headers: dict
) -> EmailMultiAlternatives:
    with translation.override(language):
        context = {**context, "language": language, "site_name": site_identity(language).name, "subject": subject}
        text = render_to_string(f"subscriptions/mail/{template}.txt", context)
        html = render_to_string(f"subscriptions/mail/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def _reader_headers(subscriber: Subscriber, message_id: str) -> tuple[dict, dict]:
    """The headers and the footer's links of a message to a subscriber: RFC 8058 one-click unsubscribe (a POST
    to the same signed address the footer links to), and the mark of an automatic message (RFC 3834)."""
    unsubscribe = links.absolute_link(links.UNSUBSCRIBE, subscriber)
    footer = {"manage_url": links.absolute_link(links.MANAGE, subscriber), "unsubscribe_url": unsubscribe}
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    return headers, footer


def alert_subject(facts: ReleaseFacts, *, update: bool, language: str) -> str:
    with translation.override(language):
        return _("Updated: %(title)s") % {"title": facts.title} if update else facts.title


def alert_message(
    *, subscriber: Subscriber, facts: ReleaseFacts, note: str = "", update: bool = False, message_id: str
) -> EmailMultiAlternatives:
    """The e-mail about one release (``update``: about a correction of it, with the editor's ``note``)."""
    headers, footer = _reader_headers(subscriber, message_id)
    language = subscriber.language
    return _message(
        to=subscriber.email,
        subject=alert_subject(facts, update=update, language=language),
        template="update" if update else "alert",
        context={"release": facts, "parts": facts.parts(language), "note": note, **footer},
        language=language,
        headers=headers,
    )


@dataclass
class DigestItem:
    release: ReleaseFacts
    update: bool
    note: str

    def parts(self, language: str) -> tuple[str, str]:
        return self.release.parts(language, level=2)


def digest_message(*, subscriber: Subscriber, items: list[DigestItem], message_id: str) -> EmailMultiAlternatives:
    headers, footer = _reader_headers(subscriber, message_id)
    language = subscriber.language
    weekly = subscriber.frequency == Subscriber.Frequency.WEEKLY
    count = len(items)
    with translation.override(language):
        if weekly:
            subject = ngettext("Your weekly digest: %(count)d release", "Your weekly digest: %(count)d releases", count)
        else:
            subject = ngettext("Your daily digest: %(count)d release", "Your daily digest: %(count)d releases", count)
    subject = subject % {"count": count}
    return _message(
        to=subscriber.email,
        subject=subject,
        template="digest",
        context={"items": [(item, *item.parts(language)) for item in items], "weekly": weekly, **footer},
        language=language,
        headers=headers,
    )


def test_message(*, event: Event, address: str) -> EmailMultiAlternatives:
    """The release's alert as a reader would get it, to a staff member's own address. The links to manage and
    leave stand for a reader's own: the staff member is not a subscriber, so they lead to no one's settings."""
    facts = release_facts(event, event.language)
    with translation.override(event.language):
        subject = _("[Test] %(subject)s") % {"subject": alert_subject(facts, update=False, language=event.language)}
    return _message(
        to=address,
        subject=subject,
        template="alert",
        context={
            "release": facts,
            "parts": facts.parts(event.language),
            "note": "",
            "test": True,
            "manage_url": "",
            "unsubscribe_url": "",
        },
        language=event.language,
        headers={"Message-ID": new_message_id(), "Auto-Submitted": "auto-generated"},
    )
