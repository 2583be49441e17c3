"""Rounds pages: the day's rounds with their map and savings, and each driver's route sheet."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template
from markupsafe import Markup

from pial.access import roles
from pial.errors import NotFound
from pial.models import Role
from pial.rounds import services
from pial.rounds.svg import rounds_map
from pial.rounds.xlsx import route_workbook

blueprint = Blueprint("rounds", __name__)

ACCESS_RULES = {
    "week": roles(Role.LEAD, Role.GROWER),
    "sheet": roles(Role.LEAD, Role.GROWER),
    "workbook": roles(Role.LEAD, Role.GROWER),
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
    return render_template("rounds/week.html", iso_week=iso_week, days=days, maps=maps)


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
