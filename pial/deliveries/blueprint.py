"""Delivery pages: the grower's pick list and round, the canteen's delivery notes and receipts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pial.access import roles
from pial.allocation.coordination import can_coordinate
from pial.allocation.forms import ActionForm
from pial.clock import today_in_paris
from pial.db import get_session
from pial.deliveries import services
from pial.deliveries.forms import ReceiptForm
from pial.errors import Forbidden, InvalidInput, NotFound, ServiceError
from pial.models import DeliveryWeek, QualityRating, Role, WeekState
from pial.pdf import render_pdf
from pial.weeks.calendar import get_week, previous_published_week, week_that_matters

blueprint = Blueprint("deliveries", __name__)

ACCESS_RULES = {
    "index": roles(Role.GROWER, Role.CANTEEN),
    "week": roles(Role.GROWER, Role.CANTEEN),
    "receipt": roles(Role.CANTEEN),
    "note_pdf": roles(Role.CANTEEN, Role.LEAD),
    "receive_in_full": roles(Role.CANTEEN),
    "mark_delivered": roles(Role.LEAD, Role.GROWER),
}

QUALITY_LABELS = {
    QualityRating.OK.value: _l("conforme"),
    QualityRating.MINOR.value: _l("accepté avec remarque"),
    QualityRating.REJECTED.value: _l("refusé"),
}


def published_weeks() -> list[DeliveryWeek]:
    """Return the weeks with a published planning, latest first."""
    return list(
        get_session().scalars(
            select(DeliveryWeek)
            .where(DeliveryWeek.state.in_([WeekState.PUBLISHED, WeekState.DELIVERED]))
            .order_by(DeliveryWeek.monday_date.desc())
        )
    )


@blueprint.route("/mes-livraisons")
def index() -> str | Response:
    """Go to the week that matters now: the one being prepared or delivered next."""
    chosen = week_that_matters(today_in_paris())
    if chosen is None:
        return render_template("deliveries/none.html")
    return redirect(url_for("deliveries.week", iso_week=chosen.iso_week))


@blueprint.route("/semaines/<iso_week>/mes-livraisons")
def week(iso_week: str) -> str | tuple[str, int]:
    """Show the grower's pick list and round, or the canteen's delivery notes, of a week."""
    return _render_week(iso_week)


def _render_week(iso_week: str, *, status: int = 200,
                 forms: dict[int, ReceiptForm] | None = None) -> tuple[str, int]:
    """Render the deliveries page of the signed-in grower or canteen manager."""
    try:
        week = get_week(iso_week)
        if current_user.role == Role.GROWER:
            picks = services.pick_list(int(current_user.farm_id), week.iso_week,
                                       actor=current_user)
            page = render_template(
                "deliveries/pick_list.html", week=week, picks=picks, weeks=published_weeks(),
                previous_week=previous_published_week(week),
                can_coordinate=can_coordinate(current_user, week.iso_week),
                action_form=ActionForm(),
            )
            return page, status
        notes = services.delivery_notes(int(current_user.canteen_id), week.iso_week,
                                        actor=current_user)
    except (NotFound, InvalidInput) as error:
        abort(404, str(error))
    except Forbidden as error:
        abort(403, str(error))
    receipt_forms = forms or {}
    for note in notes:
        for farm in note.farms:
            for line in farm.lines:
                if line.line.id not in receipt_forms:
                    receipt_forms[line.line.id] = _receipt_form(line)
    page = render_template(
        "deliveries/notes.html", week=week, notes=notes, weeks=published_weeks(),
        previous_week=previous_published_week(week),
        forms=receipt_forms, quality_labels=QUALITY_LABELS, action_form=ActionForm(),
        can_receive=week.state in (WeekState.PUBLISHED, WeekState.DELIVERED)
        and notes and notes[0].run is not None,
        today=today_in_paris(), **_note_parties(),
    )
    return page, status


def _note_parties() -> dict[str, object]:
    """Return what the delivery-note templates need to name the parties."""
    return {"supplier": services.supplier(), "certificate": services.organic_certificate}


@blueprint.route("/semaines/<iso_week>/cantines/<int:canteen_id>/bon-<day>.pdf")
def note_pdf(iso_week: str, canteen_id: int, day: str) -> Response:
    """Download a canteen's delivery note of a day as a PDF, laid out from its HTML."""
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        note = services.delivery_note(canteen_id, iso_week, when, actor=current_user)
    except (NotFound, InvalidInput) as error:
        abort(404, str(error))
    except Forbidden as error:
        abort(403, str(error))
    if not note.farms:
        abort(404, _("Aucune livraison prévue pour cette cantine ce jour-là."))
    pdf = render_pdf(render_template("deliveries/note_pdf.html", note=note, **_note_parties()))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bon-de-livraison-{canteen_id}-{when.isoformat()}.pdf"'
    )
    return response


