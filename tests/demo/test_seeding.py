"""Seeding the demo into the (rolled-back) test database, on a fixed clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.demo import DEMO_PASSWORD, demo_accounts, seed_demo
from pial.demo.territory import CANTEENS, CONTRACT, FARMS, PLATFORM, PRODUCTS
from pial.models import (
    AllocationRun,
    AvailabilityLine,
    Canteen,
    CashAdvance,
    Contract,
    CoordinatorAssignment,
    CropFailure,
    DeliveryWeek,
    Farm,
    FeeAccrual,
    FeeRate,
    FundMovement,
    LedgerEntry,
    OrderLine,
    OrderPriority,
    Platform,
    Price,
    Product,
    Receipt,
    Role,
    RunTrigger,
    StandingOrderLine,
    User,
    WeekState,
)

# Monday 23 November 2026, 9 h in Luchon: week 48 is being delivered, week 49 is open.
MONDAY_MORNING = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Run these tests on a fixed clock."""
    return {"PIAL_CLOCK": lambda: MONDAY_MORNING}


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def week(db: Session, iso_week: str) -> DeliveryWeek:
    found = db.scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
    assert found is not None, iso_week
    return found


def test_seeding_creates_the_territory(db: Session) -> None:
    summary = seed_demo(weeks_back=1)

    assert summary.loaded
    assert count(db, Farm) == 6 and count(db, Canteen) == 7
    assert count(db, Product) == len(PRODUCTS) >= 38
    platform = db.get(Platform, 1)
    assert platform is not None
    assert platform.territory_name == "Comminges – Pays de Luchon"
    assert (platform.max_km, platform.road_factor, platform.delivery_weekdays) == (60, 1.3, "1,4")
    assert (platform.default_fee_rate, platform.default_fund_rate) == (
        Decimal("0.0500"), Decimal("0.0100"))
    rates = {(rate.kind.value, rate.rate, rate.valid_from) for rate in db.scalars(select(FeeRate))}
    assert rates == {("fee", Decimal("0.0500"), dt.date(2026, 8, 31)),
                     ("fund", Decimal("0.0100"), dt.date(2026, 8, 31))}
    shares = db.scalars(select(Farm.target_share)).all()
    assert sum(share or 0 for share in shares) == Decimal("1")


def test_prices_sum_their_components_and_match_the_catalogue(db: Session) -> None:
    seed_demo(weeks_back=0)

    expected = {product.slug: product.price_eur for product in PRODUCTS}
    prices = db.scalars(select(Price)).all()
    assert len(prices) == len(PRODUCTS)
    for price in prices:
        total = price.production_cost_eur + price.margin_eur + price.intermediation_fee_eur
        assert price.price_eur == total == expected[price.product.slug]
        assert price.season.code == "2026-2027"


def test_the_tender_lot_binds_the_luchon_kitchens_for_three_years(db: Session) -> None:
    seed_demo(weeks_back=0)

    contract = db.scalars(select(Contract)).one()
    assert contract.title == CONTRACT.title and contract.lot_label == "Lot 22"
    assert contract.canteen_group is not None
    assert {c.name for c in contract.canteen_group.canteens} == {
        "Cité scolaire de Luchon", "EHPAD du Val de Luchon"}
    assert (contract.start_date, contract.end_date) == (dt.date(2026, 8, 31), dt.date(2029, 8, 26))
    assert len(contract.lines) == len(CONTRACT.lines)
    assert len(contract.growers) == 6
    for line in contract.lines:
        assert line.committed_min_quantity_per_year > 0
        assert line.price_eur == (
            line.production_cost_eur + line.margin_eur + line.intermediation_fee_eur)


def test_every_demo_account_exists_with_its_role(db: Session) -> None:
    seed_demo(weeks_back=0)

    accounts = demo_accounts()
    assert len(accounts) == 1 + len(FARMS) + len(CANTEENS)
    users = {user.email_lower: user for user in db.scalars(select(User))}
    for account in accounts:
        user = users[account.email.lower()]
        assert user.role == account.role and account.password == DEMO_PASSWORD
        assert (user.farm_id is not None) == (account.role == Role.GROWER)
        assert (user.canteen_id is not None) == (account.role == Role.CANTEEN)


