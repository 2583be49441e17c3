# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""Weeks, farm offers (availability) and canteen orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_babel import gettext as _

from pial.access import SIGNED_IN, roles
from pial.api.common import (
    IF_MATCH,
    actor,
    api_blueprint,
    checked_id,
    checked_week,
    decimal_text,
    documented_refusal,
)
from pial.api.common import expected_version as _expected_version
from pial.api.schemas import AvailabilityIn, AvailabilityOut, OrdersIn, OrdersOut, WeekOut
from pial.errors import Forbidden
from pial.models import Role
from pial.weeks import calendar, offers, opening, orders

T = TypeVar("T")

blueprint = api_blueprint("api_weeks", "Semaines, offres et commandes")

ACCESS_RULES = {
    "list_weeks": SIGNED_IN,
    "get_week": SIGNED_IN,
    "open_week": roles(Role.LEAD),
    "close_week": roles(Role.LEAD),
    "get_availability": roles(Role.LEAD, Role.GROWER),
    "put_availability": roles(Role.LEAD, Role.GROWER),
    "get_orders": roles(Role.LEAD, Role.CANTEEN),
    "put_orders": roles(Role.LEAD, Role.CANTEEN),
}

def _week_out(week: Any) -> dict[str, Any]:
    return {
        "iso_week": week.iso_week,
        "state": str(week.state),
        "monday_date": week.monday_date,
        "availability_deadline_dt": week.availability_deadline_dt,
        "order_deadline_dt": week.order_deadline_dt,
        "published_dt": week.published_dt,
        "version_id": week.version_id,
    }


def _etag(record: dict[str, Any]) -> dict[str, str]:
    """The ETag header of an offer or orders answer: its version, quoted."""
    return {"ETag": f'"{record["version"]}"'}


LINES_REFUSED = (
    "Refusé sur le fond, ligne par ligne (« errors » nomme lines[i]) : un produit qui "
    "n'existe pas ou n'est plus au catalogue, un jour hors de la semaine, une ligne en double."
)


def _require_own_farm(farm_id: int) -> None:
    user = actor()
    if user.role == Role.GROWER and user.farm_id != farm_id:
        raise Forbidden(_("Vous ne pouvez voir que l'offre de votre propre ferme."))


def _require_own_canteen(canteen_id: int) -> None:
    user = actor()
    if user.role == Role.CANTEEN and user.canteen_id != canteen_id:
        raise Forbidden(_("Vous ne pouvez voir que les commandes de votre propre cantine."))


@blueprint.route("/weeks", methods=["GET"])
@blueprint.response(200, WeekOut(many=True))
def list_weeks() -> list[dict[str, Any]]:
    """List the delivery weeks."""
    return [_week_out(week) for week in calendar.list_weeks()]


@blueprint.route("/weeks/<iso_week>", methods=["GET"])
@blueprint.response(200, WeekOut)
def get_week(iso_week: str) -> dict[str, Any]:
    """Return one delivery week (``2026-W48``)."""
    return _week_out(calendar.get_week(checked_week(iso_week)))


@blueprint.route("/weeks/<iso_week>/open", methods=["POST"])
@blueprint.response(200, WeekOut)
def open_week(iso_week: str) -> dict[str, Any]:
    """Open (or reopen) a week to offers and orders (lead)."""
    return _week_out(opening.open_week(checked_week(iso_week), actor()))


@blueprint.route("/weeks/<iso_week>/close", methods=["POST"])
@blueprint.response(200, WeekOut)
def close_week(iso_week: str) -> dict[str, Any]:
    """Close an open week: no more offers nor orders (lead)."""
    return _week_out(opening.close_week(checked_week(iso_week), actor()))


def _record_out(
    owner: dict[str, int],
    record: Any,
    window: Any,
    message: str | None,
    line_extras: Callable[[Any], dict[str, Any]] = lambda line: {},
) -> dict[str, Any]:
    """Return a farm's offer or a canteen's orders of a week, with the version and edit window."""
    return {
        "iso_week": record.week.iso_week,
        **owner,
        "version": record.version,
        "editable": window.editable,
        "deadline_dt": window.deadline_dt,
        "message": message,
        "lines": [
            {
                "product_id": line.product_id,
                "product_name": line.product.name_fr,
                "unit": str(line.product.unit),
                "day": line.day,
                "quantity": decimal_text(line.quantity),
                "note": line.note,
                **line_extras(line),
            }
            for line in record.lines
        ],
    }


