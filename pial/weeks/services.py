"""The weekly cycle: weeks and their deadlines, growers' offers, canteens' orders, standing orders.

Every public function that writes owns its transaction (it commits), except ``change_state``
in :mod:`pial.weeks.states`, which joins the caller's. Refusals raise the errors of
:mod:`pial.errors` with French messages naming the week, the product or the row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import get_locale, gettext, ngettext
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload, selectinload

from pial.audit import record_audit
from pial.clock import monday_of, now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.models import (
    AvailabilityLine,
    Canteen,
    Contract,
    ContractLine,
    DeliveryWeek,
    Farm,
    OrderLine,
    OrderPriority,
    Price,
    Product,
    Role,
    Season,
    StandingOrderLine,
    WeekState,
    canteen_group_members,
    find_platform,
    parse_weekdays,
)
from pial.weeks.parsing import parse_quantity
from pial.weeks.states import change_state, describe_state, require_state

MONTH_NAMES_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAY_NAMES_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

_ISO_WEEK_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")

# States in which somebody may still change offers and orders: everyone while open (before the
# deadline), the lead also after the deadline and until a planning is published.
_EDITABLE_STATES = (WeekState.OPEN,)
_LEAD_EDITABLE_STATES = (WeekState.OPEN, WeekState.CLOSED, WeekState.ALLOCATED)


# --- Inputs and reports ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvailabilityInput:
    """One offered product: quantity in the product's unit, for a day (None = any day)."""

    product_id: int
    quantity: Decimal
    day: dt.date | None = None
    note: str | None = None
    row: str | None = None  # how to name this line in errors (form field, "ligne 12")


@dataclass(frozen=True, slots=True)
class OrderInput:
    """One ordered product for one delivery day, in the product's unit."""

    product_id: int
    day: dt.date
    quantity: Decimal
    note: str | None = None
    row: str | None = None


@dataclass(frozen=True, slots=True)
class StandingOrderInput:
    """One line of a canteen's standing order: a product on an ISO weekday (1 = Monday)."""

    product_id: int
    weekday: int
    quantity: Decimal
    is_active: bool = True
    note: str | None = None
    row: str | None = None


def _plural_count(number: int) -> int:
    """Return the count to give ``ngettext``: French keeps the singular for 0 (« 0 produit »)."""
    if number == 0 and str(get_locale() or "fr").startswith("fr"):
        return 1
    return number


def _saved_text(kind: str, number: int) -> str:
    """Return « 12 produits enregistrés » for a kind of save, in the user's language."""
    n = _plural_count(number)
    if kind == "offer":
        return str(
            ngettext(
                "%(count)d produit enregistré", "%(count)d produits enregistrés", n, count=number
            )
        )
    if kind == "order":
        return str(
            ngettext(
                "%(count)d ligne de commande enregistrée",
                "%(count)d lignes de commande enregistrées",
                n,
                count=number,
            )
        )
    return str(
        ngettext(
            "%(count)d ligne permanente enregistrée",
            "%(count)d lignes permanentes enregistrées",
            n,
            count=number,
        )
    )


def _counted_text(kind: str, word: str, number: int) -> str:
    """Return « 3 retirés », « 1 nouvelle »…, agreeing with the kind's noun (offers: masculine)."""
    n = _plural_count(number)
    if kind == "offer":
        if word == "removed":
            return str(ngettext("%(count)d retiré", "%(count)d retirés", n, count=number))
        if word == "created":
            return str(ngettext("%(count)d nouveau", "%(count)d nouveaux", n, count=number))
        return str(ngettext("%(count)d modifié", "%(count)d modifiés", n, count=number))
    if word == "removed":
        return str(ngettext("%(count)d retirée", "%(count)d retirées", n, count=number))
    if word == "created":
        return str(ngettext("%(count)d nouvelle", "%(count)d nouvelles", n, count=number))
    return str(ngettext("%(count)d modifiée", "%(count)d modifiées", n, count=number))


@dataclass(frozen=True, slots=True)
class SaveReport:
    """What a save did: lines now saved, created, updated, unchanged, removed; the new version."""

    kind: str  # "offer", "order" or "standing"
    saved: int  # lines with a quantity after the save
    created: int
    updated: int
    unchanged: int
    removed: int
    version: str
    skipped: tuple[str, ...] = ()  # French notes on lines left out (e.g. out of season)

    @property
    def changed(self) -> bool:
        """Tell whether anything was written."""
        return bool(self.created or self.updated or self.removed)

    def describe(self) -> str:
        """Return the French summary shown after a save (« 12 produits enregistrés, 3 retirés »)."""
        text = _saved_text(self.kind, self.saved)
        if self.removed:
            text += ", " + _counted_text(self.kind, "removed", self.removed)
        if not self.changed:
            text = gettext("Aucun changement : %(text)s", text=text)
        elif self.created or self.updated:
            details = []
            if self.created:
                details.append(_counted_text(self.kind, "created", self.created))
            if self.updated:
                details.append(_counted_text(self.kind, "updated", self.updated))
            text += gettext(" (dont %(details)s)", details=", ".join(details))
        if self.skipped:
            text += gettext(". Non repris : %(skipped)s", skipped=" ; ".join(self.skipped))
        return text + "."


