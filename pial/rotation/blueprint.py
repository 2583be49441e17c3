"""The rotation page: everybody sees who coordinates; growers swap weeks; the lead generates."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import SIGNED_IN, roles
from pial.clock import iso_week_label, today_in_paris
from pial.errors import Forbidden, ServiceError
from pial.models import Role
from pial.rotation import services
from pial.rotation.forms import AnswerForm, GenerateForm, SwapRequestForm
from pial.weeks.forms import ActionForm

blueprint = Blueprint("rotation", __name__)

ACCESS_RULES = {
    "index": SIGNED_IN,
    "generate": roles(Role.LEAD),
    "request_swap": roles(Role.GROWER, Role.LEAD),
    "answer_swap": roles(Role.GROWER),
    "cancel_swap": roles(Role.GROWER, Role.LEAD),
    "confirm": roles(Role.GROWER),
    "name_backup": roles(Role.GROWER, Role.LEAD),
}

WEEKS_BEFORE = 4
WEEKS_AFTER = 30


@blueprint.route("/rotation")
def index() -> str:
    """Show the rotation from a few weeks ago to the coming months, and pending swaps."""
    today = today_in_paris()
    first = iso_week_label(today - dt.timedelta(weeks=WEEKS_BEFORE))
    last = iso_week_label(today + dt.timedelta(weeks=WEEKS_AFTER))
    rows = services.rotation_rows(first, last)
    my_farm_id = current_user.farm_id if current_user.role == Role.GROWER else None
    swap_targets = [
        (row.week.iso_week, f"{row.week.week_number} — {row.farm.name}")
        for row in rows
        if row.farm is not None and not row.is_past and row.farm.id != my_farm_id
    ]
    generate_form = GenerateForm()
    if not generate_form.first_week.data:
        generate_form.first_week.data = iso_week_label(today + dt.timedelta(weeks=1))
        generate_form.last_week.data = iso_week_label(today + dt.timedelta(weeks=26))
    pending = services.pending_swaps()
    return render_template(
        "rotation/index.html",
        rows=rows,
        my_farm_id=my_farm_id,
        swap_targets=swap_targets,
        generate_form=generate_form,
        answer_form=AnswerForm(),
        pending=pending,
        incoming=[
            s for s in pending if s.other_assignment and s.other_assignment.farm_id == my_farm_id
        ],
        outgoing=[s for s in pending if s.requested_by_id == current_user.id],
    )


@blueprint.route("/rotation/generer", methods=["POST"])
def generate() -> Response:
    """Assign the coordinators of a range of weeks."""
    form = GenerateForm()
    if form.validate_on_submit():
        try:
            assignments = services.generate_rotation(
                form.first_week.data or "", form.last_week.data or "", current_user
            )
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Rotation établie pour %(n)s semaines.", n=len(assignments)), "success")
    else:
        flash(_("Indiquez la première et la dernière semaine, par exemple 2026-W48."), "error")
    return redirect(url_for("rotation.index"))


@blueprint.route("/rotation/echanges", methods=["POST"])
def request_swap() -> Response:
    """Ask the farm of another week to exchange it with one of mine."""
    form = SwapRequestForm()
    form.other_week.choices = [(request.form.get("other_week", ""), "")]
    if form.validate_on_submit():
        try:
            services.request_swap(current_user, form.my_week.data or "", form.other_week.data or "")
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Demande d'échange envoyée : l'autre ferme doit l'accepter."), "success")
    return redirect(url_for("rotation.index"))


@blueprint.route("/rotation/echanges/<int:swap_id>/reponse", methods=["POST"])
def answer_swap(swap_id: int) -> Response:
    """Accept or refuse a swap asked of my farm."""
    form = AnswerForm()
    if form.validate_on_submit():
        answer = request.form.get("answer")
        if answer not in {"accepter", "refuser"}:
            abort(400)
        accept = answer == "accepter"
        try:
            services.answer_swap(current_user, swap_id, accept)
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Échange accepté : les semaines sont échangées.")
                if accept
                else _("Échange refusé."),
                "success",
            )
    return redirect(url_for("rotation.index"))


@blueprint.route("/rotation/echanges/<int:swap_id>/annulation", methods=["POST"])
def cancel_swap(swap_id: int) -> Response:
    """Withdraw my own swap request."""
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.cancel_swap(current_user, swap_id)
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Demande d'échange annulée."), "success")
    return redirect(url_for("rotation.index"))


@blueprint.route("/semaines/<iso_week>/coordination/confirmer", methods=["POST"])
def confirm(iso_week: str) -> Response:
    """Confirm that my farm coordinates the week (or stands in for the coordinating farm)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_coordination(current_user, iso_week)
    except Forbidden as error:
        abort(403, str(error))
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Merci : vous coordonnez cette semaine."), "success")
    return redirect(url_for("home.index"), code=303)


@blueprint.route("/semaines/<iso_week>/coordination/suppleant", methods=["POST"])
def name_backup(iso_week: str) -> Response:
    """Name the farm that stands in for the week's coordinating farm."""
    if not ActionForm().validate_on_submit():
        abort(400)
    raw = request.form.get("farm_id", "")
    try:
        services.name_backup(current_user, iso_week, int(raw) if raw.isdigit() else None)
    except Forbidden as error:
        abort(403, str(error))
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Suppléant enregistré.") if raw else _("Suppléant retiré."), "success")
    if current_user.role == Role.LEAD:
        return redirect(url_for("rotation.index"), code=303)
    return redirect(url_for("home.index"), code=303)
