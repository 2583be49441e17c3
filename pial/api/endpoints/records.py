# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""Contracts, monthly statements, the planning export and the caller's own account."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, current_app
from flask_babel import gettext as _

from pial.access import SIGNED_IN, roles
from pial.api.common import actor, api_blueprint, checked_id, checked_week, decimal_text
from pial.api.schemas import ContractOut, MeOut, StatementOut
from pial.contracts import services as contracts
from pial.errors import InvalidInput
from pial.models import Contract, Role
from pial.money import statements
from pial.spreadsheets import services as spreadsheets

blueprint = api_blueprint("api_records", "Contrats, relevés mensuels, exports et compte")

ACCESS_RULES = {
    "me": SIGNED_IN,
    "list_contracts": roles(Role.LEAD, Role.CANTEEN),
    "get_contract": roles(Role.LEAD, Role.CANTEEN),
    "farm_statement": roles(Role.LEAD, Role.GROWER),
    "canteen_statement": roles(Role.LEAD, Role.CANTEEN),
    "planning_export": roles(Role.LEAD, Role.GROWER),
}

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.route("/me", methods=["GET"])
@blueprint.response(200, MeOut)
def me() -> Any:
    """Return the user this token (or session) acts as: role, farm or canteen."""
    return actor()


def _contract_out(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "title": contract.title,
        "tender_reference": contract.tender_reference,
        "lot_label": contract.lot_label,
        "canteen_id": contract.canteen_id,
        "canteen_group_id": contract.canteen_group_id,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "is_active": contract.is_active,
        "version_id": contract.version_id,
        "lines": [
            {
                "id": line.id,
                "product_id": line.product_id,
                "committed_min_quantity_per_year": decimal_text(
                    line.committed_min_quantity_per_year
                ),
                "production_cost_eur": decimal_text(line.production_cost_eur),
                "margin_eur": decimal_text(line.margin_eur),
                "intermediation_fee_eur": decimal_text(line.intermediation_fee_eur),
            }
            for line in contract.lines
        ],
    }


@blueprint.route("/contracts", methods=["GET"])
@blueprint.response(200, ContractOut(many=True))
def list_contracts() -> list[dict[str, Any]]:
    """List the contracts the caller may see (a canteen: its own and its groups')."""
    return [_contract_out(contract) for contract in contracts.list_contracts(actor())]


@blueprint.route("/contracts/<int:contract_id>", methods=["GET"])
@blueprint.response(200, ContractOut)
def get_contract(contract_id: int) -> dict[str, Any]:
    """Return one contract and its lines."""
    return _contract_out(contracts.get_contract(checked_id(contract_id, _("Ce contrat")), actor()))


def _statement_out(statement: statements.Statement) -> dict[str, Any]:
    return {
        "kind": statement.kind,
        "owner_id": statement.owner_id,
        "owner_name": statement.owner_name,
        "month": statement.month_key,
        "pending_sales": statement.pending_sales,
        "total_value_eur": decimal_text(statement.total("value_eur")),
        "lines": [
            {
                "day": line.day,
                "iso_week": line.iso_week,
                "farm_id": line.farm_id,
                "canteen_id": line.canteen_id,
                "product_name": line.product_name,
                "unit": line.unit,
                "quantity": decimal_text(line.quantity),
                "value_eur": decimal_text(line.value_eur),
                "fee_eur": decimal_text(line.fee_eur),
                "fund_eur": decimal_text(line.fund_eur),
                "recovered_eur": decimal_text(line.recovered_eur),
                "net_eur": decimal_text(line.net_eur),
                "under_contract": line.under_contract,
                "received": line.received,
            }
            for line in statement.lines
        ],
    }


#: A month as the server reads it: ``2026-11``, years 2000 to 2100.
MONTH = {"in": "path", "name": "month", "required": True,
         "schema": {"type": "string",
                    "pattern": r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"}}  # fmt: skip


def _month(month: str) -> Any:
    first = statements.parse_month(month)
    if not 2000 <= first.year <= 2100:
        raise InvalidInput(_("Mois hors des années gérées."), {"month": [_("Entre 2000 et 2100.")]})
    return first


@blueprint.route("/farms/<int:farm_id>/statements/<month>", methods=["GET"], parameters=[MONTH])
@blueprint.response(200, StatementOut)
def farm_statement(farm_id: int, month: str) -> dict[str, Any]:
    """Return a farm's statement of a month (``2026-11``); a grower: their farm only."""
    return _statement_out(
        statements.farm_statement(checked_id(farm_id, _("Cette ferme")), _month(month), actor())
    )


@blueprint.route(
    "/canteens/<int:canteen_id>/statements/<month>", methods=["GET"], parameters=[MONTH]
)
@blueprint.response(200, StatementOut)
def canteen_statement(canteen_id: int, month: str) -> dict[str, Any]:
    """Return a canteen's statement of a month (``2026-11``); a manager: their canteen only."""
    return _statement_out(
        statements.canteen_statement(
            checked_id(canteen_id, _("Cette cantine")), _month(month), actor()
        )
    )


@blueprint.route("/weeks/<iso_week>/planning.xlsx", methods=["GET"])
@blueprint.response(200, content_type=XLSX_MIMETYPE, description="The planning workbook")
def planning_export(iso_week: str) -> Response:
    """Export the week's published planning as a workbook (lead or the week's coordinator)."""
    stream = io.BytesIO()
    spreadsheets.export_planning(checked_week(iso_week), stream, actor())
    return current_app.response_class(
        stream.getvalue(),
        mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="planning-{iso_week}.xlsx"'},
    )
