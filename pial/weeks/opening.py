"""Opening weeks to offers and orders (standing orders copied in) and closing them."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import select

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now
from pial.db import get_session
from pial.errors import Forbidden
from pial.models import DeliveryWeek, Role, WeekState
from pial.weeks.calendar import ensure_week, get_week
from pial.weeks.standing_orders import copy_standing_orders
from pial.weeks.states import change_state


def _require_lead_or_system(actor: Actor, what: str) -> None:
    """Refuse ``what`` to anybody but the lead (or the system, ``actor`` None)."""
    if actor is not None and actor.role != Role.LEAD:
        raise Forbidden(
            gettext("Seule la personne responsable du projet peut %(what)s.", what=what)
        )


def open_week(iso_week: str, actor: Actor = None) -> DeliveryWeek:
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
        added = copy_standing_orders(session, week)
        record_audit(
            actor,
            "week.apply_standing_orders",
            week,
            after={"iso_week": week.iso_week, "order_lines": added},
        )
    session.commit()
    return week


def close_week(iso_week: str, actor: Actor = None, *, checked: bool = False) -> DeliveryWeek:
    """Close an open week: nothing more is offered nor ordered (open → closed).

    ``checked``: the caller has already allowed ``actor`` (the week's coordinator may close it).
    """
    if not checked:
        _require_lead_or_system(actor, gettext("clore une semaine"))
    session = get_session()
    week = get_week(iso_week)
    change_state(week, WeekState.CLOSED, actor)
    session.commit()
    return week


def close_due_weeks(actor: Actor = None) -> list[DeliveryWeek]:
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
