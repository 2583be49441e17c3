"""A crop failure after publication: refusals, the re-plan, its version and the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.allocation import runs, services
from pial.allocation.review import planning_grid
from pial.errors import Conflict, Forbidden, InvalidInput
from pial.models import (
    AllocationRun,
    CropFailure,
    LedgerEntry,
    ManualLock,
    OutboxMessage,
    RunTrigger,
    User,
    WeekState,
)
from tests.allocation.scenario import Scenario


def publish(scenario: Scenario) -> AllocationRun:
    """Allocate and publish the scenario's week."""
    services.allocate_week(scenario.iso_week, scenario.lead)
    return services.publish_week(scenario.iso_week, scenario.lead)


def farm_product_total(run: AllocationRun, farm_id: int, product_id: int) -> Decimal:
    """Return what a farm sends of a product in a run."""
    return sum((ln.quantity for ln in run.lines
                if ln.farm_id == farm_id and ln.product_id == product_id), Decimal(0))


def test_replan_covers_the_loss_and_moves_little(db: Session, scenario: Scenario) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    # The farm that sends the most carrots loses 30 kg of them.
    loser_id = max(scenario.farms.values(),
                   key=lambda farm: farm_product_total(first, farm.id, carrot.id)).id
    loser = next(user for user in scenario.growers.values() if user.farm_id == loser_id)
    planned = farm_product_total(first, loser_id, carrot.id)
    lost = Decimal(30)  # counted against the plan: leaves 30 kg less than planned

    second = services.declare_crop_failure(loser, loser_id, scenario.iso_week, carrot.id,
                                           lost, "Grêle sur la parcelle")

    assert second.published_version == 2 and first.published_version == 1
    assert second.trigger == RunTrigger.CROP_FAILURE and second.supersedes_run_id == first.id
    assert scenario.week.state == WeekState.PUBLISHED
    assert farm_product_total(second, loser_id, carrot.id) == planned - 30
    # Others cover the 30 kg: the carrots served do not drop (there was enough on offer).
    served_before = sum(ln.quantity for ln in first.lines if ln.product_id == carrot.id)
    served_after = sum(ln.quantity for ln in second.lines if ln.product_id == carrot.id)
    assert served_after == served_before
    # Only carrot cells move, and by no more than the loss on each side.
    changes = runs.changes_between(first, second)
    assert changes and all(change.product_id == carrot.id for change in changes)
    assert sum(-c.delta_quantity for c in changes if c.delta_quantity < 0) == 30
    assert sum(c.delta_quantity for c in changes if c.delta_quantity > 0) == 30
    failure = db.scalars(select(CropFailure)).one()
    assert failure.replan_run_id == second.id and failure.quantity_lost == lost
    note = db.scalars(select(LedgerEntry.note).where(
        LedgerEntry.run_id == second.id, LedgerEntry.farm_id == loser_id)).one()
    assert "perte de récolte" in (note or "")


def test_ledger_of_the_week_nets_out_the_versions(db: Session, scenario: Scenario) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    farm = scenario.farms["luchon"]
    if farm_product_total(first, farm.id, carrot.id) == 0:
        farm = scenario.farms["montrejeau"]
    grower = next(u for u in scenario.growers.values() if u.farm_id == farm.id)
    planned = farm_product_total(first, farm.id, carrot.id)
    second = services.declare_crop_failure(grower, farm.id, scenario.iso_week, carrot.id, planned)

    import json
    effect = {
        row["grower"]: row["ledger_eur"] for row in json.loads(second.result_json or "")
        ["ledger_after"]
    }
    for each in scenario.farms.values():
        total = db.scalar(select(func.sum(LedgerEntry.amount_eur)).where(
            LedgerEntry.farm_id == each.id))
        assert float(total or 0) == pytest.approx(effect[f"g-{each.id}"], abs=0.02)


def test_crop_failure_refusals(db: Session, scenario: Scenario) -> None:
    carrot = scenario.products["carotte"]
    luchon = scenario.farms["luchon"]
    services.allocate_week(scenario.iso_week, scenario.lead)
    with pytest.raises(Conflict, match="publié"):
        services.declare_crop_failure(scenario.growers["luchon"], luchon.id,
                                      scenario.iso_week, carrot.id, "10")
    services.publish_week(scenario.iso_week, scenario.lead)
    with pytest.raises(Forbidden):
        services.declare_crop_failure(scenario.growers["stgaudens"], luchon.id,
                                      scenario.iso_week, carrot.id, "10")
    with pytest.raises(Forbidden):
        services.declare_crop_failure(scenario.managers["luchon"], luchon.id,
                                      scenario.iso_week, carrot.id, "10")
    with pytest.raises(InvalidInput):
        services.declare_crop_failure(scenario.growers["luchon"], luchon.id,
                                      scenario.iso_week, carrot.id, "0")
    with pytest.raises(InvalidInput):
        services.declare_crop_failure(scenario.growers["luchon"], luchon.id,
                                      scenario.iso_week, carrot.id, "-3")
    assert db.scalars(select(CropFailure)).all() == []
    assert db.scalar(select(func.count()).select_from(AllocationRun)) == 1


