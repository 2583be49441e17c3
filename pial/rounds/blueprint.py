"""Rounds pages: the day's rounds with their map and savings, each driver's route sheet, and
the season's savings."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response as Redirect

from pial.access import roles
from pial.allocation.coordination import can_coordinate
from pial.clock import today_in_paris
from pial.db import get_session
from pial.errors import NotFound, ServiceError
from pial.models import Role, Vehicle
from pial.rounds import costs, services
from pial.rounds.forms import MoveLineForm
from pial.rounds.svg import rounds_map
from pial.rounds.xlsx import route_workbook

blueprint = Blueprint("rounds", __name__)

ACCESS_RULES = {
    "week": roles(Role.LEAD, Role.GROWER),
    "sheet": roles(Role.LEAD, Role.GROWER),
    "workbook": roles(Role.LEAD, Role.GROWER),
    "move_line": roles(Role.LEAD, Role.GROWER),
    "savings": roles(Role.LEAD, Role.GROWER),
}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        abort(404)


@blueprint.route("/semaines/<iso_week>/tournees")
def week(iso_week: str) -> str | tuple[str, int]:
    """Show each delivery day's pooled rounds, their map and what they save."""
    try:
        days = services.week_rounds(iso_week)
    except NotFound as error:
        return render_template("rounds/none.html", iso_week=iso_week, message=str(error)), 404
    # rounds_map escapes every name it writes: its SVG is safe to embed as is.
    maps = {rounds.day: Markup(rounds_map(rounds)) for rounds in days}
    forms = {}
    if can_coordinate(current_user, iso_week):
        vehicles = get_session().scalars(
            select(Vehicle).where(Vehicle.is_active).order_by(Vehicle.name)).all()
        for rounds in days:
            form = MoveLineForm(prefix=f"d{rounds.day:%Y%m%d}")
            form.line_id.choices = [
                (line.id, f"{line.product.name_fr} — {line.farm.name} → {line.canteen.name}")
                for line in rounds.lines.values()
            ]
            form.vehicle_id.choices = [(vehicle.id, vehicle.name) for vehicle in vehicles]
            forms[rounds.day] = form
    return render_template("rounds/week.html", iso_week=iso_week, days=days, maps=maps,
                           forms=forms)


@blueprint.route("/semaines/<iso_week>/tournees/<day>/deplacer", methods=["POST"])
def move_line(iso_week: str, day: str) -> Redirect:
    """Put a line on a vehicle; the rest of the day is re-optimised around it."""
    form = MoveLineForm(prefix=f"d{_day(day):%Y%m%d}")
    if not form.validate_on_submit():
        flash(_("Choisissez une ligne et un véhicule."), "error")
        return redirect(url_for("rounds.week", iso_week=iso_week), code=303)
    try:
        services.move_line(current_user, iso_week, int(form.line_id.data),
                           int(form.vehicle_id.data))
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Ligne placée sur le véhicule ; le reste de la journée est recalculé."),
              "success")
    return redirect(url_for("rounds.week", iso_week=iso_week), code=303)


@blueprint.route("/semaines/<iso_week>/tournees/<day>/<vehicle_id>")
def sheet(iso_week: str, day: str, vehicle_id: str) -> str | tuple[str, int]:
    """Show one driver's route sheet: for the phone, and printable."""
    try:
        rounds = services.day_rounds(iso_week, _day(day))
        route = rounds.route(vehicle_id)
    except NotFound as error:
        return render_template("rounds/none.html", iso_week=iso_week, message=str(error)), 404
    return render_template("rounds/sheet.html", iso_week=iso_week, rounds=rounds, route=route)


@blueprint.route("/semaines/<iso_week>/tournees.xlsx")
def workbook(iso_week: str) -> Response | tuple[str, int]:
    """Download every driver's route sheet of the week as an xlsx workbook."""
    try:
        days = services.week_rounds(iso_week)
    except NotFound as error:
        return render_template("rounds/none.html", iso_week=iso_week, message=str(error)), 404
    return Response(route_workbook(days), mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="tournees-{iso_week}.xlsx"'})


@blueprint.route("/tournees/economies")
def savings() -> str | tuple[str, int]:
    """Show what pooling the rounds saves, per delivery day and over a season."""
    code = request.args.get("saison") or None
    season = costs.find_season(code, today_in_paris())
    if code and season is None:
        return render_template("rounds/none.html", iso_week=code,
                               message=_("Saison inconnue : %(code)s.", code=code)), 404
    return render_template("rounds/savings.html", savings=costs.season_day_savings(season),
                           seasons=costs.all_seasons())
