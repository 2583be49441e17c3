"""The period report of the group's regulation meeting: service, shortfalls and their causes,
crop failures and who covered them, ledger, contracts, fee and fund."""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from pial.actors import Actor
from pial.allocation.runs import changes_between, current_published_runs
from pial.contracts.services import ContractProgress, contract_progress
from pial.db import get_session
from pial.models import (
    AllocationRun,
    AvailabilityLine,
    Canteen,
    Contract,
    CropFailure,
    DeliveryWeek,
    Farm,
    OrderLine,
    Product,
)
from pial.money.funds import FeeTotals, accrued_totals, fund_balance_eur, fund_weekly_balance
from pial.money.ledger import LedgerSummary, ledger_overview
from pial.published.plan import plan_of


class ShortfallCause(enum.StrEnum):
    """The most likely cause of a shortfall.

    The value is the French wording written in the .xlsx export, the platform's shared record
    (French whatever the reader's language); pages show :attr:`label`, in the user's language.
    """

    CROP_FAILURE = "perte de récolte déclarée"
    SHORT_OFFER = "offre insuffisante des fermes"
    CONSTRAINTS = "contraintes de livraison (distance, jours, colis)"

    @property
    def label(self) -> str:
        """Return the cause in the language of the current request."""
        return str(CAUSE_LABELS[self])


CAUSE_LABELS = {
    ShortfallCause.CROP_FAILURE: _l("perte de récolte déclarée"),
    ShortfallCause.SHORT_OFFER: _l("offre insuffisante des fermes"),
    ShortfallCause.CONSTRAINTS: _l("contraintes de livraison (distance, jours, colis)"),
}


@dataclass(frozen=True, slots=True)
class WeekService:
    """How well a week's current published plan served the orders."""

    week: DeliveryWeek
    run: AllocationRun

    @property
    def fill_rate(self) -> float | None:
        """Return the share of the ordered value that was planned."""
        return self.run.fill_rate


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A product short in a week: how much, for which canteens, and why."""

    iso_week: str
    product: Product
    quantity: Decimal
    canteens: list[str]
    cause: ShortfallCause


@dataclass(frozen=True, slots=True)
class FailureCover:
    """A declared crop failure and the farms that took over its quantities."""

    failure: CropFailure
    covered_by: list[tuple[str, Decimal]]  # farm name, quantity taken over
    uncovered: Decimal


@dataclass(slots=True)
class RegulationReport:
    """Everything the regulation meeting looks at, over one period."""

    first_day: dt.date
    last_day: dt.date
    weeks: list[WeekService] = field(default_factory=list)
    shortfalls: list[Shortfall] = field(default_factory=list)
    failures: list[FailureCover] = field(default_factory=list)
    ledger: list[LedgerSummary] = field(default_factory=list)
    contracts: list[ContractProgress] = field(default_factory=list)
    fees: FeeTotals | None = None
    fund_opening_eur: Decimal = Decimal(0)
    fund_closing_eur: Decimal = Decimal(0)
    fund_points: list[tuple[dt.date, Decimal, Decimal]] = field(default_factory=list)

    @property
    def ordered_eur(self) -> Decimal:
        """Return the value ordered over the period."""
        return sum((w.run.ordered_eur or Decimal(0) for w in self.weeks), Decimal(0))

    @property
    def served_eur(self) -> Decimal:
        """Return the value planned (served) over the period."""
        return sum((w.run.served_eur or Decimal(0) for w in self.weeks), Decimal(0))

    @property
    def fill_rate(self) -> Decimal | None:
        """Return served / ordered over the period."""
        return self.served_eur / self.ordered_eur if self.ordered_eur else None

    @property
    def kg_km(self) -> float:
        """Return the kg·km of the period's plans."""
        return sum(w.run.kg_km or 0.0 for w in self.weeks)


def _weeks(first: dt.date, last: dt.date) -> list[WeekService]:
    session = get_session()
    weeks = session.scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.monday_date >= first - dt.timedelta(days=6),
               DeliveryWeek.monday_date <= last)
        .order_by(DeliveryWeek.monday_date)).all()
    runs = {run.week_id: run
            for run in session.scalars(current_published_runs([w.id for w in weeks]))}
    return [WeekService(week, runs[week.id]) for week in weeks if week.id in runs]


