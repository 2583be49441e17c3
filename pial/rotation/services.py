"""The coordinator rotation: which farm coordinates each week, and swaps between growers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.audit import record_audit
from pial.clock import monday_of, now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.models import (
    CoordinatorAssignment,
    CoordinatorSwap,
    DeliveryWeek,
    Farm,
    Role,
    SwapState,
)
from pial.weeks.calendar import ensure_week, normalise_iso_week


@dataclass(frozen=True, slots=True)
class RotationRow:
    """One week of the rotation: the week, its coordinating farm (if any), whether it started."""

    week: DeliveryWeek
    farm: Farm | None
    is_past: bool


def _week_number(iso_week: str) -> int:
    return int(iso_week.split("-W")[1])


def _has_started(week: DeliveryWeek, today: dt.date) -> bool:
    """Tell whether a week has begun (its assignment is history and is kept)."""
    return week.monday_date <= today


def _iso_weeks_between(first_week: str, last_week: str) -> list[str]:
    """Return every ISO week label from ``first_week`` to ``last_week`` included."""
    first = monday_of(normalise_iso_week(first_week))
    last = monday_of(normalise_iso_week(last_week))
    if last < first:
        raise InvalidInput(
            gettext("La dernière semaine précède la première."),
            {"last_week": [gettext("avant la première")]},
        )
    if (last - first).days > 7 * 160:
        raise InvalidInput(
            gettext("Période trop longue : trois ans au plus."),
            {"last_week": [gettext("trop loin")]},
        )
    labels = []
    monday = first
    while monday <= last:
        year, number, _ = monday.isocalendar()
        labels.append(f"{year}-W{number:02d}")
        monday += dt.timedelta(weeks=1)
    return labels


def _assignment_of(session: Session, monday: dt.date) -> CoordinatorAssignment | None:
    """Return the assignment of the week starting ``monday``, if any."""
    return session.scalar(
        select(CoordinatorAssignment)
        .join(DeliveryWeek, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .where(DeliveryWeek.monday_date == monday)
    )


def choose_rotation(
    farm_ids: Sequence[int],
    slots: Sequence[int | None],
    *,
    before: int | None = None,
    after: int | None = None,
) -> list[int]:
    """Fill the None slots of a run of consecutive weeks with farms, as evenly as possible.

    Kept slots (farm ids) count towards each farm's share. Each free slot takes the farm with
    the fewest weeks so far (then the one idle longest, then the first listed) that is neither
    the previous week's farm nor, when known, the next week's; with one farm it repeats.
    ``before``/``after`` are the farms of the weeks just outside the run.
    """
    if not farm_ids:
        raise InvalidInput(gettext("Aucune ferme active : impossible d'établir la rotation."))
    counts = {farm_id: 0 for farm_id in farm_ids}
    for slot in slots:
        if slot in counts:
            counts[slot] += 1
    last_seen = {farm_id: -1 for farm_id in farm_ids}
    order = {farm_id: position for position, farm_id in enumerate(farm_ids)}
    chosen: list[int] = []
    previous = before
    for index, slot in enumerate(slots):
        if slot is not None:
            chosen.append(slot)
        else:
            following = slots[index + 1] if index + 1 < len(slots) else after
            candidates = [f for f in farm_ids if f != previous and f != following]
            if not candidates:
                candidates = [f for f in farm_ids if f != previous] or list(farm_ids)
            best = min(candidates, key=lambda f: (counts[f], last_seen[f], order[f]))
            counts[best] += 1
            chosen.append(best)
        if chosen[-1] in last_seen:
            last_seen[chosen[-1]] = index
        previous = chosen[-1]
    return chosen


def generate_rotation(
    first_week: str, last_week: str, actor: Actor
) -> list[CoordinatorAssignment]:
    """Assign the active farms to the weeks from ``first_week`` to ``last_week``, evenly.

    Weeks that have already begun keep their coordinator; the others are (re)assigned so that
    counts differ by at most one and, with two farms or more, no farm coordinates two weeks in
    a row. Pending swaps of reassigned weeks are cancelled. Only the lead (or the system).
    """
    if actor is not None and actor.role != Role.LEAD:
        raise Forbidden(
            gettext("Seule la personne responsable du projet peut établir la rotation.")
        )
    session = get_session()
    labels = _iso_weeks_between(first_week, last_week)
    farms = list(
        session.scalars(select(Farm).where(Farm.is_active.is_(True)).order_by(Farm.name, Farm.id))
    )
    farm_ids = [farm.id for farm in farms]
    if not farm_ids:
        raise InvalidInput(gettext("Aucune ferme active : impossible d'établir la rotation."))
    today = today_in_paris()
    weeks = [ensure_week(session, label)[0] for label in labels]
    assignments = {
        a.week_id: a
        for a in session.scalars(
            select(CoordinatorAssignment).where(
                CoordinatorAssignment.week_id.in_([w.id for w in weeks])
            )
        )
    }
    slots: list[int | None] = []
    for week in weeks:
        kept = assignments.get(week.id)
        slots.append(kept.farm_id if kept is not None and _has_started(week, today) else None)
    first_monday = weeks[0].monday_date
    before_assignment = _assignment_of(session, first_monday - dt.timedelta(weeks=1))
    after_assignment = _assignment_of(session, weeks[-1].monday_date + dt.timedelta(weeks=1))
    chosen = choose_rotation(
        farm_ids,
        slots,
        before=before_assignment.farm_id if before_assignment else None,
        after=after_assignment.farm_id if after_assignment else None,
    )
    result: list[CoordinatorAssignment] = []
    changed: dict[str, int] = {}
    for week, farm_id in zip(weeks, chosen, strict=True):
        assignment = assignments.get(week.id)
        if assignment is None:
            assignment = CoordinatorAssignment(week_id=week.id, farm_id=farm_id)
            session.add(assignment)
            changed[week.iso_week] = farm_id
        elif assignment.farm_id != farm_id:
            assignment.farm_id = farm_id
            changed[week.iso_week] = farm_id
            _cancel_pending_swaps(session, assignment)
        result.append(assignment)
    session.flush()
    record_audit(
        actor,
        "rotation.generate",
        weeks[0],
        after={"first_week": labels[0], "last_week": labels[-1], "assigned": changed},
    )
    session.commit()
    return result


def _cancel_pending_swaps(session: Session, assignment: CoordinatorAssignment) -> None:
    """Cancel pending swaps involving an assignment whose farm changed."""
    pending = session.scalars(
        select(CoordinatorSwap).where(
            CoordinatorSwap.state == SwapState.REQUESTED,
            or_(
                CoordinatorSwap.assignment_id == assignment.id,
                CoordinatorSwap.other_assignment_id == assignment.id,
            ),
        )
    )
    for swap in pending:
        swap.state = SwapState.CANCELLED
        swap.decided_dt = now()


def is_coordinator(user: Actor, iso_week: str) -> bool:
    """Tell whether ``user`` is a grower of the farm coordinating ``iso_week``, or its backup."""
    if user is None or user.role != Role.GROWER or user.farm_id is None:
        return False
    return user.farm_id in coordinator_farm_ids(iso_week)


def coordinator_farm_ids(iso_week: str) -> set[int]:
    """Return the farms that may coordinate ``iso_week``: the assigned one and its backup."""
    assignment = week_assignment(iso_week)
    if assignment is None:
        return set()
    return {assignment.farm_id} | (
        {assignment.backup_farm_id} if assignment.backup_farm_id is not None else set()
    )


def week_assignment(iso_week: str) -> CoordinatorAssignment | None:
    """Return the coordination assignment of ``iso_week``, if the week has one."""
    return get_session().scalar(
        select(CoordinatorAssignment)
        .join(DeliveryWeek, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .where(DeliveryWeek.iso_week == normalise_iso_week(iso_week))
    )


def rotation_rows(first_week: str, last_week: str) -> list[RotationRow]:
    """Return the existing weeks from ``first_week`` to ``last_week`` with their coordinator."""
    first = monday_of(normalise_iso_week(first_week))
    last = monday_of(normalise_iso_week(last_week))
    session = get_session()
    weeks = session.scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.monday_date >= first, DeliveryWeek.monday_date <= last)
        .order_by(DeliveryWeek.monday_date)
    )
    today = today_in_paris()
    rows = []
    for week in weeks:
        assignment = week.coordinator_assignment
        rows.append(
            RotationRow(week, assignment.farm if assignment else None, _has_started(week, today))
        )
    return rows


def _assignment_for(session: Session, iso_week: str) -> CoordinatorAssignment:
    """Return the assignment of ``iso_week`` or raise NotFound."""
    label = normalise_iso_week(iso_week)
    assignment = session.scalar(
        select(CoordinatorAssignment)
        .join(DeliveryWeek, CoordinatorAssignment.week_id == DeliveryWeek.id)
        .where(DeliveryWeek.iso_week == label)
    )
    if assignment is None:
        raise NotFound(
            gettext("Personne ne coordonne encore la semaine %(label)s.", label=_week_number(label))
        )
    return assignment


def request_swap(actor: Actor, iso_week_a: str, iso_week_b: str) -> CoordinatorSwap:
    """Ask to exchange the coordination of ``iso_week_a`` (the actor's) with ``iso_week_b``.

    The actor must be a grower of the farm coordinating week A (or the lead); week B must be
    coordinated by another farm; neither week may have begun; one pending request per pair.
    """
    session = get_session()
    mine = _assignment_for(session, iso_week_a)
    other = _assignment_for(session, iso_week_b)
    if actor is None or (
        actor.role != Role.LEAD
        and not (actor.role == Role.GROWER and actor.farm_id == mine.farm_id)
    ):
        raise Forbidden(
            gettext(
                "Vous ne coordonnez pas la semaine %(week_number)s : vous ne pouvez pas "
                "l'échanger.",
                week_number=mine.week.week_number,
            )
        )
    _refuse_started(mine, other)
    if mine.farm_id == other.farm_id:
        raise Conflict(
            gettext(
                "Les semaines %(week_number)s et %(week_number_2)s sont coordonnées par la même "
                "ferme : rien à échanger.",
                week_number=mine.week.week_number,
                week_number_2=other.week.week_number,
            )
        )
    duplicate = session.scalar(
        select(CoordinatorSwap.id).where(
            CoordinatorSwap.state == SwapState.REQUESTED,
            or_(
                (CoordinatorSwap.assignment_id == mine.id)
                & (CoordinatorSwap.other_assignment_id == other.id),
                (CoordinatorSwap.assignment_id == other.id)
                & (CoordinatorSwap.other_assignment_id == mine.id),
            ),
        )
    )
    if duplicate is not None:
        raise Conflict(gettext("Un échange entre ces deux semaines est déjà demandé."))
    swap = CoordinatorSwap(
        assignment_id=mine.id,
        other_assignment_id=other.id,
        state=SwapState.REQUESTED,
        requested_by_id=actor.id,
        requested_dt=now(),
    )
    session.add(swap)
    session.flush()
    record_audit(
        actor,
        "rotation.request_swap",
        swap,
        after={"week_a": mine.week.iso_week, "week_b": other.week.iso_week},
    )
    session.commit()
    return swap


def _refuse_started(*assignments: CoordinatorAssignment) -> None:
    """Refuse to move the coordination of a week that has begun."""
    today = today_in_paris()
    for assignment in assignments:
        if _has_started(assignment.week, today):
            raise Conflict(
                gettext(
                    "La semaine %(week_number)s a commencé : sa coordination ne s'échange plus.",
                    week_number=assignment.week.week_number,
                )
            )


def answer_swap(actor: Actor, swap_id: int, accept: bool) -> CoordinatorSwap:
    """Accept or refuse a swap request; only a grower of the other week's farm may answer.

    Accepting exchanges the two weeks' farms; both outcomes are audited.
    """
    session = get_session()
    swap = session.get(CoordinatorSwap, swap_id)
    if swap is None:
        raise NotFound(gettext("Cette demande d'échange n'existe pas."))
    other = swap.other_assignment
    if other is None:  # a hand-over to a farm, not created by this feature
        raise Conflict(gettext("Cette demande n'est pas un échange entre deux semaines."))
    if swap.state != SwapState.REQUESTED:
        raise Conflict(gettext("Cette demande d'échange a déjà reçu une réponse."))
    if actor is None or actor.role != Role.GROWER or actor.farm_id != other.farm_id:
        raise Forbidden(
            gettext("Seul un producteur de la ferme sollicitée peut répondre à cet échange.")
        )
    mine = swap.assignment
    before = {mine.week.iso_week: mine.farm_id, other.week.iso_week: other.farm_id}
    if accept:
        _refuse_started(mine, other)
        mine.farm_id, other.farm_id = other.farm_id, mine.farm_id
        swap.state = SwapState.ACCEPTED
    else:
        swap.state = SwapState.REFUSED
    swap.decided_by_id = actor.id
    swap.decided_dt = now()
    session.flush()
    record_audit(
        actor,
        "rotation.accept_swap" if accept else "rotation.refuse_swap",
        swap,
        before=before,
        after={mine.week.iso_week: mine.farm_id, other.week.iso_week: other.farm_id},
    )
    session.commit()
    return swap


def cancel_swap(actor: Actor, swap_id: int) -> CoordinatorSwap:
    """Withdraw one's own pending swap request."""
    session = get_session()
    swap = session.get(CoordinatorSwap, swap_id)
    if swap is None:
        raise NotFound(gettext("Cette demande d'échange n'existe pas."))
    if actor is None or swap.requested_by_id != actor.id:
        raise Forbidden(gettext("Seule la personne qui a demandé l'échange peut l'annuler."))
    if swap.state != SwapState.REQUESTED:
        raise Conflict(gettext("Cette demande d'échange a déjà reçu une réponse."))
    swap.state = SwapState.CANCELLED
    swap.decided_by_id = actor.id
    swap.decided_dt = now()
    record_audit(actor, "rotation.cancel_swap", swap)
    session.commit()
    return swap


def pending_swaps() -> list[CoordinatorSwap]:
    """Return the swap requests awaiting an answer, oldest first."""
    return list(
        get_session().scalars(
            select(CoordinatorSwap)
            .where(CoordinatorSwap.state == SwapState.REQUESTED)
            .order_by(CoordinatorSwap.requested_dt)
        )
    )


def _require_coordinating_grower_or_lead(actor: Actor, iso_week: str) -> CoordinatorAssignment:
    """Return the week's assignment if ``actor`` leads or may coordinate it; else refuse."""
    assignment = week_assignment(iso_week)
    if assignment is None:
        raise NotFound(gettext("Aucune ferme ne coordonne cette semaine."))
    if actor is not None and actor.role != Role.LEAD and not is_coordinator(actor, iso_week):
        raise Forbidden(
            gettext("Seule la ferme qui coordonne la semaine (ou son suppléant) peut faire cela.")
        )
    return assignment


def confirm_coordination(actor: Actor, iso_week: str) -> CoordinatorAssignment:
    """Record that a grower of the coordinating (or backup) farm takes the week on."""
    assignment = _require_coordinating_grower_or_lead(actor, iso_week)
    if actor is None or actor.role != Role.GROWER:
        raise Forbidden(
            gettext("Seul un producteur de la ferme coordinatrice confirme sa semaine.")
        )
    if assignment.confirmed_dt is None:
        assignment.confirmed_dt = now()
        assignment.confirmed_by_id = actor.id
        record_audit(actor, "rotation.confirm", assignment, after={"iso_week": iso_week})
    get_session().commit()
    return assignment


def name_backup(actor: Actor, iso_week: str, farm_id: int | None) -> CoordinatorAssignment:
    """Name (or, with None, withdraw) the farm that stands in for the week's coordinator."""
    assignment = _require_coordinating_grower_or_lead(actor, iso_week)
    session = get_session()
    if farm_id is not None:
        farm = session.get(Farm, farm_id)
        if farm is None or not farm.is_active:
            raise InvalidInput(
                gettext("Suppléant : choisissez une ferme active de la liste."),
                {"farm_id": [gettext("Choisissez une ferme de la liste.")]},
            )
        if farm.id == assignment.farm_id:
            raise InvalidInput(
                gettext("Suppléant : choisissez une autre ferme que celle qui coordonne."),
                {"farm_id": [gettext("Choisissez une autre ferme.")]},
            )
    before = {"backup_farm_id": assignment.backup_farm_id}
    assignment.backup_farm_id = farm_id
    record_audit(actor, "rotation.name_backup", assignment, before=before,
                 after={"backup_farm_id": farm_id, "iso_week": iso_week})
    session.commit()
    return assignment


def unconfirmed_assignments(weeks: Sequence[DeliveryWeek]) -> list[CoordinatorAssignment]:
    """Return the assignments of ``weeks`` that no grower has confirmed."""
    if not weeks:
        return []
    return list(
        get_session().scalars(
            select(CoordinatorAssignment).where(
                CoordinatorAssignment.week_id.in_([week.id for week in weeks]),
                CoordinatorAssignment.confirmed_dt.is_(None),
            )
        )
    )
