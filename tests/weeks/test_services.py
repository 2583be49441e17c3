"""The weekly cycle at service level: deadlines, offers, orders, contracts, standing orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from pial.errors import Conflict, Forbidden, InvalidInput
from pial.models import (
    AuditLog,
    AvailabilityLine,
    CanteenGroup,
    Contract,
    ContractLine,
    ContractLinePeriod,
    OrderLine,
    OrderPriority,
    Platform,
    WeekState,
)
from pial.weeks import calendar, offers, opening, orders, standing_orders
from pial.weeks.offers import AvailabilityInput
from pial.weeks.orders import OrderInput
from pial.weeks.saving import StaleVersion
from pial.weeks.standing_orders import StandingOrderInput
from tests.weeks.conftest import WEEK

MONDAY = dt.date(2026, 11, 23)
THURSDAY = dt.date(2026, 11, 26)


def offer_of(db: Any, farm_id: int) -> dict[tuple[str, dt.date | None], Decimal]:
    """Return the farm's saved offer as {(slug, day): quantity}."""
    lines = db.scalars(select(AvailabilityLine).where(AvailabilityLine.farm_id == farm_id))
    return {(line.product.slug, line.day): line.quantity for line in lines}


# --- Weeks and deadlines ---------------------------------------------------------------------


def test_week_deadlines_are_paris_wall_time_stored_utc(db: Any) -> None:
    week = calendar.get_or_create_week("2026-w48")
    assert week.iso_week == WEEK and week.state == WeekState.DRAFT
    # Thursday and Friday before, 12:00 in Paris (UTC+1 in November).
    assert week.availability_deadline_dt == dt.datetime(2026, 11, 19, 11, 0, tzinfo=dt.UTC)
    assert week.order_deadline_dt == dt.datetime(2026, 11, 20, 11, 0, tzinfo=dt.UTC)
    assert calendar.get_or_create_week(WEEK).id == week.id


def test_deadlines_follow_platform_settings_and_summer_time(db: Any) -> None:
    db.add(
        Platform(
            territory_name="Comminges",
            availability_deadline_weekday=2,
            availability_deadline_time=dt.time(18, 30),
            order_deadline_weekday=3,
            deadline_weeks_before=1,
            delivery_weekdays="2,5",
        )
    )
    db.flush()
    week = calendar.get_or_create_week("2026-W27")  # Monday 29 June 2026, Paris is UTC+2
    assert week.availability_deadline_dt == dt.datetime(2026, 6, 23, 16, 30, tzinfo=dt.UTC)
    assert week.order_deadline_dt == dt.datetime(2026, 6, 24, 10, 0, tzinfo=dt.UTC)
    assert calendar.delivery_days(week) == [dt.date(2026, 6, 30), dt.date(2026, 7, 3)]


def test_bad_week_label_is_refused_in_french(db: Any) -> None:
    with pytest.raises(InvalidInput, match="Semaine « 2026-W60 » invalide"):
        calendar.get_or_create_week("2026-W60")


def test_products_in_season(db: Any, products: dict[str, Any]) -> None:
    november = {p.slug for p in calendar.products_in_season(MONDAY)}
    july = {p.slug for p in calendar.products_in_season(dt.date(2026, 7, 6))}
    assert november == {"carotte", "poireau"}
    assert july == {"carotte", "poireau", "tomate"}


def test_state_machine_refuses_backward_moves_with_french_messages(db: Any, make_user: Any) -> None:
    from pial.weeks.states import change_state, require_state

    lead = make_user("lead")
    grower = make_user("grower")
    week = opening.open_week(WEEK, lead)
    assert week.state == WeekState.OPEN and week.opened_dt is not None
    with pytest.raises(Conflict, match="La semaine 48 est ouverte : elle ne peut pas passer"):
        change_state(week, WeekState.PUBLISHED, lead)
    opening.close_week(WEEK, lead)
    with pytest.raises(Conflict, match="La semaine 48 est close : les offres ne sont plus"):
        require_state(week, WeekState.OPEN, action="les offres ne sont plus modifiables")
    with pytest.raises(Forbidden, match="rouvrir"):
        change_state(week, WeekState.OPEN, grower)
    with pytest.raises(Forbidden, match="rouvrir"):
        change_state(week, WeekState.OPEN, None)
    change_state(week, WeekState.ALLOCATED, None)
    change_state(week, WeekState.ALLOCATED, None)  # a re-run
    with pytest.raises(Conflict, match="répartie"):
        change_state(week, WeekState.CLOSED, lead)
    change_state(week, WeekState.PUBLISHED, None)
    change_state(week, WeekState.PUBLISHED, None)  # a re-plan
    change_state(week, WeekState.DELIVERED, None)
    with pytest.raises(Conflict, match="livrée"):
        change_state(week, WeekState.PUBLISHED, lead)
    actions = db.scalars(select(AuditLog.action).where(AuditLog.entity_id == str(week.id)))
    assert list(actions).count("week.change_state") == 7


