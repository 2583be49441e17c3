"""Pages setting the rounds up: « Tournées : réglages » (lead) and « Ma camionnette » (grower).

Each route reads its form, calls one service of :mod:`pial.rounds.setup` and shows the page
again with every wrong field named (status 422) when the service refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from pial.access import roles
from pial.errors import InvalidInput, ServiceError
from pial.fields import choices
from pial.models import Role
from pial.rounds import setup
from pial.rounds.forms import (
    WEEKDAY_NAMES,
    MyVanForm,
    PointForm,
    RoadForm,
    VehicleForm,
    WindowForm,
)

blueprint = Blueprint("rounds_setup", __name__)

LEAD = roles(Role.LEAD)
ACCESS_RULES = {
    "index": LEAD,
    "edit_vehicle": LEAD,
    "set_vehicle_active": LEAD,
    "edit_point": LEAD,
    "set_point_active": LEAD,
    "edit_window": LEAD,
    "delete_window": LEAD,
    "edit_road": LEAD,
    "delete_road": LEAD,
    "my_van": roles(Role.GROWER),
}

PageResult = str | tuple[str, int] | Response


def _refused(form: FlaskForm, error: ServiceError) -> None:
    """Flash a refusal and tie each field's messages to its input."""
    flash(str(error), "error")
    if isinstance(error, InvalidInput):
        for name, messages in error.field_errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors or []) + messages


def _service_error(error: ServiceError) -> NoReturn:
    abort(error.http_status, description=str(error))


def _farm_choices(empty: str, current: Any = None) -> list[Any]:
    """Return the farms to choose from: the active ones, and the record's own even if not."""
    farms = list(setup.list_farms())
    if current is not None and current not in farms:
        farms.append(current)
    return choices([("", empty), *((str(farm.id), farm.name) for farm in farms)])


def _edit(form: FlaskForm, record: Any, to_form: Callable[[Any], dict[str, Any]],
          save: Callable[[dict[str, Any]], Any], fields: tuple[str, ...],
          title: str) -> PageResult:
    """Run the shared edit cycle: fill from the record, save, or show what is wrong."""
    if request.method == "GET" and record is not None:
        form.process(data=to_form(record))
    if request.method == "POST":
        if not form.validate_on_submit():  # only the CSRF token can fail here
            flash(_("Le formulaire a expiré ; rien n'a été enregistré. Réessayez."), "error")
        else:
            try:
                save(form.data)
            except InvalidInput as error:
                _refused(form, error)
            except ServiceError as error:
                _service_error(error)
            else:
                flash(_("Modifications enregistrées."), "success")
                return redirect(url_for("rounds_setup.index"), code=303)
        return render_template("rounds/setup/edit.html", form=form, fields=fields,
                               title=title, record=record), 422
    return render_template("rounds/setup/edit.html", form=form, fields=fields, title=title,
                           record=record)


def _record(getter: Callable[[int], Any], record_id: int | None) -> Any:
    if record_id is None:
        return None
    try:
        return getter(record_id)
    except ServiceError as error:
        _service_error(error)


@blueprint.route("/tournees/reglages")
def index() -> str:
    """List the vehicles, collection points, delivery windows and road distances."""
    roads = setup.list_roads()
    names = setup.place_names({key for road in roads for key in (road.place_a, road.place_b)})
    return render_template(
        "rounds/setup/index.html", vehicles=setup.list_vehicles(), points=setup.list_points(),
        windows=setup.list_windows(), roads=roads, place_names=names,
        format_hour=setup.format_hour, weekday_names=WEEKDAY_NAMES,
    )


def _vehicle_form_data(vehicle: Any) -> dict[str, Any]:
    return {
        "name": vehicle.name, "farm_id": str(vehicle.farm_id or ""),
        "depot_lat": vehicle.depot_lat, "depot_lon": vehicle.depot_lon,
        **_van_form_data(vehicle),
        "cost_per_km_eur": vehicle.cost_per_km_eur,
        "cost_per_hour_eur": vehicle.cost_per_hour_eur,
    }


