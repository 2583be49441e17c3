"""Season pages: the lead's forecast and plan, « mon plan de culture », tender lots."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import roles
from pial.contracts.services import buyer_choices, farm_choices, parse_buyer, product_choices
from pial.errors import InvalidInput, ServiceError
from pial.fields import choices
from pial.models import LotStatus, ProposalState, Role
from pial.season import services, tenders
from pial.season.forms import (
    AnswerForm,
    CropForm,
    GrantForm,
    LotForm,
    LotImportForm,
    LotLineForm,
    PlanForm,
    ProposalForm,
    WeeksOffForm,
)
from pial.season.xlsx import XLSX_MIMETYPE, answer_workbook, forecast_workbook, plan_workbook
from pial.season.xlsx import lot_template as write_lot_template
from pial.spreadsheets.reading import UploadRefused

blueprint = Blueprint("season", __name__, url_prefix="/saison")

LEAD = roles(Role.LEAD)
PLANNERS = roles(Role.LEAD, Role.GROWER)
ACCESS_RULES = {
    "index": LEAD,
    "forecast_xlsx": LEAD,
    "solve": LEAD,
    "plan": LEAD,
    "plan_xlsx": LEAD,
    "publish": LEAD,
    "decide": LEAD,
    "grant": LEAD,
    "my_plan": roles(Role.GROWER),
    "farm_plan": PLANNERS,
    "propose": PLANNERS,
    "crops": PLANNERS,
    "delete_crop": PLANNERS,
    "weeks_off": PLANNERS,
    "lots": LEAD,
    "lot_template": LEAD,
    "import_lot": LEAD,
    "edit_lot": LEAD,
    "lot": LEAD,
    "edit_lot_line": LEAD,
    "delete_lot_line": LEAD,
    "answer": LEAD,
    "answer_xlsx": LEAD,
    "won": LEAD,
    "lost": LEAD,
}


MONTH_NAMES = (_l("janv."), _l("févr."), _l("mars"), _l("avr."), _l("mai"), _l("juin"),
               _l("juil."), _l("août"), _l("sept."), _l("oct."), _l("nov."), _l("déc."))
PROPOSAL_STATES = {
    ProposalState.PENDING: _l("en attente de la coordination"),
    ProposalState.ACCEPTED: _l("acceptée, respectée au prochain calcul"),
    ProposalState.DECLINED: _l("refusée"),
}
LOT_STATUSES = {
    LotStatus.DRAFT: _l("à étudier"),
    LotStatus.ANSWERED: _l("réponse calculée"),
    LotStatus.WON: _l("gagné"),
    LotStatus.LOST: _l("perdu"),
}


@blueprint.context_processor
def _labels() -> dict[str, Any]:
    """Give the season templates the French names of months, proposals' and lots' states."""
    return {
        "month_name": lambda month: str(MONTH_NAMES[month - 1]),
        "proposal_state": lambda state: str(PROPOSAL_STATES.get(state, state)),
        "lot_status": lambda status: str(LOT_STATUSES.get(status, status)),
    }


def _fail(error: ServiceError, form: Any = None) -> None:
    """Flash a service refusal, tying field errors to the form's inputs."""
    flash(str(error), "error")
    if isinstance(error, InvalidInput) and form is not None:
        for name, messages in error.field_errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors) + messages


def _flash_errors(form: Any) -> None:
    """Flash each field error of a form posted from another page, its field named."""
    for field in form:
        for message in field.errors:
            flash(_("%(field)s : %(message)s", field=field.label.text, message=message), "error")


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a read service, turning its refusal into the matching HTTP status."""
    try:
        return function(*args, **kwargs)
    except ServiceError as error:
        abort(error.http_status, str(error))


def _year() -> int:
    """Return the season asked (``?annee=2027``), else the coming one."""
    text = request.args.get("annee", "")
    year = int(text) if text.isdigit() else services.coming_season_year()
    return int(_call(services.check_year, year))


def _xlsx(stream: io.BytesIO, name: str) -> Response:
    stream.seek(0)
    return send_file(stream, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


def _version(form: Any) -> int | None:
    text = form.version_id.data
    return int(text) if text and str(text).isdigit() else None


# --- The lead: forecast and plan -----------------------------------------------------------------


@blueprint.route("/")
def index() -> str:
    """Show the coming season's forecast, its backtest, the plans and the pending proposals."""
    year = _year()
    forecast = _call(services.forecast_season, year)
    form = PlanForm()
    return render_template(
        "season/index.html", year=year, forecast=forecast, form=form,
        plans=services.plans_of(year), pending=services.pending_proposals(year))


