"""Shared rounds as history: the cost split, the statements' section, the season's savings."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.models import (
    DeliveryWindow,
    RoundCostShare,
    RoundDaySnapshot,
    RoundRouteCost,
    Vehicle,
)
from pial.money.accrual import accrue_week
from pial.rounds import costs, seam, services
from solver.rounds import Canteen, Farm, Line, Road, RoundsProblem, Route, Stop
from tests.allocation.scenario import Scenario
from tests.money.conftest import deliver

MONTH = "2026-11"


# --- The split, on a case checked by hand -------------------------------------------------


def test_a_route_cost_is_split_pro_rata_of_kg_km_and_the_cents_add_up() -> None:
    # A's 10 kg ride 20 km (A → B → canteen), B's 30 kg ride 10 km (B → canteen):
    # 200 kg·km against 300 kg·km, i.e. 40 % and 60 % of the route's cost.
    problem = RoundsProblem(
        "2026-11-24",
        (Farm("1", "A", 43.0, 0.5), Farm("2", "B", 43.1, 0.6)),
        (Canteen("9", "Cantine", 43.2, 0.7),),
        (),
        (Line("a", "1", "9", 10.0, 1), Line("b", "2", "9", 30.0, 3)),
        roads=(Road("farm:1", "farm:2", 10.0), Road("farm:2", "canteen:9", 10.0)),
    )
    route = Route("van", (Stop("farm:1", "A", 300, 310, load=("a",)),
                          Stop("farm:2", "B", 322, 332, load=("b",)),
                          Stop("canteen:9", "Cantine", 344, 354, drop=("a", "b"))),
                  20.0, 54, 10.01, 5.0)

    carried = seam.carried_by_farm(problem, route)
    assert carried == {1: pytest.approx(200.0), 2: pytest.approx(300.0)}

    # 10,01 € × 200/500 = 4,004 and × 300/500 = 6,006: both round down, the cent left over
    # goes to the larger remainder (B's 0,6 cent).
    shares = costs.split_cost(Decimal("10.01"), carried)
    assert shares == {1: Decimal("4.00"), 2: Decimal("6.01")}
    assert sum(shares.values()) == Decimal("10.01")
    assert costs.split_cost(Decimal("10.00"), carried) == {1: Decimal("4.00"), 2: Decimal("6.00")}


def test_a_tied_cent_goes_to_the_smaller_farm_id_and_nothing_carried_splits_nothing() -> None:
    assert costs.split_cost(Decimal("0.01"), {7: 50.0, 3: 50.0}) == {3: Decimal("0.01"),
                                                                    7: Decimal("0.00")}
    thirds = costs.split_cost(Decimal("100.00"), {1: 1.0, 2: 1.0, 3: 1.0})
    assert thirds == {1: Decimal("33.34"), 2: Decimal("33.33"), 3: Decimal("33.33")}
    assert costs.split_cost(Decimal("12.00"), {1: 0.0}) == {}


# --- The snapshot, taken when the week's fees are accrued ---------------------------------


def _accrued_with_vans(db: Session, scenario: Scenario) -> dict[str, Vehicle]:
    """Deliver and accrue the scenario's week, every farm having registered a van."""
    vans = {}
    for key, farm in scenario.farms.items():
        vans[key] = Vehicle(name=f"Camionnette {farm.name}", farm_id=farm.id,
                            capacity_kg=Decimal(800), capacity_crates=60,
                            free_from_min=5 * 60, free_until_min=14 * 60)
        db.add(vans[key])
    for canteen in scenario.canteens.values():
        db.add(DeliveryWindow(canteen_id=canteen.id, starts_min=7 * 60, ends_min=11 * 60))
    db.commit()
    deliver(scenario)
    accrue_week(scenario.iso_week, scenario.lead)
    return vans


