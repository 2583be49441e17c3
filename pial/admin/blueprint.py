"""The project lead's administration pages: settings, catalogue, prices, farms, canteens, users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from pial.access import roles
from pial.admin import services
from pial.admin.forms import (
    CanteenForm,
    CanteenGroupForm,
    CertificateForm,
    FarmForm,
    PlatformForm,
    PriceForm,
    ProductForm,
    VersionedForm,
)
from pial.clock import today_in_paris
from pial.errors import InvalidInput, ServiceError
from pial.fields import choices
from pial.i18n import unit_label
from pial.models import (
    Canteen,
    CanteenGroup,
    CanteenKind,
    CertificationLabel,
    Farm,
    Product,
    ProductUnit,
    Role,
)

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

LEAD = roles(Role.LEAD)
ACCESS_RULES = {
    "settings": LEAD,
    "farms": LEAD,
    "edit_farm": LEAD,
    "add_certificate": LEAD,
    "delete_certificate": LEAD,
    "canteens": LEAD,
    "edit_canteen": LEAD,
    "canteen_groups": LEAD,
    "edit_canteen_group": LEAD,
    "products": LEAD,
    "edit_product": LEAD,
    "prices": LEAD,
    "edit_price": LEAD,
    "users": LEAD,
    "set_user_active": LEAD,
}

CANTEEN_KIND_LABELS = {
    CanteenKind.SCHOOL: _l("École"),
    CanteenKind.SECONDARY_SCHOOL: _l("Collège, lycée"),
    CanteenKind.NURSING_HOME: _l("EHPAD"),
    CanteenKind.CRECHE: _l("Crèche"),
    CanteenKind.RESTAURANT: _l("Restaurant"),
}
CERTIFICATION_LABELS = {
    CertificationLabel.BIO: _l("Agriculture biologique (AB)"),
    CertificationLabel.HVE: _l("Haute valeur environnementale (HVE)"),
    CertificationLabel.LABEL_ROUGE: _l("Label Rouge"),
    CertificationLabel.AOCAOP: _l("AOC / AOP"),
    CertificationLabel.IGP: _l("IGP"),
    CertificationLabel.STG: _l("STG"),
}


def _blank_to_none(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Store the optional text fields ``names`` left blank as NULL."""
    for name in names:
        values[name] = values[name] or None
    return values


def _weekdays_text(values: list[str] | None) -> str:
    return ",".join(sorted(values or [], key=int))


def _weekdays_list(text: str | None) -> list[str]:
    return [part for part in (text or "").split(",") if part]


def _expected_version(form: VersionedForm) -> int | None:
    text = form.version_id.data
    return int(text) if text and str(text).isdigit() else None


def _show_error(form: FlaskForm, error: ServiceError) -> None:
    """Flash a service refusal and tie field errors to their inputs."""
    flash(str(error), "error")
    if isinstance(error, InvalidInput):
        for name, messages in error.field_errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors) + messages


def _edit(
    form: VersionedForm,
    record: Any | None,
    *,
    to_form: Callable[[Any], dict[str, Any]],
    to_values: Callable[[VersionedForm], dict[str, Any]],
    save: Callable[[dict[str, Any], int | None], Any],
    template: str,
    back: str,
    **context: Any,
) -> str | Response:
    """Run the shared edit cycle: fill from the record, validate, save, report."""
    if request.method == "GET" and record is not None:
        form.process(data={**to_form(record), "version_id": record.version_id})
    if form.validate_on_submit():
        try:
            save(to_values(form), _expected_version(form))
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(_("Modifications enregistrées."), "success")
            return redirect(url_for(back))
    return render_template(template, form=form, record=record, **context)


@blueprint.route("/parametres", methods=["GET", "POST"])
def settings() -> str | Response:
    """Edit the platform settings."""
    platform = services.get_platform()
    fields = [name for name in PlatformForm().data if name not in {"csrf_token", "version_id"}]

    def to_form(record: Any) -> dict[str, Any]:
        data = {name: getattr(record, name) for name in fields}
        data["delivery_weekdays"] = _weekdays_list(record.delivery_weekdays)
        return data

    def to_values(form: VersionedForm) -> dict[str, Any]:
        values = {name: getattr(form, name).data for name in fields}
        values["delivery_weekdays"] = _weekdays_text(values["delivery_weekdays"])
        return _blank_to_none(
            values, "legal_name", "address", "vat_number", "organic_body", "organic_number"
        )

    return _edit(
        PlatformForm(),
        platform,
        to_form=to_form,
        to_values=to_values,
        save=lambda values, version: services.update_platform(current_user, values, version),
        template="admin/settings.html",
        back="admin.settings",
    )


@blueprint.route("/fermes")
def farms() -> str:
    """List the farms, with whether each is organic-certified today."""
    return render_template(
        "admin/farms.html", farms=services.list_farms(), today=today_in_paris()
    )


