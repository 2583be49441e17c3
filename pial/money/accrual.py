"""Accruing a delivered week: the fee, the fund contribution and advance recoveries per sale.

``accrue_week`` materialises, for every sale of the week's current published plan, one
``FeeAccrual`` row (keyed by its allocation line, and by its receipt when there is one), the
``FundMovement`` that puts its fund contribution into the development fund, and the
``AdvanceRecovery`` rows that withhold ``recovery_rate`` of the sale from the farm's open cash
advances. Running it again changes nothing unless a receipt changed meanwhile, in which case
the rows of that sale are brought up to date. The first accrual of a week also writes down its
delivery rounds (:func:`pial.rounds.costs.keep_week_rounds`): what each grower owes and is
credited for the shared rounds, kept as they were then.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.allocation.coordination import require_coordinator
from pial.allocation.runs import current_published_runs
from pial.audit import record_audit
from pial.clock import now
from pial.db import get_session
from pial.errors import Conflict
from pial.models import (
    AdvanceRecovery,
    CashAdvance,
    DeliveryWeek,
    FeeAccrual,
    FeeKind,
    FundMovement,
    Role,
    WeekState,
)
from pial.money.rates import RateBook
from pial.published.sales import Sale, sales_of_runs
from pial.rounding import ZERO, share_of_eur
from pial.rounds.costs import keep_week_rounds, plan_rounds_to_keep
from pial.weeks.calendar import get_week


@dataclass(frozen=True, slots=True)
class AccrualReport:
    """What one accrual of a week did."""

    iso_week: str
    created: int
    updated: int
    unchanged: int
    removed: int
    fee_eur: Decimal
    fund_eur: Decimal
    recovered_eur: Decimal

    def describe(self) -> str:
        """Return a French one-line summary."""
        return str(
            _(
                "Semaine %(iso_week)s : %(created)s vente(s) comptabilisée(s), "
                "%(updated)s mise(s) à jour, %(unchanged)s inchangée(s), %(removed)s retirée(s) ; "
                "frais %(fee_eur)s €, "
                "fonds %(fund_eur)s €, avances récupérées %(recovered_eur)s €.",
                iso_week=self.iso_week,
                created=self.created,
                updated=self.updated,
                unchanged=self.unchanged,
                removed=self.removed,
                fee_eur=self.fee_eur,
                fund_eur=self.fund_eur,
                recovered_eur=self.recovered_eur,
            )
        )


def accrue_week(iso_week: str, actor: Actor = None) -> AccrualReport:
    """Materialise the fee, fund and advance-recovery rows of a delivered week (idempotent)."""
    session = get_session()
    try:
        week = get_week(iso_week)
        if actor is not None and actor.role != Role.LEAD:
            require_coordinator(actor, iso_week)
        if week.state != WeekState.DELIVERED:
            raise Conflict(
                _(
                    "La semaine %(iso_week)s n'est pas encore marquée livrée : ses ventes se "
                    "comptabilisent une fois les livraisons faites.",
                    iso_week=iso_week,
                )
            )
        # The week is history now: its rounds' costs and savings are written down, once.
        # They are planned first, for seconds, while nothing is locked.
        rounds = plan_rounds_to_keep(week)
        # Two accruals of one week (the button and the demo, say) queue up on the week's row.
        session.execute(select(DeliveryWeek.id).where(DeliveryWeek.id == week.id)
                        .with_for_update())
        report = _accrue(session, week)
        keep_week_rounds(rounds)
        record_audit(actor, "money.accrue_week", week, after={
            "created": report.created, "updated": report.updated, "removed": report.removed,
            "fee_eur": str(report.fee_eur), "fund_eur": str(report.fund_eur)})
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _accrue(session: Session, week: DeliveryWeek) -> AccrualReport:
    """Bring the week's accrual rows in line with its current published plan and receipts."""
    runs = session.scalars(current_published_runs([week.id])).all()
    sales = sorted(sales_of_runs(session, runs), key=lambda s: (s.day, s.line.id))
    existing = {
        accrual.allocation_line_id: accrual
        for accrual in session.scalars(select(FeeAccrual).where(FeeAccrual.week_id == week.id))
    }
    rates = RateBook(session)
    created = updated = unchanged = 0
    current_ids = {sale.line.id for sale in sales}
    stale = [accrual for line_id, accrual in existing.items() if line_id not in current_ids]
    for stale_accrual in stale:
        _remove_accrual(session, stale_accrual)
    for sale in sales:
        values = _accrual_values(sale, rates)
        found = existing.get(sale.line.id)
        if found is None:
            accrual = FeeAccrual(allocation_line_id=sale.line.id, week_id=week.id,
                                 farm_id=sale.line.farm_id, canteen_id=sale.line.canteen_id,
                                 created_dt=now(), **values)
            session.add(accrual)
            session.flush()
            _add_fund_movement(session, accrual, sale)
            _recover_advances(session, accrual, sale.day)
            created += 1
        elif any(getattr(found, name) != value for name, value in values.items()):
            accrual = found
            for name, value in values.items():
                setattr(accrual, name, value)
            session.execute(delete(FundMovement).where(FundMovement.fee_accrual_id == accrual.id))
            _add_fund_movement(session, accrual, sale)
            _undo_recoveries(session, accrual)
            session.flush()
            _recover_advances(session, accrual, sale.day)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    totals = session.execute(
        select(func.coalesce(func.sum(FeeAccrual.fee_eur), 0),
               func.coalesce(func.sum(FeeAccrual.fund_eur), 0))
        .where(FeeAccrual.week_id == week.id)
    ).one()
    recovered = session.scalar(
        select(func.coalesce(func.sum(AdvanceRecovery.amount_eur), 0))
        .join(FeeAccrual, AdvanceRecovery.fee_accrual_id == FeeAccrual.id)
        .where(FeeAccrual.week_id == week.id)
    )
    return AccrualReport(week.iso_week, created, updated, unchanged, len(stale),
                         Decimal(totals[0]), Decimal(totals[1]), Decimal(recovered or 0))


