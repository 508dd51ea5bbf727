"""Time helpers: UTC in storage, Asia/Ho_Chi_Minh for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


def format_date_vn(day: date | None) -> str:
    """dd/mm/yyyy as Vietnamese readers expect."""
    return day.strftime("%d/%m/%Y") if day else ""


class Clock:
    """The current time, injectable so tests can move it (expiry, reminders, reservations)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        """Today's date in Vietnam, the date on decisions and certificates."""
        return self.now().astimezone(VIETNAM).date()


class FixedClock(Clock):
    """A clock that stands still until moved; for tests and simulations."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta
