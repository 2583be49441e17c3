"""On a Saturday, the grower's and the canteen's screens show the coming week, not the last one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.allocation.scenario import AFTER_CLOSE, Scenario
from tests.conftest import SettableClock

# Saturday 28 November 2026, 10:00 in Paris: week 48 (Monday and Thursday) is delivered.
SATURDAY = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> SettableClock:
    """The scenario's clock (week 48 closed), moved by the tests."""
    return SettableClock(AFTER_CLOSE)


@pytest.fixture
def app_config(clock: SettableClock) -> dict[str, Any]:
    """Run the app on the settable clock."""
    return {"PIAL_CLOCK": clock}


@pytest.fixture
def two_weeks(db: Session, scenario: Scenario, clock: SettableClock) -> Scenario:
    """Week 48 published (last week by Saturday), week 49 closed and being planned."""
    from pial.allocation import services as allocation
    from pial.models import WeekState
    from pial.weeks.calendar import ensure_week

    allocation.allocate_week(scenario.iso_week, scenario.lead)
    allocation.publish_week(scenario.iso_week, scenario.lead)
    week_49, _ = ensure_week(db, "2026-W49")
    week_49.state = WeekState.CLOSED
    db.commit()
    clock.moment = SATURDAY
    return scenario


def test_the_week_that_matters_on_saturday_is_the_coming_one(
    db: Session, two_weeks: Scenario, clock: SettableClock
) -> None:
    from pial.weeks.calendar import previous_published_week, week_that_matters

    week = week_that_matters()
    assert week is not None and week.iso_week == "2026-W49"
    previous = previous_published_week(week)
    assert previous is not None and previous.iso_week == "2026-W48"
    # On Thursday the 26th week 48 still delivers: it is the week that matters.
    clock.moment = dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)
    assert week_that_matters().iso_week == "2026-W48"  # type: ignore[union-attr]


def test_grower_home_and_deliveries_show_the_coming_week_with_last_week_one_tap_away(
    client: Any, login: Any, two_weeks: Scenario
) -> None:
    login(two_weeks.growers["luchon"])
    home = client.get("/").get_data(as_text=True)
    assert "semaine 49 (30 nov.–6 déc.)</strong> : en préparation" in home
    assert "Semaine précédente : semaine 48" in home
    assert 'href="/semaines/2026-W48/mes-livraisons"' in home

    response = client.get("/mes-livraisons")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/semaines/2026-W49/mes-livraisons")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mes livraisons — semaine 49" in page
    assert "Semaine précédente : semaine 48" in page


def test_canteen_home_and_deliveries_show_the_coming_week(
    client: Any, login: Any, two_weeks: Scenario
) -> None:
    login(two_weeks.managers["stgaudens"])
    home = client.get("/").get_data(as_text=True)
    assert "semaine 49 (30 nov.–6 déc.)</strong> : en préparation" in home
    assert "Semaine précédente : semaine 48" in home
    response = client.get("/mes-livraisons")
    assert response.headers["Location"].endswith("/semaines/2026-W49/mes-livraisons")