@blueprint.route("/fermes/nouvelle", methods=["GET", "POST"], defaults={"farm_id": None})
@blueprint.route("/fermes/<int:farm_id>", methods=["GET", "POST"])
def edit_farm(farm_id: int | None) -> str | Response:
    """Create or edit a farm; an existing farm's page also lists its certificates."""
    record = services.get_record(Farm, farm_id) if farm_id else None
    return _farm_page(FarmForm(), record, _certificate_form())


def _farm_page(form: FarmForm, record: Farm | None, certificate_form: CertificateForm
               ) -> str | Response:
    """Render a farm's edit form (saving it when posted) and its certificates."""
    names = [n for n in form.data if n not in {"csrf_token", "version_id"}]

    def to_values(f: VersionedForm) -> dict[str, Any]:
        values = {n: getattr(f, n).data for n in names}
        return _blank_to_none(values, "address", "siret", "contact_phone", "contact_email")

    farm_id = record.id if record else None
    return _edit(
        form,
        record,
        to_form=lambda r: {n: getattr(r, n) for n in names},
        to_values=to_values,
        save=lambda values, version: services.save_farm(current_user, farm_id, values, version),
        template="admin/farm.html",
        back="admin.farms",
        title=record.name if record else _("Nouvelle ferme"),
        certificate_form=certificate_form,
        labels=CERTIFICATION_LABELS,
    )


def _certificate_form() -> CertificateForm:
    form = CertificateForm()
    form.label.choices = choices(
        (label.value, text) for label, text in CERTIFICATION_LABELS.items()
    )
    return form


@blueprint.route("/fermes/<int:farm_id>/certificats", methods=["POST"])
def add_certificate(farm_id: int) -> str | Response:
    """Add a certificate to a farm; a refused one shows the page again with its errors."""
    record = services.get_record(Farm, farm_id)
    form = _certificate_form()
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in
                  ("label", "body", "number", "valid_from", "valid_until", "in_conversion")}
        try:
            services.add_certificate(current_user, farm_id, values)
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(_("Certificat ajouté."), "success")
            return redirect(url_for("admin.edit_farm", farm_id=farm_id))
    else:
        flash(_("Le certificat n'a pas été ajouté : vérifiez les champs signalés."), "error")
    farm_form = FarmForm(formdata=None)
    names = [n for n in farm_form.data if n not in {"csrf_token", "version_id"}]
    farm_form.process(data={**{n: getattr(record, n) for n in names},
                            "version_id": record.version_id})
    return render_template("admin/farm.html", form=farm_form, record=record, title=record.name,
                           certificate_form=form, labels=CERTIFICATION_LABELS)


@blueprint.route("/fermes/<int:farm_id>/certificats/<int:certificate_id>/suppression",
                 methods=["POST"])
def delete_certificate(farm_id: int, certificate_id: int) -> Response:
    """Delete a certificate entered by mistake."""
    try:
        services.delete_certificate(current_user, farm_id, certificate_id)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Certificat supprimé."), "success")
    return redirect(url_for("admin.edit_farm", farm_id=farm_id))


@blueprint.route("/cantines")
def canteens() -> str:
    """List the canteens."""
    return render_template(
        "admin/canteens.html", canteens=services.list_canteens(), kinds=CANTEEN_KIND_LABELS
    )


@blueprint.route("/cantines/nouvelle", methods=["GET", "POST"], defaults={"canteen_id": None})
@blueprint.route("/cantines/<int:canteen_id>", methods=["GET", "POST"])
def edit_canteen(canteen_id: int | None) -> str | Response:
    """Create or edit a canteen."""
    record = services.get_record(Canteen, canteen_id) if canteen_id else None
    form = CanteenForm()
    form.kind.choices = choices((kind.value, label) for kind, label in CANTEEN_KIND_LABELS.items())
    # The payer: the canteen itself or one of the groups it belongs to.
    groups = sorted(record.groups, key=lambda g: g.name) if record else []
    form.invoiced_group_id.choices = [("", _("la cantine elle-même"))] + [
        (str(group.id), group.name) for group in groups
    ]
    names = [n for n in form.data if n not in {"csrf_token", "version_id"}]

    def to_form(r: Any) -> dict[str, Any]:
        data = {n: getattr(r, n) for n in names}
        data["delivery_weekdays"] = _weekdays_list(r.delivery_weekdays)
        data["kind"] = str(r.kind)
        data["invoiced_group_id"] = str(r.invoiced_group_id or "")
        return data

    def to_values(f: VersionedForm) -> dict[str, Any]:
        values = {n: getattr(f, n).data for n in names}
        values["delivery_weekdays"] = _weekdays_text(values["delivery_weekdays"]) or None
        values["kind"] = CanteenKind(values["kind"])
        return _blank_to_none(
            values, "address", "siret", "delivery_note", "contact_phone", "contact_email"
        )

    return _edit(
        form,
        record,
        to_form=to_form,
        to_values=to_values,
        save=lambda values, version: services.save_canteen(
            current_user, canteen_id, values, version
        ),
        template="admin/edit.html",
        back="admin.canteens",
        title=record.name if record else _("Nouvelle cantine"),
    )


@blueprint.route("/groupements")
def canteen_groups() -> str:
    """List the groups of canteens, with their members and the canteens they pay for."""
    return render_template("admin/canteen_groups.html", groups=services.list_canteen_groups())


