"""Money pages: statements, fairness ledger, fund, advances, rates and the regulation report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import roles
from pial.clock import today_in_paris
from pial.errors import ServiceError
from pial.fields import choices
from pial.models import FeeKind, Role
from pial.money import charts, funds
from pial.money import ledger as ledgers
from pial.money import regulation as regulations
from pial.money import statements as sheets
from pial.money.accrual import accrue_week, recovered_eur, weeks_to_accrue
from pial.money.forms import AdvanceForm, FundMovementForm, RateForm, RepaymentForm
from pial.money.xlsx import XLSX_MIMETYPE, regulation_workbook, statement_workbook
from pial.pages import flash_refusal, read_or_abort

blueprint = Blueprint("money", __name__, url_prefix="/argent")

LEAD = roles(Role.LEAD)
ACCESS_RULES = {
    "statements": LEAD,
    "farm_statement": roles(Role.LEAD, Role.GROWER),
    "farm_statement_xlsx": roles(Role.LEAD, Role.GROWER),
    "canteen_statement": roles(Role.LEAD, Role.CANTEEN),
    "canteen_statement_xlsx": roles(Role.LEAD, Role.CANTEEN),
    "my_statement": roles(Role.GROWER, Role.CANTEEN),
    "accrue": LEAD,
    "ledger": LEAD,
    "farm_ledger": roles(Role.LEAD, Role.GROWER),
    "my_ledger": roles(Role.GROWER),
    "fund": LEAD,
    "advances": LEAD,
    "edit_advance": LEAD,
    "repay_advance": LEAD,
    "write_off_advance": LEAD,
    "delete_advance": LEAD,
    "rates": LEAD,
    "delete_rate": LEAD,
    "regulation": LEAD,
    "regulation_xlsx": LEAD,
}
KIND_LABELS = {
    FeeKind.FEE: _l("Frais d'intermédiation"),
    FeeKind.FUND: _l("Fonds de développement"),
}




def _month() -> dt.date:
    month: dt.date = read_or_abort(sheets.parse_month, request.args.get("mois"))
    return month


def _xlsx(stream: Any, name: str) -> Response:
    return send_file(stream, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


# --- Statements --------------------------------------------------------------------------------


@blueprint.route("/releves")
def statements() -> str:
    """Show the month's totals per farm and per canteen, and the weeks left to accrue."""
    month = _month()
    farms, canteens, pending = sheets.month_overview(month)
    to_accrue = weeks_to_accrue()
    return render_template(
        "money/statements.html", month=month, month_text=sheets.month_label(month),
        previous=sheets.shift_month(month, -1), following=sheets.shift_month(month, 1),
        farms=farms, canteens=canteens, pending=pending, to_accrue=to_accrue)


@blueprint.route("/releves/ferme/<int:farm_id>")
def farm_statement(farm_id: int) -> str:
    """Show a farm's statement of a month."""
    statement = read_or_abort(sheets.farm_statement, farm_id, _month(), current_user)
    return _statement_page(statement, "money.farm_statement", farm_id=farm_id)


@blueprint.route("/releves/ferme/<int:farm_id>.xlsx")
def farm_statement_xlsx(farm_id: int) -> Response:
    """Download a farm's statement of a month as a spreadsheet."""
    statement = read_or_abort(sheets.farm_statement, farm_id, _month(), current_user)
    return _xlsx(statement_workbook(statement), f"releve-ferme-{farm_id}-"
                 f"{statement.month_key}.xlsx")


@blueprint.route("/releves/cantine/<int:canteen_id>")
def canteen_statement(canteen_id: int) -> str:
    """Show a canteen's statement of a month."""
    statement = read_or_abort(sheets.canteen_statement, canteen_id, _month(), current_user)
    return _statement_page(statement, "money.canteen_statement", canteen_id=canteen_id)


@blueprint.route("/releves/cantine/<int:canteen_id>.xlsx")
def canteen_statement_xlsx(canteen_id: int) -> Response:
    """Download a canteen's statement of a month as a spreadsheet."""
    statement = read_or_abort(sheets.canteen_statement, canteen_id, _month(), current_user)
    return _xlsx(statement_workbook(statement), f"releve-cantine-{canteen_id}-"
                 f"{statement.month_key}.xlsx")


def _statement_page(statement: sheets.Statement, endpoint: str, **ids: int) -> str:
    month = statement.month
    return render_template(
        "money/statement.html", statement=statement, endpoint=endpoint, ids=ids,
        previous=sheets.shift_month(month, -1), following=sheets.shift_month(month, 1))


