"""The coordinator of the week: their home, closing the week, a backup, reminders and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.errors import Forbidden
from pial.models import OutboxMessage, WeekState
from pial.rotation import services
from pial.scheduler import jobs
from tests.allocation.scenario import Scenario
from tests.conftest import SettableClock


@pytest.fixture
def open_week(db: Session, scenario: Scenario) -> Scenario:
    """The scenario's week, still open to offers and orders (Saint-Gaudens coordinates it)."""
    scenario.week.state = WeekState.OPEN
    scenario.week.closed_dt = None
    db.commit()
    return scenario


def outbox(db: Session, kind: str) -> list[OutboxMessage]:
    """Return the queued messages of a kind."""
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_the_coordinators_home_says_it_is_their_week_and_they_close_it(
    db: Session, open_week: Scenario, login: Any
) -> None:
    coordinator = open_week.growers["stgaudens"]
    client = login(coordinator)
    home = client.get("/").get_data(as_text=True)
    assert "C'est votre semaine : vous coordonnez la semaine 48" in home
    assert "Clore la semaine" in home and "Publier le planning" in home

    # Without the box ticked nothing is closed; with it, the coordinator closes (not a 403).
    refused = client.post("/semaines/2026-W48/planning/clore")
    assert refused.status_code == 303
    db.refresh(open_week.week)
    assert open_week.week.state == WeekState.OPEN
    closed = client.post("/semaines/2026-W48/planning/clore", data={"confirm": "y"},
                         follow_redirects=True)
    assert closed.status_code == 200 and "Semaine 48 close" in closed.get_data(as_text=True)
    db.refresh(open_week.week)
    assert open_week.week.state == WeekState.CLOSED


def test_another_grower_may_not_close_the_week(
    db: Session, open_week: Scenario, login: Any
) -> None:
    client = login(open_week.growers["luchon"])
    assert "C'est votre semaine" not in client.get("/").get_data(as_text=True)
    response = client.post("/semaines/2026-W48/planning/clore", data={"confirm": "y"})
    assert response.status_code == 403
    db.refresh(open_week.week)
    assert open_week.week.state == WeekState.OPEN


def test_a_backup_is_named_and_may_coordinate(
    db: Session, open_week: Scenario, login: Any
) -> None:
    backup = open_week.growers["luchon"]
    with pytest.raises(Forbidden):
        services.name_backup(backup, open_week.iso_week, open_week.farms["luchon"].id)
    client = login(open_week.growers["stgaudens"])
    response = client.post("/semaines/2026-W48/coordination/suppleant",
                           data={"farm_id": str(open_week.farms["luchon"].id)})
    assert response.status_code == 303
    assert services.is_coordinator(backup, open_week.iso_week)
    client.post("/deconnexion")
    client = login(backup)
    home = client.get("/").get_data(as_text=True)
    assert "Vous êtes suppléant pour la semaine 48" in home
    client.post("/semaines/2026-W48/planning/clore", data={"confirm": "y"})
    db.refresh(open_week.week)
    assert open_week.week.state == WeekState.CLOSED


def test_reminder_the_day_before_and_the_lead_alerted_without_confirmation(
    db: Session, open_week: Scenario, clock: SettableClock
) -> None:
    deadline = open_week.week.order_deadline_dt
    day_before = deadline - dt.timedelta(days=1)
    clock.moment = day_before
    summary = jobs.remind_coordinators(day_before)
    assert "1 rappel" in summary
    [reminder] = outbox(db, "coordinator_reminder")
    assert reminder.user_id == open_week.growers["stgaudens"].id
    assert "coordonne la semaine 48" in reminder.body_text
    assert "Confirmez" in reminder.body_text
    jobs.remind_coordinators(day_before)
    assert len(outbox(db, "coordinator_reminder")) == 1  # never twice

    open_week.week.state = WeekState.CLOSED
    db.commit()
    clock.moment = deadline
    assert "2026-W48" in jobs.alert_unconfirmed_coordinators(deadline)
    [alert] = outbox(db, "coordination_unconfirmed")
    assert alert.user_id == open_week.lead.id
    assert "Maraîchers" not in alert.body_text and "Jardins de la Garonne" in alert.body_text


def test_a_confirmed_week_raises_no_alert(
    db: Session, open_week: Scenario, login: Any
) -> None:
    client = login(open_week.growers["stgaudens"])
    client.post("/semaines/2026-W48/coordination/confirmer")
    assert "Coordination confirmée" in client.get("/").get_data(as_text=True)
    open_week.week.state = WeekState.CLOSED
    db.commit()
    jobs.alert_unconfirmed_coordinators(open_week.week.order_deadline_dt)
    assert outbox(db, "coordination_unconfirmed") == []
