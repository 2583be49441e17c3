# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""The coming season: forecast, season plans, growers' proposals, tender lots and answers."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from flask import Response, current_app
from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from pial.access import roles
from pial.api.common import (
    actor,
    api_blueprint,
    checked_id,
    decimal_text,
    documented_refusal,
)
from pial.api.schemas import StrictSchema, id_field
from pial.errors import Conflict
from pial.models import PlanProposal, Role, SeasonPlan, TenderLot
from pial.season import services, tenders
from pial.season.xlsx import XLSX_MIMETYPE, answer_workbook

blueprint = api_blueprint("api_season", "Saison : prévision, plan de culture, appels d'offres")

LEAD = roles(Role.LEAD)
PLANNERS = roles(Role.LEAD, Role.GROWER)
ACCESS_RULES = {
    "season_forecast": LEAD,
    "solve_plan": LEAD,
    "get_plan": LEAD,
    "publish_plan": LEAD,
    "farm_plan": PLANNERS,
    "propose": PLANNERS,
    "decide": LEAD,
    "list_lots": LEAD,
    "create_lot": LEAD,
    "get_lot": LEAD,
    "answer_lot": LEAD,
    "answer_xlsx": LEAD,
    "lot_contract": LEAD,
}
MAX_AMOUNT = 1_000_000


def _number(**kw: Any) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=validate.Range(0, MAX_AMOUNT),
                          metadata={"minimum": 0, "maximum": MAX_AMOUNT}, **kw)


def _rate(low: float, high: float, default: float) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, load_default=Decimal(str(default)), places=4,
                          validate=validate.Range(low, high),
                          metadata={"minimum": low, "maximum": high})


# --- Schemas -------------------------------------------------------------------------------------


class PlanIn(StrictSchema):
    """The lead's choices for a season plan."""

    service_level = _rate(0.5, 0.99, 0.95)
    max_share = _rate(0.2, 1.0, 0.6)
    advance_share = _rate(0.0, 0.5, 0.2)
    scenarios = fields.Integer(strict=True, load_default=500,
                               validate=validate.Range(services.MIN_SCENARIOS,
                                                       services.MAX_SCENARIOS))


