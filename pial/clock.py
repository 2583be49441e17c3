"""The current time, injectable so that deadlines and jobs can be tested at any moment.

Services ask :func:`now` instead of the system clock; tests (and simulations) set
``app.config["PIAL_CLOCK"]`` to a callable returning an aware datetime.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    """Return the current instant, aware, in UTC (the app's injected clock when set)."""
    if has_app_context():
        clock = current_app.config.get("PIAL_CLOCK")
        if clock is not None:
            moment: dt.datetime = clock()
            return moment.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)


def today_in_paris() -> dt.date:
    """Return today's date on the platform's wall clock (Europe/Paris)."""
    return now().astimezone(PARIS).date()


def iso_week_label(day: dt.date) -> str:
    """Return the ISO week label (``2026-W48``) of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(iso_week: str) -> dt.date:
    """Return the Monday of an ISO week label like ``2026-W48``."""
    year_text, week_text = iso_week.split("-W")
    return dt.date.fromisocalendar(int(year_text), int(week_text), 1)
