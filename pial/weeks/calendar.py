"""The calendar of delivery weeks: labels, deadlines, delivery days, seasons, edit windows.

Reads, except :func:`ensure_week` (joins the caller's transaction) and
:func:`get_or_create_week` (commits). Who coordinates a week is read here too: the week pages
show it, and :mod:`pial.rotation`, which draws the rotation up, builds on this calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import monday_of, now, today_in_paris
from pial.db import get_session
from pial.errors import InvalidInput, NotFound
from pial.i18n import sorted_by_name
from pial.models import (
    Canteen,
    CoordinatorAssignment,
    DeliveryWeek,
    Farm,
    Price,
    Product,
    Role,
    Season,
    WeekState,
    find_platform,
    parse_weekdays,
)
from pial.weeks.states import describe_state

WEEKDAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

_ISO_WEEK_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")

# States in which somebody may still change offers and orders: everyone while open (before the
# deadline), the lead also after the deadline and until a planning is published.
_EDITABLE_STATES = (WeekState.OPEN,)
_LEAD_EDITABLE_STATES = (WeekState.OPEN, WeekState.CLOSED, WeekState.ALLOCATED)


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """The platform's weekly calendar (defaults when the settings row does not exist yet)."""

    timezone: str = "Europe/Paris"
    delivery_weekdays: tuple[int, ...] = (1, 4)
    deadline_weeks_before: int = 1
    availability_deadline_weekday: int = 4
    availability_deadline_time: dt.time = dt.time(12, 0)
    order_deadline_weekday: int = 5
    order_deadline_time: dt.time = dt.time(12, 0)
    publish_fallback_weekday: int = 6
    publish_fallback_time: dt.time = dt.time(12, 0)


@dataclass(frozen=True, slots=True)
class EditWindow:
    """Whether an actor may still edit a week's offers (or orders), and why not."""

    editable: bool
    deadline_dt: dt.datetime
    reason: str | None = None


# --- Labels and settings ---------------------------------------------------------------------


def normalise_iso_week(text: str) -> str:
    """Return ``2026-W48`` for ``2026-W48``, ``2026-w48`` or ``2026W48``; refuse anything else."""
    match = _ISO_WEEK_PATTERN.match(text or "")
    if match:
        year, week_number = int(match[1]), int(match[2])
        try:
            dt.date.fromisocalendar(year, week_number, 1)
        except ValueError:
            pass
        else:
            return f"{year}-W{week_number:02d}"
    raise InvalidInput(
        gettext("Semaine « %(text)s » invalide : écrivez-la comme 2026-W48.", text=text),
        {"semaine": [gettext("invalide")]},
    )


def current_iso_week() -> str:
    """Return the ISO week label of today in Paris."""
    year, week_number, _ = today_in_paris().isocalendar()
    return f"{year}-W{week_number:02d}"


def calendar_settings(session: Session | None = None) -> CalendarSettings:
    """Return the platform's calendar settings, or the defaults when none are saved."""
    platform = find_platform(session or get_session())
    if platform is None:
        return CalendarSettings()
    return CalendarSettings(
        timezone=platform.timezone or "Europe/Paris",
        delivery_weekdays=tuple(parse_weekdays(platform.delivery_weekdays or "")),
        deadline_weeks_before=platform.deadline_weeks_before,
        availability_deadline_weekday=platform.availability_deadline_weekday,
        availability_deadline_time=platform.availability_deadline_time,
        order_deadline_weekday=platform.order_deadline_weekday,
        order_deadline_time=platform.order_deadline_time,
        publish_fallback_weekday=platform.publish_fallback_weekday,
        publish_fallback_time=platform.publish_fallback_time,
    )


def deadline_for(
    monday: dt.date, weekday: int, wall_time: dt.time, settings: CalendarSettings
) -> dt.datetime:
    """Return, in UTC, ``weekday`` at ``wall_time`` (platform time) of the deadline week."""
    deadline_monday = monday - dt.timedelta(weeks=settings.deadline_weeks_before)
    day = deadline_monday + dt.timedelta(days=weekday - 1)
    local = dt.datetime.combine(day, wall_time, tzinfo=ZoneInfo(settings.timezone))
    return local.astimezone(dt.UTC)


def format_deadline(moment: dt.datetime, timezone: str = "Europe/Paris") -> str:
    """Return « jeudi 19 novembre à 12 h 00 » in the platform's time zone."""
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_date(local.date(), format="EEEE d MMMM", locale=str(get_locale() or "fr"))
    return str(
        gettext(
            "%(day)s à %(hour)s h %(minute)s",
            day=day,
            hour=local.hour,
            minute=format(local.minute, "02d"),
        )
    )


