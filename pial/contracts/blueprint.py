"""Contract pages: the list, the lead's upkeep, and each contract's progress per year."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import roles
from pial.contracts import charts, services
from pial.contracts.forms import ContractForm, ContractLineForm, PeriodForm
from pial.errors import ServiceError
from pial.fields import choices
from pial.models import Role
from pial.pages import flash_refusal, read_or_abort

blueprint = Blueprint("contracts", __name__, url_prefix="/contrats")

LEAD = roles(Role.LEAD)
READERS = roles(Role.LEAD, Role.CANTEEN)
ACCESS_RULES = {
    "index": READERS,
    "show": READERS,
    "edit_contract": LEAD,
    "edit_line": LEAD,
    "delete_line": LEAD,
    "periods": LEAD,
    "delete_period": LEAD,
}



def _version(form: Any) -> int | None:
    text = form.version_id.data
    return int(text) if text and str(text).isdigit() else None



@blueprint.route("/")
def index() -> str:
    """List the contracts the signed-in person may see."""
    contracts = services.list_contracts(current_user)
    return render_template("contracts/index.html", contracts=contracts,
                           buyer_name=services.buyer_name)


@blueprint.route("/<int:contract_id>")
def show(contract_id: int) -> str:
    """Show a contract, its lines and its progress in a contract year."""
    year_text = request.args.get("annee", "")
    progress = read_or_abort(services.contract_progress, contract_id, current_user,
                     year_index=int(year_text) if year_text.isdigit() else None)
    return render_template(
        "contracts/show.html", progress=progress, contract=progress.contract,
        buyer=services.buyer_name(progress.contract),
        progress_chart=charts.progress_chart(progress), value_chart=charts.value_chart(progress),
    )


@blueprint.route("/nouveau", methods=["GET", "POST"], defaults={"contract_id": None})
@blueprint.route("/<int:contract_id>/modifier", methods=["GET", "POST"])
def edit_contract(contract_id: int | None) -> str | Response:
    """Create or edit a contract."""
    contract = (
        read_or_abort(services.get_contract, contract_id, current_user) if contract_id else None
    )
    form = ContractForm()
    form.buyer.choices = choices(services.buyer_choices())
    others = [c for c in services.list_contracts(current_user) if c.id != contract_id]
    form.renewal_of_id.choices = choices(
        [("", _("— aucun —"))] + [(str(c.id), c.title) for c in others])
    form.growers.choices = choices(services.farm_choices())
    if request.method == "GET" and contract is not None:
        form.process(data={
            "version_id": contract.version_id, "title": contract.title,
            "tender_reference": contract.tender_reference, "lot_label": contract.lot_label,
            "buyer": (f"canteen:{contract.canteen_id}" if contract.canteen_id
                      else f"group:{contract.canteen_group_id}"),
            "start_date": contract.start_date, "end_date": contract.end_date,
            "renewal_of_id": str(contract.renewal_of_id or ""),
            "delivery_frequency": contract.delivery_frequency, "notes": contract.notes,
            "is_active": contract.is_active, "invoiced_by": contract.invoiced_by,
            "growers": [farm.id for farm in contract.growers],
        })
    if form.validate_on_submit():
        try:
            canteen_id, group_id = services.parse_buyer(form.buyer.data)
            values = {
                "title": form.title.data.strip(),
                "tender_reference": (form.tender_reference.data or "").strip() or None,
                "lot_label": (form.lot_label.data or "").strip() or None,
                "canteen_id": canteen_id, "canteen_group_id": group_id,
                "start_date": form.start_date.data, "end_date": form.end_date.data,
                "renewal_of_id": int(form.renewal_of_id.data) if form.renewal_of_id.data else None,
                "delivery_frequency": (form.delivery_frequency.data or "").strip() or None,
                "notes": (form.notes.data or "").strip() or None,
                "is_active": bool(form.is_active.data),
                "invoiced_by": form.invoiced_by.data,
            }
            saved = services.save_contract(current_user, contract_id, values,
                                           form.growers.data or [], _version(form))
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Contrat enregistré."), "success")
            return redirect(url_for("contracts.show", contract_id=saved.id))
    title = contract.title if contract else _("Nouveau contrat")
    return render_template("contracts/edit.html", form=form, title=title, contract=contract)


@blueprint.route("/<int:contract_id>/lignes/nouvelle", methods=["GET", "POST"],
                 defaults={"line_id": None})
@blueprint.route("/<int:contract_id>/lignes/<int:line_id>", methods=["GET", "POST"])
def edit_line(contract_id: int, line_id: int | None) -> str | Response:
    """Create or edit a contract line."""
    contract = read_or_abort(services.get_contract, contract_id, current_user)
    line = read_or_abort(services.get_line, contract_id, line_id) if line_id else None
    form = ContractLineForm()
    form.product_id.choices = choices(services.product_choices())
    names = list(services.LINE_LABELS)
    if request.method == "GET" and line is not None:
        form.process(data={"version_id": line.version_id,
                           **{name: getattr(line, name) for name in names}})
    if form.validate_on_submit():
        try:
            services.save_line(current_user, contract_id, line_id,
                               {name: getattr(form, name).data for name in names},
                               _version(form))
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Ligne enregistrée."), "success")
            return redirect(url_for("contracts.show", contract_id=contract_id))
    title = (_("Ligne : %(product)s", product=line.product.name_fr) if line
             else _("Nouvelle ligne"))
    return render_template("contracts/edit.html", form=form, title=title, contract=contract)


@blueprint.route("/<int:contract_id>/lignes/<int:line_id>/supprimer", methods=["POST"])
def delete_line(contract_id: int, line_id: int) -> Response:
    """Remove a contract line."""
    try:
        services.delete_line(current_user, contract_id, line_id)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash(_("Ligne retirée du contrat."), "success")
    return redirect(url_for("contracts.show", contract_id=contract_id))


@blueprint.route("/<int:contract_id>/lignes/<int:line_id>/periodes", methods=["GET", "POST"])
def periods(contract_id: int, line_id: int) -> str | Response:
    """List a line's periods and add one."""
    contract = read_or_abort(services.get_contract, contract_id, current_user)
    line = read_or_abort(services.get_line, contract_id, line_id)
    form = PeriodForm()
    if form.validate_on_submit():
        try:
            services.add_period(current_user, contract_id, line_id, form.start_date.data,
                                form.end_date.data, form.min_quantity.data)
        except ServiceError as error:
            flash_refusal(error, form)
        else:
            flash(_("Période ajoutée."), "success")
            return redirect(url_for("contracts.periods", contract_id=contract_id,
                                    line_id=line_id))
    return render_template("contracts/periods.html", form=form, contract=contract, line=line)


@blueprint.route("/<int:contract_id>/periodes/<int:period_id>/supprimer", methods=["POST"])
def delete_period(contract_id: int, period_id: int) -> Response:
    """Remove a period of a contract line."""
    line_id = request.form.get("line_id", type=int)
    try:
        services.delete_period(current_user, contract_id, period_id)
    except ServiceError as error:
        flash_refusal(error)
    else:
        flash(_("Période supprimée."), "success")
    if line_id:
        return redirect(url_for("contracts.periods", contract_id=contract_id, line_id=line_id))
    return redirect(url_for("contracts.show", contract_id=contract_id))