@blueprint.route("/mon-releve")
def my_statement() -> Response:
    """Open the signed-in grower's or canteen manager's statement of the month."""
    month = request.args.get("mois") or f"{today_in_paris():%Y-%m}"
    if current_user.role == Role.GROWER:
        return redirect(url_for("money.farm_statement", farm_id=current_user.farm_id, mois=month))
    return redirect(url_for("money.canteen_statement", canteen_id=current_user.canteen_id,
                            mois=month))


@blueprint.route("/semaines/<iso_week>/comptabiliser", methods=["POST"])
def accrue(iso_week: str) -> Response:
    """Accrue a delivered week's fee, fund and advance recoveries."""
    try:
        report = accrue_week(iso_week, current_user)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(report.describe(), "success")
    return redirect(url_for("money.statements"))


# --- Fairness ledger ---------------------------------------------------------------------------


@blueprint.route("/equite")
def ledger() -> str:
    """Show every farm's season: share against target and ledger balance."""
    summaries = ledgers.ledger_overview(current_user)
    return render_template("money/ledger.html", summaries=summaries,
                           shares_chart=charts.shares_chart(summaries),
                           gaps_chart=charts.share_gap_chart(summaries))


@blueprint.route("/equite/<int:farm_id>")
def farm_ledger(farm_id: int) -> str:
    """Explain a farm's ledger week by week, with the reason of each entry."""
    farm_ledger_ = read_or_abort(ledgers.farm_ledger, farm_id, current_user)
    return render_template("money/farm_ledger.html", ledger=farm_ledger_,
                           share_chart=charts.farm_share_chart(farm_ledger_),
                           balance_chart=charts.balance_chart(farm_ledger_))


@blueprint.route("/mon-equite")
def my_ledger() -> Response:
    """Open the signed-in grower's ledger."""
    return redirect(url_for("money.farm_ledger", farm_id=current_user.farm_id))


# --- Fund, advances, rates ---------------------------------------------------------------------


@blueprint.route("/fonds", methods=["GET", "POST"])
def fund() -> str | Response:
    """Show the fund's balance over the season and record a spending."""
    form = FundMovementForm()
    if request.method == "GET":
        form.movement_date.data = today_in_paris()
    if form.validate_on_submit():
        try:
            funds.record_fund_movement(current_user, form.movement_date.data,
                                       form.amount_eur.data, form.label.data, form.note.data)
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Mouvement du fonds enregistré."), "success")
            return redirect(url_for("money.fund"))
    label, first, last = ledgers.season_bounds()
    points = funds.fund_weekly_balance(first, min(last, today_in_paris()))
    return render_template(
        "money/fund.html", form=form, season=label, balance=funds.fund_balance_eur(),
        totals=funds.accrued_totals(first, last), movements=funds.manual_fund_movements(),
        fund_chart=charts.fund_chart(points), advances=funds.list_advances())


@blueprint.route("/avances")
def advances() -> str:
    """List the cash advances and their recovery."""
    return render_template("money/advances.html", rows=funds.list_advances())


@blueprint.route("/avances/nouvelle", methods=["GET", "POST"], defaults={"advance_id": None})
@blueprint.route("/avances/<int:advance_id>", methods=["GET", "POST"])
def edit_advance(advance_id: int | None) -> str | Response:
    """Grant or correct a cash advance; show its recoveries."""
    advance = read_or_abort(funds.get_advance, advance_id) if advance_id else None
    form = AdvanceForm()
    form.farm_id.choices = choices(funds.farm_choices())
    if request.method == "GET" and advance is not None:
        form.process(data={
            "version_id": advance.version_id, "farm_id": advance.farm_id,
            "amount_eur": advance.amount_eur, "granted_date": advance.granted_date,
            "recovery_percent": (advance.recovery_rate * 100 if advance.recovery_rate is not None
                                 else None),
            "note": advance.note})
    elif request.method == "GET":
        form.granted_date.data = today_in_paris()
    if form.validate_on_submit():
        percent = form.recovery_percent.data
        values = {
            "farm_id": form.farm_id.data, "amount_eur": form.amount_eur.data,
            "granted_date": form.granted_date.data,
            "recovery_rate": (Decimal(percent) / 100).quantize(Decimal("0.0001"))
            if percent is not None else None,
            "note": (form.note.data or "").strip() or None,
        }
        version = form.version_id.data
        try:
            saved = funds.save_advance(current_user, advance_id, values,
                                       int(version) if version and version.isdigit() else None)
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Avance enregistrée."), "success")
            return redirect(url_for("money.edit_advance", advance_id=saved.id))
    repayment = RepaymentForm()
    repayment.repaid_on.data = repayment.repaid_on.data or today_in_paris()
    return render_template("money/advance.html", form=form, advance=advance, repayment=repayment,
                           recovered=recovered_eur(advance) if advance else None)