@blueprint.route("/groupements/nouveau", methods=["GET", "POST"], defaults={"group_id": None})
@blueprint.route("/groupements/<int:group_id>", methods=["GET", "POST"])
def edit_canteen_group(group_id: int | None) -> str | Response:
    """Create or edit a group of canteens: name, SIRET and address as a buyer, members."""
    record: CanteenGroup | None = (
        services.get_record(CanteenGroup, group_id) if group_id else None
    )
    form = CanteenGroupForm()
    form.canteen_ids.choices = [(str(c.id), c.name) for c in services.list_canteens()]
    if request.method == "GET" and record is not None:
        form.process(data={"name": record.name, "siret": record.siret,
                           "address": record.address, "note": record.note,
                           "canteen_ids": [str(c.id) for c in record.canteens],
                           "seen": record.updated_dt.isoformat()})
    if form.validate_on_submit():
        values = _blank_to_none(
            {name: getattr(form, name).data for name in services.GROUP_FIELDS},
            "siret", "address", "note",
        )
        try:
            services.save_canteen_group(current_user, group_id, values,
                                        form.canteen_ids.data or [], seen=form.seen.data or None)
        except ServiceError as error:
            _show_error(form, error)
        else:
            flash(_("Modifications enregistrées."), "success")
            return redirect(url_for("admin.canteen_groups"))
    return render_template(
        "admin/edit.html", form=form, record=record,
        title=record.name if record else _("Nouveau groupement de cantines"),
    )


@blueprint.route("/produits")
def products() -> str:
    """List the catalogue."""
    return render_template(
        "admin/products.html", products=services.list_products()
    )


@blueprint.route("/produits/nouveau", methods=["GET", "POST"], defaults={"product_id": None})
@blueprint.route("/produits/<int:product_id>", methods=["GET", "POST"])
def edit_product(product_id: int | None) -> str | Response:
    """Create or edit a product."""
    record = services.get_record(Product, product_id) if product_id else None
    form = ProductForm()
    form.unit.choices = choices((unit.value, unit_label(unit)) for unit in ProductUnit)
    names = [n for n in form.data if n not in {"csrf_token", "version_id", "season_months"}]

    def to_form(r: Any) -> dict[str, Any]:
        data = {n: getattr(r, n) for n in names}
        data["unit"] = str(r.unit)
        data["season_months"] = [str(i + 1) for i, flag in enumerate(r.season_mask) if flag == "1"]
        return data

    def to_values(f: VersionedForm) -> dict[str, Any]:
        values = {n: getattr(f, n).data for n in names}
        values["unit"] = ProductUnit(values["unit"])
        values["name_en"] = values["name_en"] or None
        months = set(f.season_months.data or [])
        values["season_mask"] = "".join("1" if str(m) in months else "0" for m in range(1, 13))
        return values

    return _edit(
        form,
        record,
        to_form=to_form,
        to_values=to_values,
        save=lambda values, version: services.save_product(
            current_user, product_id, values, version
        ),
        template="admin/edit.html",
        back="admin.products",
        title=record.name_fr if record else _("Nouveau produit"),
    )


@blueprint.route("/prix", defaults={"season_id": None})
@blueprint.route("/prix/<int:season_id>")
def prices(season_id: int | None) -> str:
    """Show the price of every product in a season (the latest by default)."""
    seasons = services.list_seasons()
    season = next((s for s in seasons if s.id == season_id), seasons[0] if seasons else None)
    if season_id is not None and season is not None and season.id != season_id:
        abort(404)
    rows = services.season_price_rows(season.id) if season else []
    return render_template("admin/prices.html", seasons=seasons, season=season, rows=rows)


@blueprint.route("/prix/<int:season_id>/<int:product_id>", methods=["GET", "POST"])
def edit_price(season_id: int, product_id: int) -> str | Response:
    """Edit the price components of one product for one season."""
    product = services.get_record(Product, product_id)
    row = next(
        (r for r in services.season_price_rows(season_id) if r.product.id == product_id), None
    )
    record = row.price if row else None
    form = PriceForm()
    names = ["production_cost_eur", "margin_eur", "intermediation_fee_eur"]
    result = _edit(
        form,
        record,
        to_form=lambda r: {n: getattr(r, n) for n in names},
        to_values=lambda f: {n: getattr(f, n).data for n in names},
        save=lambda values, version: services.save_price(
            current_user, season_id, product_id, values, version
        ),
        template="admin/edit.html",
        back="admin.prices",
        title=_("Prix : %(product)s", product=product.name_fr),
    )
    return result


@blueprint.route("/comptes")
def users() -> str:
    """List the accounts."""
    return render_template("admin/users.html", users=services.list_users())


@blueprint.route("/comptes/<int:user_id>/activation", methods=["POST"])
def set_user_active(user_id: int) -> Response:
    """Activate or deactivate an account."""
    try:
        services.set_user_active(current_user, user_id, request.form.get("active") == "1")
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(_("Compte mis à jour."), "success")
    return redirect(url_for("admin.users"))
