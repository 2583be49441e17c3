"""Constraints, cascades, relationships and column behaviours of the PIAL tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from pial.models import (
    AllocationLine,
    AllocationRun,
    AuditLog,
    AvailabilityLine,
    CanteenGroup,
    Contract,
    ContractLine,
    ContractLinePeriod,
    DeliveryWeek,
    Farm,
    ImmutableRunError,
    JobRun,
    OrderLine,
    OrderPriority,
    Platform,
    Price,
    Product,
    Role,
    RunStatus,
    RunTrigger,
    Season,
    User,
    WeekState,
)

if TYPE_CHECKING:
    from tests.models.conftest import Factory

MONDAY = date(2026, 11, 23)


def assert_refused(session: Session, change: Callable[[], object]) -> None:
    """Assert that the database refuses ``change`` (run and flushed in a savepoint)."""
    with pytest.raises(IntegrityError), session.begin_nested():
        change()
        session.flush()


def availability(
    week: DeliveryWeek, farm: Farm, product: Product, **values: object
) -> AvailabilityLine:
    """Build an availability line (not added)."""
    values.setdefault("quantity", Decimal("10"))
    return AvailabilityLine(week=week, farm=farm, product=product, **values)


# --- uniqueness -------------------------------------------------------------------------------


def test_iso_week_is_unique(session: Session, make: Factory) -> None:
    make.week("2026-W48")

    assert_refused(session, lambda: make.week("2026-W48"))


def test_one_availability_line_per_week_farm_product_and_day(
    session: Session, make: Factory
) -> None:
    week, farm, product = make.week(), make.farm(), make.product()
    session.add_all(
        [
            availability(week, farm, product, day=MONDAY),
            availability(week, farm, product, day=None),  # "any day" is a separate line
            availability(week, farm, product, day=MONDAY + timedelta(days=3)),
        ]
    )
    session.flush()

    assert_refused(session, lambda: session.add(availability(week, farm, product, day=MONDAY)))
    # A null day counts as one value, although NULLs are distinct in plain UNIQUE constraints.
    assert_refused(session, lambda: session.add(availability(week, farm, product, day=None)))


def test_one_order_line_per_week_canteen_product_and_day(session: Session, make: Factory) -> None:
    week, canteen, product = make.week(), make.canteen(), make.product()
    session.add(OrderLine(week=week, canteen=canteen, product=product, day=MONDAY, quantity=5))
    session.flush()

    assert_refused(
        session,
        lambda: session.add(
            OrderLine(week=week, canteen=canteen, product=product, day=MONDAY, quantity=3)
        ),
    )


def test_user_email_is_unique_whatever_its_case(session: Session) -> None:
    session.add(User(email="Anne@Exemple.fr", display_name="Anne", role=Role.LEAD))
    session.flush()
    lowered = session.scalar(select(User).where(User.email_lower == "anne@exemple.fr"))

    assert lowered is not None
    assert lowered.email == "Anne@Exemple.fr"
    assert_refused(
        session,
        lambda: session.add(User(email="anne@exemple.FR", display_name="Anne", role=Role.LEAD)),
    )


def test_job_occurrence_is_recorded_once(session: Session) -> None:
    fire_dt = datetime(2026, 11, 19, 11, 0, tzinfo=UTC)
    session.add(JobRun(job_id="send_reminders", scheduled_dt=fire_dt))
    session.flush()

    assert_refused(
        session, lambda: session.add(JobRun(job_id="send_reminders", scheduled_dt=fire_dt))
    )


# --- check constraints ------------------------------------------------------------------------


def test_quantities_cannot_be_negative(session: Session, make: Factory) -> None:
    week, farm, product = make.week(), make.farm(), make.product()

    assert_refused(
        session, lambda: session.add(availability(week, farm, product, quantity=Decimal("-1")))
    )


def test_season_mask_has_twelve_binary_months(session: Session, make: Factory) -> None:
    product = make.product(season_mask="111000000111")

    assert product.is_in_season(1)
    assert not product.is_in_season(6)
    assert_refused(session, lambda: make.product(season_mask="1110000001"))
    assert_refused(session, lambda: make.product(season_mask="11100000011x"))


def test_grower_must_belong_to_a_farm(session: Session) -> None:
    assert_refused(
        session,
        lambda: session.add(User(email="g@exemple.fr", display_name="G", role=Role.GROWER)),
    )


def test_contract_has_exactly_one_buyer(session: Session, make: Factory) -> None:
    canteen = make.canteen()
    group = CanteenGroup(name="Écoles de Saint-Gaudens", canteens=[canteen])
    session.add(group)
    session.flush()

    def contract(**buyer: object) -> Contract:
        return Contract(
            title="Lot 22", start_date=date(2026, 9, 1), end_date=date(2027, 8, 31), **buyer
        )

    assert_refused(session, lambda: session.add(contract()))
    assert_refused(session, lambda: session.add(contract(canteen=canteen, canteen_group=group)))
    session.add(contract(canteen_group=group))
    session.flush()


def test_platform_has_a_single_row(session: Session) -> None:
    session.add(Platform(territory_name="Comminges"))
    session.flush()

    assert_refused(session, lambda: session.add(Platform(id=2, territory_name="Ailleurs")))


def test_state_outside_the_enum_is_refused_by_the_database(session: Session, make: Factory) -> None:
    week = make.week()

    assert_refused(
        session,
        lambda: session.execute(
            text("UPDATE delivery_weeks SET state = 'lost' WHERE id = :id"), {"id": week.id}
        ),
    )


# --- cascades ---------------------------------------------------------------------------------


def add_run(make: Factory, week: DeliveryWeek, farm: Farm) -> AllocationRun:
    """Add an unpublished run with one allocation line to ``week``."""
    canteen, product = make.canteen(), make.product()
    run = AllocationRun(
        week=week,
        sequence=1,
        status=RunStatus.OPTIMAL,
        trigger=RunTrigger.MANUAL,
        instance_json='{"format": "pial-allocation/1"}',
        result_json='{"format": "pial-allocation-result/1"}',
    )
    run.lines.append(
        AllocationLine(
            farm=farm,
            canteen=canteen,
            product=product,
            day=MONDAY,
            quantity=Decimal("80"),
            distance_km=7.5,
            value_eur=Decimal("168.00"),
        )
    )
    make.session.add(run)
    make.session.flush()
    return run


def test_deleting_a_week_deletes_its_lines_and_runs_in_the_database(
    session: Session, make: Factory
) -> None:
    week, farm, product = make.week(), make.farm(), make.product()
    session.add(availability(week, farm, product))
    add_run(make, week, farm)
    session.expunge_all()

    # A bulk delete bypasses the ORM: ON DELETE CASCADE does the work.
    session.execute(delete(DeliveryWeek).where(DeliveryWeek.id == week.id))

    assert session.scalars(select(AvailabilityLine)).all() == []
    assert session.scalars(select(AllocationRun)).all() == []
    assert session.scalars(select(AllocationLine)).all() == []
    assert session.get(Farm, farm.id) is not None


def test_deleting_a_week_through_the_orm_deletes_its_lines(session: Session, make: Factory) -> None:
    week, farm, product = make.week(), make.farm(), make.product()
    week.availability_lines.append(availability(week, farm, product))
    session.flush()

    session.delete(week)
    session.flush()

    assert session.scalars(select(AvailabilityLine)).all() == []


def test_a_farm_with_history_cannot_be_deleted(session: Session, make: Factory) -> None:
    week, farm, product = make.week(), make.farm(), make.product()
    session.add(availability(week, farm, product))
    session.flush()

    assert_refused(session, lambda: session.execute(delete(Farm).where(Farm.id == farm.id)))


def test_deleting_a_contract_deletes_its_lines_periods_and_grower_links(
    session: Session, make: Factory
) -> None:
    farm, canteen, product = make.farm(), make.canteen(), make.product()
    line = ContractLine(
        product=product,
        committed_min_quantity_per_year=Decimal("1200"),
        production_cost_eur=Decimal("1.50"),
        margin_eur=Decimal("0.40"),
        intermediation_fee_eur=Decimal("0.20"),
        periods=[
            ContractLinePeriod(
                start_date=date(2026, 9, 1), end_date=date(2026, 9, 30), min_quantity=100
            )
        ],
    )
    contract = Contract(
        title="Légumes bio — lot 22",
        lot_label="lot 22",
        canteen=canteen,
        start_date=date(2026, 9, 1),
        end_date=date(2027, 8, 31),
        lines=[line],
        growers=[farm],
    )
    session.add(contract)
    session.flush()
    session.expunge_all()

    session.execute(delete(Contract))

    assert session.scalars(select(ContractLine)).all() == []
    assert session.scalars(select(ContractLinePeriod)).all() == []
    assert session.scalar(text("SELECT count(*) FROM contract_growers")) == 0
    assert session.get(Farm, farm.id) is not None


def test_deleting_a_user_keeps_the_audit_trail(session: Session) -> None:
    user = User(email="lead@exemple.fr", display_name="Lead", role=Role.LEAD)
    session.add(user)
    session.flush()
    session.add(AuditLog(actor_id=user.id, action="week.open", entity_type="DeliveryWeek"))
    session.flush()
    session.expunge_all()

    session.execute(delete(User))

    entry = session.scalars(select(AuditLog)).one()
    assert entry.actor_id is None


# --- relationships ----------------------------------------------------------------------------


def test_relationships_navigate_both_ways(session: Session, make: Factory) -> None:
    week, farm, product = (
        make.week(),
        make.farm(name="Ferme du Pic"),
        make.product(),
    )
    session.add(availability(week, farm, product))
    user = User(email="pic@exemple.fr", display_name="Paul", role=Role.GROWER, farm=farm)
    session.add(user)
    run = add_run(make, week, farm)
    session.expire_all()

    loaded = session.scalars(select(DeliveryWeek).where(DeliveryWeek.iso_week == "2026-W48")).one()
    assert [line.farm.name for line in loaded.availability_lines] == ["Ferme du Pic"]
    assert [r.id for r in loaded.allocation_runs] == [run.id]
    assert loaded.allocation_runs[0].lines[0].run.week is loaded
    assert [u.email for u in farm.users] == ["pic@exemple.fr"]
    assert user.farm is farm


def test_canteen_groups_list_their_canteens(session: Session, make: Factory) -> None:
    first, second = make.canteen(), make.canteen()
    group = CanteenGroup(name="EHPAD du Comminges", canteens=[first, second])
    session.add(group)
    session.flush()
    session.expire_all()

    assert {c.id for c in group.canteens} == {first.id, second.id}
    assert [g.name for g in first.groups] == ["EHPAD du Comminges"]


# --- column behaviours ------------------------------------------------------------------------


def test_price_is_the_sum_of_its_parts_in_python_and_in_sql(
    session: Session, make: Factory
) -> None:
    product = make.product()
    season = Season(code="2026-2027", start_date=date(2026, 9, 1), end_date=date(2027, 8, 31))
    price = Price(
        season=season,
        product=product,
        production_cost_eur=Decimal("1.50"),
        margin_eur=Decimal("0.40"),
        intermediation_fee_eur=Decimal("0.20"),
    )
    session.add(price)
    session.flush()

    assert price.price_eur == Decimal("2.10")
    assert session.scalar(select(Price.id).where(Price.price_eur == Decimal("2.10"))) == price.id
    assert session.scalar(select(Price.id).where(Price.price_eur > Decimal("2.10"))) is None


def test_money_and_quantities_come_back_as_exact_decimals(session: Session, make: Factory) -> None:
    week, farm, product = make.week(), make.farm(), make.product()
    session.add(availability(week, farm, product, quantity=Decimal("12.345")))
    session.flush()
    session.expire_all()

    stored = session.scalars(select(AvailabilityLine)).one()
    assert stored.quantity == Decimal("12.345")
    assert isinstance(stored.quantity, Decimal)


def test_datetimes_are_stored_in_utc_and_read_back_aware(session: Session, make: Factory) -> None:
    paris_noon = datetime(2026, 11, 19, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    week = make.week()
    week.availability_deadline_dt = paris_noon
    session.flush()
    session.expire_all()

    assert week.availability_deadline_dt == paris_noon
    assert week.availability_deadline_dt.utcoffset() == timedelta(0)
    assert week.availability_deadline_dt.hour == 11


def test_naive_datetimes_are_refused(session: Session, make: Factory) -> None:
    week = make.week()
    week.availability_deadline_dt = datetime(2026, 11, 19, 12, 0)

    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()
    session.rollback()


def test_stale_edit_is_detected(session: Session, make: Factory) -> None:
    farm = make.farm()
    assert farm.version_id == 1
    farm.name = "Ferme du Pic"
    session.flush()
    assert farm.version_id == 2

    # Someone else saves the farm meanwhile (behind this session's back).
    session.execute(
        update(Farm).where(Farm.id == farm.id).values(version_id=3),
        execution_options={"synchronize_session": False},
    )
    farm.name = "Ferme du Pic d'en haut"

    with pytest.raises(StaleDataError):
        session.flush()
    session.rollback()


def test_allocation_run_only_changes_its_publication(session: Session, make: Factory) -> None:
    week, farm = make.week(), make.farm()
    run = add_run(make, week, farm)

    run.published_version = 1
    run.published_dt = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    session.flush()
    assert run.is_published

    run.instance_json = "{}"
    with pytest.raises(ImmutableRunError, match="instance_json"):
        session.flush()
    session.rollback()


def test_publication_fields_go_together(session: Session, make: Factory) -> None:
    week, farm = make.week(), make.farm()
    run = add_run(make, week, farm)

    def publish_without_date() -> None:
        run.published_version = 1

    assert_refused(session, publish_without_date)


def test_enums_read_back_as_members(session: Session, make: Factory) -> None:
    week = make.week(state=WeekState.CLOSED)
    canteen, product = make.canteen(), make.product()
    session.add(
        OrderLine(
            week=week,
            canteen=canteen,
            product=product,
            day=MONDAY,
            quantity=4,
            priority=OrderPriority.CONTRACT,
        )
    )
    session.flush()
    session.expire_all()

    assert week.state is WeekState.CLOSED
    assert session.scalars(select(OrderLine)).one().priority is OrderPriority.CONTRACT
    assert session.scalar(text("SELECT state FROM delivery_weeks")) == "closed"
