"""The delivery pages through HTTP: pick list, delivery notes, receipt form, refusals."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation import services as allocation
from pial.models import LedgerEntry, LedgerKind, Receipt
from tests.allocation.scenario import Scenario

PAGE = "/semaines/2026-W48/mes-livraisons"


def test_grower_and_canteen_pages(db: Session, scenario: Scenario, login: Any,
                                  client: Any) -> None:
    assert client.get(PAGE).status_code == 302
    login(scenario.growers["luchon"])
    before = client.get(PAGE).get_data(as_text=True)
    assert "pas encore publié" in before
    allocation.allocate_week(scenario.iso_week, scenario.lead)
    run = allocation.publish_week(scenario.iso_week, scenario.lead)
    assert client.get("/mes-livraisons").status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "À récolter" in page and "Tournée" in page
    assert "Déclarer une perte de récolte" in page
    client.post("/deconnexion")

    manager = scenario.managers["stgaudens"]
    login(manager)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Bon de livraison" in page and "Total du jour" in page
    line = next(ln for ln in run.lines if ln.canteen_id == manager.canteen_id)
    prefix = f"l{line.id}-"
    response = client.post(f"/semaines/2026-W48/receptions/{line.id}", data={
        prefix + "received_quantity": "0", prefix + "quality": "rejected",
        prefix + "note": "Marchandise gelée",
    })
    assert response.status_code == 303
    assert db.scalars(select(Receipt)).one().received_quantity == 0
    assert db.scalars(select(LedgerEntry).where(
        LedgerEntry.kind == LedgerKind.RECEIPT_CORRECTION)).one().amount_eur == -line.value_eur
    assert "Reçu : 0" in client.get(PAGE).get_data(as_text=True)

    # The rest of that farm's delivery of the day, in one tap.
    in_full = client.post(f"/semaines/2026-W48/receptions/{line.day.isoformat()}/fermes/"
                          f"{line.farm_id}/tout-conforme")
    assert in_full.status_code == 303
    assert "reçue en entier" in client.get(PAGE).get_data(as_text=True)
    short = next((ln for ln in run.lines if ln.canteen_id == manager.canteen_id
                  and ln.quantity >= 5 and ln.id != line.id), None)
    if short is not None:
        prefix = f"l{short.id}-"
        client.post(f"/semaines/2026-W48/receptions/{short.id}", data={
            prefix + "received_quantity": str(short.quantity - 2), prefix + "quality": "ok",
            prefix + "shortfall_reason": "Cagette oubliée"})
        page = client.get(PAGE).get_data(as_text=True)
        assert "manque 2" in page and "Cagette oubliée" in page

    bad = client.post(f"/semaines/2026-W48/receptions/{line.id}", data={
        prefix + "received_quantity": "beaucoup", prefix + "quality": "ok"})
    assert bad.status_code == 422

    other = next(ln for ln in run.lines if ln.canteen_id != manager.canteen_id)
    prefix = f"l{other.id}-"
    refused = client.post(f"/semaines/2026-W48/receptions/{other.id}", data={
        prefix + "received_quantity": "1", prefix + "quality": "ok"})
    assert refused.status_code == 403
    client.post("/deconnexion")

    login(scenario.lead)
    assert client.get(PAGE).status_code == 403  # the lead reviews the planning instead
