"""Times as staff read them: in the deployment's time zone (`[handoff] time_zone`), on a
24-hour clock, whatever the zone and locale of the server or of the worker's browser.

Stores keep UTC; only what a person reads is local. Both desks, the dashboard and the
audit view format through here, so a worker in Bucharest never has to add two hours.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.config import Config

__all__ = ["StaffTime"]


class StaffTime:
    def __init__(self, config: Config) -> None:
        self.zone_name = config.handoff.time_zone
        self.zone = ZoneInfo(self.zone_name)

    def local(self, when: dt.datetime) -> dt.datetime:
        if when.tzinfo is None:  # stored times are UTC; a naive one is too
            when = when.replace(tzinfo=dt.UTC)
        return when.astimezone(self.zone)

    def clock(self, when: dt.datetime, now: dt.datetime | None = None) -> str:
        """'21:16' today, 'Wed 21:16' on another day (both in the configured zone)."""
        local = self.local(when)
        today = self.local(now or dt.datetime.now(dt.UTC)).date()
        text = local.strftime("%H:%M")
        return text if local.date() == today else f"{local.strftime('%a')} {text}"

    def stamp(self, when: dt.datetime) -> str:
        """'2026-12-03 21:16': a full date and time, for logs staff read."""
        return self.local(when).strftime("%Y-%m-%d %H:%M")

    def zone_label(self, when: dt.datetime | None = None) -> str:
        """'Europe/Bucharest' with today's abbreviation where there is one ('EET')."""
        abbr = self.local(when or dt.datetime.now(dt.UTC)).tzname() or ""
        return f"{self.zone_name} ({abbr})" if abbr and abbr != self.zone_name else self.zone_name