class StaleVersion(Conflict):
    """The farm's offer or canteen's order changed since the page was loaded."""

    def __init__(
        self,
        message: str,
        *,
        current_version: str,
        changed_by: str | None,
        changed_dt: dt.datetime | None,
        current_quantities: dict[tuple[int, dt.date | None], Decimal],
    ) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_dt = changed_dt
        self.current_quantities = current_quantities


@dataclass(frozen=True, slots=True)
class EditWindow:
    """Whether an actor may still edit a week's offers (or orders), and why not."""

    editable: bool
    deadline_dt: dt.datetime
    reason: str | None = None


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


@dataclass(slots=True)
class _Changes:
    """Counters of a replace-all save."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)


# --- Calendar --------------------------------------------------------------------------------


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


def _require_lead_or_system(actor: Any, what: str) -> None:
    """Refuse ``what`` to anybody but the lead (or the system, ``actor`` None)."""
    if actor is not None and getattr(actor, "role", None) != Role.LEAD:
        raise Forbidden(
            gettext("Seule la personne responsable du projet peut %(what)s.", what=what)
        )


def open_week(iso_week: str, actor: Any = None) -> DeliveryWeek:
    """Open the week to offers and orders and copy standing orders into it (idempotent).

    A draft week becomes open and receives each active canteen's standing orders as order
    lines on its delivery days (lines already there are kept). An open week is returned as is.
    A closed week is reopened, for the lead only, without copying standing orders again.
    """
    _require_lead_or_system(actor, gettext("ouvrir une semaine"))
    session = get_session()
    week, _ = ensure_week(session, iso_week)
    if week.state == WeekState.OPEN:
        session.commit()
        return week
    was_draft = week.state == WeekState.DRAFT
    change_state(week, WeekState.OPEN, actor)
    if was_draft:
        added = _apply_standing_orders(session, week)
        record_audit(
            actor,
            "week.apply_standing_orders",
            week,
            after={"iso_week": week.iso_week, "order_lines": added},
        )
    session.commit()
    return week


def close_week(iso_week: str, actor: Any = None) -> DeliveryWeek:
    """Close an open week: nothing more is offered nor ordered (open → closed)."""
    _require_lead_or_system(actor, gettext("clore une semaine"))
    session = get_session()
    week = get_week(iso_week)
    change_state(week, WeekState.CLOSED, actor)
    session.commit()
    return week


def close_due_weeks(actor: Any = None) -> list[DeliveryWeek]:
    """Close every open week whose deadlines (offers and orders) have both passed.

    Meant for a periodic job: weeks are closed one by one, each in its own transaction.
    """
    _require_lead_or_system(actor, gettext("clore une semaine"))
    moment = now()
    due = [
        week.iso_week
        for week in get_session().scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state == WeekState.OPEN)
            .order_by(DeliveryWeek.monday_date)
        )
        if max(week.availability_deadline_dt, week.order_deadline_dt) <= moment
    ]
    return [close_week(iso_week, actor) for iso_week in due]


def list_weeks() -> list[DeliveryWeek]:
    """Return every delivery week, oldest first."""
    return list(get_session().scalars(select(DeliveryWeek).order_by(DeliveryWeek.monday_date)))


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


def _months_of(day_or_week: dt.date | DeliveryWeek | str) -> set[int]:
    """Return the months a day or a week's delivery days (its Monday if none) fall in."""
    if isinstance(day_or_week, dt.date):
        return {day_or_week.month}
    days = delivery_days(day_or_week) or [_as_week_monday(day_or_week)]
    return {day.month for day in days}


def products_in_season(day_or_week: dt.date | DeliveryWeek | str) -> list[Product]:
    """Return the active products in season on a day, or on any delivery day of a week."""
    months = _months_of(day_or_week)
    products = get_session().scalars(
        select(Product).where(Product.is_active.is_(True)).order_by(Product.name_fr)
    )
    return [product for product in products if any(product.is_in_season(m) for m in months)]


def group_prices(day: dt.date) -> dict[int, Decimal]:
    """Return the group's price per unit of each product for the season covering ``day``."""
    rows = get_session().scalars(
        select(Price)
        .join(Season, Price.season_id == Season.id)
        .where(Season.start_date <= day, Season.end_date >= day)
    )
    return {price.product_id: price.price_eur for price in rows}


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


def _window(week: DeliveryWeek, actor: Any, deadline: dt.datetime, what: str) -> EditWindow:
    """Return whether ``actor`` may still edit ``what`` of ``week`` and, if not, why."""
    # The system (actor None: imports, demo, jobs) has the lead's latitude.
    is_lead = actor is None or getattr(actor, "role", None) == Role.LEAD
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