def _van_form_data(vehicle: Any) -> dict[str, Any]:
    return {
        "capacity_kg": f"{vehicle.capacity_kg.normalize():f}".replace(".", ","),
        "capacity_crates": vehicle.capacity_crates,
        "free_from": setup.format_hour(vehicle.free_from_min),
        "free_until": setup.format_hour(vehicle.free_until_min),
        "driver_name": vehicle.driver_name or "", "driver_phone": vehicle.driver_phone or "",
        "days_off": setup.format_days(vehicle.days_off),
    }


@blueprint.route("/tournees/reglages/vehicules/nouveau", methods=["GET", "POST"])
@blueprint.route("/tournees/reglages/vehicules/<int:vehicle_id>", methods=["GET", "POST"])
def edit_vehicle(vehicle_id: int | None = None) -> PageResult:
    """Create or edit a vehicle."""
    vehicle = _record(setup.get_vehicle, vehicle_id)
    form = VehicleForm()
    form.farm_id.choices = _farm_choices(_("Aucune — camion du partenaire logistique"),
                                         vehicle.farm if vehicle else None)
    if vehicle is None and request.method == "GET":
        form.process(data={"free_from": "05:00", "free_until": "13:00",
                           "cost_per_km_eur": "0,40", "cost_per_hour_eur": "15"})
    title = vehicle.name if vehicle else _("Nouveau véhicule")
    return _edit(form, vehicle, _vehicle_form_data,
                 lambda data: setup.save_vehicle(current_user, vehicle_id, data),
                 VehicleForm.FIELD_ORDER, title)


@blueprint.route("/tournees/reglages/vehicules/<int:vehicle_id>/actif", methods=["POST"])
def set_vehicle_active(vehicle_id: int) -> Response:
    """Take a vehicle off the rounds, or put it back."""
    return _post_action(lambda active: setup.set_vehicle_active(current_user, vehicle_id, active))


def _post_action(change: Callable[[bool], Any]) -> Response:
    """Run a one-button form (``active`` = "1" or "0"), then go back to the settings."""
    if not FlaskForm().validate_on_submit():
        flash(_("Le formulaire a expiré ; rien n'a été enregistré. Réessayez."), "error")
    else:
        try:
            change(request.form.get("active") == "1")
        except ServiceError as error:
            _service_error(error)
        flash(_("Modifications enregistrées."), "success")
    return redirect(url_for("rounds_setup.index"), code=303)


def _point_form_data(point: Any) -> dict[str, Any]:
    return {
        "name": point.name, "farm_id": str(point.farm_id or ""), "lat": point.lat,
        "lon": point.lon, "opens": setup.format_hour(point.opens_min),
        "handover": setup.format_hour(point.handover_min),
        "closes": setup.format_hour(point.closes_min), "handling_min": point.handling_min,
    }


@blueprint.route("/tournees/reglages/points/nouveau", methods=["GET", "POST"])
@blueprint.route("/tournees/reglages/points/<int:point_id>", methods=["GET", "POST"])
def edit_point(point_id: int | None = None) -> PageResult:
    """Create or edit a collection point."""
    point = _record(setup.get_point, point_id)
    form = PointForm()
    form.farm_id.choices = _farm_choices(_("Aucune — un autre lieu"),
                                         setup.farm_of(point) if point else None)
    if point is None and request.method == "GET":
        form.process(data={"opens": "05:00", "handover": "07:00", "closes": "12:00",
                           "handling_min": "10"})
    return _edit(form, point, _point_form_data,
                 lambda data: setup.save_point(current_user, point_id, data),
                 ("name", "farm_id", "lat", "lon", "opens", "handover", "closes",
                  "handling_min"),
                 point.name if point else _("Nouveau point de collecte"))


@blueprint.route("/tournees/reglages/points/<int:point_id>/actif", methods=["POST"])
def set_point_active(point_id: int) -> Response:
    """Close a collection point to the rounds, or open it again."""
    return _post_action(lambda active: setup.set_point_active(current_user, point_id, active))


