"""Allocating a week: runs, the coordinator's locks, publication and crop-failure re-plans.

Every solve follows the same three steps: read the week and build the problem in one short
transaction, solve with no transaction open (a solve may take seconds), then write the run in a
second transaction that locks the week, so that two allocations of one week queue up.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import solver
from pial.allocation import seam
from pial.audit import record_audit
from pial.clock import now, today_in_paris
from pial.db import get_session
from pial.errors import Conflict, Forbidden, InvalidInput, NotFound
from pial.models import (
    AllocationLine,
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
from pial.notifications.messages import announce_planning
from pial.weeks.parsing import parse_quantity
from pial.weeks.states import change_state, require_state

log = logging.getLogger(__name__)

REPLAN_STABILITY_WEIGHT = 100.0
"""Least stability weight of a crop-failure re-plan: moving 1 unit costs more than 100 kg·km."""

USABLE_STATUSES = frozenset({RunStatus.OPTIMAL, RunStatus.FEASIBLE})
"""Run statuses that carry a plan which may be reviewed and published."""

PLANNING_STATES = (WeekState.CLOSED, WeekState.ALLOCATED)
"""States in which the coordinator may run the allocation and lock cells."""


@dataclass(frozen=True, slots=True)
class Change:
    """How much one cell (farm → canteen, product, day) moved between two runs."""

    farm_id: int
    farm_name: str
    canteen_id: int
    canteen_name: str
    product_id: int
    product_name: str
    unit: str
    day: dt.date
    old_quantity: Decimal
    new_quantity: Decimal

    @property
    def delta_quantity(self) -> Decimal:
        """Return the new quantity minus the old one."""
        return self.new_quantity - self.old_quantity


# --- Reading -----------------------------------------------------------------------------------


def get_week(iso_week: str) -> DeliveryWeek:
    """Return the delivery week ``iso_week`` or raise NotFound."""
    from pial.weeks.calendar import get_week as get_delivery_week

    return get_delivery_week(iso_week)


def week_runs(iso_week: str) -> list[AllocationRun]:
    """Return the runs of a week, latest first."""
    week = get_week(iso_week)
    return list(
        get_session().scalars(
            select(AllocationRun)
            .where(AllocationRun.week_id == week.id)
            .order_by(AllocationRun.sequence.desc())
        )
    )


def get_run(iso_week: str, run_id: int | None = None) -> AllocationRun | None:
    """Return run ``run_id`` of the week (NotFound if it is another week's), or its latest run."""
    week = get_week(iso_week)
    session = get_session()
    if run_id is not None:
        run = session.get(AllocationRun, run_id)
        if run is None or run.week_id != week.id:
            raise NotFound(
                _(
                    "Cette répartition n'appartient pas à la semaine %(iso_week)s.",
                    iso_week=iso_week,
                )
            )
        return run
    return session.scalar(
        select(AllocationRun)
        .where(AllocationRun.week_id == week.id)
        .order_by(AllocationRun.sequence.desc())
        .limit(1)
    )


def published_run(week: DeliveryWeek, version: int | None = None) -> AllocationRun | None:
    """Return the week's published run of ``version`` (default: the current, latest version)."""
    query = select(AllocationRun).where(
        AllocationRun.week_id == week.id, AllocationRun.published_version.is_not(None)
    )
    if version is not None:
        query = query.where(AllocationRun.published_version == version)
    return get_session().scalar(query.order_by(AllocationRun.published_version.desc()).limit(1))


def changes_between(old_run: AllocationRun | None, new_run: AllocationRun) -> list[Change]:
    """Return the cells whose quantity differs between two runs (absent = 0), sorted."""
    def by_cell(run: AllocationRun | None) -> dict[tuple[int, int, int, dt.date], AllocationLine]:
        if run is None:
            return {}
        return {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln for ln in run.lines}

    old_lines, new_lines = by_cell(old_run), by_cell(new_run)
    changes = []
    for key in old_lines.keys() | new_lines.keys():
        old, new = old_lines.get(key), new_lines.get(key)
        old_quantity = old.quantity if old is not None else Decimal(0)
        new_quantity = new.quantity if new is not None else Decimal(0)
        if old_quantity == new_quantity:
            continue
        line = new if new is not None else old
        assert line is not None
        changes.append(
            Change(
                farm_id=line.farm_id,
                farm_name=line.farm.name,
                canteen_id=line.canteen_id,
                canteen_name=line.canteen.name,
                product_id=line.product_id,
                product_name=line.product.name_fr,
                unit=str(line.product.unit),
                day=line.day,
                old_quantity=old_quantity,
                new_quantity=new_quantity,
            )
        )
    return sorted(changes, key=lambda c: (c.day, c.canteen_name, c.product_name, c.farm_name))


# --- Access ------------------------------------------------------------------------------------


def can_coordinate(actor: Any, iso_week: str) -> bool:
    """Tell whether ``actor`` may review, lock, run and publish the week (None = the system)."""
    if actor is None:
        return True
    if getattr(actor, "role", None) == Role.LEAD:
        return True
    if getattr(actor, "role", None) != Role.GROWER:
        return False
    from pial.rotation.services import is_coordinator

    return bool(is_coordinator(actor, iso_week))


def require_coordinator(actor: Any, iso_week: str) -> None:
    """Raise Forbidden unless ``actor`` coordinates the week or leads the project."""
    if not can_coordinate(actor, iso_week):
        raise Forbidden(
            _(
                "Seuls la personne responsable du projet et le coordinateur de la semaine peuvent "
                "faire cela."
            )
        )


# --- Allocation runs ---------------------------------------------------------------------------


def allocate_week(iso_week: str, actor: Any = None, *, trigger: str = "manual") -> AllocationRun:
    """Solve the week and store the run (immutable); the week becomes « répartie »."""
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    _require_planning_state(week)
    problem = seam.build_problem(week)
    get_session().commit()  # nothing was written: end the read transaction before the solve
    return _solve_and_store(
        week.id,
        problem,
        actor,
        trigger=RunTrigger(trigger),
        allowed_states=PLANNING_STATES,
        publish=False,
    )


def _require_planning_state(week: DeliveryWeek) -> None:
    """Refuse planning actions outside « close » and « répartie »."""
    if week.state in (WeekState.DRAFT, WeekState.OPEN):
        action = _("la répartition se fait une fois les offres et les commandes closes")
    else:
        action = _("la répartition ne peut plus être relancée ni modifiée")
    require_state(week, *PLANNING_STATES, action=action)


def _run_solver(problem: solver.Problem) -> tuple[solver.Result | None, str | None]:
    """Solve, turning a crash of the solver into an error message rather than a 500."""
    try:
        return solver.solve(problem), None
    except Exception as error:  # the run must be recorded whatever went wrong inside
        log.exception("solver crashed on %s", problem.week)
        return None, f"{type(error).__name__}: {error}"


def _lock_week(session: Session, week_id: int) -> DeliveryWeek:
    """Re-read the week inside the write transaction, locked against concurrent writers.

    PostgreSQL: a row lock (SELECT … FOR UPDATE). SQLite: every transaction already starts
    with BEGIN IMMEDIATE, which serialises writers.
    """
    return session.scalars(
        select(DeliveryWeek)
        .where(DeliveryWeek.id == week_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _solve_and_store(
    week_id: int,
    problem: solver.Problem,
    actor: Any,
    *,
    trigger: RunTrigger,
    allowed_states: Sequence[WeekState],
    publish: bool,
    supersedes: AllocationRun | None = None,
    expected_version: int | None = None,
    crop_failure: CropFailure | None = None,
) -> AllocationRun:
    """Solve ``problem`` with no transaction open, then store (and maybe publish) the run."""
    instance_json = solver.dump_problem(problem)
    result, error_message = _run_solver(problem)

    session = get_session()
    try:
        week = _lock_week(session, week_id)
        require_state(week, *allowed_states, action=_("le calcul qui vient de finir est abandonné"))
        if publish:
            current = published_run(week)
            if current is None or current.published_version != expected_version:
                raise Conflict(
                    _(
                        "Le planning a été republié pendant le calcul : rechargez la page et "
                        "recommencez."
                    )
                )
            if result is None or RunStatus(result.status) not in USABLE_STATUSES:
                raise Conflict(
                    _(
                        "Aucun nouveau planning n'a pu être calculé (la perte dépasse-t-elle ce "
                        "qui reste à livrer ?) : "
                    )
                    + (error_message or "; ".join(result.errors if result else ()))
                )
        sequence = (
            session.scalar(
                select(func.max(AllocationRun.sequence)).where(AllocationRun.week_id == week.id)
            )
            or 0
        ) + 1
        run = AllocationRun(
            week_id=week.id,
            sequence=sequence,
            status=RunStatus(result.status) if result is not None else RunStatus.ERROR,
            trigger=trigger,
            instance_json=instance_json,
            result_json=solver.dump(result) if result is not None else None,
            error_message=error_message
            or ("\n".join(result.errors) if result is not None and result.errors else None),
            supersedes_run_id=supersedes.id if supersedes is not None else None,
            created_by_id=getattr(actor, "id", None),
            created_dt=now(),
        )
        usable = result is not None and run.status in USABLE_STATUSES
        if usable and result is not None:
            for column, value in seam.run_metrics(result).items():
                setattr(run, column, value)
            run.lines = seam.lines_from_result(session, problem, result)
        session.add(run)
        session.flush()
        record_audit(
            actor,
            "allocation.run",
            run,
            after={"iso_week": week.iso_week, "sequence": sequence, "status": run.status.value,
                   "trigger": trigger.value, "lines": len(run.lines)},
        )
        if crop_failure is not None:
            crop_failure.week_id = week.id
            crop_failure.replan_run_id = run.id
            session.add(crop_failure)
            session.flush()
            record_audit(actor, "allocation.declare_crop_failure", crop_failure,
                         after={"iso_week": week.iso_week, "farm_id": crop_failure.farm_id,
                                "product_id": crop_failure.product_id,
                                "quantity_lost": str(crop_failure.quantity_lost),
                                "replan_run_id": run.id})
        if publish:
            entries = _publish_run(session, week, run, actor)
            if supersedes is not None:
                _carry_receipts(session, supersedes, run)
            if crop_failure is not None and supersedes is not None:
                _note_lost_value(entries, supersedes, run, crop_failure)
            # Everyone whose deliveries changed hears of it with the re-plan itself.
            announce_planning(run, replan=supersedes is not None)
        elif usable:
            change_state(week, WeekState.ALLOCATED, actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return run


# --- Manual locks ------------------------------------------------------------------------------


def set_lock(
    actor: Any,
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
                amount=amount,
                ordered=ordered,
            ),
            {"quantity": [_("Au plus %(ordered)s (la quantité commandée).", ordered=ordered)]},
        )
    if product.lot_size and amount % product.lot_size != 0:
        raise InvalidInput(
            _(
                "Quantité : %(name_fr)s se livre par caisses de %(lot_size)s.",
                name_fr=product.name_fr,
                lot_size=product.lot_size,
            ),
            {"quantity": [_("Un multiple de %(lot_size)s.", lot_size=product.lot_size)]},
        )
    lock = session.scalar(
        select(ManualLock).where(
            ManualLock.week_id == week.id,
            ManualLock.farm_id == farm_id,
            ManualLock.canteen_id == canteen_id,
            ManualLock.product_id == product_id,
            ManualLock.day == day,
        )
    )
    before = {"quantity": str(lock.quantity)} if lock is not None else None
    if lock is None:
        lock = ManualLock(
            week_id=week.id,
            farm_id=farm_id,
            canteen_id=canteen_id,
            product_id=product_id,
            day=day,
            created_by_id=getattr(actor, "id", None),
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
    actor: Any, iso_week: str, farm_id: int, canteen_id: int, product_id: int, day: dt.date
) -> None:
    """Remove the lock of a cell; the next run chooses it freely again."""
    session = get_session()
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    _require_planning_state(week)
    lock = session.scalar(
        select(ManualLock).where(
            ManualLock.week_id == week.id,
            ManualLock.farm_id == farm_id,
            ManualLock.canteen_id == canteen_id,
            ManualLock.product_id == product_id,
            ManualLock.day == day,
        )
    )
    if lock is None:
        raise NotFound(_("Ce verrou n'existe pas (ou plus)."))
    record_audit(actor, "allocation.remove_lock", lock,
                 before={"iso_week": iso_week, "quantity": str(lock.quantity)})
    session.delete(lock)
    session.commit()


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


def publish_week(iso_week: str, actor: Any, run_id: int | None = None) -> AllocationRun:
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
        # Each grower's pick list and each canteen's notes go out with the publication.
        announce_planning(run)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return run


def _publish_run(
    session: Session, week: DeliveryWeek, run: AllocationRun, actor: Any
) -> dict[int, LedgerEntry]:
    """Stamp the next published version on ``run``, record the ledger and the delivery trips."""
    from pial.deliveries.routes import sync_deliveries

    last_version = session.scalar(
        select(func.max(AllocationRun.published_version)).where(
            AllocationRun.week_id == week.id
        )
    )
    run.published_version = (last_version or 0) + 1
    run.published_dt = now()
    run.published_by_id = getattr(actor, "id", None)
    entries = _record_allocation_ledger(session, week, run, actor)
    sync_deliveries(session, week, run)
    change_state(week, WeekState.PUBLISHED, actor)
    record_audit(actor, "allocation.publish", run,
                 after={"iso_week": week.iso_week, "version": run.published_version,
                        "sequence": run.sequence})
    session.flush()
    return entries


def _record_allocation_ledger(
    session: Session, week: DeliveryWeek, run: AllocationRun, actor: Any
) -> dict[int, LedgerEntry]:
    """Add one ledger entry per farm so that the week's entries sum to this run's effect.

    The run's effect on a farm is its ``ledger_after`` minus the ``ledger_eur`` it started from
    (both in the stored documents); earlier versions' entries of the week are netted out.
    """
    assert run.result_json is not None
    problem = solver.load(run.instance_json)
    started_eur = {
        seam.farm_id_of(grower.id): seam.to_decimal(grower.ledger_eur, seam.CENT)
        for grower in problem.growers
    }
    after_eur = seam.ledger_after_eur(solver.load_result(run.result_json))
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
            created_by_id=getattr(actor, "id", None),
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
    actor: Any,
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
    loss = seam.PendingLoss(farm_id, product_id, amount, day)
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
        note=note or None,
        declared_by_id=getattr(actor, "id", None),
        declared_dt=now(),
    )
    return _solve_and_store(
        week.id,
        problem,
        actor,
        trigger=RunTrigger.CROP_FAILURE,
        allowed_states=(WeekState.PUBLISHED,),
        publish=True,
        supersedes=current,
        expected_version=expected_version,
        crop_failure=failure,
    )


def farm_products_in_plan(farm_id: int, iso_week: str) -> list[Product]:
    """Return the products a farm delivers in the week's published planning."""
    week = get_week(iso_week)
    run = published_run(week)
    if run is None:
        return []
    products = {line.product_id: line.product for line in run.lines if line.farm_id == farm_id}
    return sorted(products.values(), key=lambda product: product.name_fr)


# --- Review ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GridCell:
    """A farm's quantity of a product for a canteen and day, with its lock and its change."""

    farm_id: int
    quantity: Decimal | None
    locked_quantity: Decimal | None
    compared_quantity: Decimal | None

    @property
    def changed(self) -> bool:
        """Tell whether the cell differs from the compared run."""
        return (self.quantity or Decimal(0)) != (self.compared_quantity or Decimal(0))


@dataclass(frozen=True, slots=True)
class GridRow:
    """A product ordered by a canteen for a day: what was ordered, who serves it, what is short."""

    product: Product
    ordered: Decimal
    priority: str
    shortfall: Decimal
    cells: list[GridCell]


@dataclass(frozen=True, slots=True)
class CanteenDayGrid:
    """The products × farms grid of one canteen on one day."""

    day: dt.date
    canteen: Canteen
    farms: list[Farm]
    rows: list[GridRow]
    kg_km: float
    served_eur: Decimal

    @property
    def has_shortfall(self) -> bool:
        """Tell whether some order line of this canteen and day is not fully served."""
        return any(row.shortfall > 0 for row in self.rows)


@dataclass(frozen=True, slots=True)
class ShareLine:
    """A farm's value sold in the run against its target share of the week."""

    farm: Farm
    sold_eur: Decimal
    share: float
    target_share: float
    gap_eur: Decimal


@dataclass(frozen=True, slots=True)
class PlanningGrid:
    """Everything the coordinator reviews for one run of a week."""

    week: DeliveryWeek
    run: AllocationRun | None
    compared_run: AllocationRun | None
    blocks: list[CanteenDayGrid]
    shares: list[ShareLine]
    changes: list[Change]
    locks: list[ManualLock]

    @property
    def days(self) -> list[dt.date]:
        """Return the delivery days of the grid, in order."""
        return sorted({block.day for block in self.blocks})


def planning_grid(
    iso_week: str,
    run_id: int | None = None,
    *,
    compare_run_id: int | None = None,
    actor: Any = None,
) -> PlanningGrid:
    """Return the review grid of a run (default: the latest), compared with another run.

    The default comparison is the run before it (by sequence).
    """
    session = get_session()
    week = get_week(iso_week)
    require_coordinator(actor, iso_week)
    locks = week_locks(iso_week)
    run = get_run(iso_week, run_id)
    if run is None:
        return PlanningGrid(week, None, None, [], [], [], locks)
    if compare_run_id is not None:
        compared = get_run(iso_week, compare_run_id)
    else:
        compared = session.scalar(
            select(AllocationRun).where(
                AllocationRun.week_id == week.id, AllocationRun.sequence == run.sequence - 1
            )
        )
    problem = solver.load(run.instance_json)
    products = {
        product.slug: product
        for product in session.scalars(
            select(Product).where(Product.slug.in_([p.id for p in problem.products]))
        )
    }
    farms = {farm.id: farm for farm in session.scalars(select(Farm))}
    canteens = {
        canteen.id: canteen
        for canteen in session.scalars(
            select(Canteen).where(
                Canteen.id.in_([seam.canteen_id_of(c.id) for c in problem.canteens])
            )
        )
    }
    shortfalls = seam.shortfalls_of(run.result_json)

    def cells_of(some_run: AllocationRun | None) -> dict[tuple[int, int, int, dt.date], Decimal]:
        if some_run is None:
            return {}
        return {(ln.farm_id, ln.canteen_id, ln.product_id, ln.day): ln.quantity
                for ln in some_run.lines}

    current_cells, compared_cells = cells_of(run), cells_of(compared)
    locked_cells = {(lk.farm_id, lk.canteen_id, lk.product_id, lk.day): lk.quantity
                    for lk in locks}
    orders: dict[tuple[int, dt.date], list[solver.OrderLine]] = defaultdict(list)
    for order in problem.orders:
        orders[(seam.canteen_id_of(order.canteen), dt.date.fromisoformat(order.day))].append(order)

    blocks = []
    for (canteen_id, day), day_orders in sorted(
        orders.items(), key=lambda item: (item[0][1], canteens[item[0][0]].name)
    ):
        keys = [key for key in current_cells.keys() | compared_cells.keys() | locked_cells.keys()
                if key[1] == canteen_id and key[3] == day]
        farm_ids = sorted({key[0] for key in keys}, key=lambda fid: farms[fid].name)
        rows = []
        for order in sorted(day_orders, key=lambda o: products[o.product].name_fr):
            product = products[order.product]
            rows.append(
                GridRow(
                    product=product,
                    ordered=seam.to_decimal(order.quantity),
                    priority=order.priority,
                    shortfall=shortfalls.get((canteen_id, order.product, day), Decimal(0)),
                    cells=[
                        GridCell(
                            farm_id=fid,
                            quantity=current_cells.get((fid, canteen_id, product.id, day)),
                            locked_quantity=locked_cells.get((fid, canteen_id, product.id, day)),
                            compared_quantity=(
                                compared_cells.get((fid, canteen_id, product.id, day))
                                if compared is not None
                                else current_cells.get((fid, canteen_id, product.id, day))
                            ),
                        )
                        for fid in farm_ids
                    ],
                )
            )
        day_lines = [ln for ln in run.lines if ln.canteen_id == canteen_id and ln.day == day]
        blocks.append(
            CanteenDayGrid(
                day=day,
                canteen=canteens[canteen_id],
                farms=[farms[fid] for fid in farm_ids],
                rows=rows,
                kg_km=sum(float(ln.quantity * ln.product.unit_kg) * ln.distance_km
                          for ln in day_lines),
                served_eur=sum((ln.value_eur for ln in day_lines), Decimal(0)),
            )
        )
    return PlanningGrid(
        week=week,
        run=run,
        compared_run=compared,
        blocks=blocks,
        shares=_share_lines(run, farms),
        changes=changes_between(compared, run) if compared is not None else [],
        locks=locks,
    )


def _share_lines(run: AllocationRun, farms: dict[int, Farm]) -> list[ShareLine]:
    """Return each offering farm's sales in the run against the share the solver aimed at."""
    targets = seam.grower_shares_of(run.instance_json)
    sold_eur: dict[int, Decimal] = defaultdict(Decimal)
    for line in run.lines:
        sold_eur[line.farm_id] += line.value_eur
    total_eur = sum(sold_eur.values(), Decimal(0))
    lines = []
    for farm_id, target in targets.items():
        if target == 0 and farm_id not in sold_eur:
            continue
        sold = sold_eur.get(farm_id, Decimal(0))
        lines.append(
            ShareLine(
                farm=farms[farm_id],
                sold_eur=sold,
                share=float(sold / total_eur) if total_eur else 0.0,
                target_share=target,
                gap_eur=(sold - Decimal(repr(target)) * total_eur).quantize(seam.CENT),
            )
        )
    return sorted(lines, key=lambda line: line.farm.name)
