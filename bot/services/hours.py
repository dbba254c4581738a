"""Office hours: are workers answering now, and when do they next start?

Holidays (`[handoff] holidays`) close whole days in the configured time zone. Whether a
worker is actually on duty is the desk's business (`bot.services.desk_tools`): these are
only the hours the service promises.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.config import Handoff

__all__ = ["OfficeHours"]


class OfficeHours:
    def __init__(self, config: Handoff) -> None:
        self.config = config
        self.zone = ZoneInfo(config.time_zone)

    def _minute(self, now: dt.datetime) -> tuple[dt.datetime, int]:
        local = now.astimezone(self.zone)
        return local, local.hour * 60 + local.minute

    def is_open(self, now: dt.datetime) -> bool:
        """Always open when no hours are configured (a service answering around the clock)."""
        local, minute = self._minute(now)
        if local.date() in self.config.holidays:
            return False
        if not self.config.hours:
            return True
        return any(start <= minute < end for start, end in self.config.spans(local.weekday()))

    def next_open(self, now: dt.datetime) -> dt.datetime | None:
        """The next start of a span after `now` (local time), or None if no hours are set."""
        local, minute = self._minute(now)
        # A week, and one more day for each holiday that may fall in it.
        for ahead in range(8 + len(self.config.holidays)):
            day = local.date() + dt.timedelta(days=ahead)
            if day in self.config.holidays:
                continue
            # No hours: around the clock, so a holiday ends at the next midnight.
            spans = self.config.spans(day.weekday()) if self.config.hours else [(0, 24 * 60)]
            for start, _end in spans:
                if ahead == 0 and start <= minute:
                    continue
                midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
                # Wall-clock arithmetic: a DST change that day moves the instant, not 09:00.
                return midnight.replace(hour=start // 60, minute=start % 60)
        return None
