# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""The delivery rounds of a published week, as their JSON documents (docs/rounds-format.md)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from pial.access import roles
from pial.api.common import api_blueprint, checked_week
from pial.models import Role
from pial.rounds import services

blueprint = api_blueprint("api_rounds", "Tournées de livraison")

ACCESS_RULES = {
    "get_rounds": roles(Role.LEAD, Role.GROWER),
}


class RoundsDayOut(Schema):
    """One delivery day's rounds."""

    day = fields.Date(required=True)
    rounds = fields.Dict(required=True, metadata={
        "description": "Le document pial-rounds-result/1 du jour (docs/rounds-format.md)."})


class RoundsOut(Schema):
    """A published week's rounds, day by day."""

    iso_week = fields.String(required=True)
    days = fields.List(fields.Nested(RoundsDayOut), required=True)


@blueprint.route("/weeks/<iso_week>/rounds", methods=["GET"])
@blueprint.response(200, RoundsOut)
def get_rounds(iso_week: str) -> dict[str, Any]:
    """Return each delivery day's pooled rounds, the baseline, the savings and the cost split."""
    checked_week(iso_week)
    days = services.week_rounds(iso_week)
    return {"iso_week": iso_week,
            "days": [{"day": rounds.day, "rounds": rounds.document()} for rounds in days]}
