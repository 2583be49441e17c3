"""From spreadsheets to spreadsheets through the real services: import offers and orders,
allocate and publish with the solver, then export the planning and check it against the run."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.services import allocate_week, publish_week
from pial.models import AllocationLine
from pial.spreadsheets import services
from pial.spreadsheets.entry import AVAILABILITY, ORDERS
from pial.spreadsheets.planning import CANTEENS_SHEET, PLANNING_HEADER_ROW, PLANNING_SHEET
from pial.weeks.opening import close_week
from tests.spreadsheets.conftest import World
from tests.spreadsheets.test_imports import OPEN_WEEK, fill, open_world, template, to_bytes

__all__ = ["open_world"]


def test_import_allocate_publish_export(app: Any, db: Session, open_world: World) -> None:
    world = open_world
    for farm_key, grower, quantity in (
        ("pradet", world.coordinator, 30),
        ("injection", world.grower, 25),
    ):
        workbook = template(world, AVAILABILITY, world.farms[farm_key].id, grower)
        fill(workbook["Disponibilités"], [("Carotte (kg)", None, quantity, None),
                                          ("Poireau (kg)", None, "12,5", None)])  # fmt: skip
        services.import_entry_file(to_bytes(workbook), grower)
    workbook = template(world, ORDERS, world.canteens["ecole"].id, world.manager)
    fill(workbook["Commandes"], [("Carotte (kg)", "lundi 30/11/2026", 40, None),
                                 ("Poireau (kg)", "jeudi 03/12/2026", 10, None)])  # fmt: skip
    services.import_entry_file(to_bytes(workbook), world.manager)

    app.config["PIAL_CLOCK"] = lambda: dt.datetime(2026, 11, 28, 12, tzinfo=dt.UTC)
    close_week(OPEN_WEEK)
    run = allocate_week(OPEN_WEEK, world.lead)
    publish_week(OPEN_WEEK, world.lead, run.id)

    stream = io.BytesIO()
    services.export_planning(OPEN_WEEK, stream, world.lead)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    planning = workbook[PLANNING_SHEET]
    titles = [cell.value for cell in planning[PLANNING_HEADER_ROW]]
    total_column = titles.index("Total")
    exported: dict[str, Decimal] = defaultdict(Decimal)
    for row in planning.iter_rows(min_row=PLANNING_HEADER_ROW + 1, values_only=True):
        if row[0] in {"Carotte", "Poireau"}:
            exported[row[0]] += Decimal(str(row[total_column]))
    lines = db.scalars(select(AllocationLine).where(AllocationLine.run_id == run.id)).all()
    assert lines, "the solver planned nothing"
    planned: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        planned[line.product.name_fr] += line.quantity
    assert dict(exported) == dict(planned)
    assert planned["Carotte"] == Decimal("40") and planned["Poireau"] == Decimal("10")
    notes_total = sum(
        Decimal(str(row[6]))
        for row in workbook[CANTEENS_SHEET].iter_rows(values_only=True)
        if row[0] == "Total HT"
    )
    # The school buys its carrots under the group's contract: at the contract's price.
    assert notes_total == sum(world.sold_value(line) for line in lines)
