"""EGalim pages: the dashboard (a canteen, every canteen), ma-cantine exports, other purchases."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import roles
from pial.clock import today_in_paris
from pial.egalim import services
from pial.egalim.charts import canteens_chart, year_chart
from pial.egalim.forms import ExportForm, OtherPurchasesForm, TotalsUploadForm
from pial.errors import InvalidInput, ServiceError
from pial.models import Role
from pial.money.statements import parse_month

blueprint = Blueprint("egalim", __name__, url_prefix="/egalim")

ACCESS_RULES = {
    "index": roles(Role.LEAD, Role.CANTEEN),
    "canteen": roles(Role.LEAD, Role.CANTEEN),  # a manager: their canteen, checked in the service
    "export": roles(Role.LEAD, Role.CANTEEN),
    "export_all": roles(Role.LEAD),
    "save_other": roles(Role.LEAD, Role.CANTEEN),
    "import_other": roles(Role.LEAD, Role.CANTEEN),
}

ZIP_MIMETYPE = "application/zip"
CSV_MIMETYPE = "text/csv"


def _year() -> int:
    """Return the year asked for (``?annee=2026``), else the current one."""
    year = request.args.get("annee", type=int)
    today = today_in_paris()
    return year if year is not None and 2000 <= year <= today.year else today.year


def _export_form(year: int) -> ExportForm:
    """Return the export form, the whole year by default (to today for the current one)."""
    form = ExportForm()
    if not form.is_submitted():
        form.first_day.data = dt.date(year, 1, 1)
        form.last_day.data = min(dt.date(year, 12, 31), today_in_paris())
    return form


def _problems(error: ServiceError) -> list[str]:
    if not isinstance(error, InvalidInput):
        return []
    return [message for items in error.field_errors.values() for message in items]


def _render_canteen(canteen_id: int, year: int, *, status: int = 200,
                    export_form: ExportForm | None = None,
                    other_form: OtherPurchasesForm | None = None,
                    upload_form: TotalsUploadForm | None = None,
                    problems: list[str] | None = None,
                    overlap: services.ExportOverlaps | None = None) -> tuple[str, int]:  # fmt: skip
    try:
        figures = services.canteen_year(canteen_id, year, current_user)
    except ServiceError as error:  # another canteen's page: refused as a page, not a form
        abort(error.http_status)
    other_form = other_form or OtherPurchasesForm()
    if not other_form.is_submitted():
        other_form.month.data = f"{figures.through:%Y-%m}"
    return render_template(
        "egalim/canteen.html",
        figures=figures,
        chart=year_chart(figures),
        year=year,
        export_form=export_form or _export_form(year),
        other_form=other_form,
        upload_form=upload_form or TotalsUploadForm(),
        history=services.export_history(canteen_id, current_user),
        others=services.other_purchases_of(canteen_id, year, current_user),
        problems=problems or [],
        overlap=overlap,
        local_radius_km=services.local_radius_km(),
    ), status


def _refused(canteen_id: int, year: int, error: ServiceError, **forms: Any) -> tuple[str, int]:
    """Show the canteen's page with the refusal (another canteen's is refused as a page)."""
    if error.http_status in (403, 404):
        abort(error.http_status)
    flash(str(error), "error")
    return _render_canteen(canteen_id, year, status=error.http_status, problems=_problems(error),
                           **forms)  # fmt: skip


@blueprint.route("/")
def index() -> str | Response:
    """Show every canteen side by side (the lead); a manager goes to their canteen's page."""
    if current_user.role == Role.CANTEEN:
        if current_user.canteen_id is None:
            abort(404)
        return redirect(url_for("egalim.canteen", canteen_id=current_user.canteen_id))
    year = _year()
    years = services.all_canteen_years(year, current_user)
    return render_template("egalim/index.html", years=years, year=year,
                           chart=canteens_chart(years), export_form=_export_form(year),
                           overlap=None)  # fmt: skip


@blueprint.route("/cantine/<int:canteen_id>")
def canteen(canteen_id: int) -> tuple[str, int]:
    """Show a canteen's EGalim figures, month by month, its exports and other purchases."""
    return _render_canteen(canteen_id, _year())


