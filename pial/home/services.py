"""What the home page shows: for each person, what is expected of them this week.

Read-only: these functions gather rows already written by the weeks, allocation and
deliveries services; they never change anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from pial.allocation.runs import latest_run, published_run
from pial.clock import iso_week_label, now, today_in_paris
from pial.db import get_session
from pial.i18n import format_iso_week
from pial.models import (
    AllocationLine,
    AllocationRun,
    AvailabilityLine,
    Canteen,
    CoordinatorAssignment,
    DeliveryWeek,
    Farm,
    OrderLine,
    Role,
    User,
)
from pial.models.allocation import RunStatus
from pial.models.weeks import WeekState
from pial.weeks.calendar import previous_published_week, week_that_matters

#: States of a week in which a published planning is being delivered.
_PUBLISHED_STATES = (WeekState.PUBLISHED, WeekState.DELIVERED)


@dataclass(frozen=True, slots=True)
class WeekOverview:
    """The current ISO week and, when it exists, its delivery week record."""

    iso_week: str
    week: DeliveryWeek | None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline, whether it is still ahead, and the time left in words."""

    moment: dt.datetime
    remaining: str
    passed: bool


@dataclass(frozen=True, slots=True)
class GrowerHome:
    """A grower's week: the open week's offer, this week's pick list, a week to coordinate."""

    farm: Farm
    open_week: DeliveryWeek | None
    offer_lines: int
    deadline: Deadline | None
    delivery_week: DeliveryWeek | None
    delivery_days: list[dt.date]
    delivery_kg: float
    coordinated_weeks: list[CoordinatedWeek]
    previous_week: DeliveryWeek | None = None  # last week's pick list, one tap away


@dataclass(frozen=True, slots=True)
class CanteenHome:
    """A canteen's week: the open week's order and the next delivery."""

    canteen: Canteen
    open_week: DeliveryWeek | None
    order_lines: int
    deadline: Deadline | None
    next_delivery_day: dt.date | None
    next_delivery_week: DeliveryWeek | None
    current_week: DeliveryWeek | None = None  # the week being prepared or delivered next
    previous_week: DeliveryWeek | None = None  # last week's delivery notes, one tap away


@dataclass(frozen=True, slots=True)
class LeadWeek:
    """One week on the lead's board: its state and what it waits for."""

    week: DeliveryWeek
    farms_with_offer: int
    canteens_with_order: int
    latest_run: AllocationRun | None


@dataclass(frozen=True, slots=True)
class LeadHome:
    """The lead's board: recent and coming weeks, what awaits a decision, alerts."""

    weeks: list[LeadWeek]
    awaiting_allocation: list[DeliveryWeek]
    awaiting_publication: list[DeliveryWeek]
    alerts: list[str] = field(default_factory=list)


def current_week_overview(today: dt.date | None = None) -> WeekOverview:
    """Return the overview of the ISO week containing ``today``."""
    iso_week = iso_week_label(today or today_in_paris())
    week = get_session().scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == iso_week))
    return WeekOverview(iso_week=iso_week, week=week)


def time_left_text(delta: dt.timedelta) -> str:
    """Say a duration the way a deadline countdown does: « 2 jours 5 h », « 3 h 20 min »."""
    total_min = int(delta.total_seconds() // 60)
    if total_min <= 0:
        return str(gettext("échue"))
    days, rest_min = divmod(total_min, 24 * 60)
    hours, minutes = divmod(rest_min, 60)
    if days:
        return str(ngettext("%(num)d jour %(h)d h", "%(num)d jours %(h)d h", days, h=hours))
    if hours:
        return str(gettext("%(h)d h %(min)d min", h=hours, min=minutes))
    return str(gettext("%(min)d min", min=minutes))


def deadline_of(moment: dt.datetime) -> Deadline:
    """Return the deadline at ``moment`` with the time left from now."""
    left = moment - now()
    return Deadline(moment=moment, remaining=time_left_text(left), passed=left.total_seconds() <= 0)


def _next_open_week(for_orders: bool) -> DeliveryWeek | None:
    """Return the open week whose deadline comes first and is not past, else the latest open."""
    weeks = list(
        get_session().scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state == WeekState.OPEN)
            .order_by(DeliveryWeek.monday_date)
        )
    )
    moment = now()
    for week in weeks:
        deadline = week.order_deadline_dt if for_orders else week.availability_deadline_dt
        if deadline > moment:
            return week
    return weeks[-1] if weeks else None


