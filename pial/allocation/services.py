"""Allocating a week: runs, the coordinator's locks, publication and crop-failure re-plans.

Every solve follows the same three steps: read the week and build the problem in one short
transaction, solve with no transaction open (a solve may take seconds), then write the run in a
second transaction that locks the week, so that two allocations of one week queue up. Writing
is made of the steps below, each a function: store the run (:func:`_store_run`), publish it
(:func:`_publish_run`, which raises :class:`~pial.allocation.events.PlanPublished`), and for a
crop failure, check and publish the re-plan (:func:`_store_replan`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pial.actors import Actor
from pial.allocation import seam
from pial.allocation.coordination import require_coordinator
from pial.allocation.events import PlanPublished
from pial.allocation.pricing import price_published_lines
from pial.allocation.rounds import sync_deliveries
from pial.allocation.runs import USABLE_STATUSES, get_run, published_run
from pial.audit import record_audit
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.events import raise_event
from pial.i18n import format_number, unit_label
from pial.models import (
    AllocationRun,
    Canteen,
    CropFailure,
    DeliveryWeek,
    Farm,
    LedgerEntry,
    LedgerKind,
    ManualLock,
    OrderLine,
    Product,
    Receipt,
    Role,
    RunStatus,
    RunTrigger,
    WeekState,
)
from pial.weeks.calendar import get_week
from pial.weeks.parsing import parse_quantity
from pial.weeks.states import change_state, require_state

REPLAN_STABILITY_WEIGHT = 100.0
"""Least stability weight of a crop-failure re-plan: moving 1 unit costs more than 100 kg·km."""

PLANNING_STATES = (WeekState.CLOSED, WeekState.ALLOCATED)
"""States in which the coordinator may run the allocation and lock cells."""


# --- Allocation runs ---------------------------------------------------------------------------


def allocate_week(iso_week: str, actor: Actor = None, *, trigger: str = "manual") -> AllocationRun:
    """Solve the week and store the run (immutable); the week becomes « répartie »."""
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    _require_planning_state(week)
    problem = seam.build_problem(week)
    session = get_session()
    session.commit()  # nothing was written: end the read transaction before the solve
    solved = seam.solve(problem)
    try:
        week = _lock_week(session, week.id, *PLANNING_STATES)
        run = _store_run(session, week, solved, actor, RunTrigger(trigger))
        if run.status in USABLE_STATUSES:
            change_state(week, WeekState.ALLOCATED, actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return run


def _require_planning_state(week: DeliveryWeek) -> None:
    """Refuse planning actions outside « close » and « répartie »."""
    if week.state in (WeekState.DRAFT, WeekState.OPEN):
        action = _("la répartition se fait une fois les offres et les commandes closes")
    else:
        action = _("la répartition ne peut plus être relancée ni modifiée")
    require_state(week, *PLANNING_STATES, action=action)


def _lock_week(session: Session, week_id: int, *solved_in: WeekState) -> DeliveryWeek:
    """Re-read the week inside the write transaction, locked against concurrent writers.

    PostgreSQL: a row lock (SELECT … FOR UPDATE). SQLite: every transaction already starts
    with BEGIN IMMEDIATE, which serialises writers. With ``solved_in``, the states the week was
    in when a solve started: a week that has left them meanwhile refuses the solve's result.
    """
    week = session.scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.id == week_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if solved_in:
        require_state(week, *solved_in, action=_("le calcul qui vient de finir est abandonné"))
    return week


def _store_run(
    session: Session,
    week: DeliveryWeek,
    solved: seam.Solved,
    actor: Actor,
    trigger: RunTrigger,
    *,
    supersedes: AllocationRun | None = None,
) -> AllocationRun:
    """Add the run of a solve (its lines when it is usable) to the week, numbered in sequence."""
    sequence = (
        session.scalar(
            select(func.max(AllocationRun.sequence)).where(AllocationRun.week_id == week.id)
        )
        or 0
    ) + 1
    run = AllocationRun(
        week_id=week.id,
        sequence=sequence,
        status=RunStatus(solved.status),
        trigger=trigger,
        instance_json=solved.instance_json,
        result_json=solved.result_json,
        error_message=solved.error_message or ("\n".join(solved.errors) or None),
        supersedes_run_id=supersedes.id if supersedes is not None else None,
        created_by_id=actor.id if actor is not None else None,
        created_dt=now(),
    )
    if solved.result is not None and run.status in USABLE_STATUSES:
        for column, value in seam.run_metrics(solved.result).items():
            setattr(run, column, value)
        run.lines = seam.lines_from_result(session, solved.problem, solved.result)
    session.add(run)
    session.flush()
    record_audit(
        actor,
        "allocation.run",
        run,
        after={"iso_week": week.iso_week, "sequence": sequence, "status": run.status.value,
               "trigger": trigger.value, "lines": len(run.lines)},
    )
    return run


# --- Manual locks ------------------------------------------------------------------------------


def set_lock(
    actor: Actor,
    iso_week: str,
    farm_id: int,
    canteen_id: int,
    product_id: int,
    day: dt.date,
    quantity: Decimal | str | int,
    note: str | None = None,
) -> ManualLock:
    """Fix a cell of the week to ``quantity`` (0 = this farm must not serve it); re-runs keep it."""
    session = get_session()
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    _require_planning_state(week)
    amount = parse_quantity(quantity, field=_("quantité"))
    farm = session.get(Farm, farm_id)
    canteen = session.get(Canteen, canteen_id)
    product = session.get(Product, product_id)
    errors: dict[str, list[str]] = {}
    if farm is None or not farm.is_active:
        errors["farm_id"] = [_("Choisissez une ferme active du groupe.")]
    if canteen is None:
        errors["canteen_id"] = [_("Choisissez une cantine.")]
    if product is None:
        errors["product_id"] = [_("Choisissez un produit.")]
    if not week.monday_date <= day <= week.monday_date + dt.timedelta(days=6):
        errors["day"] = [_("Le jour doit appartenir à la semaine %(iso_week)s.", iso_week=iso_week)]
    if errors:
        raise InvalidInput(_("Le verrou n'a pas été posé : vérifiez les champs signalés."), errors)
    assert product is not None and canteen is not None
    ordered = session.scalar(
        select(OrderLine.quantity).where(
            OrderLine.week_id == week.id,
            OrderLine.canteen_id == canteen_id,
            OrderLine.product_id == product_id,
            OrderLine.day == day,
        )
    )
    if ordered is None:
        raise InvalidInput(
            _(
                "%(name)s n'a pas commandé de %(name_fr)s ce jour-là.",
                name=canteen.name,
                name_fr=product.name_fr,
            ),
            {"product_id": [_("Aucune commande de ce produit pour cette cantine ce jour-là.")]},
        )
    if amount > ordered:
        raise InvalidInput(
            _(
                "Quantité : %(amount)s dépasse la commande (%(ordered)s).",
                amount=format_number(amount, 3),
                ordered=format_number(ordered, 3),
            ),
            {"quantity": [_("Au plus %(ordered)s (la quantité commandée).",
                            ordered=format_number(ordered, 3))]},
        )
    if product.lot_size and amount % product.lot_size != 0:
        raise InvalidInput(
            _(
                "Quantité : %(name_fr)s se livre par caisses de %(lot_size)s.",
                name_fr=product.name_fr,
                lot_size=format_number(product.lot_size, 3),
            ),
            {"quantity": [_("Un multiple de %(lot_size)s.",
                            lot_size=format_number(product.lot_size, 3))]},
        )
    lock = _lock_of(session, week.id, farm_id, canteen_id, product_id, day)
    before = {"quantity": str(lock.quantity)} if lock is not None else None
    if lock is None:
        lock = ManualLock(
            week_id=week.id,
            farm_id=farm_id,
            canteen_id=canteen_id,
            product_id=product_id,
            day=day,
            created_by_id=actor.id if actor is not None else None,
            created_dt=now(),
        )
        session.add(lock)
    lock.quantity = amount
    lock.note = note or None
    session.flush()
    record_audit(actor, "allocation.set_lock", lock, before=before,
                 after={"iso_week": iso_week, "farm_id": farm_id, "canteen_id": canteen_id,
                        "product_id": product_id, "day": day.isoformat(),
                        "quantity": str(amount)})
    session.commit()
    return lock


def remove_lock(
    actor: Actor, iso_week: str, farm_id: int, canteen_id: int, product_id: int, day: dt.date
) -> None:
    """Remove the lock of a cell; the next run chooses it freely again."""
    session = get_session()
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    _require_planning_state(week)
    lock = _lock_of(session, week.id, farm_id, canteen_id, product_id, day)
    if lock is None:
        raise NotFound(_("Ce verrou n'existe pas (ou plus)."))
    record_audit(actor, "allocation.remove_lock", lock,
                 before={"iso_week": iso_week, "quantity": str(lock.quantity)})
    session.delete(lock)
    session.commit()


def _lock_of(
    session: Session, week_id: int, farm_id: int, canteen_id: int, product_id: int, day: dt.date
) -> ManualLock | None:
    """Return the lock of a cell of the week, if any."""
    return session.scalar(
        select(ManualLock).where(
            ManualLock.week_id == week_id,
            ManualLock.farm_id == farm_id,
            ManualLock.canteen_id == canteen_id,
            ManualLock.product_id == product_id,
            ManualLock.day == day,
        )
    )


def week_locks(iso_week: str) -> list[ManualLock]:
    """Return the manual locks of a week, by day, canteen and product."""
    week = get_week(iso_week)
    return list(
        get_session().scalars(
            select(ManualLock)
            .where(ManualLock.week_id == week.id)
            .order_by(ManualLock.day, ManualLock.canteen_id, ManualLock.product_id)
        )
    )


# --- Publication -------------------------------------------------------------------------------


def publish_week(iso_week: str, actor: Actor, run_id: int | None = None) -> AllocationRun:
    """Publish a run (default: the latest) as the week's planning, version 1, 2, …"""
    session = get_session()
    try:
        week = get_week(iso_week)
        require_coordinator(actor, iso_week)
        week = _lock_week(session, week.id)
        require_state(
            week,
            WeekState.ALLOCATED,
            action=(
                _("le planning ne se publie qu'après une répartition")
                if week.state in (WeekState.DRAFT, WeekState.OPEN, WeekState.CLOSED)
                else _(
                    "le planning est déjà publié ; une perte de récolte en publie une nouvelle "
                    "version"
                )
            ),
        )
        run = get_run(iso_week, run_id)
        if run is None:
            raise Conflict(_("Aucune répartition à publier : lancez d'abord la répartition."))
        if run.status not in USABLE_STATUSES:
            raise Conflict(
                _(
                    "La répartition n°%(sequence)s n'a pas donné de planning valable (%(value)s) "
                    ": corrigez les verrous et relancez-la.",
                    sequence=run.sequence,
                    value=run.status.value,
                )
            )
        if run.is_published:
            raise Conflict(
                _("La répartition n°%(sequence)s est déjà publiée.", sequence=run.sequence)
            )
        _publish_run(session, week, run, actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return run


def _publish_run(
    session: Session,
    week: DeliveryWeek,
    run: AllocationRun,
    actor: Actor,
    *,
    replaces: AllocationRun | None = None,
    crop_failure: CropFailure | None = None,
) -> None:
    """Stamp the next published version on ``run``, record the ledger and the delivery trips.

    A re-plan (``replaces`` the published run) carries the receipts of unchanged lines over
    and notes in the farm's ledger what its crop failure cost it. Then :class:`PlanPublished`
    is raised: each grower's pick list and each canteen's notes go out with the publication.
    """
    last_version = session.scalar(
        select(func.max(AllocationRun.published_version)).where(
            AllocationRun.week_id == week.id
        )
    )
    run.published_version = (last_version or 0) + 1
    run.published_dt = now()
    run.published_by_id = actor.id if actor is not None else None
    price_published_lines(session, run, replaces)
    entries = _record_allocation_ledger(session, week, run, actor)
    sync_deliveries(session, week, run)
    change_state(week, WeekState.PUBLISHED, actor)
    record_audit(actor, "allocation.publish", run,
                 after={"iso_week": week.iso_week, "version": run.published_version,
                        "sequence": run.sequence})
    session.flush()
    if replaces is not None:
        _carry_receipts(session, replaces, run)
        if crop_failure is not None:
            _note_lost_value(entries, replaces, run, crop_failure)
    raise_event(PlanPublished(run, replan=replaces is not None))


def _record_allocation_ledger(
    session: Session, week: DeliveryWeek, run: AllocationRun, actor: Actor
) -> dict[int, LedgerEntry]:
    """Add one ledger entry per farm so that the week's entries sum to this run's effect.

    The run's effect on a farm is its ledger after the run minus the ledger it started from
    (both as the run was solved); earlier versions' entries of the week are netted out.
    """
    started_eur, after_eur = seam.run_ledger_eur(run)
    balances = seam.ledger_balances_eur(session)
    already_eur = seam.week_allocation_ledger_eur(session, week.id)
    entries = {}
    for farm_id in sorted(after_eur):
        effect_eur = after_eur[farm_id] - started_eur.get(farm_id, Decimal(0))
        amount_eur = effect_eur - already_eur.get(farm_id, Decimal(0))
        entries[farm_id] = LedgerEntry(
            farm_id=farm_id,
            week_id=week.id,
            kind=LedgerKind.ALLOCATION,
            amount_eur=amount_eur,
            balance_after_eur=balances.get(farm_id, Decimal(0)) + amount_eur,
            run_id=run.id,
            note=f"Planning publié, version {run.published_version}",  # stored: French
            created_by_id=actor.id if actor is not None else None,
            created_dt=now(),
        )
        session.add(entries[farm_id])
    return entries


def _carry_receipts(session: Session, previous: AllocationRun, run: AllocationRun) -> None:
    """Move receipts of the previous version to the same, unchanged lines of the new one.

    A re-plan keeps the lines of days already delivered; what canteens recorded on them stays
    attached to the planning in force.
    """
    new_lines = {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln for ln in run.lines}
    old_ids = {ln.id: ln for ln in previous.lines}
    if not old_ids:
        return
    session.flush()  # the new lines need their ids
    for receipt in session.scalars(
        select(Receipt).where(Receipt.allocation_line_id.in_(list(old_ids)))
    ):
        old = old_ids[receipt.allocation_line_id]
        new = new_lines.get((old.farm_id, old.canteen_id, old.product_id, old.day))
        if new is not None and new.quantity == old.quantity:
            receipt.allocation_line_id = new.id


def _note_lost_value(
    entries: dict[int, LedgerEntry],
    previous: AllocationRun,
    run: AllocationRun,
    failure: CropFailure,
) -> None:
    """Write into the farm's ledger entry the sales value its crop failure cost it."""
    def farm_value_eur(some_run: AllocationRun) -> Decimal:
        return sum(
            (ln.value_eur for ln in some_run.lines
             if ln.farm_id == failure.farm_id and ln.product_id == failure.product_id),
            Decimal(0),
        )

    lost_eur = farm_value_eur(previous) - farm_value_eur(run)
    entry = entries.get(failure.farm_id)
    if entry is not None:
        entry.note = (  # stored in the ledger, read by everyone: French
            f"Planning publié, version {run.published_version} — perte de récolte : "
            f"{lost_eur} € de ventes en moins sur ce produit"
        )


# --- Crop failures -----------------------------------------------------------------------------


def declare_crop_failure(
    actor: Actor,
    farm_id: int,
    iso_week: str,
    product_id: int,
    quantity_lost: Decimal | str | int,
    note: str = "",
    *,
    day: dt.date | None = None,
) -> AllocationRun:
    """Record a farm's crop loss after publication and publish the re-plan that covers it.

    The re-plan starts from the published lines with a high stability weight, so that other
    farms take over the missing quantities with as few changes as possible.
    """
    session = get_session()
    week = get_week(iso_week)
    farm = session.get(Farm, farm_id)
    if farm is None:
        raise NotFound(_("Cette ferme n'existe pas."))
    if actor is not None and not (
        actor.role == Role.LEAD or (actor.role == Role.GROWER and actor.farm_id == farm_id)
    ):
        raise Forbidden(_("Vous ne pouvez déclarer une perte que pour votre propre ferme."))
    require_state(
        week,
        WeekState.PUBLISHED,
        action=(
            _("une perte de récolte se déclare une fois le planning publié")
            if week.state != WeekState.DELIVERED
            else _("les livraisons sont faites, il n'y a plus rien à re-planifier")
        ),
    )
    amount = parse_quantity(quantity_lost, field=_("quantité perdue"))
    if amount <= 0:
        raise InvalidInput(
            _("Quantité perdue : indiquez une quantité supérieure à 0."),
            {"quantity_lost": [_("Indiquez une quantité supérieure à 0.")]},
        )
    product = session.get(Product, product_id)
    current = published_run(week)
    assert current is not None  # a published week has a published run
    planned = [
        line
        for line in current.lines
        if line.farm_id == farm_id
        and line.product_id == product_id
        and (day is None or line.day == day)
    ]
    if product is None or not planned:
        raise InvalidInput(
            _("Produit : votre ferme n'a rien à livrer de ce produit au planning publié."),
            {"product_id": [_("Choisissez un produit de votre planning.")]},
        )
    planned_quantity = sum((line.quantity for line in planned), Decimal(0))
    to_deliver = sum(
        (line.quantity for line in planned if line.day >= today_in_paris()), Decimal(0)
    )
    if amount > to_deliver:
        message = _(
            "Quantité perdue : il reste %(left)s %(unit)s de %(product)s à livrer au planning "
            "de votre ferme ; déclarez au plus cette quantité.",
            left=format_number(to_deliver, 3),
            unit=unit_label(product, to_deliver),
            product=product.name_fr,
        )
        raise InvalidInput(message, {"quantity_lost": [message]})
    # The loss is counted against the plan: the farm can now deliver « planned − lost », so
    # the re-plan may not hand the rest of its offer back to it.
    left = seam.offer_left(session, week.id, farm_id, product_id, day)
    withdrawn = max(amount, left - (planned_quantity - amount))
    loss = seam.PendingLoss(farm_id, product_id, withdrawn, day)
    # Deliveries of past days are made: the re-plan keeps them and only moves what is to come.
    problem = seam.with_stability(
        seam.build_problem(week, previous_run=current, pending_losses=[loss],
                           delivered_before=today_in_paris()),
        REPLAN_STABILITY_WEIGHT,
    )
    expected_version = current.published_version
    session.commit()  # nothing was written: end the read transaction before the solve
    failure = CropFailure(
        farm_id=farm_id,
        product_id=product_id,
        day=day,
        quantity_lost=amount,
        quantity_withdrawn=withdrawn,
        note=note or None,
        declared_by_id=actor.id if actor is not None else None,
        declared_dt=now(),
    )
    solved = seam.solve(problem)
    try:
        week = _lock_week(session, week.id, WeekState.PUBLISHED)
        run = _store_replan(session, week, solved, actor, current, expected_version, failure)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return run


def _store_replan(
    session: Session,
    week: DeliveryWeek,
    solved: seam.Solved,
    actor: Actor,
    replaces: AllocationRun,
    expected_version: int | None,
    failure: CropFailure,
) -> AllocationRun:
    """Store the re-plan of a crop failure and publish it in place of ``replaces``.

    Refused when the plan was republished during the solve, or when the solve found no plan.
    """
    current = published_run(week)
    if current is None or current.published_version != expected_version:
        raise Conflict(
            _("Le planning a été republié pendant le calcul : rechargez la page et recommencez.")
        )
    if solved.result is None or RunStatus(solved.status) not in USABLE_STATUSES:
        raise Conflict(
            _(
                "Aucun nouveau planning n'a pu être calculé (la perte dépasse-t-elle ce "
                "qui reste à livrer ?) : "
            )
            + (solved.error_message or "; ".join(solved.errors))
        )
    run = _store_run(session, week, solved, actor, RunTrigger.CROP_FAILURE, supersedes=replaces)
    failure.week_id = week.id
    failure.replan_run_id = run.id
    session.add(failure)
    session.flush()
    record_audit(actor, "allocation.declare_crop_failure", failure,
                 after={"iso_week": week.iso_week, "farm_id": failure.farm_id,
                        "product_id": failure.product_id,
                        "quantity_lost": str(failure.quantity_lost), "replan_run_id": run.id})
    _release_overridden_locks(session, week, failure, actor)
    _publish_run(session, week, run, actor, replaces=replaces, crop_failure=failure)
    return run


def _release_overridden_locks(
    session: Session, week: DeliveryWeek, failure: CropFailure, actor: Actor
) -> None:
    """Remove the locks of the lost farm and product: the re-plan could not keep them.

    Runs ignore them from now on (see :func:`seam.build_problem`), so the review grid must not
    go on showing those cells as « verrouillée ».
    """
    for lock in session.scalars(
        select(ManualLock).where(
            ManualLock.week_id == week.id,
            ManualLock.farm_id == failure.farm_id,
            ManualLock.product_id == failure.product_id,
        )
    ).all():
        record_audit(actor, "allocation.lock_overridden", lock,
                     before={"quantity": str(lock.quantity), "day": lock.day.isoformat()},
                     after={"crop_failure_id": failure.id})
        session.delete(lock)


def farm_offer_left(farm_id: int, iso_week: str, product_id: int) -> Decimal:
    """Return what a farm still offers of a product this week, once its losses are taken."""
    week = get_week(iso_week)
    return seam.offer_left(get_session(), week.id, farm_id, product_id, None)


def farm_products_in_plan(farm_id: int, iso_week: str) -> list[Product]:
    """Return the products a farm delivers in the week's published planning."""
    week = get_week(iso_week)
    run = published_run(week)
    if run is None:
        return []
    products = {line.product_id: line.product for line in run.lines if line.farm_id == farm_id}
    return sorted(products.values(), key=lambda product: product.name_fr)
