"""Pick lists, rounds, delivery notes, receipts and the ledger corrections they cause."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import services as allocation
from pial.allocation.seam import straight_km
from pial.deliveries import services
from pial.errors import Conflict, Forbidden, InvalidInput
from pial.models import (
    AllocationRun,
    Delivery,
    LedgerEntry,
    LedgerKind,
    Receipt,
    WeekState,
)
from tests.allocation.scenario import MONDAY, THURSDAY, Scenario, build_scenario


def publish(scenario: Scenario) -> AllocationRun:
    """Allocate and publish the scenario's week."""
    allocation.allocate_week(scenario.iso_week, scenario.lead)
    return allocation.publish_week(scenario.iso_week, scenario.lead)


def test_pick_list_rounds_follow_the_nearest_canteen(db: Session, scenario: Scenario) -> None:
    run = publish(scenario)
    for key, farm in scenario.farms.items():
        picks = services.pick_list(farm.id, scenario.iso_week, actor=scenario.growers[key])
        farm_lines = [ln for ln in run.lines if ln.farm_id == farm.id]
        assert sum(item.quantity for day in picks.days for item in day.harvest) == sum(
            ln.quantity for ln in farm_lines)
        for pick_day in picks.days:
            # Nearest neighbour: each stop is the closest of those left, starting at the farm.
            here = (farm.lat, farm.lon)
            left = [stop.canteen for stop in pick_day.stops]
            for stop in pick_day.stops:
                nearest = min(left, key=lambda c: straight_km(*here, c.lat, c.lon))
                assert stop.canteen.id == nearest.id
                left.remove(stop.canteen)
                here = (stop.canteen.lat, stop.canteen.lon)
            trips = db.scalars(select(Delivery).where(
                Delivery.farm_id == farm.id, Delivery.day == pick_day.day)).all()
            assert {(t.canteen_id, t.route_order) for t in trips} == {
                (stop.canteen.id, stop.position) for stop in pick_day.stops}


def test_pick_list_counts_crates(db: Session, make_user: Any, tmp_path: Any) -> None:
    lots = build_scenario(db, make_user, lots=True)
    run = publish(lots)
    carrot = lots.products["carotte"]
    assert all(ln.quantity % 5 == 0 for ln in run.lines if ln.product_id == carrot.id)
    farm_id = next(ln.farm_id for ln in run.lines if ln.product_id == carrot.id)
    picks = services.pick_list(farm_id, lots.iso_week)
    item = next(i for d in picks.days for i in d.harvest if i.product.id == carrot.id)
    assert item.crates == item.quantity / 5


def test_only_the_farm_sees_its_pick_list(scenario: Scenario) -> None:
    publish(scenario)
    luchon = scenario.farms["luchon"]
    with pytest.raises(Forbidden):
        services.pick_list(luchon.id, scenario.iso_week, actor=scenario.growers["stgaudens"])
    with pytest.raises(Forbidden):
        services.pick_list(luchon.id, scenario.iso_week, actor=scenario.managers["luchon"])


def test_delivery_note_prices_and_totals(scenario: Scenario) -> None:
    run = publish(scenario)
    canteen = scenario.canteens["stgaudens"]
    note = services.delivery_note(canteen.id, scenario.iso_week, MONDAY,
                                  actor=scenario.managers["stgaudens"])
    lines = [ln for ln in run.lines if ln.canteen_id == canteen.id and ln.day == MONDAY]
    assert note.total_eur == sum(ln.value_eur for ln in lines)
    carrot_price = Decimal("1.90")  # 1.50 + 0.30 + 0.10
    for farm in note.farms:
        for item in farm.lines:
            if item.line.product_id == scenario.products["carotte"].id:
                assert item.price_eur == carrot_price
                assert item.line.value_eur == item.line.quantity * carrot_price
    with pytest.raises(Forbidden):
        services.delivery_note(canteen.id, scenario.iso_week, MONDAY,
                               actor=scenario.managers["luchon"])


def test_receipt_shortage_corrects_the_ledger(db: Session, scenario: Scenario) -> None:
    run = publish(scenario)
    canteen = scenario.canteens["stgaudens"]
    manager = scenario.managers["stgaudens"]
    line = next(ln for ln in run.lines if ln.canteen_id == canteen.id and ln.quantity >= 10)
    balance_before = db.scalars(select(LedgerEntry.balance_after_eur).where(
        LedgerEntry.farm_id == line.farm_id).order_by(LedgerEntry.id.desc())).first()
    unit_price = line.value_eur / line.quantity

    services.confirm_receipt(manager, canteen.id, line.id, line.quantity - 4, "minor",
                             "Quelques pièces abîmées")

    correction = db.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RECEIPT_CORRECTION)).one()
    assert correction.farm_id == line.farm_id
    assert correction.amount_eur == (-4 * unit_price).quantize(Decimal("0.01"))
    assert correction.balance_after_eur == (balance_before or 0) + correction.amount_eur

    # Correcting the receipt back to the planned quantity cancels the correction.
    services.confirm_receipt(manager, canteen.id, line.id, str(line.quantity), "ok", "")
    corrections = db.scalars(select(LedgerEntry.amount_eur).where(
        LedgerEntry.kind == LedgerKind.RECEIPT_CORRECTION, LedgerEntry.farm_id == line.farm_id
    )).all()
    assert sum(corrections) == 0 and len(corrections) == 2
    receipt = db.scalars(select(Receipt)).one()
    assert receipt.received_quantity == line.quantity and receipt.quality_rating == "ok"