def _weeks_around(today: dt.date) -> tuple[DeliveryWeek | None, DeliveryWeek | None]:
    """Return the week that matters now (being prepared or delivered next) and last week."""
    week = week_that_matters(today)
    return week, previous_published_week(week) if week is not None else None


def grower_home(farm_id: int) -> GrowerHome:
    """Return what a grower of farm ``farm_id`` has to do: offer, pick list, coordination."""
    session = get_session()
    farm = session.get(Farm, farm_id)
    if farm is None:
        raise LookupError(farm_id)
    open_week = _next_open_week(for_orders=False)
    offer_lines = 0
    deadline = None
    if open_week is not None:
        offer_lines = session.scalar(
            select(func.count()).select_from(AvailabilityLine).where(
                AvailabilityLine.week_id == open_week.id,
                AvailabilityLine.farm_id == farm_id,
                AvailabilityLine.quantity > 0,
            )
        ) or 0
        deadline = deadline_of(open_week.availability_deadline_dt)
    delivery_week, previous_week = _weeks_around(today_in_paris())
    days: list[dt.date] = []
    delivery_kg = 0.0
    if delivery_week is not None and delivery_week.state in _PUBLISHED_STATES:
        run = published_run(delivery_week)
        if run is not None:
            rows = session.execute(
                select(AllocationLine.day, func.sum(AllocationLine.quantity))
                .where(AllocationLine.run_id == run.id, AllocationLine.farm_id == farm_id,
                       AllocationLine.quantity > 0)
                .group_by(AllocationLine.day)
                .order_by(AllocationLine.day)
            ).all()
            days = [row[0] for row in rows]
            delivery_kg = float(sum(row[1] or 0 for row in rows))
    return GrowerHome(
        farm=farm,
        open_week=open_week,
        offer_lines=offer_lines,
        deadline=deadline,
        delivery_week=delivery_week,
        delivery_days=days,
        delivery_kg=delivery_kg,
        coordinated_weeks=_coordinated_weeks(farm_id),
        previous_week=previous_week,
    )


@dataclass(frozen=True, slots=True)
class CoordinatedWeek:
    """A week this farm coordinates (or stands in for) that still needs its coordinator."""

    week: DeliveryWeek
    assignment: CoordinatorAssignment

    @property
    def is_backup(self) -> bool:
        """Tell whether the farm is only the backup of the week's coordinating farm."""
        return self.assignment.farm_id != self._farm_id

    _farm_id: int = 0


def backup_candidates(farm_id: int) -> list[Farm]:
    """Return the active farms a coordinating farm may name as its backup (all but itself)."""
    return list(
        get_session().scalars(
            select(Farm).where(Farm.is_active, Farm.id != farm_id).order_by(Farm.name)
        )
    )


