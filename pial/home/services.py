"""What the home page shows: the current ISO week and its state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from pial.clock import iso_week_label, today_in_paris
from pial.db import get_session
from pial.models import DeliveryWeek


@dataclass(frozen=True, slots=True)
class WeekOverview:
    """The current ISO week and, when it exists, its delivery week record."""

    iso_week: str
    week: DeliveryWeek | None


def current_week_overview(today: dt.date | None = None) -> WeekOverview:
    """Return the overview of the ISO week containing ``today``."""
    iso_week = iso_week_label(today or today_in_paris())
    week = get_session().scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
    return WeekOverview(iso_week=iso_week, week=week)