def _input_lines(payload: dict[str, Any], make_line: Callable[..., T]) -> list[T]:
    """Return the service's input lines of a PUT, each naming its place in the payload."""
    return [
        make_line(
            product_id=line["product_id"],
            quantity=line["quantity"],
            day=line["day"],
            note=line["note"],
            row=f"lines[{index}]",
        )
        for index, line in enumerate(payload["lines"])
    ]


def _availability_out(farm_id: int, iso_week: str, message: str | None = None) -> dict[str, Any]:
    offer = offers.farm_offer(farm_id, iso_week)
    window = calendar.offer_window(offer.week, actor())
    return _record_out({"farm_id": farm_id}, offer, window, message)


@blueprint.route("/weeks/<iso_week>/farms/<int:farm_id>/availability", methods=["GET"])
@blueprint.response(200, AvailabilityOut)
def get_availability(iso_week: str, farm_id: int) -> Any:
    """Return a farm's offer of the week and its version (a grower: their own farm only)."""
    checked_id(farm_id, _("Cette ferme"))
    _require_own_farm(farm_id)
    body = _availability_out(farm_id, checked_week(iso_week))
    return body, 200, _etag(body)


@blueprint.route("/weeks/<iso_week>/farms/<int:farm_id>/availability", methods=["PUT"])
@blueprint.arguments(AvailabilityIn)
@blueprint.response(200, AvailabilityOut)
@blueprint.alt_response(409, response="CONFLICT")
@blueprint.alt_response(428, response="PRECONDITION_REQUIRED")
@documented_refusal(blueprint, LINES_REFUSED)
@blueprint.doc(parameters=[IF_MATCH])
def put_availability(payload: dict[str, Any], iso_week: str, farm_id: int) -> Any:
    """Replace a farm's offer of the week; send back ``version`` to detect a concurrent save."""
    checked_id(farm_id, _("Cette ferme"))
    user = actor()  # somebody else's farm is refused before a missing version is asked for
    if user.role == Role.GROWER and user.farm_id != farm_id:
        raise Forbidden(_("Vous ne pouvez modifier que l'offre de votre propre ferme."))
    expected = _expected_version(payload)
    lines = _input_lines(payload, offers.AvailabilityInput)
    report = offers.save_availability(
        actor(), farm_id, checked_week(iso_week), lines, expected_version=expected
    )
    body = _availability_out(farm_id, iso_week, report.describe())
    return body, 200, _etag(body)


def _orders_out(canteen_id: int, iso_week: str, message: str | None = None) -> dict[str, Any]:
    order = orders.canteen_order(canteen_id, iso_week)
    window = calendar.order_window(order.week, actor())
    return _record_out(
        {"canteen_id": canteen_id},
        order,
        window,
        message,
        lambda line: {"priority": str(line.priority)},
    )


@blueprint.route("/weeks/<iso_week>/canteens/<int:canteen_id>/orders", methods=["GET"])
@blueprint.response(200, OrdersOut)
def get_orders(iso_week: str, canteen_id: int) -> Any:
    """Return a canteen's orders of the week and their version (a manager: their canteen)."""
    checked_id(canteen_id, _("Cette cantine"))
    _require_own_canteen(canteen_id)
    body = _orders_out(canteen_id, checked_week(iso_week))
    return body, 200, _etag(body)


@blueprint.route("/weeks/<iso_week>/canteens/<int:canteen_id>/orders", methods=["PUT"])
@blueprint.arguments(OrdersIn)
@blueprint.response(200, OrdersOut)
@blueprint.alt_response(409, response="CONFLICT")
@blueprint.alt_response(428, response="PRECONDITION_REQUIRED")
@documented_refusal(blueprint, LINES_REFUSED)
@blueprint.doc(parameters=[IF_MATCH])
def put_orders(payload: dict[str, Any], iso_week: str, canteen_id: int) -> Any:
    """Replace a canteen's orders of the week; send back ``version`` to detect a concurrent save."""
    checked_id(canteen_id, _("Cette cantine"))
    user = actor()
    if user.role == Role.CANTEEN and user.canteen_id != canteen_id:
        raise Forbidden(_("Vous ne pouvez modifier que les commandes de votre propre cantine."))
    expected = _expected_version(payload)
    lines = _input_lines(payload, orders.OrderInput)
    report = orders.save_orders(
        actor(), canteen_id, checked_week(iso_week), lines, expected_version=expected
    )
    body = _orders_out(canteen_id, iso_week, report.describe())
    return body, 200, _etag(body)