def offer_window(week: DeliveryWeek, actor: Any) -> EditWindow:
    """Return whether ``actor`` may still change offers of ``week`` (deadline and state)."""
    return _window(week, actor, week.availability_deadline_dt, gettext("offres"))


def order_window(week: DeliveryWeek, actor: Any) -> EditWindow:
    """Return whether ``actor`` may still change orders of ``week`` (deadline and state)."""
    return _window(week, actor, week.order_deadline_dt, gettext("commandes"))


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


def current_iso_week() -> str:
    """Return the ISO week label of today in Paris."""
    year, week_number, _ = today_in_paris().isocalendar()
    return f"{year}-W{week_number:02d}"


# --- Ownership -------------------------------------------------------------------------------


def _farm_for(session: Session, actor: Any, farm_id: int) -> Farm:
    """Return the farm, locked for the save, if ``actor`` may act for it."""
    farm = session.scalar(select(Farm).where(Farm.id == farm_id).with_for_update())
    if farm is None:
        raise NotFound(gettext("Cette ferme n'existe pas."))
    role = getattr(actor, "role", None)
    if actor is None or role == Role.LEAD or (role == Role.GROWER and actor.farm_id == farm.id):
        return farm
    raise Forbidden(gettext("Vous ne pouvez modifier que l'offre de votre propre ferme."))


def _canteen_for(session: Session, actor: Any, canteen_id: int) -> Canteen:
    """Return the canteen, locked for the save, if ``actor`` may act for it."""
    canteen = session.scalar(select(Canteen).where(Canteen.id == canteen_id).with_for_update())
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    role = getattr(actor, "role", None)
    if (
        actor is None
        or role == Role.LEAD
        or (role == Role.CANTEEN and actor.canteen_id == canteen.id)
    ):
        return canteen
    raise Forbidden(gettext("Vous ne pouvez modifier que les commandes de votre propre cantine."))


def _open_week_for_edit(session: Session, iso_week: str, what: str) -> DeliveryWeek:
    """Return the week of a save, refusing when it does not exist yet."""
    label = normalise_iso_week(iso_week)
    week = session.scalar(select(DeliveryWeek).where(DeliveryWeek.iso_week == label))
    if week is None:
        number = int(label.split("-W")[1])
        raise Conflict(
            gettext(
                "La semaine %(number)s n'est pas encore ouverte : les %(what)s ne sont pas "
                "possibles.",
                number=number,
                what=what,
            )
        )
    return week


# --- Versions --------------------------------------------------------------------------------


def _quantity_text(quantity: Decimal) -> str:
    """Return a canonical text of a quantity (12.500 and 12.5 read the same)."""
    return format(quantity.normalize(), "f")


def content_version(rows: Iterable[tuple[int, dt.date | int | None, Decimal, str | None]]) -> str:
    """Return a short token of (product, day, quantity, note) rows: equal iff contents equal."""
    canonical = sorted(
        f"{product_id}|{'' if day is None else day}|{_quantity_text(quantity)}|{note or ''}"
        for product_id, day, quantity, note in rows
    )
    return hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()[:16]


def _availability_version(lines: Sequence[AvailabilityLine]) -> str:
    return content_version((ln.product_id, ln.day, ln.quantity, ln.note) for ln in lines)


def _order_version(lines: Sequence[OrderLine]) -> str:
    return content_version((ln.product_id, ln.day, ln.quantity, ln.note) for ln in lines)


def _standing_version(lines: Sequence[StandingOrderLine]) -> str:
    return content_version(
        (ln.product_id, ln.weekday, ln.quantity, f"{int(ln.is_active)}|{ln.note or ''}")
        for ln in lines
    )


def _describe_lines(lines: Sequence[AvailabilityLine | OrderLine]) -> str:
    """Return « Carotte 15 kg, Poireau 8 kg… » for a conflict message."""
    parts = []
    for line in sorted(lines, key=lambda ln: (ln.product.name_fr, ln.day or dt.date.min)):
        day = f" ({_weekday_name(line.day)})" if line.day else ""
        unit = _unit_label(line.product)
        parts.append(f"{line.product.name_fr}{day} {_quantity_text(line.quantity)} {unit}")
    if not parts:
        return str(gettext("plus aucune ligne"))
    shown = ", ".join(parts[:8])
    return shown + ("…" if len(parts) > 8 else "")


def _unit_label(product: Product) -> str:
    """Return the French unit of a product (kg, pièce(s), botte(s))."""
    units = {"kg": "kg", "piece": gettext("pièce(s)"), "bunch": gettext("botte(s)")}
    return str(units.get(str(product.unit), ""))


def _unknown_product(row: str, product_id: int) -> str:
    """Return « ligne 3 : produit inconnu (n° 12). »."""
    return str(
        gettext("%(row)s : produit inconnu (n° %(product_id)s).", row=row, product_id=product_id)
    )


