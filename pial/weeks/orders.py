"""Canteens' orders: what a canteen wants on each delivery day, and the contracts covering them.

The saves own their transaction (they commit); refusals name the week, the product or the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from pial.actors import Actor
from pial.db import get_session
from pial.errors import NotFound
from pial.models import (
    AllocationLine,
    AllocationRun,
    AvailabilityLine,
    Canteen,
    Contract,
    ContractLine,
    DeliveryWeek,
    OrderLine,
    OrderPriority,
    Product,
    StandingOrderLine,
    canteen_group_members,
)
from pial.weeks.calendar import canteen_delivery_days, delivery_days, get_week, order_window
from pial.weeks.closures import closure_refusal
from pial.weeks.saving import (
    SaveReport,
    canteen_for,
    clean_note,
    commit_save,
    day_lines_version,
    fresh_lines,
    refuse_stale,
    replace_lines,
    season_error,
    twice_the_same_day,
    update_quantity_and_note,
    validated_lines,
    week_lines_audit,
    week_open_to,
)


@dataclass(frozen=True, slots=True)
class OrderInput:
    """One ordered product for one delivery day, in the product's unit."""

    product_id: int
    quantity: Decimal
    day: dt.date
    note: str | None = None
    row: str | None = None


# --- Contracts covering orders ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractCover:
    """The contract lines that may cover a canteen's orders over a span of days.

    Loaded with one query, then consulted in memory for every (product, day) of a page or a
    save, instead of one query per cell.
    """

    lines: tuple[ContractLine, ...]  # the latest contract first

    def line_for(self, product_id: int, day: dt.date) -> ContractLine | None:
        """Return the contract line covering an order of ``product_id`` on ``day``, if any."""
        for line in self.lines:
            contract = line.contract
            if line.product_id != product_id or not contract.start_date <= day <= contract.end_date:
                continue
            if not line.periods or any(p.start_date <= day <= p.end_date for p in line.periods):
                return line
        return None

    def priority_of(self, product_id: int, day: dt.date) -> tuple[OrderPriority, int | None]:
        """Return the priority and contract line of an order of ``product_id`` on ``day``."""
        contract_line = self.line_for(product_id, day)
        if contract_line is None:
            return OrderPriority.REGULAR, None
        return OrderPriority.CONTRACT, contract_line.id


