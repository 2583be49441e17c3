"""Who is told what: reminders, the published planning, re-plans, the coordinator, invitations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select

from pial.allocation.events import PlanPublished
from pial.models import AvailabilityLine, OrderLine, OutboxMessage, WeekState
from pial.notifications import messages
from tests.allocation.scenario import Scenario, build_scenario, scenario_app_config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """The scenario's clock: the week has closed, none of its delivery days has come."""
    return scenario_app_config()


def _outbox(db: Any, kind: str) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def test_only_growers_who_have_not_declared_are_reminded(db: Any, make_user: Any) -> None:
    scenario: Scenario = build_scenario(db, make_user)
    luchon = scenario.farms["luchon"]
    db.execute(delete(AvailabilityLine).where(AvailabilityLine.farm_id == luchon.id))
    scenario.growers["montrejeau"].email_reminders = False  # opted out, and has declared anyway
    db.commit()

    assert messages.remind_missing_offers(scenario.week) == 1
    db.commit()
    sent = _outbox(db, "availability_reminder")
    assert [m.to_address for m in sent] == [scenario.growers["luchon"].email]
    assert "semaine 48" in sent[0].subject
    assert "n'a pas encore déclaré" in sent[0].body_text

    # The job may run twice (a retry, a second process): still one reminder.
    assert messages.remind_missing_offers(scenario.week) == 0


def test_canteens_without_orders_are_reminded_unless_they_opted_out(
    db: Any, make_user: Any
) -> None:
    scenario = build_scenario(db, make_user)
    db.execute(delete(OrderLine))
    scenario.managers["stgaudens"].email_reminders = False
    db.commit()
    assert messages.remind_missing_orders(scenario.week) == 1
    db.commit()
    assert [m.to_address for m in _outbox(db, "order_reminder")] == [
        scenario.managers["luchon"].email
    ]


def test_publication_sends_each_person_their_own_part(app: Any, db: Any, make_user: Any) -> None:
    from pial.allocation.services import allocate_week, publish_week

    scenario = build_scenario(db, make_user)
    allocate_week(scenario.iso_week, scenario.lead)
    run = publish_week(scenario.iso_week, scenario.lead)
    assert run.week.state == WeekState.PUBLISHED

    # Publishing queued the announcements in its own transaction.
    published = _outbox(db, "planning_published")
    farms = {line.farm_id for line in run.lines}
    canteens = {line.canteen_id for line in run.lines}
    involved = {("farm", i) for i in farms} | {("canteen", i) for i in canteens}
    assert len(published) == len(involved) > 0
    by_address = {m.to_address: m for m in published}
    for key, farm in scenario.farms.items():
        grower = scenario.growers[key]
        if any(line.farm_id == farm.id for line in run.lines):
            text = by_address[grower.email].body_text
            assert farm.name not in text or "liste de récolte" in text
            assert "À récolter" in text
            # A grower's message lists only their own canteens' drops.
            own = {line.canteen.name for line in run.lines if line.farm_id == farm.id}
            for canteen in scenario.canteens.values():
                if canteen.name not in own:
                    assert canteen.name not in text
    for key, canteen in scenario.canteens.items():
        text = by_address[scenario.managers[key].email].body_text
        assert "bons de livraison" in text
        other = next(c for c in scenario.canteens.values() if c.id != canteen.id)
        assert other.name not in text
    # Already queued: nothing doubled.
    assert messages.announce_planning(PlanPublished(run, replan=False)) == 0


def test_a_replan_tells_only_those_whose_deliveries_changed(
    app: Any, db: Any, make_user: Any
) -> None:
    from pial.allocation.services import allocate_week, declare_crop_failure, publish_week

    scenario = build_scenario(db, make_user)
    allocate_week(scenario.iso_week, scenario.lead)
    first = publish_week(scenario.iso_week, scenario.lead)
    carrot = scenario.products["carotte"]
    failing = next(line for line in first.lines if line.product_id == carrot.id)
    farm_key = next(k for k, f in scenario.farms.items() if f.id == failing.farm_id)
    second = declare_crop_failure(
        scenario.growers[farm_key], failing.farm_id, scenario.iso_week, carrot.id,
        Decimal(failing.quantity), "grêle",
    )  # fmt: skip
    # The re-plan announced itself.
    assert messages.announce_planning(PlanPublished(second, replan=True)) == 0
    replans = _outbox(db, "replan")
    assert replans, "the farm that lost its crop must be told what changed"
    assert scenario.growers[farm_key].email in {m.to_address for m in replans}
    assert all("→" in m.body_text for m in replans)
    assert all(f"version {second.published_version}" in m.subject for m in replans)


def test_the_coordinator_of_the_week_is_asked_to_review(app: Any, db: Any, make_user: Any) -> None:
    from pial.allocation.services import allocate_week

    scenario = build_scenario(db, make_user)
    run = allocate_week(scenario.iso_week, scenario.lead)
    assert messages.ask_coordinator_to_review(run) == 1
    db.commit()
    (message,) = _outbox(db, "coordinator_review")
    assert message.to_address == scenario.growers["stgaudens"].email
    assert "Vous coordonnez cette semaine" in message.body_text


def test_english_speakers_get_their_reminder_in_english(db: Any, make_user: Any) -> None:
    scenario = build_scenario(db, make_user)
    db.execute(delete(AvailabilityLine))
    scenario.growers["luchon"].locale = "en"
    db.commit()
    messages.remind_missing_offers(scenario.week)
    db.commit()
    by_address = {m.to_address: m for m in _outbox(db, "availability_reminder")}
    french = by_address[scenario.growers["stgaudens"].email]
    assert french.subject.startswith("Rappel")
    english = by_address[scenario.growers["luchon"].email]
    assert english.subject.startswith("Reminder: your availability for week 48")
    assert "has not yet declared its availability" in english.body_text