@blueprint.route("/<int:year>/prevision.xlsx")
def forecast_xlsx(year: int) -> Response:
    """Download the season's forecast."""
    forecast = _call(services.forecast_season, year)
    stream = io.BytesIO()
    forecast_workbook(forecast, stream)
    return _xlsx(stream, f"prevision-{forecast.window.code}.xlsx")


@blueprint.route("/<int:year>/plan", methods=["POST"])
def solve(year: int) -> Response:
    """Solve the season plan with the lead's choices (accepted proposals locked)."""
    form = PlanForm()
    if not form.validate_on_submit():
        _flash_errors(form)
        return redirect(url_for("season.index", annee=year))
    choices_ = services.PlanChoices(
        service_level=Decimal(form.service_level.data),
        max_share=form.max_share_percent.data / 100,
        advance_share=form.advance_percent.data / 100,
        scenarios=form.scenarios.data,
    )
    try:
        plan = services.solve_season_plan(current_user, year, choices_)
    except ServiceError as error:
        _fail(error)
        return redirect(url_for("season.index", annee=year))
    flash(_("Plan n°%(n)s calculé en %(s)s s.", n=plan.sequence, s=round(plan.solve_s, 1)),
          "success")
    return redirect(url_for("season.plan", plan_id=plan.id))


@blueprint.route("/plans/<int:plan_id>")
def plan(plan_id: int) -> str:
    """Review a plan: farms' values and advances, products' cover, proposals."""
    found = _call(services.get_plan, plan_id)
    view = services.plan_view(found)
    grants = {row.farm.id: GrantForm(prefix=f"farm{row.farm.id}",
                                     data={"amount_eur": row.proposed_advance_eur})
              for row in view.farms}
    return render_template("season/plan.html", view=view, plan=found, grants=grants)


@blueprint.route("/plans/<int:plan_id>.xlsx")
def plan_xlsx(plan_id: int) -> Response:
    """Download a plan as a workbook."""
    found = _call(services.get_plan, plan_id)
    stream = io.BytesIO()
    plan_workbook(found, services.plan_view(found), services.plan_lines(found), stream)
    return _xlsx(stream, f"plan-{found.season_year}-{found.season_year + 1}-{found.sequence}.xlsx")


@blueprint.route("/plans/<int:plan_id>/publier", methods=["POST"])
def publish(plan_id: int) -> Response:
    """Show the plan to the growers."""
    try:
        services.publish_plan(current_user, plan_id)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Plan publié : chaque ferme le voit dans « Mon plan de culture »."), "success")
    return redirect(url_for("season.plan", plan_id=plan_id))


@blueprint.route("/propositions/<int:proposal_id>", methods=["POST"])
def decide(proposal_id: int) -> Response:
    """Accept or decline a grower's proposal."""
    accept = request.form.get("decision") == "accept"
    try:
        proposal = services.decide_proposal(current_user, proposal_id, accept)
    except ServiceError as error:
        _fail(error)
        return redirect(request.referrer or url_for("season.index"))
    flash(_("Proposition acceptée : elle sera respectée au prochain calcul du plan.") if accept
          else _("Proposition refusée."), "success")
    return redirect(url_for("season.index", annee=proposal.season_year))


@blueprint.route("/plans/<int:plan_id>/avances/<int:farm_id>", methods=["POST"])
def grant(plan_id: int, farm_id: int) -> Response:
    """Grant a farm the advance its plan proposes (or the amount the lead typed)."""
    form = GrantForm(prefix=f"farm{farm_id}")
    if not form.validate_on_submit():
        flash(_("Avance non accordée : indiquez un montant positif."), "error")
        return redirect(url_for("season.plan", plan_id=plan_id))
    rate = form.recovery_percent.data / 100 if form.recovery_percent.data else None
    try:
        advance = services.grant_advance(current_user, plan_id, farm_id, form.amount_eur.data, rate)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Avance de %(amount)s € accordée à %(farm)s.", amount=advance.amount_eur,
                farm=advance.farm.name), "success")
    return redirect(url_for("season.plan", plan_id=plan_id))