def test_the_lead_signs_in_and_sees_the_current_week(db: Session, client: FlaskClient) -> None:
    seed_demo(weeks_back=1)
    lead = next(account for account in demo_accounts() if account.role == Role.LEAD)

    response = client.post("/connexion", data={"email": lead.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Claire Dupont-Lacaze" in page
    assert "semaine 48" in page and "planning publié" in page
    assert "Cette semaine n'est pas encore ouverte" not in page


@pytest.mark.parametrize("index", [1, 7])  # the first grower, the first canteen manager
def test_growers_and_canteens_sign_in_too(db: Session, client: FlaskClient, index: int) -> None:
    seed_demo(weeks_back=0)
    account = demo_accounts()[index]

    response = client.post("/connexion", data={"email": account.email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert account.display_name in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused(db: Session, client: FlaskClient) -> None:
    seed_demo(weeks_back=0)
    lead = demo_accounts()[0]

    response = client.post("/connexion", data={"email": lead.email, "password": "pas-le-bon"})
    assert response.status_code != 302


def test_the_open_week_has_offers_and_orders_and_can_be_allocated(db: Session) -> None:
    from pial.allocation.services import allocate_week
    from pial.weeks.opening import close_week

    seed_demo(weeks_back=1)

    open_week = week(db, "2026-W49")
    assert open_week.state == WeekState.OPEN
    assert open_week.availability_deadline_dt > MONDAY_MORNING
    offers = db.scalars(select(AvailabilityLine).where(AvailabilityLine.week_id == open_week.id))
    orders = db.scalars(select(OrderLine).where(OrderLine.week_id == open_week.id)).all()
    assert len(offers.all()) >= 30 and len(orders) >= 30
    assert {order.canteen_id for order in orders} == set(db.scalars(select(Canteen.id)))
    assert any(order.priority == OrderPriority.CONTRACT for order in orders)
    assert all(order.day in (dt.date(2026, 11, 30), dt.date(2026, 12, 3)) for order in orders)

    # The nursing home's usual order is saved and carried into the week, at least as asked.
    standing = db.scalars(select(StandingOrderLine)).all()
    assert len(standing) == 4 and {line.canteen.name for line in standing} == {
        "EHPAD du Val de Luchon"}
    for usual in standing:
        line = next(order for order in orders if order.canteen_id == usual.canteen_id
                    and order.product_id == usual.product_id
                    and order.day.isoweekday() == usual.weekday)
        assert line.quantity >= usual.quantity

    lead = db.scalars(select(User).where(User.role == Role.LEAD)).one()
    close_week("2026-W49", lead)
    run = allocate_week("2026-W49", lead)
    # A valid plan; "feasible" when a loaded machine stops the search at the time limit.
    assert run.status.value in {"optimal", "feasible"}
    assert run.fill_rate is not None and run.fill_rate > 0.8
    assert run.lines


def test_past_weeks_are_published_delivered_and_coordinated(db: Session) -> None:
    progress: list[str] = []
    summary = seed_demo(weeks_back=3, progress=progress.append)

    assert [w.iso_week for w in db.scalars(
        select(DeliveryWeek).where(DeliveryWeek.state != WeekState.DRAFT)
        .order_by(DeliveryWeek.monday_date))] == ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
    assert week(db, "2026-W46").state == WeekState.DELIVERED
    assert week(db, "2026-W47").state == WeekState.DELIVERED
    current = week(db, "2026-W48")
    assert current.state == WeekState.PUBLISHED  # Monday morning: the trucks are out
    for label in ("2026-W46", "2026-W47", "2026-W48"):
        past = week(db, label)
        published = [run for run in past.allocation_runs if run.is_published]
        assert published
        assert all(run.status.value in {"optimal", "feasible"} for run in published)
        assert past.coordinator_assignment is not None
        coordinator_farm = past.coordinator_assignment.farm_id
        first = past.allocation_runs[0]
        assert first.created_by is not None and first.created_by.farm_id == coordinator_farm
    # Receipts were recorded for the delivered weeks, with a few differences.
    receipts = db.scalars(select(Receipt)).all()
    assert receipts
    assert {r.allocation_line.run.week.iso_week for r in receipts} == {"2026-W46", "2026-W47"}
    assert any(r.received_quantity < r.allocation_line.quantity for r in receipts)
    assert count(db, LedgerEntry) > 0
    # Delivered weeks are accrued: fees and fund contributions, part of the advance recovered.
    accrued_weeks = {accrual.week.iso_week for accrual in db.scalars(select(FeeAccrual))}
    assert accrued_weeks == {"2026-W46", "2026-W47"}
    assert summary.season.fee_eur > 0 and summary.season.fund_eur > 0
    assert summary.season.fee_eur == sum(a.fee_eur for a in db.scalars(select(FeeAccrual)))
    advance = db.scalars(select(CashAdvance)).one()
    assert advance.farm.name == "Le Potager de Juzet" and advance.recoveries
    assert sum(r.amount_eur for r in advance.recoveries) < advance.amount_eur
    fund = db.scalars(select(FundMovement).where(FundMovement.fee_accrual_id.is_(None))).all()
    assert [movement.amount_eur for movement in fund] == [Decimal("2000.00")]
    # The third week played had a crop failure, re-planned and published as version 2.
    failure = db.scalars(select(CropFailure)).one()
    assert failure.week.iso_week == "2026-W48" and failure.replan_run is not None
    assert failure.replan_run.trigger == RunTrigger.CROP_FAILURE
    assert failure.replan_run.published_version == 2
    assert summary.season.crop_failures == 1 and summary.season.runs == 4
    assert len(progress) >= 5 and any("2026-W48" in line for line in progress)
    # The rotation runs ahead of the open week.
    assert count(db, CoordinatorAssignment) >= 4 + 8


def test_seeding_twice_is_a_no_op(db: Session) -> None:
    seed_demo(weeks_back=1)
    models = (User, Farm, AllocationRun, OrderLine)
    rows = [count(db, model) for model in models]

    again = seed_demo()

    assert not again.loaded
    assert "déjà" in again.describe()
    assert [count(db, model) for model in models] == rows


def test_forcing_over_the_demo_itself_is_refused(db: Session) -> None:
    seed_demo(weeks_back=0)
    users = count(db, User)

    again = seed_demo(force=True, weeks_back=0)

    assert not again.loaded
    assert "réglages de la plateforme" in again.describe()
    assert count(db, User) == users


def test_forcing_next_to_other_data_loads_the_demo(db: Session, make_user: Any) -> None:
    make_user("lead", email="autre@exemple.fr")
    assert not seed_demo(weeks_back=0).loaded

    summary = seed_demo(force=True, weeks_back=0)

    assert summary.loaded and count(db, User) == 1 + len(demo_accounts())


def test_the_summary_tells_what_was_loaded(db: Session) -> None:
    text = seed_demo(weeks_back=1).describe()
    assert PLATFORM.territory_name in text
    assert "2026-W49" in text and DEMO_PASSWORD in text
    assert text.count("\n") >= 3


def test_the_whole_default_season_is_played(db: Session) -> None:
    summary = seed_demo()

    report = summary.season
    assert report.first_week == "2026-W36" and report.open_week == "2026-W49"
    assert len(report.delivered_weeks) == 12
    assert report.published_weeks == ["2026-W48"]
    assert report.crop_failures == 3
    assert count(db, CropFailure) == 3
    spent = db.scalars(select(FundMovement).where(FundMovement.amount_eur < 0)).one()
    assert spent.movement_date == dt.date(2026, 9, 28)  # the Monday before the sixth week
    # Every past week kept its runs; schools' holidays show as lighter weeks, never empty ones.
    for label in report.delivered_weeks:
        runs = week(db, label).allocation_runs
        assert runs and runs[-1].is_published
    toussaint = db.scalars(
        select(OrderLine).join(DeliveryWeek).where(DeliveryWeek.iso_week == "2026-W44")).all()
    cite = db.scalars(select(Canteen).where(Canteen.name == "Cité scolaire de Luchon")).one()
    assert toussaint and cite.id not in {line.canteen_id for line in toussaint}