def _weekday_name(day: dt.date) -> str:
    """Return the weekday in the user's language (lundi, Monday)."""
    return format_date(day, format="EEEE", locale=str(get_locale() or "fr"))


def _month_name(month: int) -> str:
    """Return the month in the user's language (novembre, November)."""
    return format_date(dt.date(2000, month, 1), format="LLLL", locale=str(get_locale() or "fr"))


def _raise_stale(lines: Sequence[AvailabilityLine | OrderLine], what: str, version: str) -> None:
    """Raise StaleVersion telling who changed ``what`` meanwhile, when, and its current lines."""
    latest = max(lines, key=lambda ln: ln.updated_dt, default=None)
    who = latest.updated_by.display_name if latest and latest.updated_by else None
    when = latest.updated_dt if latest else None
    by_whom = (
        gettext("%(who)s a modifié %(what)s", who=who, what=what)
        if who
        else gettext("%(capitalize)s a été modifiée", capitalize=what.capitalize())
    )
    at = gettext(" le %(when)s", when=format_deadline(when)) if when else ""
    raise StaleVersion(
        gettext(
            "Vos modifications n'ont pas été enregistrées : %(by_whom)s%(at)s pendant que vous la "
            "saisissiez. Valeurs actuelles : %(lines)s. Vos saisies sont conservées ci-dessous : "
            "vérifiez-les puis enregistrez à nouveau.",
            by_whom=by_whom,
            at=at,
            lines=_describe_lines(lines),
        ),
        current_version=version,
        changed_by=who,
        changed_dt=when,
        current_quantities={(ln.product_id, ln.day): ln.quantity for ln in lines},
    )


# --- Offers (availability) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FarmWeekOffer:
    """A farm's offer of a week as saved, with its version token for the next save."""

    week: DeliveryWeek
    farm: Farm
    lines: list[AvailabilityLine]
    version: str

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
    return FarmWeekOffer(week, farm, lines, _availability_version(lines))


def _availability_lines(
    session: Session, week_id: int, farm_id: int, *, with_products: bool = False
) -> list[AvailabilityLine]:
    query = (
        select(AvailabilityLine)
        .where(AvailabilityLine.week_id == week_id, AvailabilityLine.farm_id == farm_id)
        .order_by(AvailabilityLine.id)
    )
    return _fresh_lines(session, query, AvailabilityLine.product, with_products)


_LineT = TypeVar("_LineT", AvailabilityLine, OrderLine)


def _fresh_lines(
    session: Session, query: Select[tuple[_LineT]], product: Any, with_products: bool
) -> list[_LineT]:
    """Run a query of offer or order lines, refreshing the lines the session already holds.

    populate_existing: lines a page read before the save's row lock are refreshed, so the
    save compares and edits what is in the database now, not a stale copy. Readers that list
    each line's product get them in the same query.
    """
    query = query.execution_options(populate_existing=True)
    if with_products:
        query = query.options(joinedload(product))
    return list(session.scalars(query))


def _season_error(product: Product, months: set[int]) -> str | None:
    """Return why ``product`` cannot be offered/ordered in ``months``, or None."""
    if not product.is_active:
        return str(gettext("« %(name_fr)s » n'est plus au catalogue.", name_fr=product.name_fr))
    if not any(product.is_in_season(month) for month in months):
        month_text = " / ".join(_month_name(m) for m in sorted(months))
        return str(
            gettext(
                "« %(name_fr)s » n'est pas de saison en %(month_text)s.",
                name_fr=product.name_fr,
                month_text=month_text,
            )
        )
    return None


def _load_products(session: Session, product_ids: Iterable[int]) -> dict[int, Product]:
    ids = set(product_ids)
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}


def _add_error(errors: dict[str, list[str]], row: str, message: str) -> None:
    errors.setdefault(row, []).append(message)


def _validated_quantity(value: Any, row: str, errors: dict[str, list[str]]) -> Decimal | None:
    """Return the quantity of a line, recording a French error for the row if it is invalid."""
    try:
        return parse_quantity(value, field=row)
    except InvalidInput as error:
        for messages in error.field_errors.values():
            for message in messages:
                _add_error(errors, row, message)
        return None


