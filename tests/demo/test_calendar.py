"""The weeks the demo leaves open or published depend on when it is seeded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.demo import seed_demo
from pial.demo.season import open_week_monday
from pial.models import DeliveryWeek, WeekState

PARIS = dt.timezone(dt.timedelta(hours=1))  # November: UTC+1 in Luchon
THURSDAY_AFTERNOON = dt.datetime(2026, 11, 26, 14, 0, tzinfo=PARIS)
FRIDAY_AFTERNOON = dt.datetime(2026, 11, 27, 15, 0, tzinfo=PARIS)



@pytest.fixture
def seeded_at() -> dt.datetime:
    """The moment the demo is seeded (a test parametrizes it to change it)."""
    return THURSDAY_AFTERNOON


@pytest.fixture
def app_config(seeded_at: dt.datetime) -> dict[str, Any]:
    """Run these tests on a clock stopped at ``seeded_at``."""
    return {"PIAL_CLOCK": lambda: seeded_at}


def states(db: Session) -> dict[str, WeekState]:
    weeks = db.scalars(select(DeliveryWeek).where(DeliveryWeek.state != WeekState.DRAFT))
    return {week.iso_week: week.state for week in weeks}


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (dt.datetime(2026, 11, 23, 9, 0, tzinfo=PARIS), dt.date(2026, 11, 30)),
        (dt.datetime(2026, 11, 26, 11, 59, tzinfo=PARIS), dt.date(2026, 11, 30)),
        (dt.datetime(2026, 11, 26, 12, 0, tzinfo=PARIS), dt.date(2026, 12, 7)),
        (dt.datetime(2026, 11, 29, 23, 0, tzinfo=PARIS), dt.date(2026, 12, 7)),
    ],
)
def test_the_open_week_is_the_first_whose_offers_are_still_due(
    when: dt.datetime, expected: dt.date
) -> None:
    assert open_week_monday(when.astimezone(dt.UTC)) == expected


def test_on_thursday_afternoon_orders_of_next_week_are_still_coming_in(db: Session) -> None:
    summary = seed_demo(weeks_back=2)

    assert states(db) == {
        "2026-W48": WeekState.PUBLISHED,  # delivered on Monday, Thursday's round is today
        "2026-W49": WeekState.OPEN,  # offers closed at noon, orders until 18 h
        "2026-W50": WeekState.OPEN,  # the open week
    }
    assert summary.season.open_week == "2026-W50"
    assert summary.season.other_weeks == ["2026-W49"]


@pytest.mark.parametrize("seeded_at", [FRIDAY_AFTERNOON])
def test_on_friday_afternoon_next_week_is_already_published(db: Session) -> None:
    seed_demo(weeks_back=2)

    assert states(db) == {
        "2026-W48": WeekState.DELIVERED,
        "2026-W49": WeekState.PUBLISHED,
        "2026-W50": WeekState.OPEN,
    }