def published_unit_prices(
    session: Session, week_id: int, canteen_id: int
) -> dict[tuple[int, dt.date], Decimal]:
    """Return the unit prices stored with the week's current published plan, by (product, day).

    Once a week is published, its order page shows what the delivery notes charge, even if a
    contract or the group's prices changed since.
    """
    latest = (
        select(AllocationRun.id)
        .where(AllocationRun.week_id == week_id, AllocationRun.published_version.is_not(None))
        .order_by(AllocationRun.published_version.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(AllocationLine.product_id, AllocationLine.day, AllocationLine.unit_price_eur)
        .where(AllocationLine.run_id == latest, AllocationLine.canteen_id == canteen_id,
               AllocationLine.unit_price_eur.is_not(None))
    ).tuples()
    return {(product_id, day): price for product_id, day, price in rows if price is not None}


def contract_cover(
    session: Session, canteen_id: int, first_day: dt.date, last_day: dt.date
) -> ContractCover:
    """Load the active contract lines of a canteen (or its groups) overlapping the days."""
    group_ids = select(canteen_group_members.c.canteen_group_id).where(
        canteen_group_members.c.canteen_id == canteen_id
    )
    lines = session.scalars(
        select(ContractLine)
        .join(Contract, ContractLine.contract_id == Contract.id)
        .where(
            Contract.is_active.is_(True),
            Contract.start_date <= last_day,
            Contract.end_date >= first_day,
            or_(Contract.canteen_id == canteen_id, Contract.canteen_group_id.in_(group_ids)),
        )
        .options(contains_eager(ContractLine.contract), selectinload(ContractLine.periods))
        .order_by(Contract.start_date.desc(), Contract.id.desc(), ContractLine.id)
    ).all()
    return ContractCover(tuple(lines))


def week_contract_cover(session: Session, canteen_id: int, week: DeliveryWeek) -> ContractCover:
    """Load the contract lines that may cover a canteen's orders of ``week`` (Monday–Sunday)."""
    return contract_cover(
        session, canteen_id, week.monday_date, week.monday_date + dt.timedelta(days=6)
    )


def contract_line_for_order(
    session: Session, canteen_id: int, product_id: int, day: dt.date
) -> ContractLine | None:
    """Return the contract line covering this canteen's order of a product on ``day``, if any.

    The contract must be active, cover ``day`` and be signed by the canteen or by a group it
    belongs to; a line with periods must have one covering ``day``. The latest contract wins.
    """
    return contract_cover(session, canteen_id, day, day).line_for(product_id, day)


# --- What is on offer: the market a canteen orders from --------------------------------------


@dataclass(frozen=True, slots=True)
class DayMarket:
    """One product on one delivery day, as a canteen sees it before ordering."""

    offered: Decimal  # growers' offers usable that day: the day's own plus the whole week's
    ordered_by_others: Decimal  # other canteens' orders of that day
    available: Decimal  # what is left for this canteen (an estimate, never below zero)


def week_market(week: DeliveryWeek, canteen_id: int) -> dict[tuple[int, dt.date], DayMarket]:
    """Return, per (product, day) of the week, what growers offer and others already ordered.

    Offers for the whole week serve any day: other canteens' orders first use the offers of
    their own day, then that shared pool; what the pool has left is available on every day.
    """
    session = get_session()
    days = delivery_days(week)
    day_offers: dict[tuple[int, dt.date], Decimal] = {}
    week_offers: dict[int, Decimal] = {}
    for product_id, day, quantity in session.execute(
        select(AvailabilityLine.product_id, AvailabilityLine.day, AvailabilityLine.quantity).where(
            AvailabilityLine.week_id == week.id
        )
    ):
        if day is None:
            week_offers[product_id] = week_offers.get(product_id, Decimal(0)) + quantity
        else:
            key = (product_id, day)
            day_offers[key] = day_offers.get(key, Decimal(0)) + quantity
    others: dict[tuple[int, dt.date], Decimal] = {}
    for product_id, day, quantity in session.execute(
        select(OrderLine.product_id, OrderLine.day, OrderLine.quantity).where(
            OrderLine.week_id == week.id, OrderLine.canteen_id != canteen_id
        )
    ):
        others[(product_id, day)] = others.get((product_id, day), Decimal(0)) + quantity
    products = {product_id for product_id, _ in day_offers} | set(week_offers)
    products |= {product_id for product_id, _ in others}
    market: dict[tuple[int, dt.date], DayMarket] = {}
    zero = Decimal(0)
    for product_id in products:
        overflow = sum(
            (
                max(zero, others.get(key, zero) - day_offers.get(key, zero))
                for key in ((product_id, day) for day in days)
            ),
            zero,
        )
        pool_left = max(zero, week_offers.get(product_id, zero) - overflow)
        for day in days:
            own = day_offers.get((product_id, day), zero)
            taken = others.get((product_id, day), zero)
            market[(product_id, day)] = DayMarket(
                offered=own + week_offers.get(product_id, zero),
                ordered_by_others=taken,
                available=max(zero, own - taken) + pool_left,
            )
    return market


def usual_products(canteen_id: int, before: dt.date, weeks: int = 8) -> set[int]:
    """Return the products a canteen usually orders: its standing order, its recent orders."""
    session = get_session()
    standing = session.scalars(
        select(StandingOrderLine.product_id).where(
            StandingOrderLine.canteen_id == canteen_id, StandingOrderLine.quantity > 0
        )
    )
    recent = session.scalars(
        select(OrderLine.product_id)
        .where(
            OrderLine.canteen_id == canteen_id,
            OrderLine.quantity > 0,
            OrderLine.day < before,
            OrderLine.day >= before - dt.timedelta(weeks=weeks),
        )
        .distinct()
    )
    return set(standing) | set(recent)


# --- A canteen's orders of a week ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CanteenWeekOrder:
    """A canteen's orders of a week as saved, with its version token for the next save."""

    week: DeliveryWeek
    canteen: Canteen
    lines: list[OrderLine]
    version: str

    def line_of(self, product_id: int, day: dt.date) -> OrderLine | None:
        """Return the order line of a product on a day, if any."""
        for line in self.lines:
            if line.product_id == product_id and line.day == day:
                return line
        return None


def canteen_order(canteen_id: int, iso_week: str) -> CanteenWeekOrder:
    """Return the canteen's saved orders of the week (the week must exist)."""
    session = get_session()
    week = get_week(iso_week)
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    lines = _order_lines(session, week.id, canteen_id, with_products=True)
    return CanteenWeekOrder(week, canteen, lines, day_lines_version(lines))


def _order_lines(
    session: Session, week_id: int, canteen_id: int, *, with_products: bool = False
) -> list[OrderLine]:
    query = (
        select(OrderLine)
        .where(OrderLine.week_id == week_id, OrderLine.canteen_id == canteen_id)
        .order_by(OrderLine.day, OrderLine.id)
    )
    return fresh_lines(session, query, OrderLine.product, with_products)


def save_orders(
    actor: Actor,
    canteen_id: int,
    iso_week: str,
    lines: Sequence[OrderInput],
    *,
    expected_version: str | None = None,
) -> SaveReport:
    """Replace the canteen's orders of the week by ``lines`` (per delivery day), atomically.

    Each line is marked ``contract`` priority, linked to its contract line, when an active
    contract of the canteen (or of one of its groups) covers the product on that day. Same
    refusals as :func:`pial.weeks.offers.save_availability`, with the order deadline and the
    canteen's days.
    """
    session = get_session()
    canteen = canteen_for(session, actor, canteen_id)
    week = week_open_to(session, actor, iso_week, order_window, gettext("commandes"))
    existing = _order_lines(session, week.id, canteen.id)
    refuse_stale(existing, gettext("cette commande"), day_lines_version(existing), expected_version)
    desired = _validated_orders(session, week, canteen, lines)
    before = week_lines_audit(week, existing)
    cover = week_contract_cover(session, canteen.id, week)
    update_quantity = update_quantity_and_note(actor)

    def update(line: OrderLine, wanted: tuple[Decimal, str | None]) -> bool:
        # A contract signed or ended since the line was saved changes its priority, not its
        # quantity: the line does not count as updated for that.
        priority = cover.priority_of(line.product_id, line.day)
        if (line.priority, line.contract_line_id) != priority:
            line.priority, line.contract_line_id = priority
        return update_quantity(line, wanted)

    def create(key: tuple[int, dt.date], wanted: tuple[Decimal, str | None]) -> OrderLine:
        product_id, day = key
        priority, contract_line_id = cover.priority_of(product_id, day)
        return OrderLine(
            week_id=week.id,
            canteen_id=canteen.id,
            product_id=product_id,
            day=day,
            quantity=wanted[0],
            priority=priority,
            contract_line_id=contract_line_id,
            note=wanted[1],
            updated_by_id=actor.id if actor else None,
        )

    changes = replace_lines(
        session,
        existing,
        desired,
        key=lambda line: (line.product_id, line.day),
        update=update,
        create=create,
    )
    saved = _order_lines(session, week.id, canteen.id)
    return commit_save(
        actor,
        "orders.save",
        canteen,
        changes,
        kind="order",
        saved=len(saved),
        version=day_lines_version(saved),
        before=before,
        after=week_lines_audit(week, saved),
    )


def _validated_orders(
    session: Session, week: DeliveryWeek, canteen: Canteen, lines: Sequence[OrderInput]
) -> dict[tuple[int, dt.date], tuple[Decimal, str | None]]:
    """Check every order line: a delivery day of the canteen in the week, in season, once."""
    days = set(canteen_delivery_days(canteen, week))

    def refusal(line: OrderInput, product: Product) -> str | None:
        if line.day in days:
            refused = closure_refusal(canteen, line.day, product.name_fr)
            if refused is not None:
                return refused
        if line.day not in days:
            return str(
                gettext(
                    "« %(name_fr)s » : le %(day)s n'est pas un jour de livraison de %(name)s en "
                    "semaine %(week_number)s.",
                    name_fr=product.name_fr,
                    day=format(line.day, "%d/%m/%Y"),
                    name=canteen.name,
                    week_number=week.week_number,
                )
            )
        return season_error(product, {line.day.month})

    return validated_lines(
        session,
        lines,
        refusal=refusal,
        key=lambda line: (line.product_id, line.day),
        value=lambda line, quantity: (quantity, clean_note(line.note)),
        duplicate=twice_the_same_day,
    )
