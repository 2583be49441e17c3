"""Planning pages: the coordinator's review grid, locks, runs, publication; crop failures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pial.access import roles
from pial.allocation import runs, services
from pial.allocation.coordination import can_coordinate, close_coordinated_week
from pial.allocation.forms import (
    ActionForm,
    ConfirmForm,
    CropFailureForm,
    LockForm,
    PublishForm,
    UnlockForm,
)
from pial.allocation.review import PlanningGrid, planning_grid
from pial.clock import PARIS
from pial.db import get_session
from pial.errors import Forbidden, InvalidInput, NotFound, ServiceError
from pial.fields import choices
from pial.i18n import format_number, unit_label
from pial.models import AllocationRun, Canteen, Farm, Role, WeekState
from pial.weeks.calendar import coordinator_of, get_week, list_weeks

blueprint = Blueprint("allocation", __name__)

ACCESS_RULES = {
    "index": roles(Role.LEAD, Role.GROWER),
    "review": roles(Role.LEAD, Role.GROWER),
    "run": roles(Role.LEAD, Role.GROWER),
    "publish": roles(Role.LEAD, Role.GROWER),
    "close": roles(Role.LEAD, Role.GROWER),
    "lock": roles(Role.LEAD, Role.GROWER),
    "unlock": roles(Role.LEAD, Role.GROWER),
    "crop_failure": roles(Role.GROWER),
}

RUN_STATUS_LABELS = {
    "optimal": _l("optimale"),
    "feasible": _l("valable (non prouvée optimale)"),
    "infeasible": _l("impossible (verrous contradictoires)"),
    "invalid": _l("données invalides"),
    "error": _l("erreur du calcul"),
}


def run_status_label(status: object) -> str:
    """Return the French label of a run status."""
    return str(RUN_STATUS_LABELS.get(str(status), status))


def paris_time(moment: dt.datetime | None) -> str:
    """Show an instant on the Paris wall clock (23/11 14:05)."""
    return moment.astimezone(PARIS).strftime("%d/%m %H:%M") if moment else ""


def _helpers() -> dict[str, Any]:
    """Return what every planning template uses."""
    return {
        "run_status_label": run_status_label,
        "paris_time": paris_time,
    }


@blueprint.route("/planning")
def index() -> str:
    """List the weeks, with a link to the planning of those the user may coordinate."""
    weeks = [week for week in list_weeks() if week.state != WeekState.DRAFT]
    rows = [
        (week, coordinator_of(week.iso_week), can_coordinate(current_user, week.iso_week))
        for week in weeks
    ]
    return render_template("allocation/index.html", rows=rows)


def _render_review(
    iso_week: str, *, status: int = 200, lock_form: LockForm | None = None
) -> tuple[str, int]:
    """Render the review page of a week (the grid of the asked run, compared with another)."""
    try:
        grid = planning_grid(
            iso_week,
            request.args.get("run", type=int),
            compare_run_id=request.args.get("comparer", type=int),
            actor=current_user,
        )
    except (NotFound, InvalidInput) as error:  # an unknown or malformed week label
        abort(404, str(error))
    except Forbidden as error:
        abort(403, str(error))
    session = get_session()
    form = lock_form or _lock_form_for_cell()
    _fill_lock_choices(form, grid)
    page = render_template(
        "allocation/review.html",
        grid=grid,
        runs=runs.week_runs(iso_week),
        lock_form=form,
        action_form=ActionForm(),
        publish_form=PublishForm(),
        unlock_form=UnlockForm(),
        can_plan=grid.week.state in services.PLANNING_STATES,
        can_close=True,  # only the lead and the week's coordinators reach this page
        farms_by_id={farm.id: farm for farm in session.scalars(select(Farm))},
        **_helpers(),
    )
    return page, status


def _lock_form_for_cell() -> LockForm:
    """Return the lock form, prefilled with the cell named in the query string (a grid link)."""
    cell: dict[str, Any] = {}
    for name in ("farm_id", "canteen_id", "product_id"):
        value = request.args.get(name, type=int)
        if value is not None:
            cell[name] = value
    day_text = request.args.get("day", "")
    try:
        cell["day"] = dt.date.fromisoformat(day_text) if day_text else None
    except ValueError:
        cell["day"] = None
    quantity = request.args.get("quantity", "")
    if quantity:
        cell["quantity"] = quantity
    return LockForm(data=cell) if cell else LockForm()


def _fill_lock_choices(form: LockForm, grid: PlanningGrid) -> None:
    """Offer the active farms, and the canteens and products ordered this week."""
    session = get_session()
    farms = session.scalars(select(Farm).where(Farm.is_active).order_by(Farm.name)).all()
    canteens = {block.canteen.id: block.canteen for block in grid.blocks}
    products = {row.product.id: row.product for block in grid.blocks for row in block.rows}
    form.farm_id.choices = choices((farm.id, farm.name) for farm in farms)
    form.canteen_id.choices = choices(
        (canteen.id, canteen.name) for canteen in sorted(canteens.values(), key=_name)
    )
    form.product_id.choices = choices(
        (product.id, product.name_fr)
        for product in sorted(products.values(), key=lambda p: p.name_fr)
    )


def _name(record: Canteen | Farm) -> str:
    return record.name


@blueprint.route("/semaines/<iso_week>/planning")
def review(iso_week: str) -> tuple[str, int]:
    """Show the planning grid of a run of the week, with its differences and the actions."""
    return _render_review(iso_week)


@blueprint.route("/semaines/<iso_week>/planning/repartir", methods=["POST"])
def run(iso_week: str) -> Response | tuple[str, int]:
    """Run the allocation of the week (again)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        new_run = services.allocate_week(iso_week, current_user)
    except ServiceError as error:
        flash(str(error), "error")
        return _render_review(iso_week, status=error.http_status)
    if new_run.status in runs.USABLE_STATUSES:
        flash(
            _(
                "Répartition n°%(n)s calculée : %(rate)s %% de la commande servie.",
                n=new_run.sequence,
                rate=round((new_run.fill_rate or 0) * 100),
            ),
            "success",
        )
    else:
        flash(
            _(
                "La répartition n°%(n)s n'a pas abouti (%(status)s) : %(reason)s",
                n=new_run.sequence,
                status=run_status_label(new_run.status),
                reason=new_run.error_message or "",
            ),
            "error",
        )
    return redirect(url_for("allocation.review", iso_week=iso_week), code=303)