def test_receipt_in_full_writes_no_correction(db: Session, scenario: Scenario) -> None:
    run = publish(scenario)
    line = run.lines[0]
    manager = next(m for m in scenario.managers.values() if m.canteen_id == line.canteen_id)
    services.confirm_receipt(manager, line.canteen_id, line.id, line.quantity, "ok", None)
    assert db.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RECEIPT_CORRECTION)).all() == []


def test_receipt_refusals(db: Session, scenario: Scenario) -> None:
    run_before = allocation.allocate_week(scenario.iso_week, scenario.lead)
    line = run_before.lines[0]
    own = next(m for m in scenario.managers.values() if m.canteen_id == line.canteen_id)
    other = next(m for m in scenario.managers.values() if m.canteen_id != line.canteen_id)
    with pytest.raises(Conflict):  # not published yet
        services.confirm_receipt(own, line.canteen_id, line.id, "1", "ok", None)
    run = allocation.publish_week(scenario.iso_week, scenario.lead)
    line = run.lines[0]
    with pytest.raises(Forbidden):  # another canteen's manager, claiming their own canteen
        services.confirm_receipt(other, other.canteen_id or 0, line.id, "1", "ok", None)
    with pytest.raises(Forbidden):  # another canteen's manager, naming this canteen
        services.confirm_receipt(other, line.canteen_id, line.id, "1", "ok", None)
    with pytest.raises(Forbidden):  # a grower
        services.confirm_receipt(scenario.growers["luchon"], line.canteen_id, line.id, "1",
                                 "ok", None)
    with pytest.raises(InvalidInput):
        services.confirm_receipt(own, line.canteen_id, line.id, "-1", "ok", None)
    with pytest.raises(InvalidInput):
        services.confirm_receipt(own, line.canteen_id, line.id, "1", "parfait", None)
    assert db.scalars(select(Receipt)).all() == []


def test_mark_week_delivered(db: Session, scenario: Scenario) -> None:
    with pytest.raises(Conflict):
        services.mark_week_delivered(scenario.iso_week)
    publish(scenario)
    with pytest.raises(Forbidden):
        services.mark_week_delivered(scenario.iso_week, scenario.growers["luchon"])
    services.mark_week_delivered(scenario.iso_week, scenario.growers["stgaudens"])
    assert scenario.week.state == WeekState.DELIVERED
    assert all(trip.delivered_dt is not None for trip in db.scalars(select(Delivery)))
    assert THURSDAY > MONDAY


def test_a_delivery_day_to_come_cannot_be_received(
    db: Session, app: Any, scenario: Scenario
) -> None:
    run = publish(scenario)
    line = next(ln for ln in run.lines if ln.day == THURSDAY)
    manager = next(m for m in scenario.managers.values() if m.canteen_id == line.canteen_id)
    app.config["PIAL_CLOCK"] = lambda: dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)  # Tuesday
    with pytest.raises(InvalidInput, match="pas encore eu lieu"):
        services.confirm_receipt(manager, line.canteen_id, line.id, line.quantity, "ok", None)
    assert db.scalars(select(Receipt)).all() == []


def test_less_than_planned_is_a_shortfall_with_its_reason(
    db: Session, scenario: Scenario
) -> None:
    run = publish(scenario)
    line = next(ln for ln in run.lines if ln.quantity >= 10)
    manager = next(m for m in scenario.managers.values() if m.canteen_id == line.canteen_id)
    services.confirm_receipt(manager, line.canteen_id, line.id, line.quantity - 2, "ok", None,
                             "Deux cagettes oubliées")
    receipt = db.scalars(select(Receipt)).one()
    assert receipt.shortfall_quantity == 2
    assert receipt.shortfall_reason == "Deux cagettes oubliées"
    correction = db.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RECEIPT_CORRECTION)).one()
    assert correction.farm_id == line.farm_id and correction.amount_eur < 0
    assert "Deux cagettes oubliées" in (correction.note or "")


def test_a_whole_delivery_received_in_full(db: Session, scenario: Scenario) -> None:
    run = publish(scenario)
    first = run.lines[0]
    lines = [ln for ln in run.lines if ln.canteen_id == first.canteen_id
             and ln.farm_id == first.farm_id and ln.day == first.day]
    manager = next(m for m in scenario.managers.values() if m.canteen_id == first.canteen_id)
    services.confirm_receipt(manager, first.canteen_id, first.id, first.quantity - 1, "minor",
                             "abîmé", "abîmé")
    count = services.confirm_delivery_in_full(manager, first.canteen_id, scenario.iso_week,
                                              first.day, first.farm_id)
    assert count == len(lines) - 1
    receipts = {r.allocation_line_id: r for r in db.scalars(select(Receipt))}
    assert set(receipts) == {ln.id for ln in lines}
    assert receipts[first.id].received_quantity == first.quantity - 1  # kept as recorded
    assert all(receipts[ln.id].received_quantity == ln.quantity for ln in lines[1:])
    with pytest.raises(Forbidden):
        services.confirm_delivery_in_full(scenario.growers["luchon"], first.canteen_id,
                                          scenario.iso_week, first.day, first.farm_id)
