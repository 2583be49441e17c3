"""The development fund, the fee and fund rates, and the growers' cash advances (the lead)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now
from pial.db import get_session
from pial.editing import apply_edit, create_record
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.models import (
    AdvanceRecovery,
    AllocationLine,
    CashAdvance,
    Contract,
    Farm,
    FeeAccrual,
    FeeKind,
    FeeRate,
    FundMovement,
    Role,
    User,
)
from pial.money.accrual import recovered_eur
from pial.rounding import ZERO, to_cent

ADVANCE_LABELS = {"farm_id": _l("Ferme"), "amount_eur": _l("Montant"),
                  "granted_date": _l("Accordée le"), "recovery_rate": _l("Taux de retenue"),
                  "note": _l("Note"), "season_id": _l("Saison")}


def require_lead(actor: Actor) -> None:
    """Raise Forbidden unless ``actor`` is the lead (or the system)."""
    if actor is not None and actor.role != Role.LEAD:
        raise Forbidden(_("Seule la personne responsable du projet peut faire cela."))


def farm_choices() -> list[tuple[int, str]]:
    """Return every farm as (id, name), by name."""
    return [(farm.id, farm.name)
            for farm in sorted_by_name(get_session().scalars(select(Farm)), lambda f: f.name)]


def contract_choices() -> list[tuple[int, str]]:
    """Return every contract as (id, title), by title."""
    return [(contract.id, contract.title)
            for contract in get_session().scalars(select(Contract).order_by(Contract.title))]


# --- The fund ----------------------------------------------------------------------------------


def fund_balance_eur(until: dt.date | None = None) -> Decimal:
    """Return the fund's balance (every movement up to ``until`` included)."""
    query = select(func.coalesce(func.sum(FundMovement.amount_eur), 0))
    if until is not None:
        query = query.where(FundMovement.movement_date <= until)
    return Decimal(get_session().scalar(query) or 0)


def fund_weekly_balance(first: dt.date, last: dt.date) -> list[tuple[dt.date, Decimal, Decimal]]:
    """Return (Monday, week's net movement, balance after) for each week from first to last."""
    session = get_session()
    start_balance = fund_balance_eur(first - dt.timedelta(days=1))
    movements = session.execute(
        select(FundMovement.movement_date, FundMovement.amount_eur)
        .where(FundMovement.movement_date >= first, FundMovement.movement_date <= last))
    by_week: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in movements:
        by_week[day - dt.timedelta(days=day.weekday())] += amount
    monday = first - dt.timedelta(days=first.weekday())
    balance = start_balance
    points = []
    while monday <= last:
        balance += by_week.get(monday, ZERO)
        points.append((monday, by_week.get(monday, ZERO), balance))
        monday += dt.timedelta(weeks=1)
    return points


def manual_fund_movements(limit: int = 50) -> list[FundMovement]:
    """Return the latest movements entered by hand (spendings, grants), latest first."""
    return list(get_session().scalars(
        select(FundMovement).where(FundMovement.fee_accrual_id.is_(None))
        .order_by(FundMovement.movement_date.desc(), FundMovement.id.desc()).limit(limit)))


def record_fund_movement(
    actor: User, movement_date: dt.date, amount_eur: Decimal, label: str, note: str | None
) -> FundMovement:
    """Record a spending (negative) or an outside contribution (positive) of the fund."""
    require_lead(actor)
    errors: dict[str, list[str]] = {}
    if amount_eur == 0:
        errors["amount_eur"] = [_("Indiquez un montant non nul (négatif pour une dépense).")]
    if not label.strip():
        errors["label"] = [_("Indiquez l'objet du mouvement.")]
    if errors:
        raise InvalidInput(
            _("Mouvement non enregistré : ") + " ".join(m for ms in errors.values() for m in ms),
            errors,
        )
    movement = FundMovement(movement_date=movement_date, amount_eur=to_cent(amount_eur),
                            label=label.strip()[:200], note=note or None,
                            created_by_id=actor.id, created_dt=now())
    created: FundMovement = create_record(actor, movement, action="fund.movement")
    return created


@dataclass(frozen=True, slots=True)
class FeeTotals:
    """Fee and fund accrued over a span."""

    value_eur: Decimal
    fee_eur: Decimal
    fund_eur: Decimal


def accrued_totals(first: dt.date, last: dt.date) -> FeeTotals:
    """Return the value, fee and fund accrued on sales delivered from first to last."""
    row = get_session().execute(
        select(func.coalesce(func.sum(FeeAccrual.base_value_eur), 0),
               func.coalesce(func.sum(FeeAccrual.fee_eur), 0),
               func.coalesce(func.sum(FeeAccrual.fund_eur), 0))
        .join(AllocationLine, FeeAccrual.allocation_line_id == AllocationLine.id)
        .where(AllocationLine.day >= first, AllocationLine.day <= last)).one()
    return FeeTotals(Decimal(row[0]), Decimal(row[1]), Decimal(row[2]))