@blueprint.route("/cantine/<int:canteen_id>/ma-cantine.csv", methods=["POST"])
def export(canteen_id: int) -> Response | tuple[str, int]:
    """Download the canteen's purchases of a period as a ma-cantine import file (logged)."""
    year = _year()
    form = _export_form(year)
    if not form.validate_on_submit():
        return _render_canteen(canteen_id, year, status=422, export_form=form)
    assert form.first_day.data is not None and form.last_day.data is not None
    try:
        written = services.export_macantine(
            canteen_id, form.first_day.data, form.last_day.data, current_user,
            confirm_overlap=bool(form.confirm.data),
        )  # fmt: skip
    except services.ExportOverlaps as overlap:
        return _render_canteen(canteen_id, year, status=409, export_form=form, overlap=overlap)
    except ServiceError as error:
        return _refused(canteen_id, year, error, export_form=form)
    return send_file(io.BytesIO(written.content), mimetype=CSV_MIMETYPE, as_attachment=True,
                     download_name=written.filename)  # fmt: skip


@blueprint.route("/ma-cantine.zip", methods=["POST"])
def export_all() -> Response | tuple[str, int]:
    """Download every canteen's purchases of a period, one ma-cantine file each, in a zip."""
    year = _year()
    form = _export_form(year)

    def page(status: int, overlap: services.ExportOverlaps | None = None) -> tuple[str, int]:
        years = services.all_canteen_years(year, current_user)
        return render_template("egalim/index.html", years=years, year=year,
                               chart=canteens_chart(years), export_form=form,
                               overlap=overlap), status  # fmt: skip

    if not form.validate_on_submit():
        return page(422)
    assert form.first_day.data is not None and form.last_day.data is not None
    try:
        written = services.export_all_macantine(form.first_day.data, form.last_day.data,
                                                current_user,
                                                confirm_overlap=bool(form.confirm.data))
    except services.ExportOverlaps as overlap:
        return page(409, overlap)
    except ServiceError as error:
        flash(str(error), "error")
        return page(error.http_status)
    return send_file(io.BytesIO(written.content), mimetype=ZIP_MIMETYPE, as_attachment=True,
                     download_name=written.filename)  # fmt: skip


def _after_save(canteen_id: int, year: int, message: str) -> Response:
    flash(message, "info")
    # Redirect after the save, so that reloading the page never sends the form twice.
    return redirect(url_for("egalim.canteen", canteen_id=canteen_id, annee=year) + "#autres",
                    code=303)  # fmt: skip


@blueprint.route("/cantine/<int:canteen_id>/autres-achats", methods=["POST"])
def save_other(canteen_id: int) -> Response | tuple[str, int]:
    """Save a month's purchases made outside PIAL (totals excluding VAT)."""
    year = _year()
    form = OtherPurchasesForm()
    if not form.validate_on_submit():
        return _render_canteen(canteen_id, year, status=422, other_form=form)
    try:
        month = parse_month(form.month.data)
        services.save_other_purchases(current_user, canteen_id, [services.OtherPurchasesInput(
            month=month, total_eur=form.total_eur.data, egalim_eur=form.egalim_eur.data,
            organic_eur=form.organic_eur.data, local_eur=form.local_eur.data,
            note=form.note.data)])  # fmt: skip
    except ServiceError as error:
        return _refused(canteen_id, year, error, other_form=form)
    return _after_save(canteen_id, month.year,
                       _("Achats hors PIAL de %(month)s enregistrés.", month=form.month.data))


@blueprint.route("/cantine/<int:canteen_id>/autres-achats/import", methods=["POST"])
def import_other(canteen_id: int) -> Response | tuple[str, int]:
    """Import a CSV file of monthly totals: every month, or nothing and the list of problems."""
    year = _year()
    form = TotalsUploadForm()
    if not form.validate_on_submit():
        return _render_canteen(canteen_id, year, status=422, upload_form=form)
    content: Any = form.file.data.read()
    try:
        saved = services.import_other_purchases(current_user, canteen_id, content)
    except ServiceError as error:
        return _refused(canteen_id, year, error, upload_form=form)
    return _after_save(canteen_id, year, _("%(count)s mois d'achats hors PIAL importés.",
                                           count=saved))
