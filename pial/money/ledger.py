"""The fairness ledger explained: per farm and week, value allocated, target, corrections.

The allocation engineer records the entries (``LedgerKind.ALLOCATION`` at publication,
``RECEIPT_CORRECTION`` at each receipt differing from the plan); this module only reads them.
A week's *delta* is the net of its allocation entries (several versions of a plan net out);
its *target* is the allocated value minus that delta, which is the value the solver aimed at
for the farm (its share of the week plus the catch-up of its past balance).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from pial.actors import Actor
from pial.allocation.runs import current_published_runs
from pial.clock import today_in_paris
from pial.db import get_session
from pial.errors import NotFound
from pial.i18n import sorted_by_name
from pial.models import (
    AllocationLine,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    LedgerKind,
    Season,
)
from pial.money.statements import require_farm_reader
from pial.rounding import ZERO


@dataclass(frozen=True, slots=True)
class LedgerWeek:
    """One week of a farm's ledger."""

    week: DeliveryWeek
    allocated_eur: Decimal  # value of the farm's lines in the current published plan
    week_total_eur: Decimal  # value of every farm's lines that week
    delta_eur: Decimal  # net of the week's allocation entries
    corrections_eur: Decimal  # receipts differing from the plan
    manual_eur: Decimal
    balance_eur: Decimal | None  # after the week's last entry
    entries: list[LedgerEntry]

    @property
    def target_eur(self) -> Decimal:
        """Return the value the plan targeted for the farm: allocated − delta."""
        return self.allocated_eur - self.delta_eur

    @property
    def share(self) -> Decimal | None:
        """Return the farm's share of the week's allocated value."""
        return self.allocated_eur / self.week_total_eur if self.week_total_eur else None


@dataclass(frozen=True, slots=True)
class FarmLedger:
    """A farm's ledger over a season."""

    farm: Farm
    season_label: str
    first_day: dt.date
    last_day: dt.date
    weeks: list[LedgerWeek]
    other_entries: list[LedgerEntry] = field(default_factory=list)  # no week (manual)

    @property
    def balance_eur(self) -> Decimal:
        """Return the balance after the latest entry shown."""
        balances = [w.balance_eur for w in self.weeks if w.balance_eur is not None]
        return balances[-1] if balances else ZERO

    def total(self, name: str) -> Decimal:
        """Return the season's sum of a week column."""
        return sum((getattr(week, name) for week in self.weeks), ZERO)

    def cumulative_shares(self) -> list[Decimal | None]:
        """Return, week after week, the farm's share of the value allocated since the start."""
        shares: list[Decimal | None] = []
        farm_total = all_total = ZERO
        for week in self.weeks:
            farm_total += week.allocated_eur
            all_total += week.week_total_eur
            shares.append(farm_total / all_total if all_total else None)
        return shares


def season_bounds(day: dt.date | None = None) -> tuple[str, dt.date, dt.date]:
    """Return the label, first and last day of the season containing ``day`` (default today)."""
    day = day or today_in_paris()
    season = get_session().scalar(
        select(Season).where(Season.start_date <= day, Season.end_date >= day))
    if season is not None:
        return season.code, season.start_date, season.end_date
    start_year = day.year if day.month >= 9 else day.year - 1
    return (f"{start_year}-{start_year + 1}", dt.date(start_year, 9, 1),
            dt.date(start_year + 1, 8, 31))


def _season_weeks(first: dt.date, last: dt.date) -> list[DeliveryWeek]:
    return list(get_session().scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.monday_date >= first - dt.timedelta(days=6),
               DeliveryWeek.monday_date <= last)
        .order_by(DeliveryWeek.monday_date)))


def _allocated_values(week_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Return week id → farm id → value of the current published plan's lines."""
    session = get_session()
    runs = current_published_runs(week_ids).subquery()
    rows = session.execute(
        select(runs.c.week_id, AllocationLine.farm_id, func.sum(AllocationLine.value_eur))
        .join(AllocationLine, AllocationLine.run_id == runs.c.id)
        .group_by(runs.c.week_id, AllocationLine.farm_id))
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for week_id, farm_id, total in rows:
        values[week_id][farm_id] = Decimal(total)
    return values


def farm_ledger(farm_id: int, actor: Actor = None, *, day: dt.date | None = None) -> FarmLedger:
    """Return a farm's ledger week by week over the season of ``day`` (lead or the grower)."""
    require_farm_reader(actor, farm_id)
    session = get_session()
    farm = session.get(Farm, farm_id)
    if farm is None:
        raise NotFound(_("Cette ferme n'existe pas."))
    label, first, last = season_bounds(day)
    weeks = _season_weeks(first, last)
    values = _allocated_values([w.id for w in weeks])
    entries = session.scalars(
        select(LedgerEntry).where(LedgerEntry.farm_id == farm_id).order_by(LedgerEntry.id)
    ).all()
    by_week: dict[int | None, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        by_week[entry.week_id].append(entry)
    rows = []
    for week in weeks:
        week_entries = by_week.get(week.id, [])
        allocated = values.get(week.id, {}).get(farm_id, ZERO)
        if not week_entries and not allocated:
            continue

        def amount(kind: LedgerKind, of: list[LedgerEntry] = week_entries) -> Decimal:
            return sum((e.amount_eur for e in of if e.kind == kind), ZERO)

        rows.append(LedgerWeek(
            week=week,
            allocated_eur=allocated,
            week_total_eur=sum(values.get(week.id, {}).values(), ZERO),
            delta_eur=amount(LedgerKind.ALLOCATION),
            corrections_eur=amount(LedgerKind.RECEIPT_CORRECTION),
            manual_eur=amount(LedgerKind.MANUAL),
            balance_eur=week_entries[-1].balance_after_eur if week_entries else None,
            entries=week_entries,
        ))
    return FarmLedger(farm, label, first, last, rows, by_week.get(None, []))


@dataclass(frozen=True, slots=True)
class LedgerSummary:
    """A farm's season at a glance, for the lead's overview."""

    farm: Farm
    ledger: FarmLedger

    @property
    def share(self) -> Decimal | None:
        """Return the farm's share of the season's allocated value so far."""
        shares = self.ledger.cumulative_shares()
        return shares[-1] if shares else None


def ledger_overview(actor: Actor = None, *, day: dt.date | None = None) -> list[LedgerSummary]:
    """Return every active farm's season ledger (the lead's view)."""
    session = get_session()
    farms = sorted_by_name(session.scalars(select(Farm).where(Farm.is_active)), lambda f: f.name)
    return [LedgerSummary(farm, farm_ledger(farm.id, actor, day=day)) for farm in farms]
