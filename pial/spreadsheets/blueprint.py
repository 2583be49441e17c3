"""Spreadsheet routes: downloads (planning, season, templates) and the upload."""

from __future__ import annotations

import io
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import SIGNED_IN, roles
from pial.clock import iso_week_label, today_in_paris
from pial.errors import InvalidInput, ServiceError
from pial.models import Role
from pial.spreadsheets import services
from pial.spreadsheets.entry import AVAILABILITY, ORDERS
from pial.spreadsheets.forms import UploadForm

blueprint = Blueprint("spreadsheets", __name__, url_prefix="/tableurs")

ACCESS_RULES = {
    "index": SIGNED_IN,
    "planning": roles(Role.LEAD, Role.GROWER),  # the week's coordinator, checked in the service
    "season": roles(Role.LEAD),
    "template": roles(Role.LEAD, Role.GROWER, Role.CANTEEN),
    "upload": roles(Role.LEAD, Role.GROWER, Role.CANTEEN),
}

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_SLUGS = {"disponibilites": AVAILABILITY, "commandes": ORDERS}
_ISO_WEEK = re.compile(r"^\d{4}-W\d{2}$")


def _chosen_week() -> str:
    """Return the week asked for in the query string, else the current one."""
    text = (request.args.get("semaine") or "").strip().upper()
    return text if _ISO_WEEK.match(text) else iso_week_label(today_in_paris())


def _render_index(
    form: UploadForm | None = None, problems: list[str] | None = None, status: int = 200
) -> tuple[str, int]:
    return (
        render_template(
            "spreadsheets/index.html",
            iso_week=_chosen_week(),
            form=form or UploadForm(),
            problems=problems or [],
        ),
        status,
    )


def _refused(error: ServiceError) -> tuple[str, int]:
    """Show the index page with the refusal's French message and its HTTP status."""
    flash(str(error), "error")
    problems = (
        [message for items in error.field_errors.values() for message in items]
        if isinstance(error, InvalidInput)
        else []
    )
    return _render_index(problems=problems, status=error.http_status)


@blueprint.route("/")
def index() -> tuple[str, int]:
    """Show the downloads and the upload form that the signed-in person may use."""
    return _render_index()


@blueprint.route("/planning/<iso_week>.xlsx")
def planning(iso_week: str) -> Response | tuple[str, int]:
    """Download the published planning workbook of a week (lead, coordinator of the week)."""
    stream = io.BytesIO()
    try:
        services.export_planning(iso_week, stream, actor=current_user)
    except ServiceError as error:
        return _refused(error)
    stream.seek(0)
    return send_file(
        stream, mimetype=XLSX_MIMETYPE, as_attachment=True,
        download_name=f"planning-{iso_week}.xlsx",
    )  # fmt: skip


@blueprint.route("/saison/<season_code>.xlsx")
def season(season_code: str) -> Response | tuple[str, int]:
    """Download every published line of a season with its pivots (lead)."""
    stream = io.BytesIO()
    try:
        services.export_season(season_code, stream, actor=current_user)
    except ServiceError as error:
        return _refused(error)
    stream.seek(0)
    return send_file(
        stream, mimetype=XLSX_MIMETYPE, as_attachment=True,
        download_name=f"saison-{season_code}.xlsx",
    )  # fmt: skip


@blueprint.route("/modele/<kind_slug>/<iso_week>.xlsx")
def template(kind_slug: str, iso_week: str) -> Response | tuple[str, int]:
    """Download the availability (grower) or order (canteen) template of a week, pre-filled."""
    kind = KIND_SLUGS.get(kind_slug)
    if kind is None:
        abort(404)
    own_id = current_user.farm_id if kind == AVAILABILITY else current_user.canteen_id
    owner_id = request.args.get("id", type=int) or own_id
    if owner_id is None:
        abort(404)
    stream = io.BytesIO()
    try:
        data = services.export_entry_template(kind, iso_week, owner_id, stream, current_user)
    except ServiceError as error:
        return _refused(error)
    stream.seek(0)
    return send_file(
        stream, mimetype=XLSX_MIMETYPE, as_attachment=True,
        download_name=f"{kind_slug}-{data.iso_week}-{owner_id}.xlsx",
    )  # fmt: skip


@blueprint.route("/import", methods=["POST"])
def upload() -> Response | tuple[str, int]:
    """Import a filled template: every line is saved, or nothing and the list of problems."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_index(form=form, status=422)
    content = form.file.data.read()
    try:
        report = services.import_entry_file(content, current_user)
    except ServiceError as error:
        flash(str(error), "error")
        problems = (
            [message for items in error.field_errors.values() for message in items]
            if isinstance(error, InvalidInput)
            else []
        )
        return _render_index(form=form, problems=problems, status=error.http_status)
    flash(_("%(owner)s, %(week)s : %(summary)s", owner=report.owner_name,
            week=report.iso_week, summary=report.summary), "info")  # fmt: skip
    # Redirect after the save, so that reloading the page never sends the file twice.
    return redirect(url_for("spreadsheets.index", semaine=report.iso_week), code=303)
