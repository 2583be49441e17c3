"""Purchases in ma-cantine's import format (``import-achats``, by SIRET)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pial.errors import Forbidden, InvalidInput
from pial.spreadsheets import services
from pial.spreadsheets.data import ProductInfo, Purchase
from pial.spreadsheets.macantine import COLUMNS, purchase_row
from tests.spreadsheets.conftest import MONDAY, THURSDAY, World

SCHEMA_COLUMNS = [
    "siret", "description", "fournisseur", "date", "prix_ht", "famille_produits",
    "caracteristiques", "definition_local",
]  # fmt: skip
"""The fields of ma-cantine's data/schemas/imports/achats_siret.json, in order."""

FAMILIES = {
    "VIANDES_VOLAILLES", "CHARCUTERIE", "PRODUITS_DE_LA_MER", "FRUITS_ET_LEGUMES",
    "PRODUITS_LAITIERS", "BOULANGERIE", "BOISSONS", "AUTRES",
}  # fmt: skip
CHARACTERISTICS = {
    "BIO", "LABEL_ROUGE", "AOCAOP", "IGP", "STG", "HVE", "PECHE_DURABLE", "RUP",
    "COMMERCE_EQUITABLE", "FERMIER", "EXTERNALITES", "PERFORMANCE", "EUROPE", "FRANCE",
    "CIRCUIT_COURT", "LOCAL",
}  # fmt: skip


def _csv(world: World, actor: Any = None, canteen: str = "ecole") -> list[dict[str, str]]:
    stream = io.StringIO()
    services.export_macantine(world.canteens[canteen].id, MONDAY, THURSDAY, stream, actor=actor)
    stream.seek(0)
    reader = csv.DictReader(stream)
    assert reader.fieldnames == SCHEMA_COLUMNS == list(COLUMNS)
    return list(reader)


def test_purchases_of_the_period(world: World) -> None:
    rows = _csv(world)
    assert [(row["date"], row["fournisseur"], row["prix_ht"]) for row in rows] == [
        # Monday: 10 + 20 kg of carrots at the contract's 1.60 (not the season's 1.80) and 24
        # salads at 1.20 (version 2 of the plan).
        ("2026-11-23", '\'=HYPERLINK("http://x")', "16.00"),
        ("2026-11-23", "Ferme du Pradet", "32.00"),
        ("2026-11-23", '\'=HYPERLINK("http://x")', "28.80"),
        # Thursday: 12 salads planned, 10 received: the receipt counts.
        ("2026-11-26", '\'=HYPERLINK("http://x")', "12.00"),
    ]
    for row in rows:
        assert row["siret"] == "21310329600014"
        assert row["famille_produits"] in FAMILIES
        assert set(row["caracteristiques"].split(",")) <= CHARACTERISTICS
        assert row["caracteristiques"] == "BIO,CIRCUIT_COURT,LOCAL"
        assert row["definition_local"] == "KM"
        float(row["prix_ht"])  # a decimal point, as the schema asks
    assert rows[1]["description"] == "Carotte — 20 kg — 12,5 km"
    assert rows[3]["description"] == "Salade batavia — 10 pièce — 30,0 km"


def test_characteristics_follow_product_and_distance() -> None:
    apple = ProductInfo("pomme", "Pomme", "kg", Decimal(1), None, "fruits_legumes", False)
    purchase = Purchase("21310329600014", apple, "Verger lointain", dt.date(2026, 11, 23),
                        Decimal("5"), Decimal("10.004"), 180.0)  # fmt: skip
    row = purchase_row(purchase)
    assert row["caracteristiques"] == "CIRCUIT_COURT"  # not organic, not local
    assert row["definition_local"] == ""
    assert row["prix_ht"] == "10.00"
    bread = ProductInfo("pain", "Pain", "piece", Decimal("0.5"), None, "boulangerie")
    other = ProductInfo("miel", "Miel", "piece", Decimal("0.5"), None, "epicerie")
    assert (
        purchase_row(Purchase("1", bread, "F", purchase.day, Decimal(1), Decimal(1), 5.0))[
            "famille_produits"
        ]
        == "BOULANGERIE"
    )
    assert (
        purchase_row(Purchase("1", other, "F", purchase.day, Decimal(1), Decimal(1), 5.0))[
            "famille_produits"
        ]
        == "AUTRES"
    )


def test_a_canteen_without_siret_is_told_why(world: World) -> None:
    with pytest.raises(InvalidInput, match="n'a pas de SIRET"):
        _csv(world, canteen="ehpad")


def test_managers_export_their_own_canteen_only(world: World) -> None:
    assert _csv(world, world.manager)
    with pytest.raises(Forbidden):
        _csv(world, world.other_manager)
    with pytest.raises(Forbidden):
        _csv(world, world.coordinator)


def test_route_and_cli(app: Any, client: Any, login: Any, db: Session, world: World,
                       tmp_path: Any) -> None:  # fmt: skip
    login(world.manager)
    response = client.get("/tableurs/ma-cantine.csv?du=2026-11-23&au=2026-11-29")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert len(response.get_data(as_text=True).strip().splitlines()) == 5
    response = client.get("/tableurs/ma-cantine.csv?du=2026-11-23&au=oops")
    assert response.status_code == 422
    output = tmp_path / "achats.csv"
    result = app.test_cli_runner().invoke(args=[
        "export", "ma-cantine", str(world.canteens["ecole"].id), "--du", "2026-11-01",
        "--au", "2026-11-30", "-o", str(output),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "4 achats" in result.output
    assert output.read_text(encoding="utf-8").startswith(",".join(SCHEMA_COLUMNS))
