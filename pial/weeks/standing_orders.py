"""Standing orders: a canteen's order by weekday, copied into each week when it opens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.db import get_session
from pial.errors import Conflict
from pial.i18n import collation_key
from pial.models import Canteen, DeliveryWeek, OrderLine, Product, StandingOrderLine
from pial.weeks.calendar import canteen_delivery_days, canteen_weekdays
from pial.weeks.closures import closure_reason
from pial.weeks.orders import ContractCover, week_contract_cover
from pial.weeks.saving import (
    SaveReport,
    canteen_for,
    clean_note,
    commit_save,
    content_version,
    quantity_text,
    replace_lines,
    twice_the_same_day,
    validated_lines,
    weekday_name,
)


@dataclass(frozen=True, slots=True)
class StandingOrderInput:
    """One line of a canteen's standing order: a product on an ISO weekday (1 = Monday)."""

    product_id: int
    quantity: Decimal
    weekday: int
    is_active: bool = True
    note: str | None = None
    row: str | None = None


def list_standing_orders(canteen_id: int) -> list[StandingOrderLine]:
    """Return the canteen's standing order lines, by weekday then product name (French order)."""
    lines = get_session().scalars(
        select(StandingOrderLine)
        .join(Product, StandingOrderLine.product_id == Product.id)
        .where(StandingOrderLine.canteen_id == canteen_id)
    )
    return sorted(lines, key=lambda ln: (ln.weekday, collation_key(ln.product.name_fr)))


def _standing_version(lines: Sequence[StandingOrderLine]) -> str:
    return content_version(
        (ln.product_id, ln.weekday, ln.quantity, f"{int(ln.is_active)}|{ln.note or ''}")
        for ln in lines
    )


def standing_orders_version(canteen_id: int) -> str:
    """Return the version token of the canteen's standing orders."""
    return _standing_version(list_standing_orders(canteen_id))


_Wanted = tuple[Decimal, bool, str | None]  # quantity, is_active, note


def save_standing_orders(
    actor: Actor,
    canteen_id: int,
    lines: Sequence[StandingOrderInput],
    *,
    expected_version: str | None = None,
) -> SaveReport:
    """Replace the canteen's standing order template by ``lines`` (0 removes a line).

    Weekdays must be delivery days of the canteen; products must be in the catalogue (season
    is checked when each week opens). Refused for another canteen (Forbidden) and on a stale
    ``expected_version`` (Conflict).
    """
    session = get_session()
    canteen = canteen_for(session, actor, canteen_id)
    existing = list_standing_orders(canteen.id)
    if expected_version is not None and expected_version != _standing_version(existing):
        raise Conflict(
            gettext(
                "Vos modifications n'ont pas été enregistrées : les commandes permanentes ont été "
                "modifiées entre-temps. Vérifiez vos saisies puis enregistrez à nouveau."
            )
        )
    desired = _validated_standing_orders(session, canteen, lines)

    def update(line: StandingOrderLine, wanted: _Wanted) -> bool:
        if (line.quantity, line.is_active, line.note) == wanted:
            return False
        line.quantity, line.is_active, line.note = wanted
        return True

    def create(key: tuple[int, int], wanted: _Wanted) -> StandingOrderLine:
        (product_id, weekday), (quantity, is_active, note) = key, wanted
        return StandingOrderLine(
            canteen_id=canteen.id,
            product_id=product_id,
            weekday=weekday,
            quantity=quantity,
            is_active=is_active,
            note=note,
        )

    changes = replace_lines(
        session,
        existing,
        desired,
        key=lambda line: (line.product_id, line.weekday),
        update=update,
        create=create,
    )
    saved = list_standing_orders(canteen.id)
    return commit_save(
        actor,
        "standing_orders.save",
        canteen,
        changes,
        kind="standing",
        saved=len(saved),
        version=_standing_version(saved),
        before=None,
        after={f"{ln.product_id}@{ln.weekday}": quantity_text(ln.quantity) for ln in saved},
    )


def _validated_standing_orders(
    session: Session, canteen: Canteen, lines: Sequence[StandingOrderInput]
) -> dict[tuple[int, int], _Wanted]:
    """Check every standing line: a delivery weekday of the canteen, a catalogue product, once."""
    weekdays = set(canteen_weekdays(canteen))

    def refusal(line: StandingOrderInput, product: Product) -> str | None:
        if line.weekday not in weekdays:
            day_name = (
                weekday_name(dt.date(2024, 1, line.weekday))  # 2024-01-01 was a Monday
                if 1 <= line.weekday <= 7
                else "?"
            )
            return str(
                gettext(
                    "« %(name_fr)s » : %(name)s n'est pas livrée le %(day_name)s.",
                    name_fr=product.name_fr,
                    name=canteen.name,
                    day_name=day_name,
                )
            )
        if not product.is_active:
            return str(gettext("« %(name_fr)s » n'est plus au catalogue.", name_fr=product.name_fr))
        return None

    return validated_lines(
        session,
        lines,
        refusal=refusal,
        key=lambda line: (line.product_id, line.weekday),
        value=lambda line, quantity: (quantity, line.is_active, clean_note(line.note)),
        duplicate=twice_the_same_day,
    )


def copy_standing_orders(session: Session, week: DeliveryWeek) -> int:
    """Add each active canteen's standing orders to ``week`` as order lines; return the count.

    Lines already in the week are kept as they are, and out-of-season products are skipped.
    The caller commits.
    """
    existing_keys = {
        (line.canteen_id, line.product_id, line.day)
        for line in session.scalars(select(OrderLine).where(OrderLine.week_id == week.id))
    }
    standing = session.scalars(
        select(StandingOrderLine)
        .join(Canteen, StandingOrderLine.canteen_id == Canteen.id)
        .join(Product, StandingOrderLine.product_id == Product.id)
        .where(
            StandingOrderLine.is_active.is_(True),
            StandingOrderLine.quantity > 0,
            Canteen.is_active.is_(True),
            Product.is_active.is_(True),
        )
        .order_by(StandingOrderLine.id)
    )
    days_of: dict[int, list[dt.date]] = {}
    covers: dict[int, ContractCover] = {}
    added = 0
    for line in standing:
        if line.canteen_id not in days_of:
            days_of[line.canteen_id] = canteen_delivery_days(line.canteen, week)
        for day in days_of[line.canteen_id]:
            key = (line.canteen_id, line.product_id, day)
            if day.isoweekday() != line.weekday or key in existing_keys:
                continue
            if not line.product.is_in_season(day.month):
                continue
            if closure_reason(line.canteen, day) is not None:
                continue  # closed that day: school holidays, a public holiday, its own closure
            if line.canteen_id not in covers:
                covers[line.canteen_id] = week_contract_cover(session, line.canteen_id, week)
            priority, contract_line_id = covers[line.canteen_id].priority_of(line.product_id, day)
            session.add(
                OrderLine(
                    week_id=week.id,
                    canteen_id=line.canteen_id,
                    product_id=line.product_id,
                    day=day,
                    quantity=line.quantity,
                    priority=priority,
                    contract_line_id=contract_line_id,
                    note=line.note,
                )
            )
            existing_keys.add(key)
            added += 1
    session.flush()
    return added