class ProposalIn(StrictSchema):
    """A grower's proposed weekly volume of a product over weeks of the season."""

    product_id = id_field(required=True)
    first_day = fields.Date(required=True)
    last_day = fields.Date(required=True)
    weekly_quantity = _number(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class DecisionIn(StrictSchema):
    """The lead's decision on a proposal."""

    accept = fields.Boolean(required=True)


class LotLineIn(StrictSchema):
    """A product of a lot; empty prices take the group's season price."""

    product_id = id_field(required=True)
    yearly_estimate = fields.Decimal(required=True, allow_nan=False,
                                     validate=validate.Range(0.001, MAX_AMOUNT),
                                     metadata={"minimum": 0.001, "maximum": MAX_AMOUNT})
    production_cost_eur = _number(load_default=None, allow_none=True)
    margin_eur = _number(load_default=None, allow_none=True)
    intermediation_fee_eur = _number(load_default=None, allow_none=True)


class LotIn(StrictSchema):
    """A tender lot: buyer (a canteen or a group), delivery, duration, confidence, products."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    tender_reference = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=100))
    lot_label = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=100))
    canteen_id = id_field(load_default=None, allow_none=True)
    canteen_group_id = id_field(load_default=None, allow_none=True)
    delivery_sites = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=4000))
    delivery_weekdays = fields.String(load_default="1,4", validate=validate.Regexp(
        r"^[1-7](,[1-7]){0,6}$"))
    years = fields.Integer(strict=True, load_default=1, validate=validate.Range(1, 10))
    start_date = fields.Date(required=True)
    confidence = fields.Decimal(load_default=Decimal("0.95"), allow_nan=False,
                                validate=validate.OneOf([Decimal("0.90"), Decimal("0.95"),
                                                         Decimal("0.99")]),
                                metadata={"enum": [0.9, 0.95, 0.99]})
    lead_farm_id = id_field(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    lines = fields.List(fields.Nested(LotLineIn), load_default=list,
                        validate=validate.Length(max=100))


class AnswerIn(StrictSchema):
    """The confidence to commit at (default: the lot's) and the seasons to simulate."""

    confidence = fields.Decimal(load_default=None, allow_none=True, allow_nan=False,
                                validate=validate.OneOf([Decimal("0.90"), Decimal("0.95"),
                                                         Decimal("0.99")]),
                                metadata={"enum": [0.9, 0.95, 0.99]})
    draws = fields.Integer(strict=True, load_default=tenders.DRAWS,
                           validate=validate.Range(1000, 100_000))


class BacktestOut(Schema):
    """The forecast's error on the last full season, next to two naive forecasts."""

    season = fields.String()
    weeks = fields.Integer()
    wape_model = fields.Float()
    wape_same_week_last_year = fields.Float()
    wape_last_four_weeks = fields.Float()
    wape_model_product_week = fields.Float()
    wape_same_week_last_year_product_week = fields.Float()
    wape_last_four_weeks_product_week = fields.Float()


class ProductForecastOut(Schema):
    """A product's expected demand over the season (summed over canteens)."""

    product_id = fields.Integer()
    slug = fields.String()
    season_total = fields.String()
    season_value_eur = fields.String()
    peak_week = fields.String()


class ForecastOut(Schema):
    """A season's forecast."""

    year = fields.Integer()
    code = fields.String()
    first_day = fields.Date()
    last_day = fields.Date()
    weeks = fields.Integer()
    history_weeks = fields.Integer()
    products = fields.List(fields.Nested(ProductForecastOut))
    backtest = fields.Nested(BacktestOut, allow_none=True)


class FarmShareOut(Schema):
    """A farm's planned value, share and proposed advance."""

    farm_id = fields.Integer()
    planned_eur = fields.String()
    share = fields.Float()
    target_share = fields.Float()
    proposed_advance_eur = fields.String()


class PlanOut(Schema):
    """A solved season plan and its figures."""

    id = fields.Integer()
    season_year = fields.Integer()
    sequence = fields.Integer()
    status = fields.String()
    service_level = fields.Float()
    max_share = fields.Float()
    met_share = fields.Float()
    scenarios = fields.Integer()
    demand_eur = fields.String()
    planned_eur = fields.String()
    solve_s = fields.Float()
    lines = fields.Integer()
    published_dt = fields.DateTime(allow_none=True)
    farms = fields.List(fields.Nested(FarmShareOut))


class WeekVolumeOut(Schema):
    """A planned weekly volume."""

    monday = fields.Date()
    quantity = fields.String()


class CropPlanOut(Schema):
    """A product in a farm's plan."""

    product_id = fields.Integer()
    season_total = fields.String()
    value_eur = fields.String()
    weeks = fields.List(fields.Nested(WeekVolumeOut))


class FarmPlanOut(Schema):
    """« Mon plan de culture »: a farm's published plan of the season."""

    farm_id = fields.Integer()
    season_year = fields.Integer()
    plan_id = fields.Integer(allow_none=True)
    value_eur = fields.String()
    crops = fields.List(fields.Nested(CropPlanOut))


class ProposalOut(Schema):
    """A grower's proposal and where it stands."""

    id = fields.Integer()
    farm_id = fields.Integer()
    product_id = fields.Integer()
    first_monday = fields.Date()
    last_monday = fields.Date()
    weekly_quantity = fields.String()
    state = fields.String()


class ShareOut(Schema):
    """A member's part of a lot line and the risk it carries."""

    farm_id = fields.Integer()
    volume_share = fields.String()
    quantity = fields.String()
    own_shortfall = fields.String()
    covers_for_others = fields.String()


class LotLineOut(Schema):
    """A product of a lot: estimate, prices (cost + margin + fee) and the answer's volumes."""

    id = fields.Integer()
    product_id = fields.Integer()
    yearly_estimate = fields.String()
    production_cost_eur = fields.String()
    margin_eur = fields.String()
    intermediation_fee_eur = fields.String()
    price_eur = fields.String()
    volume_90 = fields.String(allow_none=True)
    volume_95 = fields.String(allow_none=True)
    volume_99 = fields.String(allow_none=True)
    committed_quantity = fields.String(allow_none=True)
    expected_shortfall = fields.String(allow_none=True)
    shares = fields.List(fields.Nested(ShareOut))


class LotOut(Schema):
    """A tender lot and its answer."""

    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    canteen_id = fields.Integer(allow_none=True)
    canteen_group_id = fields.Integer(allow_none=True)
    years = fields.Integer()
    start_date = fields.Date()
    confidence = fields.String()
    lead_farm_id = fields.Integer(allow_none=True)
    contract_id = fields.Integer(allow_none=True)
    answered_dt = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(LotLineOut))


class ContractCreatedOut(Schema):
    """The contract created from a won lot."""

    contract_id = fields.Integer()


# --- Serialisation -------------------------------------------------------------------------------


def _plan_out(plan: SeasonPlan) -> dict[str, Any]:
    view = services.plan_view(plan)
    return {
        "id": plan.id, "season_year": plan.season_year, "sequence": plan.sequence,
        "status": plan.status.value, "service_level": float(plan.service_level),
        "max_share": float(plan.max_share), "met_share": plan.met_share,
        "scenarios": plan.scenarios, "demand_eur": decimal_text(plan.demand_eur),
        "planned_eur": decimal_text(plan.planned_eur), "solve_s": plan.solve_s,
        "lines": len(plan.lines), "published_dt": plan.published_dt,
        "farms": [{"farm_id": row.farm.id, "planned_eur": decimal_text(row.planned_eur),
                   "share": float(row.share), "target_share": float(row.target_share),
                   "proposed_advance_eur": decimal_text(row.proposed_advance_eur)}
                  for row in view.farms],
    }


def _proposal_out(proposal: PlanProposal) -> dict[str, Any]:
    return {"id": proposal.id, "farm_id": proposal.farm_id, "product_id": proposal.product_id,
            "first_monday": proposal.first_monday, "last_monday": proposal.last_monday,
            "weekly_quantity": decimal_text(proposal.weekly_quantity),
            "state": proposal.state.value}


def _lot_out(lot: TenderLot) -> dict[str, Any]:
    return {
        "id": lot.id, "title": lot.title, "status": lot.status.value,
        "canteen_id": lot.canteen_id, "canteen_group_id": lot.canteen_group_id,
        "years": lot.years, "start_date": lot.start_date,
        "confidence": decimal_text(lot.confidence), "lead_farm_id": lot.lead_farm_id,
        "contract_id": lot.contract_id, "answered_dt": lot.answered_dt,
        "lines": [{
            "id": line.id, "product_id": line.product_id,
            "yearly_estimate": decimal_text(line.yearly_estimate),
            "production_cost_eur": decimal_text(line.production_cost_eur),
            "margin_eur": decimal_text(line.margin_eur),
            "intermediation_fee_eur": decimal_text(line.intermediation_fee_eur),
            "price_eur": decimal_text(line.price_eur),
            "volume_90": decimal_text(line.volume_90), "volume_95": decimal_text(line.volume_95),
            "volume_99": decimal_text(line.volume_99),
            "committed_quantity": decimal_text(line.committed_quantity),
            "expected_shortfall": decimal_text(line.expected_shortfall),
            "shares": [{"farm_id": share.farm_id,
                        "volume_share": decimal_text(share.volume_share),
                        "quantity": decimal_text(share.quantity),
                        "own_shortfall": decimal_text(share.own_shortfall),
                        "covers_for_others": decimal_text(share.covers_for_others)}
                       for share in line.shares],
        } for line in lot.lines],
    }


#: The season's first year, as the server checks it (``services.check_year``).
SEASON_YEAR = {"in": "path", "name": "year", "required": True,
               "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}}  # fmt: skip

SEMANTIC_422 = (
    "Refusé sur le fond (problem details, « errors » nomme le champ) : une référence qui "
    "n'existe pas (cantine, groupement, produit), ou une règle qui lie plusieurs champs."
)


# --- Routes --------------------------------------------------------------------------------------


@blueprint.route("/season/<int:year>/forecast", methods=["GET"], parameters=[SEASON_YEAR])
@blueprint.response(200, ForecastOut)
def season_forecast(year: int) -> dict[str, Any]:
    """Forecast the season starting ``year`` and backtest the model on the last full season."""
    forecast = services.forecast_season(services.check_year(year))
    report = forecast.backtest
    return {
        "year": forecast.window.year, "code": forecast.window.code,
        "first_day": forecast.window.first_day, "last_day": forecast.window.last_day,
        "weeks": len(forecast.window.weeks), "history_weeks": forecast.history_weeks,
        "products": [{"product_id": row.product.id, "slug": row.product.slug,
                      "season_total": decimal_text(row.season_total),
                      "season_value_eur": decimal_text(row.season_value_eur),
                      "peak_week": decimal_text(row.peak_week)} for row in forecast.products],
        "backtest": None if report is None else {
            "season": forecast.backtest_season, "weeks": report.weeks,
            "wape_model": report.wape_model,
            "wape_same_week_last_year": report.wape_same_week_last_year,
            "wape_last_four_weeks": report.wape_last_four_weeks,
            "wape_model_product_week": report.wape_model_product_week,
            "wape_same_week_last_year_product_week":
                report.wape_same_week_last_year_product_week,
            "wape_last_four_weeks_product_week": report.wape_last_four_weeks_product_week,
        },
    }


@blueprint.route("/season/<int:year>/plans", methods=["POST"], parameters=[SEASON_YEAR])
@documented_refusal(blueprint, SEMANTIC_422)
@blueprint.arguments(PlanIn)
@blueprint.response(201, PlanOut)
def solve_plan(body: dict[str, Any], year: int) -> dict[str, Any]:
    """Solve the season plan (accepted proposals locked) with the lead's choices."""
    plan = services.solve_season_plan(actor(), services.check_year(year), services.PlanChoices(
        service_level=body["service_level"], max_share=body["max_share"],
        advance_share=body["advance_share"], scenarios=body["scenarios"]))
    return _plan_out(plan)


@blueprint.route("/season/plans/<int:plan_id>", methods=["GET"])
@blueprint.response(200, PlanOut)
def get_plan(plan_id: int) -> dict[str, Any]:
    """Return a season plan, its farms' values and proposed advances."""
    return _plan_out(services.get_plan(checked_id(plan_id, _("Ce plan"))))


@blueprint.route("/season/plans/<int:plan_id>/publication", methods=["POST"])
@blueprint.response(200, PlanOut)
def publish_plan(plan_id: int) -> dict[str, Any]:
    """Publish a plan to the growers."""
    return _plan_out(services.publish_plan(actor(), checked_id(plan_id, _("Ce plan"))))


@blueprint.route(
    "/farms/<int:farm_id>/season/<int:year>/plan",
    methods=["GET"],
    parameters=[SEASON_YEAR],
)
@blueprint.response(200, FarmPlanOut)
def farm_plan(farm_id: int, year: int) -> dict[str, Any]:
    """Return a farm's plan of the season (a grower: its farm, the latest published plan)."""
    view = services.farm_plan(actor(), checked_id(farm_id, _("Cette ferme")),
                              services.check_year(year))
    return {
        "farm_id": view.farm.id, "season_year": year,
        "plan_id": view.plan.id if view.plan else None,
        "value_eur": decimal_text(view.value_eur),
        "crops": [{"product_id": crop.product.id, "season_total": decimal_text(crop.season_total),
                   "value_eur": decimal_text(crop.value_eur),
                   "weeks": [{"monday": monday, "quantity": decimal_text(quantity)}
                             for monday, quantity in crop.weeks]}
                  for crop in view.crops],
    }


@blueprint.route(
    "/farms/<int:farm_id>/season/<int:year>/proposals",
    methods=["POST"],
    parameters=[SEASON_YEAR],
)
@documented_refusal(blueprint, SEMANTIC_422)
@blueprint.arguments(ProposalIn)
@blueprint.response(201, ProposalOut)
def propose(body: dict[str, Any], farm_id: int, year: int) -> dict[str, Any]:
    """Propose a weekly volume of a product over weeks of the season (to the lead)."""
    proposal = services.propose_change(
        actor(), checked_id(farm_id, _("Cette ferme")), services.check_year(year),
        body["product_id"], body["first_day"], body["last_day"], body["weekly_quantity"],
        body["note"])
    return _proposal_out(proposal)


@blueprint.route("/season/proposals/<int:proposal_id>/decision", methods=["POST"])
@blueprint.arguments(DecisionIn)
@blueprint.response(200, ProposalOut)
def decide(body: dict[str, Any], proposal_id: int) -> dict[str, Any]:
    """Accept a proposal (locked in the next solves) or decline it."""
    return _proposal_out(services.decide_proposal(
        actor(), checked_id(proposal_id, _("Cette proposition")), body["accept"]))


@blueprint.route("/tender-lots", methods=["GET"])
@blueprint.response(200, LotOut(many=True))
def list_lots() -> list[dict[str, Any]]:
    """List the tender lots, the latest first."""
    return [_lot_out(lot) for lot in tenders.list_lots()]


@blueprint.route("/tender-lots", methods=["POST"])
@documented_refusal(blueprint, SEMANTIC_422)
@blueprint.arguments(LotIn)
@blueprint.response(201, LotOut)
def create_lot(body: dict[str, Any]) -> dict[str, Any]:
    """Enter a tender lot and its products."""
    lines = body.pop("lines")
    lot = tenders.create_lot(actor(), body, lines)
    return _lot_out(tenders.get_lot(lot.id))


@blueprint.route("/tender-lots/<int:lot_id>", methods=["GET"])
@blueprint.response(200, LotOut)
def get_lot(lot_id: int) -> dict[str, Any]:
    """Return a lot, its products and its answer."""
    return _lot_out(tenders.get_lot(checked_id(lot_id, _("Ce lot"))))


@blueprint.route("/tender-lots/<int:lot_id>/answer", methods=["POST"])
@blueprint.arguments(AnswerIn)
@blueprint.response(200, LotOut)
def answer_lot(body: dict[str, Any], lot_id: int) -> dict[str, Any]:
    """Answer « can we commit? »: volumes at 90/95/99 %, members' shares and risks."""
    lot = tenders.answer_lot(actor(), checked_id(lot_id, _("Ce lot")), body["confidence"],
                             draws=body["draws"])
    return _lot_out(lot)


@blueprint.route("/tender-lots/<int:lot_id>/answer.xlsx", methods=["GET"])
@blueprint.response(200, content_type=XLSX_MIMETYPE, description="The answer workbook")
def answer_xlsx(lot_id: int) -> Response:
    """Download the answer to attach to the bid."""
    lot = tenders.get_lot(checked_id(lot_id, _("Ce lot")))
    if lot.answered_dt is None:
        raise Conflict(_("Ce lot n'a pas encore de réponse : calculez-la d'abord."))
    stream = io.BytesIO()
    answer_workbook(lot, tenders.buyer_name(lot), tenders.delivery_days_text(lot),
                    tenders.member_values(lot), stream)
    return current_app.response_class(
        stream.getvalue(), mimetype=XLSX_MIMETYPE,
        headers={"Content-Disposition": f'attachment; filename="reponse-lot-{lot.id}.xlsx"'})


@blueprint.route("/tender-lots/<int:lot_id>/contract", methods=["POST"])
@blueprint.response(201, ContractCreatedOut)
def lot_contract(lot_id: int) -> dict[str, Any]:
    """The lot is won: create its contract from the answer."""
    contract = tenders.create_contract(actor(), checked_id(lot_id, _("Ce lot")))
    return {"contract_id": contract.id}