def _accrual_values(sale: Sale, rates: RateBook) -> dict[str, Any]:
    """Return the column values of a sale's accrual: base value, rates, fee and fund."""
    value = sale.value_eur
    fee_rate = rates.rate(FeeKind.FEE, sale.day, sale.contract_id)
    fund_rate = rates.rate(FeeKind.FUND, sale.day, sale.contract_id)
    return {
        "receipt_id": sale.receipt.id if sale.receipt is not None else None,
        "base_value_eur": value,
        "fee_rate": fee_rate,
        "fee_eur": share_of_eur(value, fee_rate),
        "fund_rate": fund_rate,
        "fund_eur": share_of_eur(value, fund_rate),
    }


def _add_fund_movement(session: Session, accrual: FeeAccrual, sale: Sale) -> None:
    """Put the sale's fund contribution into the development fund."""
    session.add(FundMovement(
        movement_date=sale.day,
        amount_eur=accrual.fund_eur,
        label=f"Contribution : {sale.line.farm.name} → {sale.line.canteen.name}, "
              f"{sale.line.product.name_fr}"[:200],
        fee_accrual_id=accrual.id,
        created_dt=now(),
    ))


def _remove_accrual(session: Session, accrual: FeeAccrual) -> None:
    """Delete an accrual whose line left the published plan, with what it caused."""
    session.execute(delete(FundMovement).where(FundMovement.fee_accrual_id == accrual.id))
    _undo_recoveries(session, accrual)
    session.delete(accrual)
    session.flush()


def _undo_recoveries(session: Session, accrual: FeeAccrual) -> None:
    """Delete the recoveries an accrual made and reopen the advances they had closed."""
    recoveries = session.scalars(
        select(AdvanceRecovery).where(AdvanceRecovery.fee_accrual_id == accrual.id)
    ).all()
    for recovery in recoveries:
        advance = recovery.advance
        advance.recoveries.remove(recovery)
        if advance.closed_date is not None and recovered_eur(advance) < advance.amount_eur:
            advance.closed_date = None
    session.flush()


