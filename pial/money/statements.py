"""Monthly statements per farm and per canteen, built from the accrued sales.

A statement line is one accrued sale (a ``FeeAccrual`` row) delivered in the month: quantity,
unit price, value, fee, fund contribution, advance withheld and the net due to the farm. The
totals are sums of the lines (see :mod:`pial.rounding`), so a statement reconciles to
the cent with the deliveries it lists. A farm's statement also lists, apart, its side of the
shared delivery rounds (« Tournées partagées »): settled between growers, never invoiced.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from pial.actors import Actor
from pial.clock import today_in_paris
from pial.db import get_session
from pial.errors import Forbidden, InvalidInput, NotFound
from pial.models import (
    AdvanceRecovery,
    AllocationLine,
    Canteen,
    CashAdvance,
    Farm,
    FeeAccrual,
    Receipt,
    Role,
)
from pial.money.accrual import recovered_eur
from pial.published.sales import Sale, sales_between
from pial.rounding import ZERO
from pial.rounds.costs import TransportDay, farm_transport

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str | None) -> dt.date:
    """Return the first day of a ``2026-11`` month (default: the current month)."""
    if not text:
        return today_in_paris().replace(day=1)
    match = MONTH_PATTERN.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise InvalidInput(
            _("Mois : écrivez-le sous la forme 2026-11."),
            {"mois": [_("Format attendu : AAAA-MM.")]},
        )
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def month_end(first: dt.date) -> dt.date:
    """Return the last day of the month starting on ``first``."""
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def month_label(first: dt.date, locale: str | None = None) -> str:
    """Return « novembre 2026 » in ``locale`` (default: the user's language)."""
    return format_date(first, format="LLLL y", locale=locale or str(get_locale() or "fr"))


def shift_month(first: dt.date, months: int) -> dt.date:
    """Return the first day of the month ``months`` away."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One accrued sale on a statement."""

    day: dt.date
    iso_week: str
    farm_id: int
    canteen_id: int
    farm_name: str
    canteen_name: str
    product_name: str
    unit: str
    quantity: Decimal
    unit_price_eur: Decimal | None
    value_eur: Decimal
    fee_eur: Decimal
    fund_eur: Decimal
    recovered_eur: Decimal
    under_contract: bool
    received: bool  # a receipt was recorded (else the planned quantity counts)

    @property
    def net_eur(self) -> Decimal:
        """Return what is due to the farm for this sale."""
        return self.value_eur - self.fee_eur - self.fund_eur - self.recovered_eur


@dataclass(frozen=True, slots=True)
class AdvanceStatus:
    """A farm's cash advance and where its recovery stands."""

    advance: CashAdvance
    recovered_eur: Decimal
    recovered_this_month_eur: Decimal

    @property
    def remaining_eur(self) -> Decimal:
        """Return what is still to recover."""
        return self.advance.amount_eur - self.recovered_eur


@dataclass(frozen=True, slots=True)
class Statement:
    """A farm's or a canteen's statement of one month."""

    kind: str  # "farm" or "canteen"
    owner_id: int
    owner_name: str
    month: dt.date
    lines: list[StatementLine]
    pending_sales: int  # delivered in the month but not accrued yet
    advances: list[AdvanceStatus]
    # A farm's shared delivery rounds: settled between growers, apart from the sales above.
    transport: list[TransportDay] = field(default_factory=list)

    def total(self, name: str) -> Decimal:
        """Return the sum of a money column (``value_eur``, ``fee_eur``, ``net_eur``…)."""
        return sum((getattr(line, name) for line in self.lines), ZERO)

    def transport_total(self, name: str) -> Decimal:
        """Return the sum of a shared-rounds column (``owed_eur``, ``credit_eur``…)."""
        return sum((getattr(day, name) for day in self.transport), ZERO)

    @property
    def month_text(self) -> str:
        """Return the month as « novembre 2026 »."""
        return month_label(self.month)

    @property
    def month_key(self) -> str:
        """Return the month as ``2026-11``."""
        return f"{self.month:%Y-%m}"

    def quantities_by_product(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """Return (product, unit, quantity, value) totals, by product name."""
        totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
        for line in self.lines:
            entry = totals[(line.product_name, line.unit)]
            entry[0] += line.quantity
            entry[1] += line.value_eur
        return [(name, unit, q, v) for (name, unit), (q, v) in sorted(totals.items())]


def require_farm_reader(actor: Actor, farm_id: int) -> None:
    """Raise Forbidden unless ``actor`` is the lead, the system or a grower of the farm."""
    if actor is None or actor.role == Role.LEAD:
        return
    if actor.role == Role.GROWER and actor.farm_id == farm_id:
        return
    raise Forbidden(_("Vous ne pouvez voir que le relevé de votre ferme."))


def require_canteen_reader(actor: Actor, canteen_id: int) -> None:
    """Raise Forbidden unless ``actor`` is the lead, the system or a manager of the canteen."""
    if actor is None or actor.role == Role.LEAD:
        return
    if actor.role == Role.CANTEEN and actor.canteen_id == canteen_id:
        return
    raise Forbidden(_("Vous ne pouvez voir que le relevé de votre cantine."))


def _statement_lines(
    month: dt.date, *, farm_id: int | None = None, canteen_id: int | None = None
) -> tuple[list[StatementLine], int]:
    """Return the month's accrued lines of a farm or canteen, and how many sales are pending."""
    session = get_session()
    last = month_end(month)
    query = (
        select(FeeAccrual)
        .join(AllocationLine, FeeAccrual.allocation_line_id == AllocationLine.id)
        .where(AllocationLine.day >= month, AllocationLine.day <= last)
        .options(joinedload(FeeAccrual.allocation_line).joinedload(AllocationLine.product),
                 joinedload(FeeAccrual.farm), joinedload(FeeAccrual.canteen),
                 joinedload(FeeAccrual.week), joinedload(FeeAccrual.receipt))
        .order_by(AllocationLine.day, FeeAccrual.id)
    )
    if farm_id is not None:
        query = query.where(FeeAccrual.farm_id == farm_id)
    if canteen_id is not None:
        query = query.where(FeeAccrual.canteen_id == canteen_id)
    accruals = session.scalars(query).unique().all()
    recovered = dict(session.execute(
        select(AdvanceRecovery.fee_accrual_id, func.sum(AdvanceRecovery.amount_eur))
        .where(AdvanceRecovery.fee_accrual_id.in_([a.id for a in accruals]))
        .group_by(AdvanceRecovery.fee_accrual_id)
    ).tuples().all())
    sales: dict[int, Sale] = {
        sale.line.id: sale
        for sale in sales_between(
            session, month, last,
            farm_ids=[farm_id] if farm_id is not None else None,
            canteen_ids=[canteen_id] if canteen_id is not None else None)
    }
    lines = []
    for accrual in accruals:
        line = accrual.allocation_line
        assert line is not None  # accruals are keyed by their allocation line
        sale = sales.get(line.id)
        receipt: Receipt | None = accrual.receipt
        lines.append(StatementLine(
            day=line.day,
            iso_week=accrual.week.iso_week,
            farm_id=accrual.farm_id,
            canteen_id=accrual.canteen_id,
            farm_name=accrual.farm.name,
            canteen_name=accrual.canteen.name,
            product_name=line.product.name_fr,
            unit=str(line.product.unit),
            quantity=receipt.received_quantity if receipt is not None else line.quantity,
            unit_price_eur=sale.unit_price_eur if sale is not None else None,
            value_eur=accrual.base_value_eur,
            fee_eur=accrual.fee_eur,
            fund_eur=accrual.fund_eur,
            recovered_eur=Decimal(recovered.get(accrual.id) or ZERO),
            under_contract=sale is not None and sale.contract_line is not None,
            received=receipt is not None,
        ))
    accrued_ids = {accrual.allocation_line_id for accrual in accruals}
    pending = sum(1 for line_id in sales if line_id not in accrued_ids)
    return lines, pending


def _advances(farm_id: int, month: dt.date) -> list[AdvanceStatus]:
    """Return the farm's advances granted by the month's end and not closed before it."""
    session = get_session()
    last = month_end(month)
    advances = session.scalars(
        select(CashAdvance)
        .where(CashAdvance.farm_id == farm_id, CashAdvance.granted_date <= last)
        .order_by(CashAdvance.granted_date, CashAdvance.id)
    ).all()
    statuses = []
    for advance in advances:
        if advance.closed_date is not None and advance.closed_date < month:
            continue
        this_month = sum((r.amount_eur for r in advance.recoveries
                          if month <= r.recovery_date <= last), ZERO)
        statuses.append(AdvanceStatus(advance, recovered_eur(advance), this_month))
    return statuses


def farm_statement(farm_id: int, month: dt.date, actor: Actor = None) -> Statement:
    """Return a farm's statement of a month (lead, or a grower of the farm)."""
    require_farm_reader(actor, farm_id)
    farm = get_session().get(Farm, farm_id)
    if farm is None:
        raise NotFound(_("Cette ferme n'existe pas."))
    lines, pending = _statement_lines(month, farm_id=farm_id)
    return Statement("farm", farm.id, farm.name, month, lines, pending,
                     _advances(farm_id, month), farm_transport(farm_id, month, month_end(month)))


def canteen_statement(canteen_id: int, month: dt.date, actor: Actor = None) -> Statement:
    """Return a canteen's statement of a month (lead, or a manager of the canteen)."""
    require_canteen_reader(actor, canteen_id)
    canteen = get_session().get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(_("Cette cantine n'existe pas."))
    lines, pending = _statement_lines(month, canteen_id=canteen_id)
    return Statement("canteen", canteen.id, canteen.name, month, lines, pending, [])


@dataclass(frozen=True, slots=True)
class StatementTotals:
    """One farm's or canteen's totals of a month, for the overview."""

    owner_id: int
    owner_name: str
    lines: int
    value_eur: Decimal
    fee_eur: Decimal
    fund_eur: Decimal
    recovered_eur: Decimal

    @property
    def net_eur(self) -> Decimal:
        """Return what is due to (farm) or by (canteen, = value) the owner."""
        return self.value_eur - self.fee_eur - self.fund_eur - self.recovered_eur


def month_overview(month: dt.date) -> tuple[list[StatementTotals], list[StatementTotals], int]:
    """Return the month's totals per farm and per canteen, and the sales not yet accrued."""
    lines, pending = _statement_lines(month)
    by_farm: dict[tuple[str, int], list[StatementLine]] = defaultdict(list)
    by_canteen: dict[tuple[str, int], list[StatementLine]] = defaultdict(list)
    for line in lines:
        by_farm[(line.farm_name, line.farm_id)].append(line)
        by_canteen[(line.canteen_name, line.canteen_id)].append(line)

    def totals(key: tuple[str, int], group: list[StatementLine], farm: bool) -> StatementTotals:
        recovered = sum((ln.recovered_eur for ln in group), ZERO) if farm else ZERO
        fee = sum((ln.fee_eur for ln in group), ZERO) if farm else ZERO
        fund = sum((ln.fund_eur for ln in group), ZERO) if farm else ZERO
        return StatementTotals(key[1], key[0], len(group),
                               sum((ln.value_eur for ln in group), ZERO), fee, fund, recovered)

    farms = [totals(key, group, True) for key, group in sorted(by_farm.items())]
    canteens = [totals(key, group, False) for key, group in sorted(by_canteen.items())]
    return farms, canteens, pending