# --- Rates -------------------------------------------------------------------------------------


def list_rates() -> list[FeeRate]:
    """Return every fee and fund rate, platform-wide first, then by date."""
    return list(get_session().scalars(
        select(FeeRate).order_by(FeeRate.contract_id.is_not(None), FeeRate.contract_id,
                                 FeeRate.kind, FeeRate.valid_from)))


def add_rate(
    actor: User, kind: str, rate: Decimal, valid_from: dt.date, contract_id: int | None,
    note: str | None,
) -> FeeRate:
    """Add a rate in force from a date, for the platform or one contract (never edited after)."""
    require_lead(actor)
    session = get_session()
    errors: dict[str, list[str]] = {}
    try:
        fee_kind = FeeKind(kind)
    except ValueError:
        errors["kind"] = [_("Choisissez « frais » ou « fonds ».")]
        fee_kind = FeeKind.FEE
    if not Decimal(0) <= rate <= Decimal(1):
        errors["rate"] = [_("Un taux est compris entre 0 et 100 %.")]
    if contract_id is not None and session.get(Contract, contract_id) is None:
        errors["contract_id"] = [_("Ce contrat n'existe pas.")]
    owner = FeeRate.contract_id.is_(None) if contract_id is None else (
        FeeRate.contract_id == contract_id)
    if session.scalar(select(FeeRate.id).where(FeeRate.kind == fee_kind, owner,
                                               FeeRate.valid_from == valid_from)):
        errors["valid_from"] = [_("Un taux de ce type commence déjà ce jour-là.")]
    if errors:
        raise InvalidInput(
            _("Taux non enregistré : ") + " ".join(m for ms in errors.values() for m in ms), errors
        )
    record = FeeRate(kind=fee_kind, rate=rate, valid_from=valid_from, contract_id=contract_id,
                     note=note or None, created_dt=now())
    created: FeeRate = create_record(actor, record, action="fee_rate.create")
    return created


def delete_rate(actor: User, rate_id: int) -> None:
    """Delete a rate that no accrual has used yet (rates of the past stay as they were)."""
    require_lead(actor)
    session = get_session()
    record = session.get(FeeRate, rate_id)
    if record is None:
        raise NotFound(_("Ce taux n'existe pas (ou plus)."))
    used = session.scalar(
        select(func.count()).select_from(FeeAccrual)
        .join(AllocationLine, FeeAccrual.allocation_line_id == AllocationLine.id)
        .where(AllocationLine.day >= record.valid_from))
    if used:
        raise Conflict(
            _(
                "Ce taux a déjà servi à comptabiliser des ventes : ajoutez plutôt un nouveau taux "
                "à partir d'une date."
            )
        )
    record_audit(actor, "fee_rate.delete", record,
                 before={"kind": record.kind.value, "rate": str(record.rate),
                         "valid_from": str(record.valid_from)})
    session.delete(record)
    session.commit()


# --- Cash advances -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdvanceRow:
    """An advance and its recovery so far."""

    advance: CashAdvance
    recovered_eur: Decimal

    @property
    def remaining_eur(self) -> Decimal:
        """Return what remains to recover."""
        return self.advance.amount_eur - self.recovered_eur


def list_advances(farm_id: int | None = None) -> list[AdvanceRow]:
    """Return the advances (of one farm, or all), open ones first, the latest first."""
    query = select(CashAdvance).order_by(CashAdvance.closed_date.is_not(None),
                                         CashAdvance.granted_date.desc(), CashAdvance.id.desc())
    if farm_id is not None:
        query = query.where(CashAdvance.farm_id == farm_id)
    return [AdvanceRow(a, recovered_eur(a)) for a in get_session().scalars(query)]


def get_advance(advance_id: int) -> CashAdvance:
    """Return an advance or raise NotFound."""
    advance = get_session().get(CashAdvance, advance_id)
    if advance is None:
        raise NotFound(_("Cette avance n'existe pas (ou plus)."))
    return advance