def save_availability(
    actor: Any,
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
    farm = _farm_for(session, actor, farm_id)
    week = _open_week_for_edit(session, iso_week, gettext("offres"))
    window = offer_window(week, actor)
    if not window.editable:
        raise Conflict(window.reason or "")
    existing = _availability_lines(session, week.id, farm.id)
    if expected_version is not None and expected_version != _availability_version(existing):
        _raise_stale(existing, gettext("cette offre"), _availability_version(existing))
    desired, errors = _validated_availability(session, week, lines)
    if errors:
        raise InvalidInput(_errors_summary(errors), errors)
    before = _offer_snapshot(existing)
    changes = _apply_availability(session, week, farm, existing, desired, actor)
    session.flush()
    saved = _availability_lines(session, week.id, farm.id)
    return _commit_save(
        actor, "availability.save", farm, week, before, saved, changes,
        kind="offer", version=_availability_version(saved),
    )  # fmt: skip


def _commit_save(
    actor: Any,
    action: str,
    owner: Farm | Canteen,
    week: DeliveryWeek,
    before: dict[str, str],
    saved: Sequence[AvailabilityLine | OrderLine],
    changes: _Changes,
    *,
    kind: str,
    version: str,
) -> SaveReport:
    """Audit a replace-all save that changed something, commit it and report what it did."""
    if changes.created or changes.updated or changes.removed:
        record_audit(
            actor,
            action,
            owner,
            before={"iso_week": week.iso_week, "lines": before},
            after={"iso_week": week.iso_week, "lines": _offer_snapshot(saved)},
        )
    get_session().commit()
    return SaveReport(
        kind=kind,
        saved=len(saved),
        created=changes.created,
        updated=changes.updated,
        unchanged=changes.unchanged,
        removed=changes.removed,
        version=version,
    )


def _offer_snapshot(lines: Sequence[AvailabilityLine | OrderLine]) -> dict[str, str]:
    """Return {"product_id@day": quantity} for the audit log."""
    return {f"{ln.product_id}@{ln.day or '*'}": _quantity_text(ln.quantity) for ln in lines}


def _errors_summary(errors: dict[str, list[str]]) -> str:
    """Return the French headline of a refused save."""
    count = len(errors)
    head = (
        gettext("Une ligne est à corriger")
        if count == 1
        else gettext("%(count)s lignes sont à corriger", count=count)
    )
    first = next(iter(errors.values()))[0]
    return str(gettext("%(head)s ; rien n'a été enregistré. %(first)s", head=head, first=first))


def _validated_availability(
    session: Session, week: DeliveryWeek, lines: Sequence[AvailabilityInput]
) -> tuple[dict[tuple[int, dt.date | None], tuple[Decimal, str | None]], dict[str, list[str]]]:
    """Check every input line; return the wanted lines by (product, day) and the row errors."""
    errors: dict[str, list[str]] = {}
    desired: dict[tuple[int, dt.date | None], tuple[Decimal, str | None]] = {}
    products = _load_products(session, (line.product_id for line in lines))
    days = set(delivery_days(week))
    week_months = _months_of(week)
    for index, line in enumerate(lines, start=1):
        row = line.row or gettext("ligne %(index)s", index=index)
        quantity = _validated_quantity(line.quantity, row, errors)
        product = products.get(line.product_id)
        if product is None:
            _add_error(errors, row, _unknown_product(row, line.product_id))
            continue
        if quantity is None or quantity == 0:
            continue  # zero removes the line, whatever the season
        if line.day is not None and line.day not in days:
            _add_error(
                errors,
                row,
                gettext(
                    "« %(name_fr)s » : le %(day)s n'est pas un jour de livraison de la semaine "
                    "%(week_number)s.",
                    name_fr=product.name_fr,
                    day=format(line.day, "%d/%m/%Y"),
                    week_number=week.week_number,
                ),
            )
            continue
        problem = _season_error(product, {line.day.month} if line.day else week_months)
        if problem:
            _add_error(errors, row, problem)
            continue
        key = (product.id, line.day)
        if key in desired:
            _add_error(
                errors, row, gettext("« %(name_fr)s » figure deux fois.", name_fr=product.name_fr)
            )
            continue
        desired[key] = (quantity, (line.note or "").strip() or None)
    return desired, errors


def _apply_availability(
    session: Session,
    week: DeliveryWeek,
    farm: Farm,
    existing: Sequence[AvailabilityLine],
    desired: dict[tuple[int, dt.date | None], tuple[Decimal, str | None]],
    actor: Any,
) -> _Changes:
    """Update, delete and add lines so that the farm's offer is exactly ``desired``."""
    changes = _Changes()
    remaining = dict(desired)
    actor_id = getattr(actor, "id", None)
    for line in existing:
        wanted = remaining.pop((line.product_id, line.day), None)
        if wanted is None:
            session.delete(line)
            changes.removed += 1
        elif (line.quantity, line.note) != wanted:
            line.quantity, line.note = wanted
            line.updated_by_id = actor_id
            changes.updated += 1
        else:
            changes.unchanged += 1
    session.flush()  # deletions first, so re-added keys never clash with the unique indexes
    for (product_id, day), (quantity, note) in remaining.items():
        session.add(
            AvailabilityLine(
                week_id=week.id,
                farm_id=farm.id,
                product_id=product_id,
                day=day,
                quantity=quantity,
                note=note,
                updated_by_id=actor_id,
            )
        )
        changes.created += 1
    return changes


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
    actor: Any, farm_id: int, iso_week: str, *, expected_version: str | None = None
) -> SaveReport:
    """Replace the farm's offer of the week by its latest earlier offer, shifted by weeks.

    Products no longer in season are left out and listed in the report's ``skipped``. Same
    refusals as :func:`save_availability`; NotFound-like Conflict when there is nothing to copy.
    """
    session = get_session()
    week = _open_week_for_edit(session, iso_week, gettext("offres"))
    previous = _previous_offer_week(session, farm_id, week.monday_date)
    if previous is None:
        raise Conflict(gettext("Aucune offre précédente à copier pour cette ferme."))
    shift = week.monday_date - previous.monday_date
    week_months = _months_of(week)
    inputs: list[AvailabilityInput] = []
    skipped: list[str] = []
    for line in _availability_lines(session, previous.id, farm_id):
        day = line.day + shift if line.day else None
        if _season_error(line.product, {day.month} if day else week_months):
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
    return SaveReport(
        kind=report.kind,
        saved=report.saved,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        removed=report.removed,
        version=report.version,
        skipped=tuple(skipped),
    )