def _coordinated_weeks(farm_id: int) -> list[CoordinatedWeek]:
    """Return the weeks this farm coordinates or backs up that still wait for their coordinator.

    Open (to close), closed (to allocate), allocated (to review and publish).
    """
    rows = get_session().execute(
        select(DeliveryWeek, CoordinatorAssignment)
        .join(CoordinatorAssignment, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .where(
            (CoordinatorAssignment.farm_id == farm_id)
            | (CoordinatorAssignment.backup_farm_id == farm_id),
            DeliveryWeek.state.in_((WeekState.OPEN, WeekState.CLOSED, WeekState.ALLOCATED)),
        )
        .order_by(DeliveryWeek.monday_date)
    ).tuples()
    return [CoordinatedWeek(week, assignment, farm_id) for week, assignment in rows]


def canteen_home(canteen_id: int) -> CanteenHome:
    """Return what a canteen manager has to do: the order of the open week, the next delivery."""
    session = get_session()
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise LookupError(canteen_id)
    open_week = _next_open_week(for_orders=True)
    order_lines = 0
    deadline = None
    if open_week is not None:
        order_lines = session.scalar(
            select(func.count()).select_from(OrderLine).where(
                OrderLine.week_id == open_week.id,
                OrderLine.canteen_id == canteen_id,
                OrderLine.quantity > 0,
            )
        ) or 0
        deadline = deadline_of(open_week.order_deadline_dt)
    today = today_in_paris()
    next_day, next_week = _next_delivery(canteen_id, today)
    current_week, previous_week = _weeks_around(today)
    return CanteenHome(
        canteen=canteen,
        open_week=open_week,
        order_lines=order_lines,
        deadline=deadline,
        next_delivery_day=next_day,
        next_delivery_week=next_week,
        current_week=current_week,
        previous_week=previous_week,
    )


def _next_delivery(canteen_id: int, today: dt.date) -> tuple[dt.date | None, DeliveryWeek | None]:
    """Return the next day (today included) a published planning delivers the canteen."""
    session = get_session()
    weeks = session.scalars(
        select(DeliveryWeek)
        .where(
            DeliveryWeek.state.in_(_PUBLISHED_STATES),
            DeliveryWeek.monday_date >= today - dt.timedelta(days=6),
        )
        .order_by(DeliveryWeek.monday_date)
    )
    for week in weeks:
        run = published_run(week)
        if run is None:
            continue
        day = session.scalar(
            select(func.min(AllocationLine.day)).where(
                AllocationLine.run_id == run.id,
                AllocationLine.canteen_id == canteen_id,
                AllocationLine.quantity > 0,
                AllocationLine.day >= today,
            )
        )
        if day is not None:
            return day, week
    return None, None


def lead_home(weeks_before: int = 2, weeks_after: int = 3) -> LeadHome:
    """Return the lead's board: weeks around today, decisions awaited, and alerts."""
    session = get_session()
    today = today_in_paris()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = list(
        session.scalars(
            select(DeliveryWeek)
            .where(
                DeliveryWeek.monday_date >= monday - dt.timedelta(weeks=weeks_before),
                DeliveryWeek.monday_date <= monday + dt.timedelta(weeks=weeks_after),
            )
            .order_by(DeliveryWeek.monday_date)
        )
    )
    board = [_lead_week(week) for week in weeks]
    awaiting_allocation = list(
        session.scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state == WeekState.CLOSED)
            .order_by(DeliveryWeek.monday_date)
        )
    )
    awaiting_publication = list(
        session.scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state == WeekState.ALLOCATED)
            .order_by(DeliveryWeek.monday_date)
        )
    )
    return LeadHome(
        weeks=board,
        awaiting_allocation=awaiting_allocation,
        awaiting_publication=awaiting_publication,
        alerts=_alerts(board),
    )


def _lead_week(week: DeliveryWeek) -> LeadWeek:
    """Count a week's offers and orders and find its latest run."""
    session = get_session()
    farms = session.scalar(
        select(func.count(func.distinct(AvailabilityLine.farm_id))).where(
            AvailabilityLine.week_id == week.id, AvailabilityLine.quantity > 0
        )
    ) or 0
    canteens = session.scalar(
        select(func.count(func.distinct(OrderLine.canteen_id))).where(
            OrderLine.week_id == week.id, OrderLine.quantity > 0
        )
    ) or 0
    return LeadWeek(week=week, farms_with_offer=farms, canteens_with_order=canteens,
                    latest_run=latest_run(week))


def _alerts(board: list[LeadWeek]) -> list[str]:
    """Name what needs the lead's attention: failed runs, open weeks past a deadline, no offer."""
    session = get_session()
    moment = now()
    active_farms = session.scalar(
        select(func.count()).select_from(Farm).where(Farm.is_active.is_(True))
    ) or 0
    alerts = []
    for item in board:
        week = item.week
        label = format_iso_week(week.iso_week)
        run = item.latest_run
        if run is not None and run.status not in (RunStatus.OPTIMAL, RunStatus.FEASIBLE):
            alerts.append(gettext("%(week)s : la dernière répartition n'a pas abouti.", week=label))
        if week.state == WeekState.OPEN and week.order_deadline_dt <= moment:
            alerts.append(gettext(
                "%(week)s : les commandes sont échues mais la semaine est encore ouverte.",
                week=label,
            ))
        if (week.state == WeekState.OPEN and week.availability_deadline_dt <= moment
                and item.farms_with_offer < active_farms):
            alerts.append(gettext(
                "%(week)s : %(missing)d ferme(s) sans offre alors que la date limite est passée.",
                week=label, missing=active_farms - item.farms_with_offer,
            ))
    return alerts


def home_for(user: User) -> GrowerHome | CanteenHome | LeadHome | None:
    """Return the home board matching the role of ``user``."""
    if user.role == Role.LEAD:
        return lead_home()
    if user.role == Role.GROWER and user.farm_id is not None:
        return grower_home(user.farm_id)
    if user.role == Role.CANTEEN and user.canteen_id is not None:
        return canteen_home(user.canteen_id)
    return None