def _check_advance(values: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if get_session().get(Farm, values["farm_id"]) is None:
        errors["farm_id"] = [_("Cette ferme n'existe pas.")]
    if values["amount_eur"] is None or values["amount_eur"] <= 0:
        errors["amount_eur"] = [_("Le montant doit être positif.")]
    rate = values.get("recovery_rate")
    if rate is not None and not Decimal(0) < rate <= Decimal(1):
        errors["recovery_rate"] = [_("Le taux de retenue est compris entre 0 et 100 %.")]
    if errors:
        raise InvalidInput(
            _("Avance non enregistrée : ")
            + " ".join(f"{ADVANCE_LABELS[n]} — {' '.join(ms)}" for n, ms in errors.items()),
            errors,
        )


def save_advance(
    actor: User, advance_id: int | None, values: Mapping[str, Any], expected_version: int | None
) -> CashAdvance:
    """Grant an advance, or correct one (its farm cannot change once recoveries were made)."""
    require_lead(actor)
    _check_advance(values)
    if advance_id is None:
        created: CashAdvance = create_record(
            actor, CashAdvance(created_by_id=actor.id, created_dt=now(), **values),
            action="advance.create")
        return created
    advance = get_advance(advance_id)
    if advance.recoveries and values["farm_id"] != advance.farm_id:
        raise Conflict(
            _("Des sommes ont déjà été retenues pour cette avance : sa ferme ne peut plus changer.")
        )
    if values["amount_eur"] < recovered_eur(advance):
        raise InvalidInput(
            _(
                "Montant : il ne peut pas être inférieur à ce qui a déjà été récupéré "
                "(%(recovered_eur)s €).",
                recovered_eur=recovered_eur(advance),
            ),
            {"amount_eur": [_("Inférieur au montant déjà récupéré.")]},
        )
    apply_edit(actor, advance, dict(values), expected_version=expected_version,
               action="advance.update", labels=ADVANCE_LABELS)
    _close_if_repaid(advance, values["granted_date"])
    get_session().commit()
    return advance


def _close_if_repaid(advance: CashAdvance, day: dt.date) -> None:
    """Close an advance fully recovered, reopen one whose amount grew."""
    if recovered_eur(advance) >= advance.amount_eur:
        if advance.closed_date is None:
            advance.closed_date = max((r.recovery_date for r in advance.recoveries), default=day)
    elif advance.closed_date is not None and not (advance.note or "").startswith("[abandon]"):
        advance.closed_date = None


def record_repayment(
    actor: User, advance_id: int, repaid_on: dt.date, amount_eur: Decimal, note: str | None
) -> AdvanceRecovery:
    """Record a repayment made outside the sales (e.g. a transfer from the grower)."""
    require_lead(actor)
    advance = get_advance(advance_id)
    remaining = advance.amount_eur - recovered_eur(advance)
    if amount_eur <= 0 or amount_eur > remaining:
        raise InvalidInput(
            _("Montant : entre 0,01 € et ce qui reste dû (%(remaining)s €).", remaining=remaining),
            {"amount_eur": [_("Au plus %(remaining)s €.", remaining=remaining)]},
        )
    recovery = AdvanceRecovery(recovery_date=repaid_on, amount_eur=to_cent(amount_eur),
                               note=note or "Remboursement direct", created_dt=now())
    advance.recoveries.append(recovery)
    _close_if_repaid(advance, repaid_on)
    get_session().flush()
    record_audit(actor, "advance.repayment", advance,
                 after={"amount_eur": str(recovery.amount_eur), "date": str(repaid_on)})
    get_session().commit()
    return recovery


def write_off_advance(actor: User, advance_id: int, day: dt.date) -> CashAdvance:
    """Close an advance without recovering the rest (the group's decision, audited)."""
    require_lead(actor)
    advance = get_advance(advance_id)
    if advance.closed_date is not None:
        raise Conflict(_("Cette avance est déjà close."))
    remaining = advance.amount_eur - recovered_eur(advance)
    advance.closed_date = day
    # Stored, and recognised by its « [abandon] » prefix: French whatever the user's language.
    advance.note = f"[abandon] {remaining} € non récupérés le {day:%d/%m/%Y}. " + (
        advance.note or "")
    record_audit(actor, "advance.write_off", advance, after={"remaining_eur": str(remaining)})
    get_session().commit()
    return advance


def delete_advance(actor: User, advance_id: int) -> None:
    """Delete an advance entered by mistake (only if nothing was recovered on it)."""
    require_lead(actor)
    advance = get_advance(advance_id)
    if advance.recoveries:
        raise Conflict(
            _(
                "Des sommes ont déjà été récupérées sur cette avance : elle ne peut plus être "
                "supprimée (abandonnez-la plutôt)."
            )
        )
    record_audit(actor, "advance.delete", advance,
                 before={"farm_id": advance.farm_id, "amount_eur": str(advance.amount_eur)})
    get_session().delete(advance)
    get_session().commit()