# --- Orders ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContractCover:
    """The contract lines that may cover a canteen's orders over a span of days.

    Loaded with one query, then consulted in memory for every (product, day) of a page or a
    save, instead of one query per cell.
    """

    lines: tuple[ContractLine, ...]  # the latest contract first

    def line_for(self, product_id: int, day: dt.date) -> ContractLine | None:
        """Return the contract line covering an order of ``product_id`` on ``day``, if any."""
        for line in self.lines:
            contract = line.contract
            if line.product_id != product_id or not contract.start_date <= day <= contract.end_date:
                continue
            if not line.periods or any(p.start_date <= day <= p.end_date for p in line.periods):
                return line
        return None


def contract_cover(
    session: Session, canteen_id: int, first_day: dt.date, last_day: dt.date
) -> ContractCover:
    """Load the active contract lines of a canteen (or its groups) overlapping the days."""
    group_ids = select(canteen_group_members.c.canteen_group_id).where(
        canteen_group_members.c.canteen_id == canteen_id
    )
    lines = session.scalars(
        select(ContractLine)
        .join(Contract, ContractLine.contract_id == Contract.id)
        .where(
            Contract.is_active.is_(True),
            Contract.start_date <= last_day,
            Contract.end_date >= first_day,
            or_(Contract.canteen_id == canteen_id, Contract.canteen_group_id.in_(group_ids)),
        )
        .options(contains_eager(ContractLine.contract), selectinload(ContractLine.periods))
        .order_by(Contract.start_date.desc(), Contract.id.desc(), ContractLine.id)
    ).all()
    return ContractCover(tuple(lines))


def contract_line_for_order(
    session: Session, canteen_id: int, product_id: int, day: dt.date
) -> ContractLine | None:
    """Return the contract line covering this canteen's order of a product on ``day``, if any.

    The contract must be active, cover ``day`` and be signed by the canteen or by a group it
    belongs to; a line with periods must have one covering ``day``. The latest contract wins.
    """
    return contract_cover(session, canteen_id, day, day).line_for(product_id, day)


@dataclass(frozen=True, slots=True)
class CanteenWeekOrder:
    """A canteen's orders of a week as saved, with its version token for the next save."""

    week: DeliveryWeek
    canteen: Canteen
    lines: list[OrderLine]
    version: str

    def line_of(self, product_id: int, day: dt.date) -> OrderLine | None:
        """Return the order line of a product on a day, if any."""
        for line in self.lines:
            if line.product_id == product_id and line.day == day:
                return line
        return None


def canteen_order(canteen_id: int, iso_week: str) -> CanteenWeekOrder:
    """Return the canteen's saved orders of the week (the week must exist)."""
    session = get_session()
    week = get_week(iso_week)
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    lines = _order_lines(session, week.id, canteen_id, with_products=True)
    return CanteenWeekOrder(week, canteen, lines, _order_version(lines))


def _order_lines(
    session: Session, week_id: int, canteen_id: int, *, with_products: bool = False
) -> list[OrderLine]:
    query = (
        select(OrderLine)
        .where(OrderLine.week_id == week_id, OrderLine.canteen_id == canteen_id)
        .order_by(OrderLine.day, OrderLine.id)
    )
    return _fresh_lines(session, query, OrderLine.product, with_products)


def save_orders(
    actor: Any,
    canteen_id: int,
    iso_week: str,
    lines: Sequence[OrderInput],
    *,
    expected_version: str | None = None,
) -> SaveReport:
    """Replace the canteen's orders of the week by ``lines`` (per delivery day), atomically.

    Each line is marked ``contract`` priority, linked to its contract line, when an active
    contract of the canteen (or of one of its groups) covers the product on that day. Same
    refusals as :func:`save_availability`, with the order deadline and the canteen's days.
    """
    session = get_session()
    canteen = _canteen_for(session, actor, canteen_id)
    week = _open_week_for_edit(session, iso_week, gettext("commandes"))
    window = order_window(week, actor)
    if not window.editable:
        raise Conflict(window.reason or "")
    existing = _order_lines(session, week.id, canteen.id)
    if expected_version is not None and expected_version != _order_version(existing):
        _raise_stale(existing, gettext("cette commande"), _order_version(existing))
    desired, errors = _validated_orders(session, week, canteen, lines)
    if errors:
        raise InvalidInput(_errors_summary(errors), errors)
    before = _offer_snapshot(existing)
    changes = _apply_orders(session, week, canteen, existing, desired, actor)
    session.flush()
    saved = _order_lines(session, week.id, canteen.id)
    return _commit_save(
        actor, "orders.save", canteen, week, before, saved, changes,
        kind="order", version=_order_version(saved),
    )  # fmt: skip