# --- Weeks -----------------------------------------------------------------------------------


def find_week(iso_week: str) -> DeliveryWeek | None:
    """Return the delivery week of ``iso_week`` if it exists."""
    label = normalise_iso_week(iso_week)
    return get_session().scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == label))


def get_week(iso_week: str) -> DeliveryWeek:
    """Return the delivery week of ``iso_week``, or raise NotFound."""
    week = find_week(iso_week)
    if week is None:
        raise NotFound(
            gettext(
                "La semaine %(normalise_iso_week)s n'existe pas encore.",
                normalise_iso_week=normalise_iso_week(iso_week),
            )
        )
    return week


def ensure_week(session: Session, iso_week: str) -> tuple[DeliveryWeek, bool]:
    """Return (week, created) for ``iso_week``, adding it in the caller's transaction if missing."""
    label = normalise_iso_week(iso_week)
    week = session.scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == label))
    if week is not None:
        return week, False
    settings = calendar_settings(session)
    monday = monday_of(label)
    year, week_number, _ = monday.isocalendar()
    week = DeliveryWeek(
        iso_week=label,
        year=year,
        week_number=week_number,
        monday_date=monday,
        state=WeekState.DRAFT,
        availability_deadline_dt=deadline_for(
            monday,
            settings.availability_deadline_weekday,
            settings.availability_deadline_time,
            settings,
        ),
        order_deadline_dt=deadline_for(
            monday, settings.order_deadline_weekday, settings.order_deadline_time, settings
        ),
        publish_fallback_dt=deadline_for(
            monday, settings.publish_fallback_weekday, settings.publish_fallback_time, settings
        ),
    )
    session.add(week)
    session.flush()
    return week, True


def get_or_create_week(iso_week: str) -> DeliveryWeek:
    """Return the delivery week of ``iso_week``, creating it as a draft with its deadlines.

    Deadlines come from the Platform settings (weekday and wall time in the platform's time
    zone, ``deadline_weeks_before`` weeks earlier) and are stored in UTC.
    """
    session = get_session()
    week, created = ensure_week(session, iso_week)
    if created:
        record_audit(None, "week.create", week, after={"iso_week": week.iso_week})
        session.commit()
    return week


def list_weeks() -> list[DeliveryWeek]:
    """Return every delivery week, oldest first."""
    return list(get_session().scalars(select(DeliveryWeek).order_by(DeliveryWeek.monday_date)))


def next_open_week(*, for_orders: bool = False) -> DeliveryWeek | None:
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


_DELIVERY_STATES = (WeekState.PUBLISHED, WeekState.DELIVERED)


def week_that_matters(today: dt.date | None = None) -> DeliveryWeek | None:
    """Return the week being prepared or delivered next: the earliest one still to deliver.

    That is the earliest week past its draft whose last delivery day is today or later: on a
    Saturday, the coming week (published or still being planned), not the one just delivered.
    With none ahead, the latest published week.
    """
    today = today or today_in_paris()
    session = get_session()
    weeks = session.scalars(
        select(DeliveryWeek)
        .where(
            DeliveryWeek.state != WeekState.DRAFT,
            DeliveryWeek.monday_date >= today - dt.timedelta(days=6),
        )
        .order_by(DeliveryWeek.monday_date)
    )
    for week in weeks:
        days = delivery_days(week) or [week.monday_date + dt.timedelta(days=6)]
        if max(days) >= today:
            return week
    return session.scalar(
        select(DeliveryWeek)
        .where(DeliveryWeek.state.in_(_DELIVERY_STATES))
        .order_by(DeliveryWeek.monday_date.desc())
        .limit(1)
    )


def previous_published_week(week: DeliveryWeek) -> DeliveryWeek | None:
    """Return the latest week with a published planning before ``week`` (last week's notes)."""
    return get_session().scalar(
        select(DeliveryWeek)
        .where(
            DeliveryWeek.state.in_(_DELIVERY_STATES),
            DeliveryWeek.monday_date < week.monday_date,
        )
        .order_by(DeliveryWeek.monday_date.desc())
        .limit(1)
    )


# --- Days, seasons and prices ----------------------------------------------------------------


def _as_week_monday(week: DeliveryWeek | str) -> dt.date:
    """Return the Monday of a DeliveryWeek or of an ISO week label."""
    if isinstance(week, DeliveryWeek):
        return week.monday_date
    return monday_of(normalise_iso_week(week))


def delivery_days(week: DeliveryWeek | str) -> list[dt.date]:
    """Return the platform's delivery days (dates) of ``week``, in order."""
    monday = _as_week_monday(week)
    weekdays = calendar_settings().delivery_weekdays
    return [monday + dt.timedelta(days=weekday - 1) for weekday in weekdays]


