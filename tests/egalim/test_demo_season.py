"""On the demo season: every canteen's ma-cantine file passes the schema and reconciles."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.allocation.runs import published_run
from pial.deliveries.services import delivery_notes
from pial.egalim import services
from pial.models import Canteen, DeliveryWeek, InvoiceLine, Receipt, WeekState
from pial.money.statements import canteen_statement
from tests.conftest import DEMO_SEASON_CLOCK, DemoSeason
from tests.egalim.schema_check import schema_errors

SEEDED_AT = DEMO_SEASON_CLOCK  # a Friday afternoon
YEAR_START = dt.date(2026, 1, 1)

# Each test reads the session's demo season, on its clock (`demo_season`, tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.demo_season]


def _bought_lines(db: Session, last: dt.date) -> dict[int, int]:
    """Count, per canteen, the lines of current published plans delivered and not refused."""
    counts: dict[int, int] = defaultdict(int)
    weeks = db.scalars(select(DeliveryWeek).where(
        DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED])))  # fmt: skip
    for week in weeks:
        run = published_run(week)
        assert run is not None
        for line in run.lines:
            receipt = db.scalar(select(Receipt).where(Receipt.allocation_line_id == line.id))
            if line.day <= last and (receipt is None or receipt.received_quantity > 0):
                counts[line.canteen_id] += 1
    return counts


def _exported(db: Session) -> tuple[dict[tuple[int, dt.date], Decimal], dict[int, int]]:
    """Export every demo canteen's year to date; return prix_ht per (canteen, month), rows."""
    prix: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    rows: dict[int, int] = defaultdict(int)
    for canteen in db.scalars(select(Canteen).order_by(Canteen.id)):
        assert canteen.siret is not None  # the demo's canteens have test SIRETs
        written = services.export_macantine(canteen.id, YEAR_START, SEEDED_AT.date(), None)
        assert schema_errors(written.content) == [], canteen.name
        for row in csv.DictReader(io.StringIO(written.content.decode("utf-8"))):
            day = dt.date.fromisoformat(row["date"])
            assert day <= SEEDED_AT.date()
            assert row["categories_egalim"] == "BIO"  # every demo farm is certified organic
            prix[(canteen.id, day.replace(day=1))] += Decimal(row["prix_ht"])
            rows[canteen.id] += 1
    return prix, rows


def test_the_demo_seasons_export_passes_the_schema_and_reconciles(
    db: Session, demo_season: DemoSeason
) -> None:
    assert len(demo_season.summary.season.delivered_weeks) >= 10
    prix, rows = _exported(db)
    # One row per delivered line: nothing dropped, nothing counted twice, none refused.
    assert rows == _bought_lines(db, SEEDED_AT.date())
    assert sum(rows.values()) > 500
    # Per canteen and month, the file declares what the canteen is invoiced, to the cent.
    for (canteen_id, month), total in prix.items():
        assert total == canteen_statement(canteen_id, month).total("value_eur"), (
            canteen_id, month)


def _delivery_note_totals(db: Session) -> dict[tuple[int, dt.date], Decimal]:
    totals: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    weeks = db.scalars(select(DeliveryWeek).where(
        DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED])))  # fmt: skip
    for week in weeks:
        for canteen in db.scalars(select(Canteen)):
            for note in delivery_notes(canteen.id, week.iso_week):
                if note.day <= SEEDED_AT.date():
                    totals[(canteen.id, note.day.replace(day=1))] += note.charged_total_eur
    return totals


def test_the_demo_seasons_export_equals_the_delivery_notes_and_the_invoices(db: Session) -> None:
    # ma-cantine declares what was bought: the quantity received (none for a refused line) at
    # the price stored with the published plan. A delivery note prints the planned quantities;
    # what it charges once the canteen recorded its receipts is the same figure.
    prix, _rows = _exported(db)
    notes = _delivery_note_totals(db)
    assert dict(prix) == {key: total for key, total in notes.items() if total}
    # The months already invoiced: the invoices (net of credit notes) say the same, per canteen.
    invoiced: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for line in db.scalars(select(InvoiceLine)):
        invoiced[(line.canteen_id, line.day.replace(day=1))] += line.value_eur
    assert {month for _canteen, month in invoiced} == {
        dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)}
    assert dict(invoiced) == {key: total for key, total in prix.items() if key in invoiced}
    assert all(key in invoiced for key in prix if key[1] < dt.date(2026, 11, 1))