# --- A farm's plan (« mon plan de culture ») ----------------------------------------------------


@blueprint.route("/mon-plan")
def my_plan() -> Response:
    """Send a grower to its farm's plan of the coming season."""
    if current_user.farm_id is None:
        abort(404, _("Votre compte n'est rattaché à aucune ferme."))
    return redirect(url_for("season.farm_plan", farm_id=current_user.farm_id, year=_year()))


@blueprint.route("/<int:year>/fermes/<int:farm_id>")
def farm_plan(year: int, farm_id: int) -> str:
    """Show a farm's plan for the season, its proposals, and a form to propose a change."""
    plan_text = request.args.get("plan", "")
    view = _call(services.farm_plan, current_user, farm_id, year,
                 int(plan_text) if plan_text.isdigit() else None)
    form = ProposalForm()
    form.product_id.choices = choices((p.id, p.name_fr) for p in view.products)
    return render_template("season/farm_plan.html", view=view, year=year, form=form)


@blueprint.route("/<int:year>/fermes/<int:farm_id>/proposition", methods=["POST"])
def propose(year: int, farm_id: int) -> str | Response:
    """Record a proposed change to the farm's plan."""
    view = _call(services.farm_plan, current_user, farm_id, year)
    form = ProposalForm()
    form.product_id.choices = choices((p.id, p.name_fr) for p in view.products)
    if form.validate_on_submit():
        try:
            services.propose_change(current_user, farm_id, year, form.product_id.data,
                                    form.first_day.data, form.last_day.data,
                                    form.weekly_quantity.data, form.note.data)
        except ServiceError as error:
            _fail(error, form)
        else:
            flash(_("Proposition envoyée à la coordination."), "success")
            return redirect(url_for("season.farm_plan", year=year, farm_id=farm_id))
    return render_template("season/farm_plan.html", view=view, year=year, form=form)


@blueprint.route("/<int:year>/fermes/<int:farm_id>/cultures", methods=["GET", "POST"])
def crops(year: int, farm_id: int) -> str | Response:
    """List and declare the farm's crops of the season, and its weeks off."""
    view = _call(services.farm_plan, current_user, farm_id, year)
    form = CropForm()
    form.product_id.choices = choices((p.id, p.name_fr) for p in view.products)
    weeks = WeeksOffForm(prefix="off", data={"weeks": ", ".join(
        str(row.monday_date.isocalendar()[1]) for row in view.weeks_off)})
    if form.validate_on_submit():
        try:
            services.save_crop(current_user, farm_id, year, form.product_id.data,
                               form.max_weekly.data, form.area_m2.data, form.yield_per_m2.data,
                               form.note.data)
        except ServiceError as error:
            _fail(error, form)
        else:
            flash(_("Culture enregistrée."), "success")
            return redirect(url_for("season.crops", year=year, farm_id=farm_id))
    return render_template("season/crops.html", view=view, year=year, form=form, weeks=weeks)


@blueprint.route("/cultures/<int:crop_id>/supprimer", methods=["POST"])
def delete_crop(crop_id: int) -> Response:
    """Withdraw a declared crop."""
    try:
        services.delete_crop(current_user, crop_id)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Culture retirée."), "success")
    return redirect(request.referrer or url_for("home.index"))


@blueprint.route("/<int:year>/fermes/<int:farm_id>/semaines-sans-livraison", methods=["POST"])
def weeks_off(year: int, farm_id: int) -> Response:
    """Replace the farm's weeks without delivery in the season."""
    form = WeeksOffForm(prefix="off")
    numbers = [part.strip() for part in (form.weeks.data or "").replace(";", ",").split(",")]
    if not form.validate_on_submit() or any(n and not n.isdigit() for n in numbers):
        flash(_("Semaines sans livraison : des numéros de semaine séparés par des virgules."),
              "error")
        return redirect(url_for("season.crops", year=year, farm_id=farm_id))
    try:
        count = services.save_weeks_off(current_user, farm_id, year,
                                        [int(n) for n in numbers if n])
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Semaines sans livraison enregistrées (%(n)s).", n=count), "success")
    return redirect(url_for("season.crops", year=year, farm_id=farm_id))


# --- Tender lots ---------------------------------------------------------------------------------