def canteen_weekdays(canteen: Canteen) -> list[int]:
    """Return the ISO weekdays on which ``canteen`` can be delivered by the platform."""
    platform_days = calendar_settings().delivery_weekdays
    if not canteen.delivery_weekdays:
        return list(platform_days)
    own = set(parse_weekdays(canteen.delivery_weekdays))
    return [day for day in platform_days if day in own]


def canteen_delivery_days(canteen: Canteen, week: DeliveryWeek | str) -> list[dt.date]:
    """Return the delivery days of ``week`` on which ``canteen`` receives."""
    weekdays = set(canteen_weekdays(canteen))
    return [day for day in delivery_days(week) if day.isoweekday() in weekdays]


def months_of(day_or_week: dt.date | DeliveryWeek | str) -> set[int]:
    """Return the months a day or a week's delivery days (its Monday if none) fall in."""
    if isinstance(day_or_week, dt.date):
        return {day_or_week.month}
    days = delivery_days(day_or_week) or [_as_week_monday(day_or_week)]
    return {day.month for day in days}


def products_in_season(day_or_week: dt.date | DeliveryWeek | str) -> list[Product]:
    """Return the active products in season on a day, or on any delivery day of a week."""
    months = months_of(day_or_week)
    products = get_session().scalars(select(Product).where(Product.is_active.is_(True)))
    return sorted_by_name(
        (product for product in products if any(product.is_in_season(m) for m in months)),
        lambda product: product.name_fr,
    )


def group_prices(day: dt.date) -> dict[int, Decimal]:
    """Return the group's price per unit of each product for the season covering ``day``."""
    rows = get_session().scalars(
        select(Price)
        .join(Season, Price.season_id == Season.id)
        .where(Season.start_date <= day, Season.end_date >= day)
    )
    return {price.product_id: price.price_eur for price in rows}


# --- Edit windows ----------------------------------------------------------------------------


def _window(week: DeliveryWeek, actor: Actor, deadline: dt.datetime, what: str) -> EditWindow:
    """Return whether ``actor`` may still edit ``what`` of ``week`` and, if not, why."""
    # The system (actor None: imports, demo, jobs) has the lead's latitude.
    is_lead = actor is None or actor.role == Role.LEAD
    allowed = _LEAD_EDITABLE_STATES if is_lead else _EDITABLE_STATES
    consequence = gettext("les %(what)s ne sont plus modifiables", what=what)
    if week.state == WeekState.DRAFT:
        consequence = gettext("les %(what)s ne sont pas encore ouvertes", what=what)
    if week.state not in allowed:
        return EditWindow(False, deadline, f"{describe_state(week)} : {consequence}.")
    if not is_lead and now() >= deadline:
        timezone = calendar_settings().timezone
        return EditWindow(
            False,
            deadline,
            gettext(
                "La date limite des %(what)s de la semaine %(week_number)s (%(deadline)s) est "
                "passée : les %(what)s ne sont plus modifiables.",
                what=what,
                week_number=week.week_number,
                deadline=format_deadline(deadline, timezone),
            ),
        )
    return EditWindow(True, deadline)


def offer_window(week: DeliveryWeek, actor: Actor) -> EditWindow:
    """Return whether ``actor`` may still change offers of ``week`` (deadline and state)."""
    return _window(week, actor, week.availability_deadline_dt, gettext("offres"))


def order_window(week: DeliveryWeek, actor: Actor) -> EditWindow:
    """Return whether ``actor`` may still change orders of ``week`` (deadline and state)."""
    return _window(week, actor, week.order_deadline_dt, gettext("commandes"))


# --- Coordinators ----------------------------------------------------------------------------


def coordinator_of(iso_week: str) -> Farm | None:
    """Return the farm coordinating ``iso_week``, or None when nobody is assigned."""
    label = normalise_iso_week(iso_week)
    return get_session().scalar(
        select(Farm)
        .join(CoordinatorAssignment, CoordinatorAssignment.farm_id == Farm.id)
        .join(DeliveryWeek, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .where(DeliveryWeek.iso_week == label)
    )


def coordinators_of(iso_weeks: Iterable[str]) -> dict[str, Farm]:
    """Return the coordinating farm of each of ``iso_weeks`` that has one, in one query."""
    labels = {normalise_iso_week(iso_week) for iso_week in iso_weeks}
    if not labels:
        return {}
    rows = get_session().execute(
        select(DeliveryWeek.iso_week, Farm)
        .join(CoordinatorAssignment, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .join(Farm, CoordinatorAssignment.farm_id == Farm.id)
        .where(DeliveryWeek.iso_week.in_(labels))
    )
    return {iso_week: farm for iso_week, farm in rows}
