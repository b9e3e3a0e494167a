"""Business hours: a working week in a time zone, with holidays; adding and measuring working time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from escucha.errors import ConfigError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MAX_DAYS = 3660


def _clock(v: Any, field: str) -> time:
    try:
        return time.fromisoformat(str(v))
    except ValueError:
        raise ConfigError(f"cases.yaml: sla.calendar.{field}: {v!r} is not a time such as 09:00",
                          field=f"sla.calendar.{field}") from None  # fmt: skip


@dataclass(frozen=True)
class Calendar:
    """Working hours ``start``–``end`` on ``days`` (0 = Monday) in ``tz``, except ``holidays``."""

    tz: ZoneInfo
    days: frozenset[int]
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    @classmethod
    def from_config(cls, cfg: dict[str, Any] | None) -> Calendar:
        cfg = cfg or {}
        try:
            tz = ZoneInfo(str(cfg.get("timezone", "UTC")))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"cases.yaml: sla.calendar.timezone: unknown time zone {cfg.get('timezone')!r}",
                              field="sla.calendar.timezone") from None  # fmt: skip
        names = [str(d).lower()[:3] for d in cfg.get("days", DAYS[:5])]
        bad = [d for d in names if d not in DAYS]
        if bad:
            raise ConfigError(f"cases.yaml: sla.calendar.days: unknown day(s) {bad}; use {', '.join(DAYS)}",
                              field="sla.calendar.days")  # fmt: skip
        hours = cfg.get("hours", ["09:00", "18:00"])
        if not isinstance(hours, list) or len(hours) != 2:
            raise ConfigError("cases.yaml: sla.calendar.hours: expected [start, end]", field="sla.calendar.hours")
        start, end = _clock(hours[0], "hours"), _clock(hours[1], "hours")
        if end <= start:
            raise ConfigError("cases.yaml: sla.calendar.hours: the end must come after the start",
                              field="sla.calendar.hours")  # fmt: skip
        holidays = frozenset(date.fromisoformat(str(h)) for h in cfg.get("holidays") or [])
        if not names:
            raise ConfigError("cases.yaml: sla.calendar.days: no working day", field="sla.calendar.days")
        return cls(tz, frozenset(DAYS.index(d) for d in names), start, end, holidays)

    @property
    def day_hours(self) -> float:
        """Length of a working day in hours (what ``1d`` means in business time)."""
        s, e = self.start, self.end
        return (e.hour * 3600 + e.minute * 60 + e.second - s.hour * 3600 - s.minute * 60 - s.second) / 3600

    def _window(self, d: date) -> tuple[datetime, datetime] | None:
        if d.weekday() not in self.days or d in self.holidays:
            return None
        return (datetime.combine(d, self.start, self.tz), datetime.combine(d, self.end, self.tz))

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """The moment ``delta`` of working time after ``start``."""
        cursor = start.astimezone(self.tz)
        remaining = delta
        d = cursor.date()
        for _ in range(_MAX_DAYS):
            w = self._window(d)
            if w is not None:
                lo, hi = max(cursor, w[0]), w[1]
                if lo < hi:
                    if remaining <= hi - lo:
                        return lo + remaining
                    remaining -= hi - lo
            d += timedelta(days=1)
            cursor = datetime.combine(d, time(), self.tz)
        raise ConfigError("cases.yaml: sla.calendar has no working time in ten years", field="sla.calendar")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from ``a`` to ``b`` (zero when ``b`` is not after ``a``)."""
        if b <= a:
            return timedelta(0)
        a, b = a.astimezone(self.tz), b.astimezone(self.tz)
        total = timedelta(0)
        d = a.date()
        for _ in range(_MAX_DAYS):
            if d > b.date():
                break
            w = self._window(d)
            if w is not None:
                lo, hi = max(a, w[0]), min(b, w[1])
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return total


class WallClock:
    """Around-the-clock time (policies with ``business_hours: false``)."""

    day_hours = 24.0

    def add(self, start: datetime, delta: timedelta) -> datetime:
        return start + delta

    def between(self, a: datetime, b: datetime) -> timedelta:
        return max(b - a, timedelta(0))
