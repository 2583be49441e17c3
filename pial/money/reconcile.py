"""Reconciling every document that carries money, per canteen and per farm, month by month.

For each month, the lines of the delivered weeks are totalled along each path a document takes:
the delivery notes (what each day costs once receipts are recorded), the receptions (each sale:
received, else planned, quantity × the unit price stored at publication), the monthly
statements (the accrued sales), the invoices net of their credit notes (once the month is
invoiced), and, per farm, the fee and the fund contribution (accrued, recomputed from the rates
in force, and moved into the fund). Any two that differ by a cent are a difference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.allocation.runs import current_published_runs
from pial.db import get_session
from pial.deliveries.services import delivery_notes_of
from pial.invoices.services import billable_sales
from pial.models import (
    AllocationLine,
    Canteen,
    DeliveryWeek,
    Farm,
    FeeAccrual,
    FeeKind,
    FundMovement,
    Invoice,
    InvoiceLine,
    WeekState,
)
from pial.money.rates import RateBook
from pial.money.statements import month_end, month_overview, shift_month
from pial.published.plan import plan_of
from pial.rounding import ZERO, share_of_eur


@dataclass(frozen=True, slots=True)
class Difference:
    """Two documents that disagree on one owner's month."""

    owner: str  # « Cantine … » or « Ferme … »
    month: dt.date
    first: str
    first_eur: Decimal
    second: str
    second_eur: Decimal

    def describe(self) -> str:
        """Return the difference as one French line, to the cent."""
        return (f"{self.owner}, {self.month:%Y-%m} : {self.first} {self.first_eur} € ≠ "
                f"{self.second} {self.second_eur} € (écart {self.first_eur - self.second_eur} €)")


@dataclass
class Reconciliation:
    """What :func:`reconcile` compared and where documents disagree."""

    months: list[dt.date]
    compared: int = 0  # (owner, month) pairs compared
    differences: list[Difference] = field(default_factory=list)

    def compare(self, owner: str, month: dt.date, figures: list[tuple[str, Decimal]]) -> None:
        """Record a difference for each figure that differs from the first."""
        self.compared += 1
        (reference, reference_eur), *others = figures
        for name, value in others:
            if value != reference_eur:
                self.differences.append(
                    Difference(owner, month, reference, reference_eur, name, value))


def months_between(first: dt.date | None, last: dt.date | None) -> list[dt.date]:
    """Return the first days of the months from ``first``'s to ``last``'s (default: all sold)."""
    session = get_session()
    if first is None or last is None:
        days = session.execute(
            select(func.min(DeliveryWeek.monday_date), func.max(DeliveryWeek.monday_date))
            .where(DeliveryWeek.state == WeekState.DELIVERED)
        ).one()
        if days[0] is None:
            return []
        first = first or days[0]
        last = last or days[1] + dt.timedelta(days=6)
    month, months = first.replace(day=1), []
    while month <= last:
        months.append(month)
        month = shift_month(month, 1)
    return months


