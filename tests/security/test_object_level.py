"""Ownership: a grower never reaches another farm, a canteen manager another canteen.

Through the pages, the API and the exports, reading and writing; a refused write changes
nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from pial.allocation.services import allocate_week, publish_week
from pial.models import AllocationLine, AvailabilityLine, OrderLine, Receipt
from tests.allocation.scenario import Scenario


def _offer_rows(db: Any, farm_id: int) -> list[tuple[int, Decimal]]:
    return sorted(
        (line.product_id, line.quantity)
        for line in db.scalars(select(AvailabilityLine).where(AvailabilityLine.farm_id == farm_id))
    )


def _order_rows(db: Any, canteen_id: int) -> list[tuple[int, Decimal]]:
    return sorted(
        (line.product_id, line.quantity)
        for line in db.scalars(select(OrderLine).where(OrderLine.canteen_id == canteen_id))
    )


def test_a_grower_cannot_read_or_change_another_farms_availability(
    open_scenario: Scenario, session_client: Any, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    grower = scenario.growers["luchon"]
    other = scenario.farms["stgaudens"].id
    before = _offer_rows(db, other)
    carrot = scenario.products["carotte"].id
    page = session_client(grower)
    week = scenario.iso_week
    assert page.get(f"/semaine/{week}/offre").status_code == 200  # their own farm
    assert page.get(f"/semaine/{week}/offre?ferme={other}").status_code == 403
    posted = page.post(f"/semaine/{week}/offre?ferme={other}", data={f"q-{carrot}": "999"})
    assert posted.status_code == 403
    copied = page.post(f"/semaine/{week}/offre/copier?ferme={other}", data={})
    assert copied.status_code == 403
    template = page.get(f"/tableurs/modele/disponibilites/{week}.xlsx?id={other}")
    assert template.status_code == 403

    api_url = f"/api/v1/weeks/{week}/farms/{other}/availability"
    headers = bearer(grower)
    assert page.get(api_url, headers=headers).status_code == 403
    put = page.put(api_url, headers=headers,
                   json={"lines": [{"product_id": carrot, "quantity": 999}]})
    assert put.status_code == 403
    assert _offer_rows(db, other) == before


def test_a_grower_cannot_read_another_farms_statement(
    scenario: Scenario, session_client: Any, bearer: Any
) -> None:
    grower = scenario.growers["luchon"]
    other = scenario.farms["stgaudens"].id
    page = session_client(grower)
    assert page.get(f"/argent/releves/ferme/{scenario.farms['luchon'].id}").status_code == 200
    assert page.get(f"/argent/releves/ferme/{other}").status_code == 403
    assert page.get(f"/argent/releves/ferme/{other}.xlsx").status_code == 403
    assert page.get(f"/argent/equite/{other}").status_code == 403
    headers = bearer(grower)
    assert page.get(f"/api/v1/farms/{other}/statements/2026-11", headers=headers).status_code == 403


def test_a_canteen_cannot_read_or_change_another_canteens_orders(
    open_scenario: Scenario, session_client: Any, bearer: Any, db: Any
) -> None:
    scenario = open_scenario
    manager = scenario.managers["luchon"]
    other = scenario.canteens["stgaudens"].id
    before = _order_rows(db, other)
    carrot = scenario.products["carotte"].id
    week = scenario.iso_week
    page = session_client(manager)
    assert page.get(f"/semaine/{week}/commande").status_code == 200
    assert page.get(f"/semaine/{week}/commande?cantine={other}").status_code == 403
    posted = page.post(f"/semaine/{week}/commande?cantine={other}",
                       data={f"q-{carrot}-2026-11-23": "999"})
    assert posted.status_code == 403
    assert page.get(f"/commandes-permanentes?cantine={other}").status_code == 403
    assert page.get(f"/tableurs/modele/commandes/{week}.xlsx?id={other}").status_code == 403

    headers = bearer(manager)
    api_url = f"/api/v1/weeks/{week}/canteens/{other}/orders"
    assert page.get(api_url, headers=headers).status_code == 403
    put = page.put(api_url, headers=headers, json={"lines": []})
    assert put.status_code == 403
    assert _order_rows(db, other) == before


def test_a_canteen_cannot_see_or_confirm_another_canteens_receipts_or_statements(
    app: Any, scenario: Scenario, session_client: Any, bearer: Any, db: Any
) -> None:
    allocate_week(scenario.iso_week, scenario.lead)
    publish_week(scenario.iso_week, scenario.lead)
    manager = scenario.managers["luchon"]
    other = scenario.canteens["stgaudens"].id
    foreign_line = db.scalar(select(AllocationLine).where(AllocationLine.canteen_id == other))
    assert foreign_line is not None
    week = scenario.iso_week
    page = session_client(manager)

    receipt = page.post(f"/semaines/{week}/receptions/{foreign_line.id}",
                        data={f"l{foreign_line.id}-received_quantity": "0",
                              f"l{foreign_line.id}-quality": "rejected"})
    assert receipt.status_code == 403
    headers = bearer(manager)
    api_receipt = page.put(f"/api/v1/canteens/{other}/receipts/{foreign_line.id}",
                           headers=headers, json={"received_quantity": 0, "version": "0"})
    assert api_receipt.status_code == 403
    own = scenario.canteens["luchon"].id
    smuggled = page.put(f"/api/v1/canteens/{own}/receipts/{foreign_line.id}",
                        headers=headers, json={"received_quantity": 0, "version": "0"})
    assert smuggled.status_code == 403  # the line is another canteen's, whatever the URL says
    assert db.scalar(select(func.count(Receipt.id))) == 0

    assert page.get(f"/api/v1/weeks/{week}/canteens/{other}/deliveries",
                    headers=headers).status_code == 403
    assert page.get(f"/argent/releves/cantine/{other}").status_code == 403
    assert page.get(f"/argent/releves/cantine/{other}.xlsx").status_code == 403
    assert page.get(f"/api/v1/canteens/{other}/statements/2026-11",
                    headers=headers).status_code == 403
    assert page.post(f"/egalim/cantine/{other}/ma-cantine.csv",
                     data={"first_day": "2026-11-01", "last_day": "2026-11-30"}).status_code == 403
    assert page.get(f"/egalim/cantine/{other}").status_code == 403
    assert page.get(f"/api/v1/canteens/{other}/egalim", headers=headers).status_code == 403
    assert page.get(f"/api/v1/canteens/{other}/macantine.csv?start=2026-11-01&end=2026-11-30",
                    headers=headers).status_code == 403
    assert page.get(f"/contrats/{999999}").status_code in {403, 404}
