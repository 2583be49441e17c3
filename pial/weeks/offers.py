"""Growers' offers: what a farm can deliver in a week, for the whole week or day by day.

The saves own their transaction (they commit); refusals name the week, the product or the row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import monday_of
from pial.db import get_session
from pial.errors import Conflict, InvalidInput, NotFound
from pial.models import AvailabilityLine, DeliveryWeek, Farm, FarmProduct, Product
from pial.weeks.calendar import (
    delivery_days,
    get_week,
    months_of,
    normalise_iso_week,
    offer_window,
)
from pial.weeks.saving import (
    SaveReport,
    clean_note,
    commit_save,
    day_lines_version,
    existing_week_for_edit,
    farm_for,
    fresh_lines,
    refuse_stale,
    replace_lines,
    season_error,
    update_quantity_and_note,
    validated_lines,
    week_lines_audit,
    week_open_to,
)


@dataclass(frozen=True, slots=True)
class AvailabilityInput:
    """One offered product: quantity in the product's unit, for a day (None = any day)."""

    product_id: int
    quantity: Decimal
    day: dt.date | None = None
    note: str | None = None
    row: str | None = None  # how to name this line in errors (form field, "ligne 12")


@dataclass(frozen=True, slots=True)
class FarmWeekOffer:
    """A farm's offer of a week as saved, with its version token for the next save."""

    week: DeliveryWeek
    farm: Farm
    lines: list[AvailabilityLine]
    version: str

    @property
    def by_day(self) -> bool:
        """Tell whether a line is for a given day (the offer is then shown day by day)."""
        return any(line.day is not None for line in self.lines)

    def quantity_of(self, product_id: int, day: dt.date | None = None) -> Decimal | None:
        """Return the offered quantity of a product (for a day, None = any day)."""
        for line in self.lines:
            if line.product_id == product_id and line.day == day:
                return line.quantity
        return None


def farm_offer(farm_id: int, iso_week: str) -> FarmWeekOffer:
    """Return the farm's saved offer of the week (the week must exist)."""
    session = get_session()
    week = get_week(iso_week)
    farm = session.get(Farm, farm_id)
    if farm is None:
        raise NotFound(gettext("Cette ferme n'existe pas."))
    lines = _availability_lines(session, week.id, farm_id, with_products=True)
    return FarmWeekOffer(week, farm, lines, day_lines_version(lines))


def _availability_lines(
    session: Session, week_id: int, farm_id: int, *, with_products: bool = False
) -> list[AvailabilityLine]:
    query = (
        select(AvailabilityLine)
        .where(AvailabilityLine.week_id == week_id, AvailabilityLine.farm_id == farm_id)
        .order_by(AvailabilityLine.id)
    )
    return fresh_lines(session, query, AvailabilityLine.product, with_products)


def save_availability(
    actor: Actor,
    farm_id: int,
    iso_week: str,
    lines: Sequence[AvailabilityInput],
    *,
    expected_version: str | None = None,
) -> SaveReport:
    """Replace the farm's offer of the week by ``lines`` (0 removes a line), atomically.

    Refused: after the availability deadline or when the week is not open (Conflict), except
    for the lead (and the system, ``actor`` None), who may still correct in the open, closed
    and allocated states, never after publication; for somebody else's farm
    (Forbidden); for an unknown or out-of-season product, a negative quantity, a duplicate or
    a day that is not a delivery day (InvalidInput naming each row); when the offer changed
    since ``expected_version`` was read (StaleVersion, a Conflict saying who changed what).
    """
    session = get_session()
    farm = farm_for(session, actor, farm_id)
    week = week_open_to(session, actor, iso_week, offer_window, gettext("offres"))
    existing = _availability_lines(session, week.id, farm.id)
    refuse_stale(existing, gettext("cette offre"), day_lines_version(existing), expected_version)
    desired = _validated_availability(session, week, lines)
    before = week_lines_audit(week, existing)
    changes = replace_lines(
        session,
        existing,
        desired,
        key=lambda line: (line.product_id, line.day),
        update=update_quantity_and_note(actor),
        create=lambda key, wanted: AvailabilityLine(
            week_id=week.id,
            farm_id=farm.id,
            product_id=key[0],
            day=key[1],
            quantity=wanted[0],
            note=wanted[1],
            updated_by_id=actor.id if actor else None,
        ),
    )
    saved = _availability_lines(session, week.id, farm.id)
    _learn_my_products(session, farm.id, {line.product_id for line in saved if line.quantity > 0})
    return commit_save(
        actor,
        "availability.save",
        farm,
        changes,
        kind="offer",
        saved=len(saved),
        version=day_lines_version(saved),
        before=before,
        after=week_lines_audit(week, saved),
    )


# --- « Mes produits »: what a farm grows, shown first on its offer form -----------------------


def my_product_ids(farm_id: int) -> set[int]:
    """Return the products of the farm's « mes produits »."""
    return set(
        get_session().scalars(select(FarmProduct.product_id).where(FarmProduct.farm_id == farm_id))
    )


def _learn_my_products(session: Session, farm_id: int, offered: set[int]) -> None:
    """Add the products just offered to the farm's « mes produits » (the caller commits)."""
    known = set(
        session.scalars(select(FarmProduct.product_id).where(FarmProduct.farm_id == farm_id))
    )
    for product_id in sorted(offered - known):
        session.add(FarmProduct(farm_id=farm_id, product_id=product_id, learnt=True))
    session.flush()