def reconcile(first: dt.date | None = None, last: dt.date | None = None) -> Reconciliation:
    """Compare every money document, per canteen and farm, over the months from first to last."""
    session = get_session()
    result = Reconciliation(months_between(first, last))
    canteen_names = dict(session.execute(select(Canteen.id, Canteen.name)).tuples().all())
    farm_names = dict(session.execute(select(Farm.id, Farm.name)).tuples().all())
    rates = RateBook(session)
    for month in result.months:
        sales = billable_sales(session, month)
        received_c: dict[int, Decimal] = defaultdict(lambda: ZERO)
        received_f: dict[int, Decimal] = defaultdict(lambda: ZERO)
        fee_f: dict[int, Decimal] = defaultdict(lambda: ZERO)
        fund_f: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for sale in sales:
            received_c[sale.line.canteen_id] += sale.value_eur
            received_f[sale.line.farm_id] += sale.value_eur
            fee_f[sale.line.farm_id] += share_of_eur(
                sale.value_eur, rates.rate(FeeKind.FEE, sale.day, sale.contract_id))
            fund_f[sale.line.farm_id] += share_of_eur(
                sale.value_eur, rates.rate(FeeKind.FUND, sale.day, sale.contract_id))
        notes = _delivery_note_totals(session, month)
        farms, canteens, _pending = month_overview(month)
        statement_c = {totals.owner_id: totals.value_eur for totals in canteens}
        statement_f = {totals.owner_id: totals for totals in farms}
        invoiced = _invoiced(session, month)
        moved = _fund_movements(session, month)
        for canteen_id in sorted(received_c.keys() | statement_c.keys() | notes.keys(),
                                 key=lambda cid: canteen_names[cid]):
            figures = [("réceptions", received_c.get(canteen_id, ZERO)),
                       ("bons de livraison", notes.get(canteen_id, ZERO)),
                       ("relevé", statement_c.get(canteen_id, ZERO))]
            if invoiced is not None:
                figures.append(("factures", invoiced[0].get(canteen_id, ZERO)))
            result.compare(f"Cantine {canteen_names[canteen_id]}", month, figures)
        for farm_id in sorted(received_f.keys() | statement_f.keys(),
                              key=lambda fid: farm_names[fid]):
            owner = f"Ferme {farm_names[farm_id]}"
            totals = statement_f.get(farm_id)
            figures = [("réceptions", received_f.get(farm_id, ZERO)),
                       ("relevé", totals.value_eur if totals else ZERO)]
            if invoiced is not None:
                figures.append(("factures", invoiced[1].get(farm_id, ZERO)))
            result.compare(owner, month, figures)
            result.compare(owner, month, [
                ("frais aux taux en vigueur", fee_f.get(farm_id, ZERO)),
                ("frais du relevé", totals.fee_eur if totals else ZERO)])
            result.compare(owner, month, [
                ("fonds aux taux en vigueur", fund_f.get(farm_id, ZERO)),
                ("fonds du relevé", totals.fund_eur if totals else ZERO),
                ("versé au fonds", moved.get(farm_id, ZERO))])
    return result


def _delivery_note_totals(session: Session, month: dt.date) -> dict[int, Decimal]:
    """Return, per canteen, what its delivery notes of the month charge (net of shortfalls)."""
    last = month_end(month)
    weeks = session.scalars(select(DeliveryWeek.id).where(
        DeliveryWeek.monday_date >= month - dt.timedelta(days=6),
        DeliveryWeek.monday_date <= last, DeliveryWeek.state == WeekState.DELIVERED)).all()
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for run in session.scalars(current_published_runs(weeks)):
        plan = plan_of(run)
        for canteen_id in sorted({line.canteen_id for line in plan.lines}):
            for note in delivery_notes_of(plan, canteen_id):
                if month <= note.day <= last:
                    totals[canteen_id] += note.charged_total_eur
    return totals


def _invoiced(
    session: Session, month: dt.date
) -> tuple[dict[int, Decimal], dict[int, Decimal]] | None:
    """Return what is invoiced net of credit notes per canteen and per farm, if the month is."""
    if session.scalar(select(func.count(Invoice.id)).where(Invoice.month == month)) == 0:
        return None
    rows = session.execute(
        select(InvoiceLine.canteen_id, InvoiceLine.farm_id, func.sum(InvoiceLine.value_eur))
        .join(Invoice, InvoiceLine.invoice_id == Invoice.id)
        .where(Invoice.month == month)
        .group_by(InvoiceLine.canteen_id, InvoiceLine.farm_id)
    ).tuples()
    by_canteen: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_farm: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for canteen_id, farm_id, value in rows:
        by_canteen[canteen_id] += Decimal(value)
        by_farm[farm_id] += Decimal(value)
    return by_canteen, by_farm


def _fund_movements(session: Session, month: dt.date) -> dict[int, Decimal]:
    """Return, per farm, the contributions its month's sales put into the fund."""
    rows = session.execute(
        select(FeeAccrual.farm_id, func.sum(FundMovement.amount_eur))
        .join(FeeAccrual, FundMovement.fee_accrual_id == FeeAccrual.id)
        .join(AllocationLine, FeeAccrual.allocation_line_id == AllocationLine.id)
        .where(AllocationLine.day >= month, AllocationLine.day <= month_end(month))
        .group_by(FeeAccrual.farm_id)
    ).tuples()
    return {farm_id: Decimal(total) for farm_id, total in rows}