def test_lead_reopens_a_closed_week(db: Any, make_user: Any) -> None:
    lead = make_user("lead")
    opening.open_week(WEEK)
    opening.close_week(WEEK)
    week = opening.open_week(WEEK, lead)
    assert week.state == WeekState.OPEN and week.closed_dt is None
    with pytest.raises(Forbidden):
        opening.open_week(WEEK, make_user("grower"))


# --- Offers ----------------------------------------------------------------------------------


def test_grower_saves_and_replaces_an_offer(
    db: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    carrot, leek = products["carotte"].id, products["poireau"].id
    report = offers.save_availability(
        grower,
        grower.farm_id,
        WEEK,
        [AvailabilityInput(carrot, Decimal("12.5")), AvailabilityInput(leek, Decimal("30"))],
    )
    assert (report.saved, report.created, report.removed) == (2, 2, 0)
    assert report.describe() == "2 produits enregistrés (dont 2 nouveaux)."
    report = offers.save_availability(
        grower,
        grower.farm_id,
        WEEK,
        [AvailabilityInput(carrot, Decimal("15")), AvailabilityInput(leek, Decimal("0"))],
        expected_version=report.version,
    )
    assert (report.saved, report.updated, report.removed) == (1, 1, 1)
    assert report.describe() == "1 produit enregistré, 1 retiré (dont 1 modifié)."
    assert offer_of(db, grower.farm_id) == {("carotte", None): Decimal("15")}
    assert db.scalar(select(AuditLog).where(AuditLog.action == "availability.save")) is not None


def test_offer_refuses_out_of_season_unknown_and_negative_rows_writing_nothing(
    db: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    offers.save_availability(
        grower, grower.farm_id, WEEK, [AvailabilityInput(products["carotte"].id, Decimal("5"))]
    )
    with pytest.raises(InvalidInput) as refused:
        offers.save_availability(
            grower,
            grower.farm_id,
            WEEK,
            [
                AvailabilityInput(products["carotte"].id, Decimal("7"), row="ligne 1"),
                AvailabilityInput(products["tomate"].id, Decimal("3"), row="ligne 2"),
                AvailabilityInput(999_999, Decimal("3"), row="ligne 3"),
                AvailabilityInput(products["poireau"].id, Decimal("-2"), row="ligne 4"),
            ],
        )
    errors = refused.value.field_errors
    assert "n'est pas de saison en novembre" in errors["ligne 2"][0]
    assert "produit inconnu" in errors["ligne 3"][0]
    assert "négatif" in errors["ligne 4"][0]
    assert "ligne 1" not in errors
    assert "rien n'a été enregistré" in str(refused.value)
    assert offer_of(db, grower.farm_id) == {("carotte", None): Decimal("5")}


def test_offer_refused_after_deadline_except_for_the_lead(
    db: Any, clock: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    lead = make_user("lead")
    clock.moment = dt.datetime(2026, 11, 19, 11, 0, tzinfo=dt.UTC)  # the deadline itself
    line = AvailabilityInput(products["carotte"].id, Decimal("5"))
    with pytest.raises(Conflict, match=r"jeudi 19 novembre à 12 h 00\) est passée"):
        offers.save_availability(grower, grower.farm_id, WEEK, [line])
    report = offers.save_availability(lead, grower.farm_id, WEEK, [line])
    assert report.saved == 1


def test_offer_refused_when_the_week_is_not_open(
    db: Any, make_user: Any, products: dict[str, Any]
) -> None:
    grower = make_user("grower")
    line = AvailabilityInput(products["carotte"].id, Decimal("5"))
    with pytest.raises(Conflict, match="pas encore ouverte"):
        offers.save_availability(grower, grower.farm_id, WEEK, [line])
    calendar.get_or_create_week(WEEK)
    with pytest.raises(Conflict, match="La semaine 48 est en préparation"):
        offers.save_availability(grower, grower.farm_id, WEEK, [line])
    opening.open_week(WEEK)
    opening.close_week(WEEK)
    with pytest.raises(Conflict, match="La semaine 48 est close : les offres ne sont plus"):
        offers.save_availability(grower, grower.farm_id, WEEK, [line])


def test_grower_cannot_touch_another_farm(
    db: Any, make_user: Any, make_farm: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    canteen_user = make_user("canteen")
    other = make_farm()
    line = AvailabilityInput(products["carotte"].id, Decimal("5"))
    with pytest.raises(Forbidden):
        offers.save_availability(grower, other.id, WEEK, [line])
    with pytest.raises(Forbidden):
        offers.save_availability(canteen_user, other.id, WEEK, [line])
    assert offer_of(db, other.id) == {}


def test_stale_offer_is_refused_naming_who_changed_what(
    db: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    alice = make_user("grower", display_name="Alice Martin")
    bob = make_user("grower", farm=alice.farm, display_name="Bob Durand")
    carrot = products["carotte"].id
    loaded = offers.farm_offer(alice.farm_id, WEEK).version
    offers.save_availability(
        bob, bob.farm_id, WEEK, [AvailabilityInput(carrot, Decimal("15"))],
        expected_version=loaded,
    )  # fmt: skip
    with pytest.raises(StaleVersion) as stale:
        offers.save_availability(
            alice, alice.farm_id, WEEK, [AvailabilityInput(carrot, Decimal("9"))],
            expected_version=loaded,
        )  # fmt: skip
    message = str(stale.value)
    assert "Bob Durand a modifié cette offre" in message
    assert "Carotte 15 kg" in message
    assert stale.value.current_quantities == {(carrot, None): Decimal("15")}
    assert offer_of(db, alice.farm_id) == {("carotte", None): Decimal("15")}
    # With the fresh version, Alice's save goes through.
    report = offers.save_availability(
        alice, alice.farm_id, WEEK, [AvailabilityInput(carrot, Decimal("9"))],
        expected_version=stale.value.current_version,
    )  # fmt: skip
    assert report.updated == 1


def test_per_day_offers_must_be_delivery_days(
    db: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    grower = make_user("grower")
    carrot = products["carotte"].id
    offers.save_availability(
        grower,
        grower.farm_id,
        WEEK,
        [AvailabilityInput(carrot, Decimal("4"), MONDAY), AvailabilityInput(carrot, Decimal("6"))],
    )
    assert offer_of(db, grower.farm_id) == {
        ("carotte", MONDAY): Decimal("4"),
        ("carotte", None): Decimal("6"),
    }
    with pytest.raises(InvalidInput, match="n'est pas un jour de livraison"):
        offers.save_availability(
            grower,
            grower.farm_id,
            WEEK,
            [AvailabilityInput(carrot, Decimal("4"), dt.date(2026, 11, 24))],
        )


def test_copy_last_week_and_suggestion(
    db: Any, clock: Any, make_user: Any, products: dict[str, Any]
) -> None:
    grower = make_user("grower")
    clock.moment = dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC)
    opening.open_week("2026-W47")
    offers.save_availability(
        grower,
        grower.farm_id,
        "2026-W47",
        [
            AvailabilityInput(products["carotte"].id, Decimal("20")),
            AvailabilityInput(products["poireau"].id, Decimal("8"), dt.date(2026, 11, 16)),
        ],
    )
    clock.moment = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)
    opening.open_week(WEEK)
    assert offers.last_week_offer(grower.farm_id, WEEK) == {
        products["carotte"].id: Decimal("20"),
        products["poireau"].id: Decimal("8"),
    }
    report = offers.copy_last_week_availability(grower, grower.farm_id, WEEK)
    assert report.created == 2
    assert offer_of(db, grower.farm_id)[("poireau", MONDAY)] == Decimal("8")
    assert offer_of(db, grower.farm_id)[("carotte", None)] == Decimal("20")


# --- Orders and contracts --------------------------------------------------------------------


def test_canteen_orders_per_day_with_contract_marking(
    db: Any, make_user: Any, make_canteen: Any, products: dict[str, Any], open_week: Any
) -> None:
    canteen_user = make_user("canteen")
    canteen = canteen_user.canteen
    group = CanteenGroup(name="Écoles de Luchon", canteens=[canteen])
    contract = Contract(
        title="Lot 22 légumes",
        canteen_group=group,
        start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2027, 8, 31),
    )
    line = ContractLine(
        contract=contract,
        product=products["carotte"],
        committed_min_quantity_per_year=Decimal("500"),
        production_cost_eur=Decimal("1.20"),
        margin_eur=Decimal("0.30"),
        intermediation_fee_eur=Decimal("0.10"),
    )
    # Leeks are under contract only from 26 November.
    leek_line = ContractLine(
        contract=contract,
        product=products["poireau"],
        committed_min_quantity_per_year=Decimal("100"),
        production_cost_eur=Decimal("1"),
        margin_eur=Decimal("0"),
        intermediation_fee_eur=Decimal("0"),
        periods=[
            ContractLinePeriod(
                start_date=THURSDAY, end_date=dt.date(2026, 12, 31), min_quantity=Decimal("10")
            )
        ],
    )
    db.add_all([group, contract, line, leek_line])
    db.flush()
    carrot, leek = products["carotte"].id, products["poireau"].id
    report = orders.save_orders(
        canteen_user,
        canteen.id,
        WEEK,
        [
            OrderInput(carrot, Decimal("10"), MONDAY),
            OrderInput(leek, Decimal("3"), MONDAY),
            OrderInput(leek, Decimal("4"), THURSDAY),
        ],
    )
    assert report.describe() == "3 lignes de commande enregistrées (dont 3 nouvelles)."
    lines = {
        (ln.product_id, ln.day): ln
        for ln in db.scalars(select(OrderLine).where(OrderLine.canteen_id == canteen.id))
    }
    assert lines[(carrot, MONDAY)].priority == OrderPriority.CONTRACT
    assert lines[(carrot, MONDAY)].contract_line_id == line.id
    assert lines[(leek, MONDAY)].priority == OrderPriority.REGULAR
    assert lines[(leek, THURSDAY)].contract_line_id == leek_line.id
    other = make_canteen()
    assert orders.contract_line_for_order(db, other.id, carrot, MONDAY) is None


def test_orders_refused_after_deadline_and_on_other_days(
    db: Any, clock: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    canteen_user = make_user("canteen")
    canteen_user.canteen.delivery_weekdays = "1"
    db.flush()
    carrot = products["carotte"].id
    with pytest.raises(InvalidInput, match="n'est pas un jour de livraison"):
        orders.save_orders(
            canteen_user, canteen_user.canteen_id, WEEK, [OrderInput(carrot, 5, THURSDAY)]
        )
    clock.moment = dt.datetime(2026, 11, 20, 11, 0, 1, tzinfo=dt.UTC)
    with pytest.raises(Conflict, match=r"commandes de la semaine 48 \(vendredi 20 novembre"):
        orders.save_orders(
            canteen_user, canteen_user.canteen_id, WEEK, [OrderInput(carrot, 5, MONDAY)]
        )


def test_canteen_cannot_order_for_another_canteen(
    db: Any, make_user: Any, make_canteen: Any, products: dict[str, Any], open_week: Any
) -> None:
    canteen_user = make_user("canteen")
    other = make_canteen()
    with pytest.raises(Forbidden):
        orders.save_orders(
            canteen_user, other.id, WEEK, [OrderInput(products["carotte"].id, 5, MONDAY)]
        )


def test_standing_orders_are_applied_when_a_week_opens(
    db: Any, make_user: Any, products: dict[str, Any]
) -> None:
    canteen_user = make_user("canteen")
    canteen_id = canteen_user.canteen_id
    report = standing_orders.save_standing_orders(
        canteen_user,
        canteen_id,
        [
            StandingOrderInput(products["carotte"].id, Decimal("12,5".replace(",", ".")), 1),
            StandingOrderInput(products["tomate"].id, Decimal("5"), 4),  # out of season: skipped
            StandingOrderInput(products["poireau"].id, Decimal("0"), 4),
        ],
    )
    assert report.saved == 2
    assert [line.weekday for line in standing_orders.list_standing_orders(canteen_id)] == [1, 4]
    with pytest.raises(InvalidInput, match="n'est pas livrée le mardi"):
        standing_orders.save_standing_orders(
            canteen_user, canteen_id, [StandingOrderInput(products["carotte"].id, 1, 2)]
        )
    week = opening.open_week(WEEK)
    lines = db.scalars(select(OrderLine).where(OrderLine.week_id == week.id)).all()
    assert [(ln.product.slug, ln.day, ln.quantity) for ln in lines] == [
        ("carotte", MONDAY, Decimal("12.5"))
    ]
    opening.open_week(WEEK)  # idempotent: nothing copied twice
    assert db.scalars(select(OrderLine).where(OrderLine.week_id == week.id)).all() == lines


def test_the_system_may_save_for_any_farm_after_the_deadline(
    db: Any, clock: Any, make_farm: Any, products: dict[str, Any], open_week: Any
) -> None:
    farm = make_farm()
    clock.moment = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
    report = offers.save_availability(
        None, farm.id, WEEK, [AvailabilityInput(products["carotte"].id, Decimal("2"))]
    )
    assert report.saved == 1
    opening.close_week(WEEK)
    from pial.weeks.states import change_state

    week = calendar.get_week(WEEK)
    change_state(week, WeekState.ALLOCATED, None)
    change_state(week, WeekState.PUBLISHED, None)
    with pytest.raises(Conflict, match="La semaine 48 est publiée : les offres ne sont plus"):
        offers.save_availability(
            None, farm.id, WEEK, [AvailabilityInput(products["carotte"].id, Decimal("3"))]
        )


def test_save_report_wording() -> None:
    from pial.weeks.saving import SaveReport

    nothing = SaveReport("offer", 0, 0, 0, 0, 3, "v")
    assert nothing.describe() == "0 produit enregistré, 3 retirés."
    same = SaveReport("order", 2, 0, 0, 2, 0, "v")
    assert same.describe() == "Aucun changement : 2 lignes de commande enregistrées."


def test_contract_cover_answers_like_the_single_lookup(db: Any, make_canteen: Any) -> None:
    """The batch lookup used by pages and saves agrees with contract_line_for_order."""
    from pial.models import Contract, ContractLine, ContractLinePeriod, Product
    from pial.weeks.orders import contract_cover, contract_line_for_order

    canteen = make_canteen(name="Cité scolaire")
    carrot = Product(slug="carotte-cover", name_fr="Carotte", unit="kg", unit_kg=Decimal(1))
    leek = Product(slug="poireau-cover", name_fr="Poireau", unit="kg", unit_kg=Decimal(1))
    db.add_all([carrot, leek])
    db.flush()
    contract = Contract(title="Lot 22", canteen_id=canteen.id, start_date=dt.date(2026, 9, 1),
                        end_date=dt.date(2029, 8, 31), is_active=True)  # fmt: skip
    db.add(contract)
    db.flush()
    parts = {"production_cost_eur": Decimal("1.5"), "margin_eur": Decimal("0.3"),
             "intermediation_fee_eur": Decimal("0.1")}  # fmt: skip
    carrot_line = ContractLine(contract_id=contract.id, product_id=carrot.id,
                               committed_min_quantity_per_year=Decimal(500), **parts)  # fmt: skip
    leek_line = ContractLine(contract_id=contract.id, product_id=leek.id,
                             committed_min_quantity_per_year=Decimal(300), **parts)  # fmt: skip
    db.add_all([carrot_line, leek_line])
    db.flush()
    # Leeks only in winter months: a line with periods covers only those days.
    winter = {"start_date": dt.date(2026, 12, 1), "end_date": dt.date(2027, 2, 28)}
    db.add(ContractLinePeriod(contract_line_id=leek_line.id, min_quantity=Decimal(100), **winter))
    db.commit()
    days = [dt.date(2026, 11, 23), dt.date(2026, 11, 26), dt.date(2026, 12, 3)]
    cover = contract_cover(db, canteen.id, days[0], days[-1])
    for product in (carrot, leek):
        for day in days:
            expected = contract_line_for_order(db, canteen.id, product.id, day)
            assert cover.line_for(product.id, day) is expected
    assert cover.line_for(leek.id, days[0]) is None
    assert cover.line_for(leek.id, days[2]) is leek_line
    assert cover.line_for(carrot.id, days[1]) is carrot_line


def test_a_save_sees_a_change_committed_by_another_worker_after_the_page_read_it(
    app: Any, db: Any, make_user: Any, products: dict[str, Any], open_week: Any
) -> None:
    """The page reads the lines, another worker saves, then this save: a 409, not a crash."""
    from pial.db import get_database

    alice = make_user("grower", display_name="Alice Martin")
    carrot = products["carotte"].id
    offers.save_availability(alice, alice.farm_id, WEEK, [AvailabilityInput(carrot, Decimal(5))])
    loaded = offers.farm_offer(alice.farm_id, WEEK)  # the page holds these lines in memory
    other_worker = get_database(app).session_factory()
    line = other_worker.scalar(
        select(AvailabilityLine).where(AvailabilityLine.farm_id == alice.farm_id)
    )
    line.quantity = Decimal(12)
    other_worker.commit()
    other_worker.close()
    with pytest.raises(StaleVersion):
        offers.save_availability(
            alice, alice.farm_id, WEEK, [AvailabilityInput(carrot, Decimal(7))],
            expected_version=loaded.version,
        )  # fmt: skip