def _receipt_form(note_line: services.NoteLine) -> ReceiptForm:
    """Return the receipt form of a line, filled with what was recorded (or planned)."""
    receipt = note_line.receipt
    form = ReceiptForm(prefix=f"l{note_line.line.id}", formdata=None)
    form.received_quantity.data = _as_input(
        receipt.received_quantity if receipt else note_line.line.quantity
    )
    form.quality.data = receipt.quality_rating.value if receipt else QualityRating.OK.value
    form.note.data = receipt.quality_note if receipt else ""
    form.shortfall_reason.data = receipt.shortfall_reason if receipt else ""
    return form


def _as_input(value: object) -> str:
    """Show a Decimal in an input the French way (12,5)."""
    if not isinstance(value, Decimal):
        return str(value)
    return format(value.normalize(), "f").replace(".", ",")


@blueprint.route("/semaines/<iso_week>/receptions/<int:line_id>", methods=["POST"])
def receipt(iso_week: str, line_id: int) -> Response | tuple[str, int]:
    """Record what the canteen received on one line of its delivery note."""
    form = ReceiptForm(prefix=f"l{line_id}")
    if not form.validate_on_submit():
        flash(_("La réception n'a pas été enregistrée : vérifiez les champs signalés."), "error")
        return _render_week(iso_week, status=422, forms={line_id: form})
    try:
        services.confirm_receipt(
            current_user, int(current_user.canteen_id), line_id,
            form.received_quantity.data or "", form.quality.data or "", form.note.data,
            form.shortfall_reason.data,
        )
    except InvalidInput as error:
        flash(str(error), "error")
        form.received_quantity.errors = [str(error)]
        return _render_week(iso_week, status=422, forms={line_id: form})
    except ServiceError as error:
        if isinstance(error, Forbidden | NotFound):
            abort(error.http_status, str(error))
        flash(str(error), "error")
        return _render_week(iso_week, status=error.http_status)
    flash(_("Réception enregistrée."), "success")
    return redirect(url_for("deliveries.week", iso_week=iso_week) + f"#ligne-{line_id}",
                    code=303)


@blueprint.route(
    "/semaines/<iso_week>/receptions/<day>/fermes/<int:farm_id>/tout-conforme", methods=["POST"]
)
def receive_in_full(iso_week: str, day: str, farm_id: int) -> Response | tuple[str, int]:
    """Record a farm's whole delivery of a day as received in full and conforme."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delivery_day = dt.date.fromisoformat(day)
    except ValueError:
        abort(404)
    try:
        count = services.confirm_delivery_in_full(
            current_user, int(current_user.canteen_id), iso_week, delivery_day, farm_id
        )
    except ServiceError as error:
        if isinstance(error, Forbidden | NotFound):
            abort(error.http_status, str(error))
        flash(str(error), "error")
        return _render_week(iso_week, status=error.http_status)
    flash(_("Livraison reçue en entier et conforme (%(n)s ligne(s) confirmée(s)).", n=count),
          "success")
    return redirect(url_for("deliveries.week", iso_week=iso_week), code=303)


@blueprint.route("/semaines/<iso_week>/livree", methods=["POST"])
def mark_delivered(iso_week: str) -> Response:
    """Mark a published week as delivered (lead or coordinator)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.mark_week_delivered(iso_week, current_user)
    except Forbidden as error:
        abort(403, str(error))
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Semaine marquée livrée."), "success")
    if current_user.role == Role.GROWER:
        return redirect(url_for("deliveries.week", iso_week=iso_week), code=303)
    return redirect(url_for("allocation.review", iso_week=iso_week), code=303)
