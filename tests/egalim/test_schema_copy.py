"""The repository's copy of ma-cantine's schema, and PIAL's reading of it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pial.config import REPO_ROOT
from pial.egalim.tableschema import PURCHASE_SCHEMA_PATH, purchase_schema
from tests.egalim.schema_check import schema_errors

SHARED_SCHEMA = REPO_ROOT.parent / "shared" / "data" / "ma-cantine" / "achats_siret.json"


@pytest.mark.skipif(not SHARED_SCHEMA.exists(),
                    reason="no ../shared beside the repository (CI and the workplace have it)")
def test_the_copy_is_byte_identical_to_the_shared_reference() -> None:
    assert PURCHASE_SCHEMA_PATH.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_the_export_reads_the_columns_and_their_order_from_the_schema() -> None:
    descriptor = json.loads(PURCHASE_SCHEMA_PATH.read_text(encoding="utf-8"))
    assert descriptor["name"] == "import-achats-siret"
    assert purchase_schema().field_names == tuple(f["name"] for f in descriptor["fields"])
    assert len(purchase_schema().field_names) == 12


def _file(rows: list[list[str]]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(purchase_schema().field_names)
    writer.writerows(rows)
    return stream.getvalue().encode("utf-8")


GOOD = ["21310329600017", "Carotte", "Ferme", "2026-11-23", "18.00", "FRUITS_ET_LEGUMES",
        "BIO,HVE", "FRANCE", "OUI", "OUI", "KM", "100"]  # fmt: skip
BAD_CELLS = {
    "siret": "",
    "description": "",
    "date": "23/11/2026",
    "prix_ht": "18,50",
    "famille_produits": "LEGUMES",
    "categories_egalim": "BIO;HVE",
    "origine": "FR",
    "est_circuit_court": "Y",
    "est_local": "peut-être",
    "definition_local": "AUTOUR_SERVICE",
    "definition_local_km": "cent",
}


def test_pial_and_frictionless_read_the_same_rules_from_the_schema() -> None:
    """Each broken cell is refused by both readers of the schema; the good row by neither."""
    schema = purchase_schema()
    assert schema_errors(_file([GOOD])) == []
    assert schema.row_problems(dict(zip(schema.field_names, GOOD, strict=True))) == []
    for name, cell in BAD_CELLS.items():
        row = [cell if field == name else value
               for field, value in zip(schema.field_names, GOOD, strict=True)]  # fmt: skip
        assert [e[1] for e in schema_errors(_file([row]))] == [name], name
        problems = schema.row_problems(dict(zip(schema.field_names, row, strict=True)))
        assert [field for field, _message in problems] == [name], name
    # Optional cells may be empty.
    optional = [value if field in {"siret", "description", "date", "prix_ht",
                                   "famille_produits"} else ""
                for field, value in zip(schema.field_names, GOOD, strict=True)]  # fmt: skip
    assert schema_errors(_file([optional])) == []
    assert schema.row_problems(dict(zip(schema.field_names, optional, strict=True))) == []


def test_a_header_out_of_order_is_refused() -> None:
    names = list(purchase_schema().field_names)
    names[0], names[1] = names[1], names[0]
    content = ",".join(names).encode() + b"\n"
    assert {error[2] for error in schema_errors(content)} == {"incorrect-label"}
    assert purchase_schema().header_problems(names)