@blueprint.route("/lots")
def lots() -> str:
    """List the tender lots, with the template and the import form."""
    return render_template("season/lots.html", lots=tenders.list_lots(),
                           buyer_name=tenders.buyer_name, form=LotImportForm())


@blueprint.route("/lots/modele.xlsx")
def lot_template() -> Response:
    """Download the template to fill in a lot."""
    stream = io.BytesIO()
    write_lot_template(tenders.catalogue(), stream)
    return _xlsx(stream, "modele-lot-appel-offres.xlsx")


@blueprint.route("/lots/importer", methods=["POST"])
def import_lot() -> str | Response:
    """Create a lot from its filled template (nothing is saved if a row is wrong)."""
    form = LotImportForm()
    if form.validate_on_submit():
        try:
            lot = tenders.import_lot(current_user, form.workbook.data.read())
        except UploadRefused as refused:
            flash(_("Classeur refusé, rien n'a été enregistré :"), "error")
            for problem in refused.problems:
                flash(problem.describe(), "error")
        except ServiceError as error:
            _fail(error, form)
        else:
            flash(_("Lot importé : %(n)s produit(s).", n=len(lot.lines)), "success")
            return redirect(url_for("season.lot", lot_id=lot.id))
    else:
        flash(_("Choisissez le classeur du lot (.xlsx)."), "error")
    return redirect(url_for("season.lots"))


def _lot_form_choices(form: LotForm) -> None:
    form.buyer.choices = choices(buyer_choices())
    form.lead_farm_id.choices = choices([("", _("— la ferme de plus grande part —")),
                                         *farm_choices()])


@blueprint.route("/lots/nouveau", methods=["GET", "POST"], defaults={"lot_id": None})
@blueprint.route("/lots/<int:lot_id>/modifier", methods=["GET", "POST"])
def edit_lot(lot_id: int | None) -> str | Response:
    """Create or edit a lot."""
    lot = _call(tenders.get_lot, lot_id) if lot_id else None
    form = LotForm()
    _lot_form_choices(form)
    if request.method == "GET" and lot is not None:
        form.process(data={
            "version_id": lot.version_id, "title": lot.title,
            "tender_reference": lot.tender_reference, "lot_label": lot.lot_label,
            "buyer": (f"canteen:{lot.canteen_id}" if lot.canteen_id
                      else f"group:{lot.canteen_group_id}"),
            "delivery_sites": lot.delivery_sites, "delivery_weekdays": lot.delivery_weekdays,
            "years": lot.years, "start_date": lot.start_date,
            "confidence": f"{lot.confidence:.2f}", "lead_farm_id": str(lot.lead_farm_id or ""),
            "notes": lot.notes,
        })
    if form.validate_on_submit():
        try:
            canteen_id, group_id = parse_buyer(form.buyer.data)
            values = {
                "title": form.title.data.strip(),
                "tender_reference": (form.tender_reference.data or "").strip() or None,
                "lot_label": (form.lot_label.data or "").strip() or None,
                "canteen_id": canteen_id, "canteen_group_id": group_id,
                "delivery_sites": (form.delivery_sites.data or "").strip() or None,
                "delivery_weekdays": form.delivery_weekdays.data.replace(" ", ""),
                "years": form.years.data, "start_date": form.start_date.data,
                "confidence": Decimal(form.confidence.data),
                "lead_farm_id": int(form.lead_farm_id.data) if form.lead_farm_id.data else None,
                "notes": (form.notes.data or "").strip() or None,
            }
            saved = tenders.save_lot(current_user, lot_id, values, _version(form))
        except ServiceError as error:
            _fail(error, form)
        else:
            flash(_("Lot enregistré."), "success")
            return redirect(url_for("season.lot", lot_id=saved.id))
    title = lot.title if lot else _("Nouveau lot")
    return render_template("season/edit.html", form=form, title=title,
                           back=url_for("season.lot", lot_id=lot.id) if lot
                           else url_for("season.lots"))


@blueprint.route("/lots/<int:lot_id>")
def lot(lot_id: int) -> str:
    """Show a lot: its products and prices, the answer if computed, and what to do next."""
    found = _call(tenders.get_lot, lot_id)
    line_form = LotLineForm()
    line_form.product_id.choices = choices(product_choices())
    answer_form = AnswerForm(data={"confidence": f"{found.confidence:.2f}"})
    return render_template(
        "season/lot.html", lot=found, buyer=tenders.buyer_name(found),
        days=tenders.delivery_days_text(found), members=tenders.member_values(found),
        total_eur=tenders.lot_value_eur(found), line_value=tenders.line_value,
        line_form=line_form, answer_form=answer_form)