def _validated_orders(
    session: Session, week: DeliveryWeek, canteen: Canteen, lines: Sequence[OrderInput]
) -> tuple[dict[tuple[int, dt.date], tuple[Decimal, str | None]], dict[str, list[str]]]:
    """Check every order line; return the wanted lines by (product, day) and the row errors."""
    errors: dict[str, list[str]] = {}
    desired: dict[tuple[int, dt.date], tuple[Decimal, str | None]] = {}
    products = _load_products(session, (line.product_id for line in lines))
    days = set(canteen_delivery_days(canteen, week))
    for index, line in enumerate(lines, start=1):
        row = line.row or gettext("ligne %(index)s", index=index)
        quantity = _validated_quantity(line.quantity, row, errors)
        product = products.get(line.product_id)
        if product is None:
            _add_error(errors, row, _unknown_product(row, line.product_id))
            continue
        if quantity is None or quantity == 0:
            continue
        if line.day not in days:
            _add_error(
                errors,
                row,
                gettext(
                    "« %(name_fr)s » : le %(day)s n'est pas un jour de livraison de %(name)s en "
                    "semaine %(week_number)s.",
                    name_fr=product.name_fr,
                    day=format(line.day, "%d/%m/%Y"),
                    name=canteen.name,
                    week_number=week.week_number,
                ),
            )
            continue
        problem = _season_error(product, {line.day.month})
        if problem:
            _add_error(errors, row, problem)
            continue
        key = (product.id, line.day)
        if key in desired:
            _add_error(
                errors,
                row,
                gettext("« %(name_fr)s » figure deux fois le même jour.", name_fr=product.name_fr),
            )
            continue
        desired[key] = (quantity, (line.note or "").strip() or None)
    return desired, errors


def _priority_fields(
    cover: ContractCover, product_id: int, day: dt.date
) -> tuple[OrderPriority, int | None]:
    """Return the priority and contract line of an order line."""
    contract_line = cover.line_for(product_id, day)
    if contract_line is None:
        return OrderPriority.REGULAR, None
    return OrderPriority.CONTRACT, contract_line.id


def _apply_orders(
    session: Session,
    week: DeliveryWeek,
    canteen: Canteen,
    existing: Sequence[OrderLine],
    desired: dict[tuple[int, dt.date], tuple[Decimal, str | None]],
    actor: Any,
) -> _Changes:
    """Update, delete and add order lines so that the canteen's orders are exactly ``desired``."""
    changes = _Changes()
    remaining = dict(desired)
    actor_id = getattr(actor, "id", None)
    cover = contract_cover(
        session, canteen.id, week.monday_date, week.monday_date + dt.timedelta(days=6)
    )
    for line in existing:
        wanted = remaining.pop((line.product_id, line.day), None)
        if wanted is None:
            session.delete(line)
            changes.removed += 1
            continue
        priority, contract_line_id = _priority_fields(cover, line.product_id, line.day)
        if (line.priority, line.contract_line_id) != (priority, contract_line_id):
            line.priority, line.contract_line_id = priority, contract_line_id
        if (line.quantity, line.note) != wanted:
            line.quantity, line.note = wanted
            line.updated_by_id = actor_id
            changes.updated += 1
        else:
            changes.unchanged += 1
    session.flush()
    for (product_id, day), (quantity, note) in remaining.items():
        priority, contract_line_id = _priority_fields(cover, product_id, day)
        session.add(
            OrderLine(
                week_id=week.id,
                canteen_id=canteen.id,
                product_id=product_id,
                day=day,
                quantity=quantity,
                priority=priority,
                contract_line_id=contract_line_id,
                note=note,
                updated_by_id=actor_id,
            )
        )
        changes.created += 1
    return changes


# --- Standing orders -------------------------------------------------------------------------


def list_standing_orders(canteen_id: int) -> list[StandingOrderLine]:
    """Return the canteen's standing order lines, by weekday then product name."""
    return list(
        get_session().scalars(
            select(StandingOrderLine)
            .join(Product, StandingOrderLine.product_id == Product.id)
            .where(StandingOrderLine.canteen_id == canteen_id)
            .order_by(StandingOrderLine.weekday, Product.name_fr)
        )
    )


def standing_orders_version(canteen_id: int) -> str:
    """Return the version token of the canteen's standing orders."""
    return _standing_version(list_standing_orders(canteen_id))