def grower_of(scenario: Scenario, farm_id: int) -> User:
    """Return the grower of a farm of the scenario."""
    return next(user for user in scenario.growers.values() if user.farm_id == farm_id)


def test_a_loss_is_counted_against_the_plan_not_the_offer(
    db: Session, scenario: Scenario
) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    # A farm planned for less than it offered: the loss must still bite into its deliveries.
    farm = min((f for f in scenario.farms.values() if farm_product_total(first, f.id, carrot.id)),
               key=lambda f: farm_product_total(first, f.id, carrot.id))
    planned = farm_product_total(first, farm.id, carrot.id)
    assert planned < services.farm_offer_left(farm.id, scenario.iso_week, carrot.id)
    lost = (planned / 2).quantize(Decimal(1))

    second = services.declare_crop_failure(grower_of(scenario, farm.id), farm.id,
                                           scenario.iso_week, carrot.id, lost)

    assert farm_product_total(second, farm.id, carrot.id) == planned - lost
    assert runs.replan_changes(second), "the re-plan must show what it changed"
    failure = db.scalars(select(CropFailure)).one()
    assert failure.quantity_lost == lost and failure.quantity_withdrawn is not None
    # Nothing of the rest of its offer is handed back to it by a later run either.
    assert services.farm_offer_left(farm.id, scenario.iso_week, carrot.id) == planned - lost


def test_a_loss_beyond_the_plan_is_refused(db: Session, scenario: Scenario) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    farm = next(f for f in scenario.farms.values() if farm_product_total(first, f.id, carrot.id))
    planned = farm_product_total(first, farm.id, carrot.id)
    with pytest.raises(InvalidInput, match="au plus"):
        services.declare_crop_failure(grower_of(scenario, farm.id), farm.id,
                                      scenario.iso_week, carrot.id, planned + 1)
    assert db.scalars(select(CropFailure)).all() == []


def test_the_lock_a_loss_overrides_is_released(db: Session, scenario: Scenario) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    line = next(ln for ln in first.lines if ln.product_id == carrot.id)
    # A lock on the published cell; the week is published, so set it directly as a past lock.
    db.add(ManualLock(week_id=scenario.week.id, farm_id=line.farm_id,
                      canteen_id=line.canteen_id, product_id=carrot.id, day=line.day,
                      quantity=line.quantity))
    db.commit()
    planned = farm_product_total(first, line.farm_id, carrot.id)
    services.declare_crop_failure(grower_of(scenario, line.farm_id), line.farm_id,
                                  scenario.iso_week, carrot.id, planned)
    assert db.scalars(select(ManualLock).where(ManualLock.farm_id == line.farm_id)).all() == []


def test_contract_lines_left_short_are_flagged_to_lead_and_coordinator(
    db: Session, scenario: Scenario
) -> None:
    first = publish(scenario)
    carrot = scenario.products["carotte"]
    # Two farms lose every carrot planned: Saint-Gaudens alone cannot serve the contracts.
    for key in ("luchon", "montrejeau"):
        farm = scenario.farms[key]
        planned = farm_product_total(runs.published_run(scenario.week) or first, farm.id,
                                     carrot.id)
        if planned:
            services.declare_crop_failure(grower_of(scenario, farm.id), farm.id,
                                          scenario.iso_week, carrot.id, planned)
    current = runs.published_run(scenario.week)
    assert current is not None
    grid = planning_grid(scenario.iso_week, current.id, actor=scenario.lead)
    assert grid.contract_shortfalls
    assert all(short.product.id == carrot.id for short in grid.contract_shortfalls)
    sent = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "contract_shortfall"))
    recipients = {message.user_id for message in sent}
    coordinator = scenario.growers["stgaudens"]  # Saint-Gaudens coordinates the week
    assert scenario.lead.id in recipients and coordinator.id in recipients
    body = next(m.body_text for m in db.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "contract_shortfall", OutboxMessage.user_id == coordinator.id)))
    assert "Carotte (contrat)" in body and "kg" in body
