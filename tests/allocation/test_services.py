"""Allocation runs, locks and publication through the services."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import services
from pial.errors import Conflict, Forbidden
from pial.models import (
    AllocationRun,
    ImmutableRunError,
    LedgerEntry,
    LedgerKind,
    RunStatus,
    WeekState,
)
from tests.allocation.scenario import MONDAY, Scenario


def test_lead_allocates_then_publishes_version_one(db: Session, scenario: Scenario) -> None:
    run = services.allocate_week(scenario.iso_week, scenario.lead)

    assert run.status in (RunStatus.OPTIMAL, RunStatus.FEASIBLE)
    assert run.sequence == 1 and not run.is_published
    assert scenario.week.state == WeekState.ALLOCATED
    instance = json.loads(run.instance_json)
    assert instance["format"] == "pial-allocation/1" and instance["week"] == "2026-W48"
    assert json.loads(run.result_json or "")["format"] == "pial-allocation-result/1"
    ordered = sum(
        order["quantity"] * next(p["price"] for p in instance["products"]
                                 if p["id"] == order["product"])
        for order in instance["orders"]
    )
    assert float(run.ordered_eur or 0) == pytest.approx(ordered, abs=0.01)
    lines_eur = sum(line.value_eur for line in run.lines)
    assert lines_eur == pytest.approx(run.served_eur, abs=Decimal("0.05"))
    assert all(line.distance_km >= 0 for line in run.lines)

    published = services.publish_week(scenario.iso_week, scenario.lead)

    assert published.id == run.id and published.published_version == 1
    assert str(scenario.week.state) == WeekState.PUBLISHED
    entries = db.scalars(select(LedgerEntry).where(LedgerEntry.run_id == run.id)).all()
    assert len(entries) == len(scenario.farms)
    assert all(entry.kind == LedgerKind.ALLOCATION for entry in entries)
    ledger_after = {row["grower"]: row["ledger_eur"]
                    for row in json.loads(run.result_json or "")["ledger_after"]}
    for entry in entries:
        assert float(entry.balance_after_eur) == pytest.approx(
            ledger_after[f"g-{entry.farm_id}"], abs=0.01)
        assert entry.amount_eur == entry.balance_after_eur  # no earlier entry


def test_allocation_needs_a_closed_week(db: Session, scenario: Scenario) -> None:
    scenario.week.state = WeekState.OPEN
    db.commit()
    with pytest.raises(Conflict, match="closes"):
        services.allocate_week(scenario.iso_week, scenario.lead)
    assert db.scalars(select(AllocationRun)).all() == []


def test_publication_needs_a_run(scenario: Scenario) -> None:
    with pytest.raises(Conflict, match="répartition"):
        services.publish_week(scenario.iso_week, scenario.lead)


def test_only_the_coordinator_or_lead_allocates(scenario: Scenario) -> None:
    with pytest.raises(Forbidden):
        services.allocate_week(scenario.iso_week, scenario.growers["luchon"])
    with pytest.raises(Forbidden):
        services.allocate_week(scenario.iso_week, scenario.managers["luchon"])
    run = services.allocate_week(scenario.iso_week, scenario.growers["stgaudens"])
    assert run.created_by_id == scenario.growers["stgaudens"].id


def test_a_run_is_immutable(db: Session, scenario: Scenario) -> None:
    run = services.allocate_week(scenario.iso_week, scenario.lead)
    run.instance_json = "{}"
    with pytest.raises(ImmutableRunError):
        db.flush()
    db.rollback()


def test_a_lock_is_kept_by_the_next_run(db: Session, scenario: Scenario) -> None:
    first = services.allocate_week(scenario.iso_week, scenario.lead)
    luchon, montrejeau = scenario.farms["luchon"], scenario.farms["montrejeau"]
    canteen = scenario.canteens["luchon"]
    carrot = scenario.products["carotte"]
    services.set_lock(scenario.lead, scenario.iso_week, montrejeau.id, canteen.id, carrot.id,
                      MONDAY, "25")

    second = services.allocate_week(scenario.iso_week, scenario.lead)

    assert second.sequence == first.sequence + 1
    cell = {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln.quantity
            for ln in second.lines}
    assert cell[(montrejeau.id, canteen.id, carrot.id, MONDAY)] == Decimal(25)
    assert json.loads(second.instance_json)["locked"] == [
        {"grower": f"g-{montrejeau.id}", "canteen": f"c-{canteen.id}", "product": "carotte",
         "day": MONDAY.isoformat(), "quantity": 25}
    ]
    # The first run is untouched.
    assert json.loads(first.instance_json)["locked"] == []
    services.remove_lock(scenario.lead, scenario.iso_week, montrejeau.id, canteen.id,
                         carrot.id, MONDAY)
    assert json.loads(
        services.allocate_week(scenario.iso_week, scenario.lead).instance_json
    )["locked"] == []
    assert luchon.id != montrejeau.id


def test_contradictory_locks_give_an_infeasible_run_that_cannot_be_published(
    db: Session, scenario: Scenario
) -> None:
    luchon = scenario.farms["luchon"]  # offers 60 kg of carrots
    carrot = scenario.products["carotte"]
    for canteen, quantity in (("luchon", "40"), ("stgaudens", "50")):
        services.set_lock(scenario.lead, scenario.iso_week, luchon.id,
                          scenario.canteens[canteen].id, carrot.id, MONDAY, quantity)

    run = services.allocate_week(scenario.iso_week, scenario.lead)

    assert run.status == RunStatus.INFEASIBLE and run.lines == []
    assert run.error_message
    assert scenario.week.state == WeekState.CLOSED
    with pytest.raises(Conflict):
        services.publish_week(scenario.iso_week, scenario.lead)


def test_a_solver_crash_is_recorded_not_raised(
    db: Session, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    import solver

    def crash(_problem: object) -> None:
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(solver, "solve", crash)
    run = services.allocate_week(scenario.iso_week, scenario.lead)
    assert run.status == RunStatus.ERROR and run.result_json is None
    assert "panne simulée" in (run.error_message or "")
    assert json.loads(run.instance_json)["week"] == scenario.iso_week
    assert scenario.week.state == WeekState.CLOSED