def save_standing_orders(
    actor: Any,
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
    canteen = _canteen_for(session, actor, canteen_id)
    existing = list_standing_orders(canteen.id)
    if expected_version is not None and expected_version != _standing_version(existing):
        raise Conflict(
            gettext(
                "Vos modifications n'ont pas été enregistrées : les commandes permanentes ont été "
                "modifiées entre-temps. Vérifiez vos saisies puis enregistrez à nouveau."
            )
        )
    errors: dict[str, list[str]] = {}
    desired: dict[tuple[int, int], tuple[Decimal, bool, str | None]] = {}
    products = _load_products(session, (line.product_id for line in lines))
    weekdays = set(canteen_weekdays(canteen))
    for index, line in enumerate(lines, start=1):
        row = line.row or gettext("ligne %(index)s", index=index)
        quantity = _validated_quantity(line.quantity, row, errors)
        product = products.get(line.product_id)
        if product is None:
            _add_error(errors, row, _unknown_product(row, line.product_id))
            continue
        if quantity is None or quantity == 0:
            continue
        if line.weekday not in weekdays:
            day_name = (
                _weekday_name(dt.date(2024, 1, line.weekday))  # 2024-01-01 was a Monday
                if 1 <= line.weekday <= 7
                else "?"
            )
            _add_error(
                errors,
                row,
                gettext(
                    "« %(name_fr)s » : %(name)s n'est pas livrée le %(day_name)s.",
                    name_fr=product.name_fr,
                    name=canteen.name,
                    day_name=day_name,
                ),
            )
            continue
        if not product.is_active:
            _add_error(
                errors,
                row,
                gettext("« %(name_fr)s » n'est plus au catalogue.", name_fr=product.name_fr),
            )
            continue
        key = (product.id, line.weekday)
        if key in desired:
            _add_error(
                errors,
                row,
                gettext("« %(name_fr)s » figure deux fois le même jour.", name_fr=product.name_fr),
            )
            continue
        desired[key] = (quantity, line.is_active, (line.note or "").strip() or None)
    if errors:
        raise InvalidInput(_errors_summary(errors), errors)
    changes = _Changes()
    for existing_line in existing:
        wanted = desired.pop((existing_line.product_id, existing_line.weekday), None)
        if wanted is None:
            session.delete(existing_line)
            changes.removed += 1
        elif (existing_line.quantity, existing_line.is_active, existing_line.note) != wanted:
            existing_line.quantity, existing_line.is_active, existing_line.note = wanted
            changes.updated += 1
        else:
            changes.unchanged += 1
    session.flush()
    for (product_id, weekday), (quantity, is_active, note) in desired.items():
        session.add(
            StandingOrderLine(
                canteen_id=canteen.id,
                product_id=product_id,
                weekday=weekday,
                quantity=quantity,
                is_active=is_active,
                note=note,
            )
        )
        changes.created += 1
    session.flush()
    saved = list_standing_orders(canteen.id)
    if changes.created or changes.updated or changes.removed:
        record_audit(
            actor,
            "standing_orders.save",
            canteen,
            after={f"{ln.product_id}@{ln.weekday}": _quantity_text(ln.quantity) for ln in saved},
        )
    session.commit()
    return SaveReport(
        kind="standing",
        saved=len(saved),
        created=changes.created,
        updated=changes.updated,
        unchanged=changes.unchanged,
        removed=changes.removed,
        version=_standing_version(saved),
    )


def _apply_standing_orders(session: Session, week: DeliveryWeek) -> int:
    """Add each active canteen's standing orders to ``week`` as order lines; return the count.

    Lines already in the week are kept as they are, and out-of-season products are skipped.
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
            if line.canteen_id not in covers:
                covers[line.canteen_id] = contract_cover(
                    session,
                    line.canteen_id,
                    week.monday_date,
                    week.monday_date + dt.timedelta(days=6),
                )
            priority, contract_line_id = _priority_fields(
                covers[line.canteen_id], line.product_id, day
            )
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


__all__ = [
    "AvailabilityInput",
    "CalendarSettings",
    "CanteenWeekOrder",
    "ContractCover",
    "EditWindow",
    "FarmWeekOffer",
    "OrderInput",
    "SaveReport",
    "StaleVersion",
    "StandingOrderInput",
    "calendar_settings",
    "canteen_delivery_days",
    "canteen_order",
    "canteen_weekdays",
    "close_due_weeks",
    "close_week",
    "content_version",
    "contract_cover",
    "contract_line_for_order",
    "copy_last_week_availability",
    "current_iso_week",
    "deadline_for",
    "delivery_days",
    "ensure_week",
    "farm_offer",
    "find_week",
    "format_deadline",
    "get_or_create_week",
    "get_week",
    "group_prices",
    "last_week_offer",
    "list_standing_orders",
    "list_weeks",
    "next_open_week",
    "normalise_iso_week",
    "offer_window",
    "open_week",
    "order_window",
    "products_in_season",
    "require_state",
    "save_availability",
    "save_orders",
    "save_standing_orders",
    "standing_orders_version",
]
