"""The season export: one tidy table of every current published line, plus pivots."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.errors import Forbidden, NotFound
from pial.models import AllocationLine, Canteen, Farm, Product, WeekState
from pial.spreadsheets import services
from pial.spreadsheets.season import DATA_COLUMNS, DATA_SHEET, PIVOT_SHEETS
from tests.spreadsheets.conftest import PUBLISHED_DT, World, add_line, make_run, make_week

SEASON = "2026-2027"


@pytest.fixture
def season_world(db: Session, world: World) -> World:
    """Add a published week 47, an unpublished run of week 49 and a line of the previous season."""
    week_47 = make_week(db, "2026-W47", dt.date(2026, 11, 16), WeekState.DELIVERED)
    run_47 = make_run(db, week_47, 1, 1, PUBLISHED_DT - dt.timedelta(days=7))
    farm, canteen = world.farms["pradet"], world.canteens["ehpad"]
    add_line(db, run_47, farm, canteen, world.products["pomme"], dt.date(2026, 11, 19), "40",
             "2.00", 8.0)  # fmt: skip
    week_49 = make_week(db, "2026-W49", dt.date(2026, 11, 30), WeekState.ALLOCATED)
    draft = make_run(db, week_49, 1, None, PUBLISHED_DT)
    add_line(db, draft, farm, canteen, world.products["pomme"], dt.date(2026, 12, 3), "7",
             "2.00", 8.0)  # fmt: skip
    week_old = make_week(db, "2026-W34", dt.date(2026, 8, 17), WeekState.DELIVERED)
    old = make_run(db, week_old, 1, 1, PUBLISHED_DT - dt.timedelta(days=90))
    add_line(db, old, farm, canteen, world.products["pomme"], dt.date(2026, 8, 20), "3",
             "2.00", 8.0)  # fmt: skip
    db.flush()
    return world


def _export(actor: Any = None) -> Any:
    stream = io.BytesIO()
    count = services.export_season(SEASON, stream, actor)
    workbook = load_workbook(io.BytesIO(stream.getvalue()))
    assert workbook[DATA_SHEET].max_row == count + 1
    return workbook


def _expected(db: Session, world: World) -> list[tuple[Any, ...]]:
    """Return the expected data rows, straight from the database: week 48 v2 and week 47."""
    week_47_run = db.scalar(
        select(AllocationLine.run_id).where(AllocationLine.day == dt.date(2026, 11, 19))
    )
    run_ids = [world.run.id, week_47_run]
    rows = db.execute(
        select(AllocationLine, Farm.name, Canteen.name, Product)
        .join(Farm, AllocationLine.farm_id == Farm.id)
        .join(Canteen, AllocationLine.canteen_id == Canteen.id)
        .join(Product, AllocationLine.product_id == Product.id)
        .where(AllocationLine.run_id.in_(run_ids))
    ).tuples()
    return sorted(
        (
            line.day, farm, canteen, product.name_fr, Decimal(line.quantity),
            line.quantity * product.unit_kg, world.sold_value(line), line.distance_km,
        )
        for line, farm, canteen, product in rows
    )  # fmt: skip


def _q(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.001"))


def test_tidy_table_holds_every_current_line_of_the_season(
    db: Session, season_world: World
) -> None:
    sheet = _export()[DATA_SHEET]
    titles = [cell.value for cell in sheet[1]]
    assert tuple(titles) == DATA_COLUMNS
    assert sheet.freeze_panes == "A2"
    found = sorted(
        (
            row[1].date(), row[2], row[3], row[4], _q(row[5]), _q(row[7]), _q(row[8]), row[9],
        )
        for row in sheet.iter_rows(min_row=2, values_only=True)
    )  # fmt: skip
    expected = [
        (day, farm, canteen, product, _q(qty), _q(kg), _q(value), km)
        for day, farm, canteen, product, qty, kg, value, km in _expected(db, season_world)
    ]
    assert found == expected
    assert len(found) == 6  # five lines of week 48 (version 2 only) and one of week 47
    weeks = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert weeks == {"2026-W47", "2026-W48"}
    assert sheet["B2"].number_format == "dd/mm/yyyy"


def test_pivots_sum_the_table(db: Session, season_world: World) -> None:
    workbook = _export()
    data = list(workbook[DATA_SHEET].iter_rows(min_row=2, values_only=True))
    for key, (title, _) in PIVOT_SHEETS.items():
        column = {"farm_name": 2, "canteen_name": 3, "product_name": 4}[key]
        expected: dict[str, list[Decimal]] = defaultdict(
            lambda: [Decimal(0), Decimal(0), Decimal(0)]
        )
        for row in data:
            sums = expected[row[column]]
            sums[0] += Decimal(str(row[7]))
            sums[1] += Decimal(str(row[8]))
            sums[2] += 1
        rows = list(workbook[title].iter_rows(min_row=2, values_only=True))
        by_name = {row[0]: [_q(row[1]), _q(row[2]), row[4]] for row in rows[:-1]}
        assert by_name == {name: [_q(s[0]), _q(s[1]), int(s[2])] for name, s in expected.items()}
        total = rows[-1]
        assert total[0] == "Total" and total[4] == len(data)
        assert _q(total[2]) == _q(sum(Decimal(str(row[8])) for row in data))
    # The week's value by grower matches the database, at the prices the canteens pay.
    by_farm = {row[0]: row for row in workbook["Par producteur"].iter_rows(values_only=True)}
    pradet_value = sum(
        season_world.sold_value(line)
        for line in db.scalars(select(AllocationLine).where(
            AllocationLine.farm_id == season_world.farms["pradet"].id,
            AllocationLine.run_id.in_([season_world.run.id]),
        ))
    ) + Decimal("80.00")  # week 47's apples  # fmt: skip
    assert _q(by_farm["Ferme du Pradet"][2]) == _q(pradet_value)


def test_text_that_looks_like_a_formula_stays_text(season_world: World) -> None:
    sheet = _export()[DATA_SHEET]
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    injected = [cell for cell in cells if str(cell.value).startswith("=")]
    assert injected and all(cell.data_type == "s" for cell in injected)


def test_only_the_lead_exports_a_season(season_world: World) -> None:
    _export(season_world.lead)
    with pytest.raises(Forbidden):
        _export(season_world.coordinator)
    with pytest.raises(NotFound):
        services.export_season("1999-2000", io.BytesIO())


def test_season_route_and_cli(
    app: Any, client: Any, login: Any, season_world: World, tmp_path: Any
) -> None:
    login(season_world.lead)
    response = client.get(f"/tableurs/saison/{SEASON}.xlsx")
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.data))[DATA_SHEET].max_row == 7
    output = tmp_path / "saison.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "season", SEASON, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "6 lignes" in result.output
    assert load_workbook(output).sheetnames == [DATA_SHEET, *(t for t, _ in PIVOT_SHEETS.values())]