def save_my_products(actor: Actor, farm_id: int, product_ids: set[int]) -> tuple[int, int]:
    """Replace the farm's « mes produits » by ``product_ids``; return (added, removed).

    Refused for somebody else's farm (Forbidden) and for an unknown product (InvalidInput).
    A product offered later comes back by itself: « mes produits » learn from the offers.
    """
    session = get_session()
    farm = farm_for(session, actor, farm_id)
    known_products = set(session.scalars(select(Product.id).where(Product.id.in_(product_ids))))
    unknown = product_ids - known_products
    if unknown:
        raise InvalidInput(
            gettext("Produit inconnu : %(ids)s.", ids=", ".join(map(str, sorted(unknown)))),
            {"produits": [gettext("inconnu")]},
        )
    rows = {
        row.product_id: row
        for row in session.scalars(select(FarmProduct).where(FarmProduct.farm_id == farm.id))
    }
    for product_id in set(rows) - product_ids:
        session.delete(rows[product_id])
    for product_id in sorted(product_ids - set(rows)):
        session.add(FarmProduct(farm_id=farm.id, product_id=product_id, learnt=False))
    added, removed = len(product_ids - set(rows)), len(set(rows) - product_ids)
    record_audit(
        actor,
        "farm.my_products",
        farm,
        before={"products": sorted(rows)},
        after={"products": sorted(product_ids)},
    )
    session.commit()
    return added, removed


def _validated_availability(
    session: Session, week: DeliveryWeek, lines: Sequence[AvailabilityInput]
) -> dict[tuple[int, dt.date | None], tuple[Decimal, str | None]]:
    """Check every offered line: a delivery day of the week (or none), in season, once."""
    days = set(delivery_days(week))
    week_months = months_of(week)

    def refusal(line: AvailabilityInput, product: Product) -> str | None:
        if line.day is not None and line.day not in days:
            return str(
                gettext(
                    "« %(name_fr)s » : le %(day)s n'est pas un jour de livraison de la semaine "
                    "%(week_number)s.",
                    name_fr=product.name_fr,
                    day=format(line.day, "%d/%m/%Y"),
                    week_number=week.week_number,
                )
            )
        return season_error(product, {line.day.month} if line.day else week_months)

    return validated_lines(
        session,
        lines,
        refusal=refusal,
        key=lambda line: (line.product_id, line.day),
        value=lambda line, quantity: (quantity, clean_note(line.note)),
        duplicate=lambda product: str(
            gettext("« %(name_fr)s » figure deux fois.", name_fr=product.name_fr)
        ),
    )


def _previous_offer_week(session: Session, farm_id: int, monday: dt.date) -> DeliveryWeek | None:
    """Return the farm's latest week before the one of ``monday`` in which it offered."""
    return session.scalar(
        select(DeliveryWeek)
        .join(AvailabilityLine, AvailabilityLine.week_id == DeliveryWeek.id)
        .where(AvailabilityLine.farm_id == farm_id, DeliveryWeek.monday_date < monday)
        .order_by(DeliveryWeek.monday_date.desc())
        .limit(1)
    )


def last_week_offer(farm_id: int, iso_week: str) -> dict[int, Decimal]:
    """Return {product_id: quantity} of the farm's latest earlier offer (days summed), or {}."""
    session = get_session()
    previous = _previous_offer_week(session, farm_id, monday_of(normalise_iso_week(iso_week)))
    if previous is None:
        return {}
    totals: dict[int, Decimal] = {}
    for line in _availability_lines(session, previous.id, farm_id):
        totals[line.product_id] = totals.get(line.product_id, Decimal(0)) + line.quantity
    return totals


def copy_last_week_availability(
    actor: Actor, farm_id: int, iso_week: str, *, expected_version: str | None = None
) -> SaveReport:
    """Replace the farm's offer of the week by its latest earlier offer, shifted by weeks.

    Products no longer in season are left out and listed in the report's ``skipped``. Same
    refusals as :func:`save_availability`; NotFound-like Conflict when there is nothing to copy.
    """
    session = get_session()
    week = existing_week_for_edit(session, iso_week, gettext("offres"))
    previous = _previous_offer_week(session, farm_id, week.monday_date)
    if previous is None:
        raise Conflict(gettext("Aucune offre précédente à copier pour cette ferme."))
    shift = week.monday_date - previous.monday_date
    week_months = months_of(week)
    inputs: list[AvailabilityInput] = []
    skipped: list[str] = []
    for line in _availability_lines(session, previous.id, farm_id):
        day = line.day + shift if line.day else None
        if season_error(line.product, {day.month} if day else week_months):
            skipped.append(gettext("« %(name_fr)s » (hors saison)", name_fr=line.product.name_fr))
            continue
        if day is not None and day not in delivery_days(week):
            day = None
        inputs.append(AvailabilityInput(line.product_id, line.quantity, day, line.note))
    merged: dict[tuple[int, dt.date | None], AvailabilityInput] = {}
    for item in inputs:
        key = (item.product_id, item.day)
        if key in merged:
            old = merged[key]
            item = AvailabilityInput(item.product_id, old.quantity + item.quantity, item.day)
        merged[key] = item
    report = save_availability(
        actor, farm_id, iso_week, list(merged.values()), expected_version=expected_version
    )
    return replace(report, skipped=tuple(skipped))