def recovered_eur(advance: CashAdvance) -> Decimal:
    """Return what has been recovered on an advance so far."""
    return sum((recovery.amount_eur for recovery in advance.recoveries), ZERO)


def remaining_eur(advance: CashAdvance) -> Decimal:
    """Return what remains to recover on an advance."""
    return advance.amount_eur - recovered_eur(advance)


def open_advances(session: Session, farm_id: int, day: dt.date) -> list[CashAdvance]:
    """Return the farm's advances being recovered automatically on ``day``, oldest first."""
    return list(session.scalars(
        select(CashAdvance)
        .where(CashAdvance.farm_id == farm_id, CashAdvance.closed_date.is_(None),
               CashAdvance.recovery_rate.is_not(None), CashAdvance.granted_date <= day)
        .order_by(CashAdvance.granted_date, CashAdvance.id)
    ))


def recovery_amounts(
    sale_value_eur: Decimal,
    payable_eur: Decimal,
    advances: list[tuple[Decimal, Decimal]],
) -> list[Decimal]:
    """Return what to withhold for each advance, given (recovery rate, remaining) pairs.

    Each advance takes its rate of the sale's value, rounded to the cent, never more than what
    remains on it nor more than what is still payable to the farm on this sale.
    """
    amounts = []
    for rate, remaining in advances:
        amount = min(share_of_eur(sale_value_eur, rate), remaining, payable_eur)
        amount = max(amount, ZERO)
        amounts.append(amount)
        payable_eur -= amount
    return amounts


def _recover_advances(session: Session, accrual: FeeAccrual, day: dt.date) -> None:
    """Withhold from one sale what the farm's open advances are due, closing repaid ones."""
    advances = open_advances(session, accrual.farm_id, day)
    if not advances:
        return
    payable = accrual.base_value_eur - accrual.fee_eur - accrual.fund_eur
    amounts = recovery_amounts(
        accrual.base_value_eur, payable,
        [(advance.recovery_rate or ZERO, remaining_eur(advance)) for advance in advances],
    )
    for advance, amount in zip(advances, amounts, strict=True):
        if amount <= 0:
            continue
        advance.recoveries.append(
            AdvanceRecovery(
                recovery_date=day,
                amount_eur=amount,
                fee_accrual_id=accrual.id,
                note=_("Retenue sur la vente du %(value)s", value=day.strftime("%d/%m/%Y")),
                created_dt=now(),
            )
        )
        if remaining_eur(advance) <= 0:
            advance.closed_date = day
    session.flush()


def accrued_weeks_summary(session: Session) -> dict[int, int]:
    """Return, per week id, how many accrual rows it has."""
    rows = session.execute(
        select(FeeAccrual.week_id, func.count()).group_by(FeeAccrual.week_id)
    )
    return defaultdict(int, {week_id: count for week_id, count in rows})


def weeks_to_accrue() -> list[DeliveryWeek]:
    """Return the delivered weeks with no accrual yet, the latest first."""
    session = get_session()
    accrued = accrued_weeks_summary(session)
    delivered = session.scalars(
        select(DeliveryWeek).where(DeliveryWeek.state == WeekState.DELIVERED)
        .order_by(DeliveryWeek.monday_date.desc()))
    return [week for week in delivered if not accrued[week.id]]


def accrue_delivered_weeks(actor: Actor = None) -> list[AccrualReport]:
    """Accrue every delivered week (e.g. after loading the demo), oldest first."""
    session = get_session()
    labels = session.scalars(
        select(DeliveryWeek.iso_week)
        .where(DeliveryWeek.state == WeekState.DELIVERED)
        .order_by(DeliveryWeek.monday_date)
    ).all()
    return [accrue_week(label, actor) for label in labels]