@blueprint.route("/tournees/reglages/creneaux/nouveau", methods=["GET", "POST"])
@blueprint.route("/tournees/reglages/creneaux/<int:window_id>", methods=["GET", "POST"])
def edit_window(window_id: int | None = None) -> PageResult:
    """Create or edit a canteen's delivery window."""
    window = _record(setup.get_window, window_id)
    form = WindowForm()
    canteens = list(setup.list_canteens())
    if window is not None and window.canteen not in canteens:
        canteens.append(window.canteen)  # a closed canteen's window stays editable
    form.canteen_id.choices = choices([("", _("Choisir une cantine")),
                                       *((str(c.id), c.name) for c in canteens)])
    if window is None and request.method == "GET":
        form.process(data={"canteen_id": request.args.get("cantine", ""), "starts": "07:00",
                           "ends": "10:00", "unloading_min": "10"})
    return _edit(form, window, lambda w: {
        "canteen_id": str(w.canteen_id), "starts": setup.format_hour(w.starts_min),
        "ends": setup.format_hour(w.ends_min), "unloading_min": w.unloading_min,
        "instructions": w.instructions or ""},
        lambda data: setup.save_window(current_user, window_id, data),
        ("canteen_id", "starts", "ends", "unloading_min", "instructions"),
        _("Créneau de livraison"))


@blueprint.route("/tournees/reglages/creneaux/<int:window_id>/supprimer", methods=["POST"])
def delete_window(window_id: int) -> Response:
    """Delete a delivery window."""
    return _post_action(lambda _active: setup.delete_window(current_user, window_id))


@blueprint.route("/tournees/reglages/distances/nouvelle", methods=["GET", "POST"])
@blueprint.route("/tournees/reglages/distances/<int:road_id>", methods=["GET", "POST"])
def edit_road(road_id: int | None = None) -> PageResult:
    """Enter or correct the road distance between two places."""
    road = _record(setup.get_road, road_id)
    form = RoadForm()
    places = choices([("", _("Choisir un lieu")), *setup.list_places()])
    form.place_a.choices = places
    form.place_b.choices = places
    return _edit(form, road, lambda r: {
        "place_a": r.place_a, "place_b": r.place_b,
        "distance_km": f"{r.distance_km:g}".replace(".", ","),
        "duration_min": f"{r.duration_min:g}".replace(".", ",") if r.duration_min else ""},
        lambda data: setup.save_road(current_user, road_id, data),
        ("place_a", "place_b", "distance_km", "duration_min"), _("Distance par la route"))


@blueprint.route("/tournees/reglages/distances/<int:road_id>/supprimer", methods=["POST"])
def delete_road(road_id: int) -> Response:
    """Delete a road distance."""
    return _post_action(lambda _active: setup.delete_road(current_user, road_id))


@blueprint.route("/ma-camionnette", methods=["GET", "POST"])
@blueprint.route("/ma-camionnette/<int:vehicle_id>", methods=["GET", "POST"])
def my_van(vehicle_id: int | None = None) -> PageResult:
    """Let a grower set their farm's van and the weekdays they refuse to drive."""
    try:
        vans = setup.my_vans(current_user)
        van = setup.my_van(current_user, vehicle_id) if vehicle_id is not None else (
            vans[0] if vans else None)
    except ServiceError as error:
        _service_error(error)
    form = MyVanForm()
    if request.method == "GET":
        form.process(data=_van_form_data(van) if van else {
            "capacity_kg": f"{setup.NEW_VAN_KG}", "capacity_crates": setup.NEW_VAN_CRATES,
            "free_from": "05:00", "free_until": "13:00",
            "driver_name": current_user.display_name, "driver_phone": (
                current_user.farm.contact_phone if current_user.farm else "") or ""})
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            flash(_("Le formulaire a expiré ; rien n'a été enregistré. Réessayez."), "error")
            status = 422
        else:
            try:
                saved = setup.save_my_van(current_user, van.id if van else None, form.data)
            except InvalidInput as error:
                _refused(form, error)
                status = 422
            except ServiceError as error:
                _service_error(error)
            else:
                flash(_("Votre camionnette est enregistrée."), "success")
                return redirect(url_for("rounds_setup.my_van", vehicle_id=saved.id), code=303)
    page = render_template("rounds/setup/my_van.html", form=form, van=van, vans=vans,
                           weekday_names=WEEKDAY_NAMES)
    return (page, status) if status != 200 else page
