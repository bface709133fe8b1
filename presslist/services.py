"""Every write of the press list: queueing a release for journalists, sending the queue, revoking a link,
logging a link's open. Sending is exactly once per (release, journalist, kind): the row is unique, and a row
is claimed (queued → sending) by one conditional update before its e-mail goes out."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cso_press.metrics import count_mail
from events.audit import audit_log
from events.models import Event
from events.services.embargo_links import embargo_link_create, embargo_link_revoke
from subscriptions.selectors import is_suppressed

from .mail import build_message
from .models import Journalist, PressLinkOpen, PressSend
from .selectors import link_expiry, send_kind

logger = logging.getLogger(__name__)

Kind = PressSend.Kind
Status = PressSend.Status


class Progress(NamedTuple):
    remaining: int
    delay: int


@transaction.atomic
def press_sends_queue(*, release: Event, journalists: Iterable[Journalist], user: AbstractBaseUser) -> list[PressSend]:
    """Queue one e-mail per journalist who has not had this kind about this release yet; return the new rows.
    The caller asks for the task ``mail.presslist_send`` after the commit (tasks sit above the services)."""
    kind = send_kind(release)
    if kind is None:
        raise ValidationError(_("A withdrawn release cannot be sent to the press list."))
    created: list[PressSend] = []
    already = set(PressSend.objects.filter(release=release, kind=kind).values_list("journalist_id", flat=True))
    for journalist in journalists:
        if journalist.pk in already or not journalist.is_accredited():
            continue
        send = PressSend(
            release=release,
            journalist=journalist,
            kind=kind,
            language=journalist.mail_language(release.language),
            queued_by=user,
        )
        if kind == Kind.EMBARGO:
            send.embargo_link = embargo_link_create(
                event=release,
                user=user,
                expires_at=link_expiry(release, settings.CSO_PRESSLIST_LINK_DAYS),
                label=_("Press list: %(name)s, %(outlet)s") % {"name": journalist.name, "outlet": journalist.outlet},
            )
        try:
            with transaction.atomic():
                send.save()
        except IntegrityError:
            # Another editor queued the same journalist a moment ago: theirs stands.
            if send.embargo_link is not None:
                embargo_link_revoke(link=send.embargo_link, user=user)
            continue
        created.append(send)
    if created:
        audit_log(
            action="presslist.send.queued",
            actor=user,
            event=release,
            note=kind,
            data={"sends": [send.pk for send in created], "kind": kind},
        )
    return created


def press_sends_deliver(*, release_id: int, kind: str, batch_size: int | None = None) -> Progress:
    """Send up to one batch of the release's queued e-mails of ``kind``; say how many are still queued and
    how long to wait before the next batch (none, unless all that is left failed once for a passing reason).

    Running it twice, or on two workers at once, sends nothing twice: each row is claimed before it is sent.
    A release withdrawn meanwhile (or, for the public link, no longer public) cancels what is still queued.
    """
    batch_size = batch_size or settings.CSO_PRESSLIST_BATCH_SIZE
    queued = PressSend.objects.filter(release_id=release_id, kind=kind, status=Status.QUEUED)
    release = Event.objects.filter(pk=release_id).first()
    if release is None:
        return Progress(remaining=0, delay=0)
    if send_kind(release) is None or (kind == Kind.PUBLISHED and not release.is_public):
        queued.update(status=Status.CANCELLED, error=_("The release was withdrawn or is no longer public."))
        return Progress(remaining=0, delay=0)
    ids = list(queued.order_by("pk").values_list("pk", flat=True)[:batch_size])
    if ids:
        connection = get_connection()
        with connection:
            for pk in ids:
                _deliver_one(pk, connection)
    remaining = queued.count()
    fresh = queued.filter(attempts=0).exists()
    return Progress(remaining=remaining, delay=0 if fresh or not remaining else settings.CSO_PRESSLIST_RETRY_SECONDS)


def _deliver_one(pk: int, connection) -> None:
    claimed = PressSend.objects.filter(pk=pk, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    if not claimed:
        return  # another worker has it
    send = PressSend.objects.select_related("release__section", "journalist", "embargo_link").get(pk=pk)
    if is_suppressed(send.journalist.email):
        _finish(send, Status.SUPPRESSED)
        return
    message = build_message(send, connection)
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Press list send %s failed: %s", pk, error)
        failed_for_good = isinstance(error, smtplib.SMTPRecipientsRefused) or (
            send.attempts >= settings.CSO_PRESSLIST_MAX_ATTEMPTS
        )
        _finish(send, Status.FAILED if failed_for_good else Status.QUEUED, error=str(error)[:300])
        count_mail("failed" if failed_for_good else "deferred")
        return
    count_mail("sent")
    _finish(send, Status.SENT, message_id=message.extra_headers["Message-ID"], sent_at=timezone.now())


def _finish(send: PressSend, status: str, **fields) -> None:
    PressSend.objects.filter(pk=send.pk, status=Status.SENDING).update(status=status, **fields)


def press_sends_waiting(*, now: datetime | None = None) -> list[tuple[int, str]]:
    """(release, kind) pairs with e-mails queued for longer than the retry wait: their task was lost (the broker
    was down when the editor sent them, or its message went with a worker)."""
    before = (now or timezone.now()) - timedelta(seconds=max(settings.CSO_PRESSLIST_RETRY_SECONDS, 60) * 2)
    return list(
        PressSend.objects.filter(status=Status.QUEUED, queued_at__lt=before)
        .values_list("release_id", "kind")
        .distinct()
        .order_by("release_id", "kind")
    )


def press_sends_sweep_stale(*, now: datetime | None = None) -> int:
    """Mark failed the rows a worker took and never finished (it died between taking and recording): whether
    the e-mail left is unknown, so it is not sent again by itself; the editor sees it and may send it again."""
    before = (now or timezone.now()) - timedelta(minutes=settings.CSO_PRESSLIST_STALE_MINUTES)
    return PressSend.objects.filter(status=Status.SENDING, claimed_at__lt=before).update(
        status=Status.FAILED, error=_("The sending stopped half-way: this e-mail may or may not have arrived.")
    )


@transaction.atomic
def press_send_retry(*, send: PressSend, user: AbstractBaseUser) -> PressSend:
    """Queue a failed or cancelled e-mail again (the caller asks for the task after the commit)."""
    send = PressSend.objects.select_for_update().select_related("release").get(pk=send.pk)
    if not send.can_be_retried or send_kind(send.release) != send.kind:
        raise ValidationError(_("This e-mail cannot be sent again now."))
    if send.kind == Kind.EMBARGO and send.link_state != "valid":
        raise ValidationError(_("This journalist's link no longer works; it cannot be sent again."))
    send.status, send.attempts, send.error, send.claimed_at = Status.QUEUED, 0, "", None
    send.save(update_fields=["status", "attempts", "error", "claimed_at"])
    audit_log(
        action="presslist.send.retried",
        actor=user,
        event=send.release,
        note=str(send.journalist),
        data={"send": send.pk, "kind": send.kind},
    )
    return send


@transaction.atomic
def press_send_revoke(*, send: PressSend, user: AbstractBaseUser) -> PressSend:
    """End one journalist's personal link (and the file grants of its page); the audit log says who did."""
    if send.embargo_link is not None:
        embargo_link_revoke(link=send.embargo_link, user=user)
        send.embargo_link.refresh_from_db()
    return send


def press_link_opened(*, send: PressSend, shown: bool) -> PressLinkOpen:
    return PressLinkOpen.objects.create(send=send, shown=shown)