@blueprint.route("/lots/<int:lot_id>/lignes", methods=["POST"], defaults={"line_id": None})
@blueprint.route("/lots/<int:lot_id>/lignes/<int:line_id>", methods=["GET", "POST"])
def edit_lot_line(lot_id: int, line_id: int | None) -> str | Response:
    """Add or change a product of a lot."""
    found = _call(tenders.get_lot, lot_id)
    line = next((item for item in found.lines if item.id == line_id), None)
    if line_id is not None and line is None:
        abort(404)
    form = LotLineForm()
    form.product_id.choices = choices(product_choices())
    names = list(tenders.LINE_LABELS)
    if request.method == "GET" and line is not None:
        form.process(data={"version_id": line.version_id,
                           **{name: getattr(line, name) for name in names}})
    if form.validate_on_submit():
        try:
            tenders.save_lot_line(current_user, lot_id, line_id,
                                  {name: getattr(form, name).data for name in names},
                                  _version(form))
        except ServiceError as error:
            _fail(error, form)
        else:
            flash(_("Produit enregistré ; la réponse est à recalculer."), "success")
            return redirect(url_for("season.lot", lot_id=lot_id))
    elif request.method == "POST":
        _flash_errors(form)
    title = (_("Produit du lot : %(product)s", product=line.product.name_fr) if line
             else _("Nouveau produit du lot"))
    return render_template("season/edit.html", form=form, title=title,
                           back=url_for("season.lot", lot_id=lot_id))


@blueprint.route("/lots/<int:lot_id>/lignes/<int:line_id>/supprimer", methods=["POST"])
def delete_lot_line(lot_id: int, line_id: int) -> Response:
    """Remove a product from a lot."""
    try:
        tenders.delete_lot_line(current_user, lot_id, line_id)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Produit retiré du lot."), "success")
    return redirect(url_for("season.lot", lot_id=lot_id))


@blueprint.route("/lots/<int:lot_id>/repondre", methods=["POST"])
def answer(lot_id: int) -> Response:
    """Answer « can we commit? » at the chosen confidence."""
    form = AnswerForm()
    confidence = Decimal(form.confidence.data) if form.validate_on_submit() else None
    try:
        found = tenders.answer_lot(current_user, lot_id, confidence)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Réponse calculée sur %(draws)s saisons simulées en %(s)s s.",
                draws=found.draws, s=round(found.answer_s or 0, 1)), "success")
    return redirect(url_for("season.lot", lot_id=lot_id))


@blueprint.route("/lots/<int:lot_id>/reponse.xlsx")
def answer_xlsx(lot_id: int) -> Response:
    """Download the answer to attach to the bid."""
    found = _call(tenders.get_lot, lot_id)
    if found.answered_dt is None:
        abort(409, _("Ce lot n'a pas encore de réponse : calculez-la d'abord."))
    stream = io.BytesIO()
    answer_workbook(found, tenders.buyer_name(found), tenders.delivery_days_text(found),
                    tenders.member_values(found), stream)
    return _xlsx(stream, f"reponse-lot-{found.id}.xlsx")


@blueprint.route("/lots/<int:lot_id>/gagne", methods=["POST"])
def won(lot_id: int) -> Response:
    """The lot is won: create its contract from the answer."""
    try:
        contract = tenders.create_contract(current_user, lot_id)
    except ServiceError as error:
        _fail(error)
        return redirect(url_for("season.lot", lot_id=lot_id))
    flash(_("Contrat créé à partir de la réponse."), "success")
    return redirect(url_for("contracts.show", contract_id=contract.id))


@blueprint.route("/lots/<int:lot_id>/perdu", methods=["POST"])
def lost(lot_id: int) -> Response:
    """The lot went to another bidder."""
    try:
        tenders.mark_lost(current_user, lot_id)
    except ServiceError as error:
        _fail(error)
    else:
        flash(_("Lot marqué perdu."), "success")
    return redirect(url_for("season.lot", lot_id=lot_id))
