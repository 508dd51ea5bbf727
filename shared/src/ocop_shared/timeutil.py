"""Time helpers: UTC in storage, Asia/Ho_Chi_Minh for people."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def today_in_vietnam() -> date:
    return datetime.now(VIETNAM).date()


def format_date_vn(day: date | None) -> str:
    """dd/mm/yyyy as Vietnamese readers expect."""
    return day.strftime("%d/%m/%Y") if day else ""
