"""The life of a delivery week: which state changes are allowed, and the refusals, in French.

draft → open → closed → allocated → published → delivered, plus the re-runs (allocated →
allocated), re-plans (published → published) and one way back: the lead may reopen a closed
week (closed → open). Nothing else goes backwards.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import now
from pial.errors import Conflict, Forbidden
from pial.models import DeliveryWeek, Role, WeekState

ALLOWED_TRANSITIONS: dict[WeekState, frozenset[WeekState]] = {
    WeekState.DRAFT: frozenset({WeekState.OPEN}),
    WeekState.OPEN: frozenset({WeekState.CLOSED}),
    WeekState.CLOSED: frozenset({WeekState.ALLOCATED, WeekState.OPEN}),
    WeekState.ALLOCATED: frozenset({WeekState.ALLOCATED, WeekState.PUBLISHED}),
    WeekState.PUBLISHED: frozenset({WeekState.PUBLISHED, WeekState.DELIVERED}),
    WeekState.DELIVERED: frozenset(),
}
"""For each state, the states a week may move to."""

LEAD_ONLY_TRANSITIONS = frozenset({(WeekState.CLOSED, WeekState.OPEN)})
"""Transitions only the project lead may make (the way back)."""

STATE_ADJECTIVES = {
    WeekState.DRAFT: _l("en préparation"),
    WeekState.OPEN: _l("ouverte"),
    WeekState.CLOSED: _l("close"),
    WeekState.ALLOCATED: _l("répartie"),
    WeekState.PUBLISHED: _l("publiée"),
    WeekState.DELIVERED: _l("livrée"),
}
"""How a week's state reads after « La semaine 48 est … »."""

_TIMESTAMP_OF = {
    WeekState.OPEN: "opened_dt",
    WeekState.CLOSED: "closed_dt",
    WeekState.ALLOCATED: "allocated_dt",
    WeekState.PUBLISHED: "published_dt",
    WeekState.DELIVERED: "delivered_dt",
}


def week_title(week: DeliveryWeek) -> str:
    """Return « La semaine 48 » (with the year when it is not obvious: always the number)."""
    return str(_("La semaine %(week_number)s", week_number=week.week_number))


def describe_state(week: DeliveryWeek) -> str:
    """Return « La semaine 48 est close » for messages."""
    return str(
        _(
            "%(week_title)s est %(state_adjectives)s",
            week_title=week_title(week),
            state_adjectives=STATE_ADJECTIVES[WeekState(week.state)],
        )
    )


def require_state(week: DeliveryWeek, *allowed: WeekState, action: str) -> None:
    """Raise Conflict unless the week is in one of ``allowed``.

    ``action`` is the French consequence shown after the state, e.g. « les offres ne sont
    plus modifiables » gives « La semaine 48 est close : les offres ne sont plus modifiables. »
    """
    if WeekState(week.state) in allowed:
        return
    raise Conflict(_("%(state)s : %(action)s.", state=describe_state(week), action=action))


def change_state(week: DeliveryWeek, new_state: WeekState, actor: Actor) -> None:
    """Move ``week`` to ``new_state``, stamp the time and audit it; the caller commits.

    Raises Conflict (French message) for a transition the machine forbids and Forbidden when a
    lead-only transition (reopening a closed week) is asked by anyone else. ``actor`` may be
    None for the system (jobs, command line), which may not reopen a week either.
    """
    current = WeekState(week.state)
    target = WeekState(new_state)
    if target not in ALLOWED_TRANSITIONS[current]:
        raise Conflict(
            _(
                "%(describe_state)s : elle ne peut pas passer à l'état « %(state_adjectives)s ».",
                describe_state=describe_state(week),
                state_adjectives=STATE_ADJECTIVES[target],
            )
        )
    if (current, target) in LEAD_ONLY_TRANSITIONS and (actor is None or actor.role != Role.LEAD):
        raise Forbidden(
            _("Seule la personne responsable du projet peut rouvrir %(week)s.", week=_lower(week))
        )
    moment = now()
    week.state = target
    setattr(week, _TIMESTAMP_OF[target], moment)
    if target == WeekState.OPEN and current == WeekState.CLOSED:
        week.closed_dt = None
    record_audit(
        actor,
        "week.change_state",
        week,
        before={"iso_week": week.iso_week, "state": current.value},
        after={"iso_week": week.iso_week, "state": target.value, "at": moment.isoformat()},
    )


def _lower(week: DeliveryWeek) -> str:
    """Return « la semaine 48 »."""
    return str(_("la semaine %(week_number)s", week_number=week.week_number))
