"""The published plan read model: its lines, prices, shortfalls, changes and rounds."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pial.allocation.runs import changes_between
from pial.allocation.services import allocate_week, declare_crop_failure, publish_week
from pial.models import Delivery, OrderLine, OrderPriority, OutboxMessage, Price
from pial.notifications import messages
from pial.published.plan import PublishedPlan, plan_of, published_plan
from tests.allocation.scenario import Scenario
from tests.contracts.conftest import make_group_contract


def _publish(scenario: Scenario) -> PublishedPlan:
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    plan = published_plan(scenario.week)
    assert plan is not None
    return plan


def test_lines_are_the_published_run_priced(db: Session, scenario: Scenario) -> None:
    contract = make_group_contract(db, scenario)
    plan = _publish(scenario)
    assert plan.version == 1 and plan.run.is_published
    assert sorted((ln.id, ln.quantity) for ln in plan.lines) == sorted(
        (ln.id, ln.quantity) for ln in plan.run.lines
    )
    orders = {
        (order.canteen_id, order.product_id, order.day): order.priority
        for order in db.scalars(select(OrderLine).where(OrderLine.week_id == scenario.week.id))
    }
    luchon, carrot = scenario.canteens["luchon"], scenario.products["carotte"]
    for line in plan.lines:
        assert line.priority == orders[(line.canteen_id, line.product_id, line.day)]
        under_contract = line.canteen_id == luchon.id and line.product_id == carrot.id
        assert (line.contract_id == contract.id) == under_contract
        expected_price = Decimal("1.75") if under_contract else {
            "carotte": Decimal("1.90"), "poireau": Decimal("2.60"), "salade": Decimal("1.20"),
        }[line.product.slug]
        assert line.unit_price_eur == expected_price
        assert line.value_eur == (line.quantity * expected_price).quantize(Decimal("0.01"))
    assert any(line.priority == OrderPriority.CONTRACT for line in plan.lines)


def test_shortfalls_rounds_and_no_changes_in_a_first_version(
    db: Session, scenario: Scenario
) -> None:
    plan = _publish(scenario)
    served: dict[tuple[int, int, Any], Decimal] = defaultdict(Decimal)
    for line in plan.lines:
        served[(line.canteen_id, line.product_id, line.day)] += line.quantity
    short = {
        (order.canteen_id, order.product.slug, order.day): order.quantity - served[
            (order.canteen_id, order.product_id, order.day)]
        for order in db.scalars(select(OrderLine).where(OrderLine.week_id == scenario.week.id))
    }
    assert {(s.canteen_id, s.product_slug, s.day): s.quantity for s in plan.shortfalls} == {
        key: quantity for key, quantity in short.items() if quantity > 0
    }
    trips = {
        (trip.farm_id, trip.day, trip.route_order, trip.canteen_id)
        for trip in db.scalars(select(Delivery).where(Delivery.week_id == scenario.week.id))
    }
    assert trips == {
        (farm_id, day, position, canteen.id)
        for (farm_id, day), tour in plan.rounds.items()
        for position, (canteen, _leg_km) in enumerate(tour, start=1)
    }
    assert plan.changes == []


def test_a_replan_knows_what_it_changed(db: Session, scenario: Scenario) -> None:
    first = _publish(scenario)
    carrot = scenario.products["carotte"]
    line = next(ln for ln in first.lines if ln.product_id == carrot.id)
    grower = next(user for user in scenario.growers.values() if user.farm_id == line.farm_id)
    declare_crop_failure(grower, line.farm_id, scenario.iso_week, carrot.id, line.quantity)
    second = published_plan(scenario.week)
    assert second is not None and second.version == 2
    assert second.changes == changes_between(first.run, second.run) != []
    older = published_plan(scenario.week, version=1)
    assert older is not None and older.run.id == first.run.id


def test_a_day_without_a_season_price_keeps_the_price_it_was_solved_with(
    db: Session, scenario: Scenario
) -> None:
    plan = _publish(scenario)
    salad = scenario.products["salade"]
    db.execute(delete(Price).where(Price.product_id == salad.id))
    db.expire_all()
    again = plan_of(plan.run)
    salads = [line for line in again.lines if line.product_id == salad.id]
    assert salads and all(line.unit_price_eur == Decimal("1.20") for line in salads)


def test_publication_reads_the_plan_once_for_every_e_mail(
    db: Session, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []

    def counted(run: Any) -> PublishedPlan:
        built.append(run.id)
        return plan_of(run)

    monkeypatch.setattr(messages, "plan_of", counted)
    run = allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead, run.id)
    assert built == [run.id]
    queued = db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "planning_published")
    ).all()
    involved = {("farm", line.farm_id) for line in run.lines} | {
        ("canteen", line.canteen_id) for line in run.lines
    }
    assert len(queued) == len(involved) > 0  # every grower and canteen manager, one plan read
