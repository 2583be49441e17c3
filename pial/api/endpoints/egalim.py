# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""EGalim: a canteen's purchases for ma-cantine, and the EGalim figures of the dashboard.

Shares are fractions written as decimal strings ("0.4375"), amounts as euros ("1234.5");
``null`` when nothing was bought. The request and response schemas live here, next to the
only endpoints that use them.
"""

from __future__ import annotations

import datetime as dt
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
from pial.api.schemas import StrictSchema
from pial.clock import today_in_paris
from pial.egalim import services
from pial.egalim.figures import TARGET_EGALIM, TARGET_ORGANIC, Amounts, CanteenYear
from pial.models import Role

blueprint = api_blueprint("api_egalim", "EGalim : achats pour ma-cantine et parts EGalim")

ACCESS_RULES = {
    "macantine_export": roles(Role.LEAD, Role.CANTEEN),
    "canteen_figures": roles(Role.LEAD, Role.CANTEEN),
    "all_figures": roles(Role.LEAD),
}


class MacantineQuery(StrictSchema):
    """The period of a ma-cantine export (inclusive; default: this year to today)."""

    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    confirm_overlap = fields.Boolean(load_default=False)


class YearQuery(StrictSchema):
    """The calendar year of the figures (default: the current one)."""

    year = fields.Integer(load_default=None, validate=validate.Range(2000, 2100))


class AmountsOut(Schema):
    """Purchases excluding VAT, their EGalim, organic and local parts, shares and gaps."""

    total_eur = fields.String()
    egalim_eur = fields.String()
    organic_eur = fields.String()
    local_eur = fields.String()
    egalim_share = fields.String(allow_none=True)
    organic_share = fields.String(allow_none=True)
    local_share = fields.String(allow_none=True)
    egalim_gap_eur = fields.String()
    organic_gap_eur = fields.String()


class MonthOut(Schema):
    """One month: purchases through PIAL, other purchases (entered or not), the whole."""

    month = fields.String()
    pial = fields.Nested(AmountsOut)
    other = fields.Nested(AmountsOut)
    other_entered = fields.Boolean()
    whole = fields.Nested(AmountsOut)


class YearToDateOut(Schema):
    """The year's purchases from January to the last month counted."""

    pial = fields.Nested(AmountsOut)
    other = fields.Nested(AmountsOut)
    whole = fields.Nested(AmountsOut)


class CanteenYearOut(Schema):
    """A canteen's EGalim figures of a year, month by month and to date."""

    canteen_id = fields.Integer()
    canteen_name = fields.String()
    year = fields.Integer()
    through = fields.String()
    target_egalim_share = fields.String()
    target_organic_share = fields.String()
    months = fields.List(fields.Nested(MonthOut))
    year_to_date = fields.Nested(YearToDateOut)
    missing_other_months = fields.List(fields.String())


def _share(value: Decimal | None) -> str | None:
    return decimal_text(value.quantize(Decimal("0.0001"))) if value is not None else None


def _amounts_out(amounts: Amounts) -> dict[str, Any]:
    return {
        "total_eur": decimal_text(amounts.total_eur),
        "egalim_eur": decimal_text(amounts.egalim_eur),
        "organic_eur": decimal_text(amounts.organic_eur),
        "local_eur": decimal_text(amounts.local_eur),
        "egalim_share": _share(amounts.egalim_share),
        "organic_share": _share(amounts.organic_share),
        "local_share": _share(amounts.local_share),
        "egalim_gap_eur": decimal_text(amounts.egalim_gap_eur),
        "organic_gap_eur": decimal_text(amounts.organic_gap_eur),
    }


def _year_out(year: CanteenYear) -> dict[str, Any]:
    return {
        "canteen_id": year.canteen_id,
        "canteen_name": year.canteen_name,
        "year": year.year,
        "through": f"{year.through:%Y-%m}",
        "target_egalim_share": decimal_text(TARGET_EGALIM),
        "target_organic_share": decimal_text(TARGET_ORGANIC),
        "months": [
            {"month": f"{month.month:%Y-%m}", "pial": _amounts_out(month.pial),
             "other": _amounts_out(month.other), "other_entered": month.other_entered,
             "whole": _amounts_out(month.whole)}
            for month in year.months
        ],
        "year_to_date": {"pial": _amounts_out(year.pial), "other": _amounts_out(year.other),
                         "whole": _amounts_out(year.whole)},
        "missing_other_months": [f"{month:%Y-%m}" for month in year.missing_other_months],
    }  # fmt: skip


YEAR_NOT_STARTED = "Refusé sur le fond : l'année demandée n'a pas encore commencé."


@blueprint.route("/canteens/<int:canteen_id>/macantine.csv", methods=["GET"])
@blueprint.arguments(MacantineQuery, location="query", as_kwargs=True)
@blueprint.response(200, content_type="text/csv", description="ma-cantine purchases file")
@blueprint.alt_response(409, response="CONFLICT")
@documented_refusal(blueprint, (
    "Refusé sur le fond : fin avant le début, période de plus de deux ans, ou cantine sans "
    "SIRET valable (problem details, « errors » nomme le champ)."))  # fmt: skip
def macantine_export(
    canteen_id: int, start: dt.date | None, end: dt.date | None, confirm_overlap: bool
) -> Response:
    """Export a canteen's delivered purchases of a period in ma-cantine's import format.

    Each export is logged; a period overlapping one already exported answers 409 unless
    ``confirm_overlap=true`` (ma-cantine would import the same purchases twice).
    """
    today = today_in_paris()
    written = services.export_macantine(
        checked_id(canteen_id, _("Cette cantine")),
        start or dt.date(today.year, 1, 1), end or today, actor(),
        confirm_overlap=confirm_overlap,
    )  # fmt: skip
    return current_app.response_class(
        written.content,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{written.filename}"'},
    )


@blueprint.route("/canteens/<int:canteen_id>/egalim", methods=["GET"])
@documented_refusal(blueprint, YEAR_NOT_STARTED)
@blueprint.arguments(YearQuery, location="query", as_kwargs=True)
@blueprint.response(200, CanteenYearOut)
def canteen_figures(canteen_id: int, year: int | None) -> dict[str, Any]:
    """Return a canteen's EGalim shares of a year, month by month and to date."""
    figures = services.canteen_year(checked_id(canteen_id, _("Cette cantine")),
                                    year or today_in_paris().year, actor())  # fmt: skip
    return _year_out(figures)


@blueprint.route("/egalim", methods=["GET"])
@documented_refusal(blueprint, YEAR_NOT_STARTED)
@blueprint.arguments(YearQuery, location="query", as_kwargs=True)
@blueprint.response(200, CanteenYearOut(many=True))
def all_figures(year: int | None) -> list[dict[str, Any]]:
    """Return every active canteen's EGalim shares of a year, side by side (the lead)."""
    return [_year_out(figures) for figures in
            services.all_canteen_years(year or today_in_paris().year, actor())]  # fmt: skip