@blueprint.route("/semaines/<iso_week>/planning/publier", methods=["POST"])
def publish(iso_week: str) -> Response | tuple[str, int]:
    """Publish a run as the week's planning."""
    form = PublishForm()
    if not form.validate_on_submit():
        if form.confirm.errors and "csrf_token" not in form.errors:
            flash(_("Cochez la case pour confirmer la publication : elle ne peut pas être "
                    "annulée."), "error")
            return _render_review(iso_week, status=422)
        abort(400)
    run_id = int(form.run_id.data) if (form.run_id.data or "").isdigit() else None
    try:
        published = services.publish_week(iso_week, current_user, run_id)
    except ServiceError as error:
        flash(str(error), "error")
        return _render_review(iso_week, status=error.http_status)
    flash(
        _(
            "Planning publié (version %(v)s) : producteurs et cantines voient leurs livraisons.",
            v=published.published_version,
        ),
        "success",
    )
    return redirect(url_for("allocation.review", iso_week=iso_week), code=303)


@blueprint.route("/semaines/<iso_week>/planning/clore", methods=["POST"])
def close(iso_week: str) -> Response | tuple[str, int]:
    """Close the week's offers and orders, as its coordinator or the lead."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Cochez la case pour confirmer la clôture : offres et commandes seront "
                "arrêtées."), "error")
        return redirect(request.referrer or url_for("allocation.review", iso_week=iso_week),
                        code=303)
    try:
        week = close_coordinated_week(current_user, iso_week)
    except Forbidden as error:
        abort(403, str(error))
    except (NotFound, InvalidInput) as error:
        abort(404, str(error))
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Semaine %(n)s close : offres et commandes arrêtées. Lancez la répartition.",
                n=week.week_number), "success")
    return redirect(url_for("allocation.review", iso_week=iso_week), code=303)


@blueprint.route("/semaines/<iso_week>/planning/verrous", methods=["POST"])
def lock(iso_week: str) -> Response | tuple[str, int]:
    """Fix a cell of the planning; the next run keeps it.

    The grid's script asks with ``X-Requested-With: fetch``: it gets the cell alone (or the
    French message of a refusal, status 422) instead of the whole page.
    """
    in_place = request.headers.get("X-Requested-With") == "fetch"
    form = LockForm()
    if not form.validate_on_submit():
        if in_place:
            return _lock_refused(_field_errors(form))
        flash(_("Le verrou n'a pas été posé : vérifiez les champs signalés."), "error")
        return _render_review(iso_week, status=422, lock_form=form)
    assert form.day.data is not None
    try:
        services.set_lock(
            current_user,
            iso_week,
            form.farm_id.data,
            form.canteen_id.data,
            form.product_id.data,
            form.day.data,
            form.quantity.data or "",
            form.note.data,
        )
    except InvalidInput as error:
        if in_place:  # no field is shown in the cell: the message names what is wrong
            message = str(error)
            details = [str(m) for messages in error.field_errors.values() for m in messages
                       if str(m) not in message]
            return _lock_refused(" ".join([message, *details]), status=error.http_status)
        flash(str(error), "error")
        for name, messages in error.field_errors.items():
            if name in form:
                form[name].errors = list(messages)
        return _render_review(iso_week, status=422, lock_form=form)
    except ServiceError as error:
        if in_place:
            return _lock_refused(str(error), status=error.http_status)
        flash(str(error), "error")
        return _render_review(iso_week, status=error.http_status, lock_form=form)
    message = _("Case verrouillée : relancez la répartition pour en tenir compte.")
    if in_place:
        return _locked_cell(iso_week, form, message)
    flash(message, "success")
    cell = f"case-{form.farm_id.data}-{form.canteen_id.data}-{form.product_id.data}-{form.day.data}"
    return redirect(url_for("allocation.review", iso_week=iso_week, _anchor=cell), code=303)


def _field_errors(form: LockForm) -> str:
    """Say in French which fields of a lock form were refused, and why."""
    if "csrf_token" in form.errors:
        return str(_("Le verrou n'a pas été posé : la page a expiré, rechargez-la."))
    details = "; ".join(
        f"{form[name].label.text} : {' '.join(str(m) for m in messages)}"
        for name, messages in form.errors.items()
        if name in form
    )
    return str(_("Le verrou n'a pas été posé : %(details)s", details=details))


def _lock_refused(message: str, *, status: int = 422) -> tuple[str, int]:
    """Return a refusal's French message for the cell (the grid's script shows it)."""
    return render_template("allocation/_cell_error.html", message=message), status


def _locked_cell(iso_week: str, form: LockForm, message: str) -> tuple[str, int]:
    """Render the cell just locked alone, from the grid of the latest run."""
    grid = planning_grid(iso_week, actor=current_user)
    for block in grid.blocks:
        if block.canteen.id != form.canteen_id.data or block.day != form.day.data:
            continue
        for row in block.rows:
            if row.product.id != form.product_id.data:
                continue
            for cell in row.cells:
                if cell.farm_id == form.farm_id.data:
                    page = render_template(
                        "allocation/_cell.html", grid=grid, week=grid.week, block=block,
                        row=row, cell=cell, cell_message=message,
                        can_plan=grid.week.state in services.PLANNING_STATES,
                        farms_by_id={farm.id: farm for farm in get_session().scalars(
                            select(Farm).where(Farm.id == cell.farm_id))},
                    )
                    return page, 200
    # A farm outside the grid's columns: nothing to replace, the message is enough.
    return render_template("allocation/_cell_error.html", message=message), 200


@blueprint.route("/semaines/<iso_week>/planning/verrous/supprimer", methods=["POST"])
def unlock(iso_week: str) -> Response | tuple[str, int]:
    """Remove a lock."""
    form = UnlockForm()
    if not form.validate_on_submit():
        abort(400)
    assert form.day.data is not None
    try:
        services.remove_lock(
            current_user,
            iso_week,
            form.farm_id.data or 0,
            form.canteen_id.data or 0,
            form.product_id.data or 0,
            form.day.data,
        )
    except ServiceError as error:
        flash(str(error), "error")
        return _render_review(iso_week, status=error.http_status)
    flash(_("Verrou retiré : relancez la répartition pour en tenir compte."), "success")
    return redirect(url_for("allocation.review", iso_week=iso_week), code=303)


def _replan_message(run: AllocationRun) -> str:
    """Say what the re-plan of a crop failure changed, or that it changed nothing."""
    changes = runs.replan_changes(run)
    if not changes:
        return str(_(
            "Perte enregistrée. Le planning a été recalculé (version %(v)s) mais rien n'a "
            "changé : les quantités prévues restent les mêmes.",
            v=run.published_version,
        ))
    return str(_(
        "Perte enregistrée. Le planning a été recalculé et publié (version %(v)s) : "
        "%(n)s ligne(s) changée(s), surlignée(s) ci-dessous.",
        v=run.published_version,
        n=len(changes),
    ))


@blueprint.route("/semaines/<iso_week>/perte-de-recolte", methods=["GET", "POST"])
def crop_failure(iso_week: str) -> str | Response | tuple[str, int]:
    """Let a grower declare a crop loss; the re-planned planning is published at once."""
    try:
        week = get_week(iso_week)
    except (NotFound, InvalidInput) as error:
        abort(404, str(error))
    farm_id = int(current_user.farm_id)
    products = services.farm_products_in_plan(farm_id, week.iso_week)
    current = runs.published_run(week)
    planned = {
        product.id: sum(
            (ln.quantity
             for ln in (current.lines if current else [])
             if ln.farm_id == farm_id and ln.product_id == product.id),
            Decimal(0),
        )
        for product in products
    }
    form = CropFailureForm()
    form.product_id.choices = choices(
        (
            product.id,
            _(
                "%(name)s (%(quantity)s %(unit)s prévus)",
                name=product.name_fr,
                quantity=format_number(planned[product.id], 3),
                unit=unit_label(product, planned[product.id]),
            ),
        )
        for product in products
    )
    offer_left = {
        product.id: services.farm_offer_left(farm_id, week.iso_week, product.id)
        for product in products
    }
    status = 200
    if form.validate_on_submit():
        try:
            new_run = services.declare_crop_failure(
                current_user,
                farm_id,
                week.iso_week,
                form.product_id.data,
                form.quantity_lost.data or "",
                form.note.data or "",
            )
        except InvalidInput as error:
            flash(str(error), "error")
            for name, messages in error.field_errors.items():
                if name in form:
                    form[name].errors = list(messages)
            status = 422
        except ServiceError as error:
            flash(str(error), "error")
            status = error.http_status
        else:
            flash(_replan_message(new_run), "success")
            return redirect(url_for("deliveries.week", iso_week=week.iso_week), code=303)
    elif request.method == "POST":
        status = 422
    return render_template(
        "allocation/crop_failure.html",
        week=week,
        form=form,
        products=products,
        planned=planned,
        offer_left=offer_left,
        has_plan=current is not None,
        **_helpers(),
    ), status