def _shortfalls(weeks: list[WeekService]) -> list[Shortfall]:
    """Group each week's shortfalls by product and name their most likely cause."""
    session = get_session()
    products = {p.slug: p for p in session.scalars(select(Product))}
    canteens = dict(session.execute(select(Canteen.id, Canteen.name)).tuples().all())
    result = []
    for service in weeks:
        short = plan_of(service.run).shortfalls
        if not short:
            continue
        by_product: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for shortfall in short:
            canteen = canteens.get(shortfall.canteen_id, str(shortfall.canteen_id))
            by_product[shortfall.product_slug][canteen] += shortfall.quantity
        week_id = service.week.id
        failed = set(session.scalars(
            select(CropFailure.product_id).where(CropFailure.week_id == week_id)))
        offered = dict(session.execute(
            select(AvailabilityLine.product_id, func.sum(AvailabilityLine.quantity))
            .where(AvailabilityLine.week_id == week_id)
            .group_by(AvailabilityLine.product_id)).tuples().all())
        ordered = dict(session.execute(
            select(OrderLine.product_id, func.sum(OrderLine.quantity))
            .where(OrderLine.week_id == week_id)
            .group_by(OrderLine.product_id)).tuples().all())
        for slug, per_canteen in sorted(by_product.items()):
            product = products[slug]
            if product.id in failed:
                cause = ShortfallCause.CROP_FAILURE
            elif Decimal(offered.get(product.id) or 0) < Decimal(ordered.get(product.id) or 0):
                cause = ShortfallCause.SHORT_OFFER
            else:
                cause = ShortfallCause.CONSTRAINTS
            result.append(Shortfall(service.week.iso_week, product,
                                    sum(per_canteen.values(), Decimal(0)),
                                    sorted(per_canteen), cause))
    return result


def _failures(first: dt.date, last: dt.date) -> list[FailureCover]:
    """Return the crop failures of the period and who took over the lost quantities."""
    session = get_session()
    failures = session.scalars(
        select(CropFailure).join(DeliveryWeek, CropFailure.week_id == DeliveryWeek.id)
        .where(DeliveryWeek.monday_date >= first - dt.timedelta(days=6),
               DeliveryWeek.monday_date <= last)
        .order_by(DeliveryWeek.monday_date, CropFailure.id)).all()
    farms = dict(session.execute(select(Farm.id, Farm.name)).tuples().all())
    covers = []
    for failure in failures:
        replan = failure.replan_run
        previous = replan.supersedes if replan is not None else None
        covered: dict[str, Decimal] = defaultdict(Decimal)
        if replan is not None and previous is not None:
            for change in changes_between(previous, replan):
                if (change.product_id == failure.product_id and change.farm_id != failure.farm_id
                        and change.delta_quantity > 0):
                    covered[farms.get(change.farm_id, "?")] += change.delta_quantity
        taken = sum(covered.values(), Decimal(0))
        covers.append(FailureCover(failure, sorted(covered.items()),
                                   max(failure.quantity_lost - taken, Decimal(0))))
    return covers


def regulation_report(first: dt.date, last: dt.date, actor: Actor = None) -> RegulationReport:
    """Build the regulation report of the period from ``first`` to ``last`` (inclusive)."""
    session = get_session()
    report = RegulationReport(first, last)
    report.weeks = _weeks(first, last)
    report.shortfalls = _shortfalls(report.weeks)
    report.failures = _failures(first, last)
    report.ledger = ledger_overview(actor, day=last)
    contracts = session.scalars(
        select(Contract).where(Contract.is_active, Contract.start_date <= last,
                               Contract.end_date >= first).order_by(Contract.title)).all()
    report.contracts = [contract_progress(c.id, actor, as_of=last) for c in contracts]
    report.fees = accrued_totals(first, last)
    report.fund_opening_eur = fund_balance_eur(first - dt.timedelta(days=1))
    report.fund_closing_eur = fund_balance_eur(last)
    report.fund_points = fund_weekly_balance(first, last)
    return report