@blueprint.route("/avances/<int:advance_id>/remboursement", methods=["POST"])
def repay_advance(advance_id: int) -> Response:
    """Record a repayment made outside the sales."""
    form = RepaymentForm()
    if not form.validate_on_submit():
        flash(_("Remboursement non enregistré : indiquez une date et un montant positif."),
              "error")
    else:
        try:
            funds.record_repayment(current_user, advance_id, form.repaid_on.data,
                                   form.amount_eur.data, form.note.data)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Remboursement enregistré."), "success")
    return redirect(url_for("money.edit_advance", advance_id=advance_id))


@blueprint.route("/avances/<int:advance_id>/abandon", methods=["POST"])
def write_off_advance(advance_id: int) -> Response:
    """Close an advance without recovering the rest."""
    try:
        funds.write_off_advance(current_user, advance_id, today_in_paris())
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Avance close sans récupérer le reste."), "success")
    return redirect(url_for("money.edit_advance", advance_id=advance_id))


@blueprint.route("/avances/<int:advance_id>/supprimer", methods=["POST"])
def delete_advance(advance_id: int) -> Response:
    """Delete an advance entered by mistake."""
    try:
        funds.delete_advance(current_user, advance_id)
    except ServiceError as error:
        flash(str(error), "error")
        return redirect(url_for("money.edit_advance", advance_id=advance_id))
    flash(_("Avance supprimée."), "success")
    return redirect(url_for("money.advances"))


@blueprint.route("/taux", methods=["GET", "POST"])
def rates() -> str | Response:
    """List the fee and fund rates over time and add one."""
    form = RateForm()
    form.kind.choices = choices((kind.value, label) for kind, label in KIND_LABELS.items())
    form.contract_id.choices = choices(
        [("", _("toute la plateforme"))] + [(str(i), title) for i, title in
                                            funds.contract_choices()])
    if form.validate_on_submit():
        try:
            funds.add_rate(current_user, form.kind.data,
                           (Decimal(form.percent.data) / 100).quantize(Decimal("0.0001")),
                           form.valid_from.data,
                           int(form.contract_id.data) if form.contract_id.data else None,
                           form.note.data)
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Taux enregistré."), "success")
            return redirect(url_for("money.rates"))
    return render_template("money/rates.html", form=form, rates=funds.list_rates(),
                           kinds=KIND_LABELS)


@blueprint.route("/taux/<int:rate_id>/supprimer", methods=["POST"])
def delete_rate(rate_id: int) -> Response:
    """Delete a rate no sale has used yet."""
    try:
        funds.delete_rate(current_user, rate_id)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Taux supprimé."), "success")
    return redirect(url_for("money.rates"))


# --- Regulation --------------------------------------------------------------------------------


def _period() -> tuple[dt.date, dt.date]:
    """Return the report's period from ?du=&au= (default: the season so far)."""
    _label, season_first, _season_last = ledgers.season_bounds()
    try:
        first = dt.date.fromisoformat(request.args.get("du") or season_first.isoformat())
        last = dt.date.fromisoformat(request.args.get("au") or today_in_paris().isoformat())
    except ValueError:
        abort(422, _("Dates : écrivez-les sous la forme AAAA-MM-JJ."))
    if last < first:
        abort(422, _("La fin de la période doit suivre son début."))
    return first, last


@blueprint.route("/regulation")
def regulation() -> str:
    """Show the regulation report of a period."""
    first, last = _period()
    report = regulations.regulation_report(first, last, current_user)
    return render_template(
        "money/regulation.html", report=report,
        fill_chart=charts.fill_rate_chart(report.weeks),
        kg_km_chart=charts.kg_km_chart(report.weeks),
        fund_chart=charts.fund_chart(report.fund_points),
        shares_chart=charts.shares_chart(report.ledger),
        gaps_chart=charts.share_gap_chart(report.ledger))


@blueprint.route("/regulation.xlsx")
def regulation_xlsx() -> Response:
    """Download the regulation report of a period as a spreadsheet."""
    first, last = _period()
    report = regulations.regulation_report(first, last, current_user)
    return _xlsx(regulation_workbook(report), f"regulation-{first}-{last}.xlsx")