def _snapshot_rows(db: Session) -> list[tuple[Any, ...]]:
    days = [(s.id, s.day, s.pooled_km, s.pooled_min, s.pooled_cost_eur, s.alone_cost_eur)
            for s in db.scalars(select(RoundDaySnapshot).order_by(RoundDaySnapshot.id))]
    routes = [(r.id, r.vehicle_name, r.driver_farm_id, r.cost_eur)
              for r in db.scalars(select(RoundRouteCost).order_by(RoundRouteCost.id))]
    shares = [(s.id, s.farm_id, s.share_eur)
              for s in db.scalars(select(RoundCostShare).order_by(RoundCostShare.id))]
    return [*days, *routes, *shares]


def test_the_snapshot_is_taken_once_and_a_vehicle_edit_leaves_it_as_it_was(
    db: Session, scenario: Scenario
) -> None:
    vans = _accrued_with_vans(db, scenario)
    before = _snapshot_rows(db)
    days = services.round_days(scenario.iso_week)
    assert [row[1] for row in before[:len(days)]] == days
    routes = db.scalars(select(RoundRouteCost)).all()
    assert routes
    for route in routes:  # each route's shares add up to its cost, to the cent
        if route.carried_kg_km > 0:
            assert sum(s.share_eur for s in route.shares) == route.cost_eur
    planned = services.day_rounds(scenario.iso_week, days[0]).result.pooled
    assert planned is not None

    for van in vans.values():
        van.cost_per_km_eur = Decimal("3.00")
    db.commit()
    accrue_week(scenario.iso_week, scenario.lead)  # accruing again takes no new snapshot

    assert _snapshot_rows(db) == before
    replanned = services.day_rounds(scenario.iso_week, days[0]).result.pooled
    assert replanned is not None and replanned.cost_eur > planned.cost_eur  # the edit counts
    history = costs.season_day_savings(None)
    first = next(day for day in history.days if day.day == days[0])
    assert not first.forecast
    assert first.pooled_cost_eur == before[0][4] != costs.euros(replanned.cost_eur)


# --- What a person reads: the statement, its spreadsheet, the savings page ----------------


