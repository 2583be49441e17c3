"""When canteens are closed: public holidays, school holidays of their zone, declared closures.

No standing order is copied and no order is accepted on a day its canteen is closed; growers
see the closures ahead on their week page. Declaring and removing closures commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.errors import Forbidden, InvalidInput, NotFound
from pial.i18n import format_day, sorted_by_name
from pial.models import Canteen, CanteenClosure, DeliveryWeek, OrderLine, Role, WeekState
from pial.weeks.calendar import canteen_weekdays

log = logging.getLogger(__name__)

SCHOOL_ZONES = ("A", "B", "C")
REASON_MAX_CHARS = 200

# --- Public holidays -------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Return Easter Sunday of ``year`` (Gregorian calendar, the anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def public_holidays(year: int) -> dict[dt.date, LazyString]:
    """Return the French public holidays of ``year`` (metropolitan France) with their names."""
    easter = easter_sunday(year)
    return {  # lazy names: translated when read, in the reader's language
        dt.date(year, 1, 1): _l("Jour de l'an"),
        easter + dt.timedelta(days=1): _l("Lundi de Pâques"),
        dt.date(year, 5, 1): _l("Fête du travail"),
        dt.date(year, 5, 8): _l("Victoire 1945"),
        easter + dt.timedelta(days=39): _l("Ascension"),
        easter + dt.timedelta(days=50): _l("Lundi de Pentecôte"),
        dt.date(year, 7, 14): _l("Fête nationale"),
        dt.date(year, 8, 15): _l("Assomption"),
        dt.date(year, 11, 1): _l("Toussaint"),
        dt.date(year, 11, 11): _l("Armistice 1918"),
        dt.date(year, 12, 25): _l("Noël"),
    }


def public_holiday(day: dt.date) -> str | None:
    """Return the name of the public holiday falling on ``day``, if any."""
    name = public_holidays(day.year).get(day)
    return str(name) if name is not None else None


# --- School holidays -------------------------------------------------------------------------


_SCHOOL_HOLIDAY_NAMES = {  # the official names, translated for readers of other languages
    "Vacances de la Toussaint": _l("Vacances de la Toussaint"),
    "Vacances de Noël": _l("Vacances de Noël"),
    "Vacances d'hiver": _l("Vacances d'hiver"),
    "Vacances de printemps": _l("Vacances de printemps"),
    "Vacances d'été": _l("Vacances d'été"),
    "Pont de l'Ascension": _l("Pont de l'Ascension"),
}


@lru_cache(maxsize=1)
def _school_calendar() -> object:
    """Return the official calendar of the package ``vacances-scolaires-france`` (read once)."""
    from vacances_scolaires_france import SchoolHolidayDates

    return SchoolHolidayDates()


def school_holiday(day: dt.date, zone: str | None) -> str | None:
    """Return the name of the school holidays of ``zone`` on ``day`` (« Vacances de Noël »).

    None outside holidays, without a zone, or for a year the official calendar does not cover
    yet (logged: update the package ``vacances-scolaires-france``).
    """
    if zone not in SCHOOL_ZONES:
        return None
    calendar = _school_calendar()
    try:
        if not calendar.is_holiday_for_zone(day, zone):  # type: ignore[attr-defined]
            return None
        found = calendar.holidays_for_year_and_zone(day.year, zone)  # type: ignore[attr-defined]
    except Exception:  # UnsupportedYearException and friends: the calendar ends
        log.warning("No school calendar for %s: update vacances-scolaires-france.", day)
        return None
    name = found.get(day, {}).get("nom_vacances") or ""
    return str(_SCHOOL_HOLIDAY_NAMES.get(name, name) or gettext("Vacances scolaires"))


# --- A canteen's closed days -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClosedSpan:
    """Consecutive closed delivery days of a canteen, for one reason."""

    canteen: Canteen
    first_day: dt.date
    last_day: dt.date
    reason: str


def closure_reason(canteen: Canteen, day: dt.date) -> str | None:
    """Return why ``canteen`` is closed on ``day`` (its own closure first), or None if open."""
    for closure in canteen.closures:
        if closure.start_date <= day <= closure.end_date:
            return closure.reason
    return public_holiday(day) or school_holiday(day, canteen.school_zone)


def closed_days(canteen: Canteen, days: Iterable[dt.date]) -> dict[dt.date, str]:
    """Return the days among ``days`` on which ``canteen`` is closed, with the reason."""
    found = {}
    for day in days:
        reason = closure_reason(canteen, day)
        if reason is not None:
            found[day] = reason
    return found


def closure_refusal(canteen: Canteen, day: dt.date, product_name: str) -> str | None:
    """Return the French refusal of an order of ``product_name`` on a closed day, or None."""
    reason = closure_reason(canteen, day)
    if reason is None:
        return None
    return str(
        gettext(
            "« %(product)s » : %(canteen)s est fermée le %(day)s (%(reason)s) : aucune "
            "commande n'est possible ce jour-là.",
            product=product_name,
            canteen=canteen.name,
            day=format_day(day, "EEEE d MMMM y"),
            reason=reason,
        )
    )


def closures_ahead(days: Sequence[dt.date]) -> list[ClosedSpan]:
    """Return, for every active canteen, its closed days among ``days`` grouped in spans.

    ``days`` are delivery days in order; consecutive ones closed for the same reason make one
    span. Canteens in French order, then by date.
    """
    session = get_session()
    canteens = sorted_by_name(
        session.scalars(
            select(Canteen)
            .where(Canteen.is_active.is_(True))
            .options(selectinload(Canteen.closures))
        ),
        lambda canteen: canteen.name,
    )
    spans: list[ClosedSpan] = []
    for canteen in canteens:
        weekdays = set(canteen_weekdays(canteen))
        current: ClosedSpan | None = None
        for day in days:
            if day.isoweekday() not in weekdays:
                continue
            reason = closure_reason(canteen, day)
            if reason is not None and current is not None and current.reason == reason:
                current = ClosedSpan(canteen, current.first_day, day, reason)
                continue
            if current is not None:
                spans.append(current)
            current = ClosedSpan(canteen, day, day, reason) if reason is not None else None
        if current is not None:
            spans.append(current)
    return spans


# --- Declaring closures ----------------------------------------------------------------------


def _canteen_managed_by(session: Session, actor: Actor, canteen_id: int) -> Canteen:
    """Return the canteen if ``actor`` may manage its closures (its manager or the lead)."""
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        raise NotFound(gettext("Cette cantine n'existe pas."))
    if actor is None or actor.role == Role.LEAD:
        return canteen
    if actor.role == Role.CANTEEN and actor.canteen_id == canteen.id:
        return canteen
    raise Forbidden(gettext("Vous ne pouvez gérer que les fermetures de votre propre cantine."))


def declare_closure(
    actor: Actor, canteen_id: int, start_date: dt.date, end_date: dt.date, reason: str
) -> tuple[CanteenClosure, int]:
    """Record that the canteen is closed from ``start_date`` to ``end_date`` (both included).

    The canteen's order lines on those days in weeks still open are withdrawn (standing orders
    copied before the closure was known); return the closure and how many lines went.
    """
    session = get_session()
    canteen = _canteen_managed_by(session, actor, canteen_id)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [gettext("La fin doit être le même jour que le début ou après.")]
    if not reason:
        errors["reason"] = [gettext("Indiquez la raison de la fermeture.")]
    elif len(reason) > REASON_MAX_CHARS:
        errors["reason"] = [gettext("200 caractères au plus.")]
    if (end_date - start_date).days > 366:
        errors["end_date"] = [gettext("Une fermeture dure un an au plus.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(gettext("Fermeture non enregistrée : %(why)s", why=first), errors)
    closure = CanteenClosure(start_date=start_date, end_date=end_date, reason=reason)
    canteen.closures.append(closure)  # keeps the loaded collection in step with the table
    withdrawn = list(
        session.scalars(
            select(OrderLine)
            .join(DeliveryWeek, OrderLine.week_id == DeliveryWeek.id)
            .where(
                OrderLine.canteen_id == canteen.id,
                OrderLine.day >= start_date,
                OrderLine.day <= end_date,
                DeliveryWeek.state == WeekState.OPEN,
            )
        )
    )
    for line in withdrawn:
        session.delete(line)
    session.flush()
    record_audit(
        actor,
        "canteen.closure.declare",
        canteen,
        after={
            "start": start_date.isoformat(),
            "end": end_date.isoformat(),
            "reason": reason,
            "order_lines_withdrawn": len(withdrawn),
        },
    )
    session.commit()
    return closure, len(withdrawn)


def remove_closure(actor: Actor, canteen_id: int, closure_id: int) -> None:
    """Remove one of the canteen's declared closures."""
    session = get_session()
    canteen = _canteen_managed_by(session, actor, canteen_id)
    closure = session.get(CanteenClosure, closure_id)
    if closure is None or closure.canteen_id != canteen.id:
        raise NotFound(gettext("Cette fermeture n'existe pas."))
    record_audit(
        actor,
        "canteen.closure.remove",
        canteen,
        before={
            "start": closure.start_date.isoformat(),
            "end": closure.end_date.isoformat(),
            "reason": closure.reason,
        },
    )
    canteen.closures.remove(closure)  # delete-orphan: the row goes too
    session.commit()


def set_school_zone(actor: Actor, canteen_id: int, zone: str | None) -> Canteen:
    """Set the school-holiday zone whose holidays close the canteen (None: it stays open)."""
    session = get_session()
    canteen = _canteen_managed_by(session, actor, canteen_id)
    zone = (zone or "").strip().upper() or None
    if zone is not None and zone not in SCHOOL_ZONES:
        raise InvalidInput(
            gettext("Zone « %(zone)s » inconnue : choisissez A, B, C ou aucune.", zone=zone),
            {"zone": [gettext("inconnue")]},
        )
    before = canteen.school_zone
    canteen.school_zone = zone
    record_audit(
        actor, "canteen.school_zone", canteen, before={"zone": before}, after={"zone": zone}
    )
    session.commit()
    return canteen
