# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""A canteen's deliveries of a week and the receipts it records."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from pial.access import roles
from pial.api.common import (
    IF_MATCH,
    actor,
    api_blueprint,
    checked_id,
    checked_week,
    decimal_text,
    expected_version,
)
from pial.api.schemas import DeliveriesOut, ReceiptIn, ReceiptStateOut
from pial.deliveries import services as deliveries
from pial.models import Receipt, Role

blueprint = api_blueprint("api_deliveries", "Livraisons et réceptions")

ACCESS_RULES = {
    "get_deliveries": roles(Role.LEAD, Role.CANTEEN),
    "get_receipt": roles(Role.LEAD, Role.CANTEEN),
    "put_receipt": roles(Role.CANTEEN),
}


def _receipt_out(receipt: Receipt | None) -> dict[str, Any] | None:
    if receipt is None:
        return None
    return {
        "allocation_line_id": receipt.allocation_line_id,
        "received_quantity": decimal_text(receipt.received_quantity),
        "quality": str(receipt.quality_rating),
        "note": receipt.quality_note,
        "received_dt": receipt.received_dt,
    }


@blueprint.route("/weeks/<iso_week>/canteens/<int:canteen_id>/deliveries", methods=["GET"])
@blueprint.response(200, DeliveriesOut)
def get_deliveries(iso_week: str, canteen_id: int) -> dict[str, Any]:
    """Return what a canteen receives each day of the published planning, with receipts."""
    checked_id(canteen_id, _("Cette cantine"))
    checked_week(iso_week)
    deliveries.require_canteen_member(actor(), canteen_id)
    days = []
    version = None
    for note in deliveries.delivery_notes(canteen_id, iso_week, actor=actor()):
        day = note.day
        version = note.run.published_version if note.run is not None else None
        days.append(
            {
                "day": day,
                "lines": [
                    {
                        "allocation_line_id": item.line.id,
                        "farm_id": item.line.farm_id,
                        "farm_name": note_farm.farm.name,
                        "product_id": item.line.product_id,
                        "product_name": item.line.product.name_fr,
                        "quantity": decimal_text(item.line.quantity),
                        "price_eur": decimal_text(item.price_eur),
                        "receipt": _receipt_out(item.receipt),
                    }
                    for note_farm in note.farms
                    for item in note_farm.lines
                ],
            }
        )
    return {"iso_week": iso_week, "canteen_id": canteen_id, "published_version": version,
            "days": days}


def _receipt_state(canteen_id: int, line_id: int) -> Any:
    line, receipt = deliveries.line_receipt(actor(), canteen_id, line_id)
    body = deliveries.receipt_state(line, receipt)
    return body, 200, {"ETag": f'"{body["version"]}"'}


@blueprint.route("/canteens/<int:canteen_id>/receipts/<int:line_id>", methods=["GET"])
@blueprint.response(200, ReceiptStateOut)
def get_receipt(canteen_id: int, line_id: int) -> Any:
    """Return a delivery line's receipt and its version (ETag); « 0 » while nothing is recorded."""
    return _receipt_state(
        checked_id(canteen_id, _("Cette cantine")),
        checked_id(line_id, _("Cette ligne de livraison")),
    )


@blueprint.route("/canteens/<int:canteen_id>/receipts/<int:line_id>", methods=["PUT"])
@blueprint.arguments(ReceiptIn)
@blueprint.response(200, ReceiptStateOut)
@blueprint.alt_response(409, response="CONFLICT")
@blueprint.alt_response(428, response="PRECONDITION_REQUIRED")
@blueprint.doc(parameters=[IF_MATCH])
def put_receipt(payload: dict[str, Any], canteen_id: int, line_id: int) -> Any:
    """Record what the canteen received on a delivery line (its own canteen only).

    Send back ``version`` (or If-Match) as read: without it 428; stale, 409 with the current one.
    """
    canteen_id = checked_id(canteen_id, _("Cette cantine"))
    line_id = checked_id(line_id, _("Cette ligne de livraison"))
    deliveries.line_receipt(actor(), canteen_id, line_id)  # another canteen's: 403 before 428
    expected = expected_version(payload)
    deliveries.confirm_receipt(
        actor(),
        canteen_id,
        line_id,
        payload["received_quantity"],
        payload["quality"],
        payload["note"],
        expected_version=expected,
    )
    return _receipt_state(canteen_id, line_id)
