"""The local times of a release: its days and hours in its venue's time zone (``Event.time_zone``), with a
label that says which zone they are in.

``local_times(event)`` is the one rule every public surface uses (pages and lists through the ``press``
template filters, the calendar grid, feeds, ICS): an event in Moscow reads "11:00–13:00 Moscow time (UTC+3)"
wherever the reader or the server is, and an all-day event shows its dates only. The texts are plain text in
the current language, never HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# "12 November 2010" and "12 ноября 2010 г."; E is the month name in the form used after a day number.
DATE_FORMATS = {"en": ("j F Y", "j F"), "ru": ("j E Y г.", "j E")}
TIME_FORMAT = "H:i"

# Zones a reader knows by a city's name. Written as the words that follow the hours ("11:00 Moscow time",
# "11:00 по московскому времени"); any other zone is named by its offset alone ("11:00 UTC+5").
ZONE_NAMES = {
    "Europe/Kaliningrad": gettext_lazy("Kaliningrad time"),
    "Europe/Moscow": gettext_lazy("Moscow time"),
    "Europe/Samara": gettext_lazy("Samara time"),
    "Asia/Yekaterinburg": gettext_lazy("Yekaterinburg time"),
    "Asia/Omsk": gettext_lazy("Omsk time"),
    "Asia/Novosibirsk": gettext_lazy("Novosibirsk time"),
    "Asia/Krasnoyarsk": gettext_lazy("Krasnoyarsk time"),
    "Asia/Irkutsk": gettext_lazy("Irkutsk time"),
    "Asia/Yakutsk": gettext_lazy("Yakutsk time"),
    "Asia/Vladivostok": gettext_lazy("Vladivostok time"),
    "Asia/Magadan": gettext_lazy("Magadan time"),
    "Asia/Kamchatka": gettext_lazy("Kamchatka time"),
    "Europe/Minsk": gettext_lazy("Minsk time"),
    "Europe/London": gettext_lazy("London time"),
    "Europe/Paris": gettext_lazy("Paris time"),
    "Europe/Berlin": gettext_lazy("Berlin time"),
    "Europe/Brussels": gettext_lazy("Brussels time"),
    "Europe/Vienna": gettext_lazy("Vienna time"),
    "America/New_York": gettext_lazy("New York time"),
    "Asia/Shanghai": gettext_lazy("Beijing time"),
    "Asia/Tokyo": gettext_lazy("Tokyo time"),
}
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "Etc/Zulu", "Universal", "Zulu", "UCT"})


def date_formats() -> tuple[str, str]:
    """The current language's formats for a full date and for a day and month."""
    language = (translation.get_language() or "en")[:2]
    return DATE_FORMATS.get(language, DATE_FORMATS["en"])


def date_range(first: date, last: date) -> str:
    """ "12 November 2010", "12–14 November 2010", "30 November – 2 December 2010"."""
    full, day_month = date_formats()
    if first == last:
        return formats.date_format(first, full)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{formats.date_format(last, full)}"
    if first.year == last.year:
        return f"{formats.date_format(first, day_month)} – {formats.date_format(last, full)}"
    return f"{formats.date_format(first, full)} – {formats.date_format(last, full)}"


def event_zone(name: str | None) -> ZoneInfo:
    """The zone called ``name``; the office's own zone when the name is empty or unknown to this system."""
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def utc_offset_text(offset: timedelta) -> str:
    """ "UTC", "UTC+3", "UTC+5:30", "UTC−3" (a true minus sign)."""
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}:{rest:02d}" if rest else f"UTC{sign}{hours}"


def zone_label(zone: ZoneInfo, moment: datetime) -> str:
    """The words after the hours: "Moscow time (UTC+3)", "UTC+5" or "UTC", with the offset at ``moment``."""
    offset = utc_offset_text(moment.astimezone(zone).utcoffset() or timedelta(0))
    if zone.key in UTC_NAMES:
        return "UTC"
    name = ZONE_NAMES.get(zone.key)
    return f"{name} ({offset})" if name else offset


@dataclass(frozen=True)
class LocalTimes:
    """A release's days and hours where it takes place."""

    zone: ZoneInfo
    start: datetime  # aware, in ``zone``
    end: datetime | None  # aware, in ``zone``; None when the release gives no end
    all_day: bool

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return max(self.first_day, self.end.date()) if self.end else self.first_day

    @property
    def is_multi_day(self) -> bool:
        return self.last_day != self.first_day

    @property
    def shows_hours(self) -> bool:
        """Hours are shown for a single-day event that is not all-day; other events show their dates only."""
        return not self.all_day and not self.is_multi_day

    @property
    def dates_text(self) -> str:
        return date_range(self.first_day, self.last_day)

    @property
    def hours_text(self) -> str:
        """ "11:00–13:00" or "11:00"; empty for an event shown by its dates only."""
        if not self.shows_hours:
            return ""
        start = formats.date_format(self.start, TIME_FORMAT)
        if self.end and self.end != self.start:
            return f"{start}–{formats.date_format(self.end, TIME_FORMAT)}"
        return start

    @property
    def label(self) -> str:
        return zone_label(self.zone, self.start) if self.shows_hours else ""

    @property
    def times_text(self) -> str:
        """ "11:00–13:00 Moscow time (UTC+3)"; empty for an event shown by its dates only."""
        return f"{self.hours_text} {self.label}" if self.shows_hours else ""

    @property
    def text(self) -> str:
        """Dates and labelled hours together: "1 June 2026, 11:00–13:00 Moscow time (UTC+3)"."""
        if not self.shows_hours:
            return self.dates_text
        return _("%(dates)s, %(times)s") % {"dates": self.dates_text, "times": self.times_text}


def local_times(event) -> LocalTimes:
    """The local times of ``event`` (a release, or any row with ``starts_at``, ``ends_at`` and, when known,
    ``all_day`` and ``time_zone``) in its venue's time zone."""
    zone = event_zone(getattr(event, "time_zone", None))
    end = event.ends_at.astimezone(zone) if event.ends_at else None
    return LocalTimes(
        zone=zone, start=event.starts_at.astimezone(zone), end=end, all_day=bool(getattr(event, "all_day", False))
    )