class _Tables(HTMLParser):
    """Collect the text of each table row of a page, cell by cell, and the headings."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.headings: list[str] = []
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("h1", "h2"):
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag in ("h1", "h2") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def _read(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


def _euros(text: str) -> Decimal:
    """Read « −1 234,50 € » as a Decimal."""
    cleaned = re.sub(r"[\s\u202f\xa0€]", "", text).replace("−", "-").replace(",", ".")
    return Decimal(cleaned)


def _expected_transport(db: Session, farm_id: int) -> dict[dt.date, tuple[Decimal, Decimal]]:
    """Return per day (owed, credit) for a farm, summed straight from the snapshot rows."""
    expected: dict[dt.date, tuple[Decimal, Decimal]] = {}
    for snapshot in db.scalars(select(RoundDaySnapshot)):
        owed = credit = Decimal(0)
        for route in snapshot.routes:
            own = sum((s.share_eur for s in route.shares if s.farm_id == farm_id), Decimal(0))
            if route.driver_farm_id == farm_id:
                credit += route.cost_eur - own
            else:
                owed += own
        expected[snapshot.day] = (owed, credit)
    return expected


def test_a_growers_statement_shows_its_shared_rounds_and_its_spreadsheet_too(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _accrued_with_vans(db, scenario)
    # The farm that owes the most for its crates carried by others: a non-zero section.
    farm = max(scenario.farms.values(), key=lambda f: sum(
        owed for owed, _credit in _expected_transport(db, f.id).values()))
    expected = _expected_transport(db, farm.id)
    grower = next(g for g in scenario.growers.values() if g.farm_id == farm.id)
    client = login(grower)

    page = client.get(f"/argent/releves/ferme/{farm.id}?mois={MONTH}")

    assert page.status_code == 200
    read = _read(page.get_data(as_text=True))
    assert "Tournées partagées" in read.headings
    header = next(i for i, row in enumerate(read.rows)
                  if "Dû pour vos caisses transportées par d'autres" in row)
    shown = read.rows[header + 1:header + 1 + len(expected)]
    owed_total = sum((owed for owed, _c in expected.values()), Decimal(0))
    credit_total = sum((credit for _o, credit in expected.values()), Decimal(0))
    assert owed_total > 0
    for row, (_day, (owed, credit)) in zip(shown, sorted(expected.items()), strict=True):
        assert (_euros(row[2]), _euros(row[3]), _euros(row[4])) == (owed, credit, credit - owed)
    total = read.rows[header + 1 + len(expected)]
    assert total[0] == "Total"
    assert [_euros(cell) for cell in total[1:]] == [owed_total, credit_total,
                                                     credit_total - owed_total]

    workbook = client.get(f"/argent/releves/ferme/{farm.id}.xlsx?mois={MONTH}")
    sheet = load_workbook(io.BytesIO(workbook.data))["Tournées partagées"]
    totals = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Total")
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in totals[2:5]] == [
        owed_total, credit_total, credit_total - owed_total]


def test_a_canteens_statement_has_no_shared_rounds(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _accrued_with_vans(db, scenario)
    canteen = scenario.canteens["luchon"]
    page = login(scenario.lead).get(f"/argent/releves/cantine/{canteen.id}?mois={MONTH}")
    assert page.status_code == 200 and "Tournées partagées" not in page.get_data(as_text=True)


def test_the_savings_page_shows_season_totals_equal_to_the_sum_of_its_days(
    db: Session, scenario: Scenario, login: Any
) -> None:
    _accrued_with_vans(db, scenario)
    days = db.scalar(select(func.count()).select_from(RoundDaySnapshot))
    grower = next(iter(scenario.growers.values()))
    client = login(grower)
    week = client.get(f"/semaines/{scenario.iso_week}/tournees")
    assert "/tournees/economies" in week.get_data(as_text=True)

    page = client.get("/tournees/economies")

    assert page.status_code == 200
    read = _read(page.get_data(as_text=True))
    assert "Économies des tournées" in read.headings[0]
    pooled, alone, saved = (next(row for row in read.rows if row and row[0] == name)
                            for name in ("Tournées mutualisées", "Chacun livre ses lignes",
                                         "Économie"))
    day_rows = [row for row in read.rows if len(row) == 13]
    assert len(day_rows) == days and not any("prévisionnel" in row[0] for row in day_rows)

    def number(text: str) -> Decimal:
        return Decimal(re.sub(r"[\s\u202f\xa0]", "", text).replace(",", "."))

    # Cost: to the cent. km and CO2 are shown rounded, hours to a tenth: the season's figure
    # is the rounded sum, within half a unit per day of the sum of the rounded days.
    assert _euros(pooled[4]) == sum(_euros(row[10]) for row in day_rows)
    assert _euros(alone[4]) == sum(_euros(row[11]) for row in day_rows)
    assert _euros(saved[4]) == sum(_euros(row[12]) for row in day_rows)
    assert _euros(saved[4]) == _euros(alone[4]) - _euros(pooled[4])
    snapshots = db.scalars(select(RoundDaySnapshot)).all()
    assert _euros(pooled[4]) == sum(s.pooled_cost_eur for s in snapshots)
    assert number(pooled[1]) == round(sum(Decimal(str(s.pooled_km)) for s in snapshots))
    assert number(alone[2]) == round(Decimal(sum(s.alone_min for s in snapshots)) / 60, 1)
    assert abs(number(saved[1]) - sum(number(row[3]) for row in day_rows)) <= len(day_rows)


def test_a_published_week_not_yet_accrued_is_shown_as_a_forecast(
    db: Session, scenario: Scenario, login: Any
) -> None:
    from pial.allocation import services as allocation

    allocation.allocate_week(scenario.iso_week, scenario.lead)
    allocation.publish_week(scenario.iso_week, scenario.lead)

    page = login(scenario.lead).get("/tournees/economies")

    assert page.status_code == 200
    day_rows = [row for row in _read(page.get_data(as_text=True)).rows if len(row) == 13]
    assert day_rows and all("prévisionnel" in row[0] for row in day_rows)
    assert db.scalar(select(func.count()).select_from(RoundDaySnapshot)) == 0
