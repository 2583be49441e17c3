"""Week pages: the grower's offer, the canteen's order, standing orders, the lead's weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pial.access import roles
from pial.clock import iso_week_label, monday_of
from pial.db import get_session
from pial.errors import Forbidden, InvalidInput, NotFound, ServiceError
from pial.i18n import format_day, format_number, sorted_by_name, unit_label
from pial.models import Canteen, DeliveryWeek, Farm, Product, Role
from pial.weeks.calendar import (
    WEEKDAY_NAMES_FR,
    canteen_delivery_days,
    canteen_weekdays,
    coordinator_of,
    coordinators_of,
    current_iso_week,
    delivery_days,
    format_deadline,
    get_week,
    group_prices,
    list_weeks,
    next_open_week,
    offer_window,
    order_window,
    products_in_season,
)
from pial.weeks.closures import (
    ClosedSpan,
    closed_days,
    closures_ahead,
    declare_closure,
    set_school_zone,
)
from pial.weeks.closures import remove_closure as remove_declared_closure
from pial.weeks.forms import ActionForm, ClosureForm, GridForm, NewWeekForm, SchoolZoneForm
from pial.weeks.grid import GridRow, GridState, as_input, grid_page
from pial.weeks.offers import (
    AvailabilityInput,
    FarmWeekOffer,
    copy_last_week_availability,
    farm_offer,
    last_week_offer,
    my_product_ids,
    save_availability,
    save_my_products,
)
from pial.weeks.opening import close_week, open_week
from pial.weeks.orders import (
    CanteenWeekOrder,
    OrderInput,
    canteen_order,
    contract_cover,
    published_unit_prices,
    save_orders,
    usual_products,
    week_market,
)
from pial.weeks.saving import SaveReport
from pial.weeks.standing_orders import (
    StandingOrderInput,
    list_standing_orders,
    save_standing_orders,
    standing_orders_version,
)

blueprint = Blueprint("weeks", __name__)

ACCESS_RULES = {
    "my_offer": roles(Role.GROWER),
    "offer": roles(Role.GROWER, Role.LEAD),
    "copy_offer": roles(Role.GROWER, Role.LEAD),
    "my_products": roles(Role.GROWER, Role.LEAD),
    "my_order": roles(Role.CANTEEN),
    "order": roles(Role.CANTEEN, Role.LEAD),
    "standing_orders": roles(Role.CANTEEN, Role.LEAD),
    "closures": roles(Role.CANTEEN, Role.LEAD),
    "school_zone": roles(Role.CANTEEN, Role.LEAD),
    "remove_closure": roles(Role.CANTEEN, Role.LEAD),
    "week_list": roles(Role.LEAD),
    "create_week": roles(Role.LEAD),
    "change_week": roles(Role.LEAD),
}

def _week_or_404(iso_week: str) -> DeliveryWeek:
    """Return the week, or answer 404 with a French message."""
    try:
        return get_week(iso_week)
    except (NotFound, InvalidInput) as error:
        abort(404, str(error))


# --- Grower: the week's offer ----------------------------------------------------------------


def _farm_id_for_page() -> int | None:
    """Return the farm shown: the grower's own, or the lead's choice (``?ferme=``)."""
    asked = request.values.get("ferme", type=int)
    if current_user.role == Role.GROWER:
        if asked is not None and asked != current_user.farm_id:
            abort(403)
        return int(current_user.farm_id)
    return asked


@blueprint.route("/semaine/offre")
def my_offer() -> str | Response:
    """Go to the offer of the next open week (the one whose deadline comes first)."""
    week = next_open_week()
    if week is None:
        return render_template("weeks/no_open_week.html", what="offre")
    return redirect(url_for("weeks.offer", iso_week=week.iso_week))


@dataclass(slots=True)
class ProductCells:
    """The inputs of one product on the offer page: the whole week, then each day if asked."""

    product: Product
    cells: list[GridRow]
    suggestion: Decimal | None = None


OfferCell = tuple[Product, dt.date | None, str]  # product, day (None: any day), field name


@blueprint.route("/semaine/<iso_week>/offre", methods=["GET", "POST"])
def offer(iso_week: str) -> str | Response | tuple[str, int]:
    """Show and save a farm's offer of the week (for the whole week, or day by day)."""
    week = _week_or_404(iso_week)
    farm_id = _farm_id_for_page()
    if farm_id is None:
        farms = sorted_by_name(get_session().scalars(select(Farm)), lambda farm: farm.name)
        return render_template("weeks/choose.html", week=week, farms=farms, canteens=None)
    farm = get_session().get(Farm, farm_id)
    if farm is None:
        abort(404)
    saved_offer = farm_offer(farm.id, week.iso_week)
    by_day = saved_offer.by_day or request.values.get("par_jour") == "1"
    days: list[dt.date | None] = [None]
    if by_day:
        days += delivery_days(week)
    cells: list[OfferCell] = [
        (product, day, f"q-{product.id}" + (f"-{day.isoformat()}" if day else ""))
        for product in _offer_products(week, saved_offer)
        for day in days
    ]

    def save(typed: dict[str, Decimal], version: str | None) -> SaveReport:
        inputs = [
            AvailabilityInput(product.id, typed[name], day, row=name)
            for product, day, name in cells
        ]
        return save_availability(
            current_user, farm.id, week.iso_week, inputs, expected_version=version
        )

    return grid_page(
        [name for _, _, name in cells],
        saved_offer.version,
        save,
        _offer_url(week.iso_week, farm.id, by_day=by_day),
        lambda form, state: _offer_page(saved_offer, cells, by_day, form, state),
    )


def _offer_page(
    saved_offer: FarmWeekOffer,
    cells: list[OfferCell],
    by_day: bool,
    form: GridForm,
    state: GridState,
) -> str:
    """Render the offer page: each product's inputs, last week's offer suggested if empty."""
    week, farm = saved_offer.week, saved_offer.farm
    window = offer_window(week, current_user)
    suggestion = last_week_offer(farm.id, week.iso_week)
    use_suggestion = not saved_offer.lines and not state.typed and window.editable
    groups: dict[int, ProductCells] = {}
    for product, day, name in cells:
        group = groups.setdefault(product.id, ProductCells(product, [], suggestion.get(product.id)))
        saved = saved_offer.quantity_of(product.id, day)
        if use_suggestion and day is None and not state.was_typed(name):
            value = as_input(suggestion.get(product.id))
        else:
            value = state.value(name, saved)
        group.cells.append(
            GridRow(
                product=product,
                name=name,
                value=value,
                day=day,
                saved=saved,
                other_value=state.other_value(product.id, day),
                errors=state.field_errors.get(name),
            )
        )
    mine_ids = my_product_ids(farm.id)
    mine, others = [], []
    for group in groups.values():
        has_value = any(cell.value or cell.saved is not None for cell in group.cells)
        if group.product.id in mine_ids or has_value:
            mine.append(group)
        else:
            others.append(group)
    return render_template(
        "weeks/offer.html",
        week=week,
        farm=farm,
        groups=list(groups.values()),
        mine=mine,
        others=others,
        others_open=any(cell.errors for group in others for cell in group.cells),
        form=form,
        version=state.version,
        window=window,
        by_day=by_day,
        can_merge_days=by_day and not saved_offer.by_day,
        deadline_text=format_deadline(week.availability_deadline_dt),
        use_suggestion=use_suggestion and bool(suggestion),
        unit_label=unit_label,
        coordinator=coordinator_of(week.iso_week),
        closures=_closures_from(week),
    )


@dataclass(slots=True)
class ClosureGroup:
    """Canteens closed over the same delivery days for the same reason (the grower's view)."""

    first_day: dt.date
    last_day: dt.date
    reason: str
    canteens: list[str]


def _closures_from(week: DeliveryWeek, weeks: int = 4) -> list[ClosureGroup]:
    """Return the canteens' closures over the delivery days of ``week`` and the weeks after."""
    days = [
        day
        for offset in range(weeks)
        for day in delivery_days(iso_week_label(week.monday_date + dt.timedelta(weeks=offset)))
    ]
    groups: dict[tuple[dt.date, dt.date, str], ClosureGroup] = {}
    for span in closures_ahead(days):
        key = (span.first_day, span.last_day, span.reason)
        group = groups.setdefault(key, ClosureGroup(*key, []))
        group.canteens.append(span.canteen.name)
    return sorted(groups.values(), key=lambda group: (group.first_day, group.last_day))


def _offer_products(week: DeliveryWeek, saved_offer: FarmWeekOffer) -> list[Product]:
    """Return the products of the offer page: in season, plus any already offered."""
    products = products_in_season(week)
    known = {product.id for product in products}
    extra = [line.product for line in saved_offer.lines if line.product_id not in known]
    unique_extra = {product.id: product for product in extra}
    return products + sorted_by_name(unique_extra.values(), lambda p: p.name_fr)


def _offer_url(iso_week: str, farm_id: int, *, by_day: bool = False) -> str:
    """Return the offer page of a farm (the lead needs ``?ferme=``)."""
    values: dict[str, Any] = {"iso_week": iso_week}
    if current_user.role == Role.LEAD:
        values["ferme"] = farm_id
    if by_day:
        values["par_jour"] = 1
    return url_for("weeks.offer", **values)


@blueprint.route("/semaine/<iso_week>/offre/copier", methods=["POST"])
def copy_offer(iso_week: str) -> Response:
    """Replace this week's offer by the farm's previous one."""
    week = _week_or_404(iso_week)
    farm_id = _farm_id_for_page()
    if farm_id is None:
        abort(400)
    form = GridForm()
    if form.validate_on_submit():
        try:
            report = copy_last_week_availability(
                current_user, farm_id, week.iso_week, expected_version=form.version.data or None
            )
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Offre précédente copiée : %(summary)s", summary=report.describe()), "success")
    return redirect(_offer_url(week.iso_week, farm_id))


@blueprint.route("/mes-produits", methods=["GET", "POST"])
def my_products() -> str | Response | tuple[str, int]:
    """Show and save the farm's « mes produits », shown first on its offer form."""
    farm_id = _farm_id_for_page()
    session = get_session()
    if farm_id is None:
        abort(400)
    farm = session.get(Farm, farm_id)
    if farm is None:
        abort(404)
    products = sorted_by_name(
        session.scalars(select(Product).where(Product.is_active.is_(True))),
        lambda product: product.name_fr,
    )
    form = ActionForm()
    if form.validate_on_submit():
        chosen = set(request.form.getlist("produit", type=int))
        try:
            added, removed = save_my_products(current_user, farm.id, chosen)
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Mes produits enregistrés : %(n)s produits (%(added)s ajoutés, %(removed)s "
                  "retirés).", n=len(chosen), added=added, removed=removed),
                "success",
            )
            values: dict[str, Any] = {"ferme": farm.id} if current_user.role == Role.LEAD else {}
            return redirect(url_for("weeks.my_products", **values))
    return render_template(
        "weeks/my_products.html",
        farm=farm,
        products=products,
        mine=my_product_ids(farm.id),
        form=form,
        next_week=next_open_week(),
    )


# --- Canteen: the week's order ---------------------------------------------------------------


def _canteen_id_for_page() -> int | None:
    """Return the canteen shown: the manager's own, or the lead's choice (``?cantine=``)."""
    asked = request.values.get("cantine", type=int)
    if current_user.role == Role.CANTEEN:
        if asked is not None and asked != current_user.canteen_id:
            abort(403)
        return int(current_user.canteen_id)
    return asked


def _canteen_url(endpoint: str, canteen_id: int, **values: Any) -> str:
    """Return a canteen page's URL (the lead needs ``?cantine=``)."""
    if current_user.role == Role.LEAD:
        values["cantine"] = canteen_id
    return url_for(endpoint, **values)


@blueprint.route("/semaine/commande")
def my_order() -> str | Response:
    """Go to the order of the next open week (the one whose order deadline comes first)."""
    week = next_open_week(for_orders=True)
    if week is None:
        return render_template("weeks/no_open_week.html", what="commande")
    return redirect(url_for("weeks.order", iso_week=week.iso_week))


@dataclass(slots=True)
class OrderProductRow:
    """One product of the order grid: its cell on each open delivery day (None: not that day)."""

    product: Product
    usual: bool
    cells: list[GridRow | None]

    @property
    def is_contract(self) -> bool:
        """Tell whether a contract covers the product on one of the days."""
        return any(cell is not None and cell.is_contract for cell in self.cells)

    @property
    def price_eur(self) -> Decimal | None:
        """Return the product's price on the first day it can be ordered."""
        return next((cell.price_eur for cell in self.cells if cell is not None), None)


@dataclass(slots=True)
class DayTotal:
    """The running total of one delivery day: weight and value of what the page shows."""

    day: dt.date
    kg: Decimal = Decimal(0)
    eur: Decimal = Decimal(0)


OrderCell = tuple[dt.date, Product, str]  # delivery day, product, field name


@blueprint.route("/semaine/<iso_week>/commande", methods=["GET", "POST"])
def order(iso_week: str) -> str | Response | tuple[str, int]:
    """Show and save a canteen's order of the week: a grid of products by open delivery day."""
    week = _week_or_404(iso_week)
    canteen_id = _canteen_id_for_page()
    session = get_session()
    if canteen_id is None:
        canteens = sorted_by_name(session.scalars(select(Canteen)), lambda c: c.name)
        return render_template("weeks/choose.html", week=week, farms=None, canteens=canteens)
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        abort(404)
    saved_order = canteen_order(canteen.id, week.iso_week)
    days = canteen_delivery_days(canteen, week)
    closed = closed_days(canteen, days)
    open_days = [day for day in days if day not in closed]
    usual = usual_products(canteen.id, week.monday_date)
    products = _order_products(saved_order, open_days, usual)
    cells: list[OrderCell] = [
        (day, product, f"q-{product.id}-{day.isoformat()}")
        for product in products
        for day in open_days
        if product.is_in_season(day.month) or saved_order.line_of(product.id, day)
    ]

    def save(typed: dict[str, Decimal], version: str | None) -> SaveReport:
        inputs = [
            OrderInput(product.id, typed[name], day, row=name) for day, product, name in cells
        ]
        report = save_orders(
            current_user, canteen.id, week.iso_week, inputs, expected_version=version
        )
        _warn_beyond_offer(week, canteen.id, cells, typed)
        return report

    return grid_page(
        [name for _, _, name in cells],
        saved_order.version,
        save,
        _canteen_url("weeks.order", canteen.id, iso_week=week.iso_week),
        lambda form, state: _order_page(
            saved_order, open_days, closed, products, usual, cells, form, state
        ),
    )


def _order_products(
    saved_order: CanteenWeekOrder, open_days: list[dt.date], usual: set[int]
) -> list[Product]:
    """Return the products of the order grid: the canteen's usual ones first, then in season.

    Products in season on an open day come first (usual ones at the top), then products out of
    season already in the order; each group in French order.
    """
    in_season = {
        product.id: product for day in open_days for product in products_in_season(day)
    }
    extra = {
        line.product.id: line.product
        for line in saved_order.lines
        if line.day in open_days and line.product_id not in in_season
    }
    by_name = sorted_by_name(in_season.values(), lambda p: p.name_fr)
    usual_first = sorted(by_name, key=lambda product: product.id not in usual)  # stable
    return usual_first + sorted_by_name(extra.values(), lambda p: p.name_fr)


def _warn_beyond_offer(
    week: DeliveryWeek, canteen_id: int, cells: list[OrderCell], typed: dict[str, Decimal]
) -> None:
    """Flash a warning naming the saved lines that exceed what is left on offer (never refused)."""
    market = week_market(week, canteen_id)
    beyond = []
    for day, product, name in cells:
        quantity = typed.get(name) or Decimal(0)
        day_market = market.get((product.id, day))
        available = day_market.available if day_market else Decimal(0)
        if quantity > available:
            beyond.append(
                _(
                    "%(product)s (%(day)s) : %(quantity)s %(unit)s pour %(available)s disponibles",
                    product=product.name_fr,
                    day=format_day(day, "EEEE d"),
                    quantity=format_number(quantity, 3),
                    unit=unit_label(product, quantity),
                    available=format_number(available, 3),
                )
            )
    if beyond:
        flash(
            _(
                "Attention : au-delà de ce que les producteurs offrent aujourd'hui — %(lines)s. "
                "La commande est enregistrée ; ce qui dépasse risque de ne pas être servi (les "
                "lignes sous contrat sont servies en premier).",
                lines=" ; ".join(beyond),
            ),
            "warning",
        )


def _order_page(
    saved_order: CanteenWeekOrder,
    open_days: list[dt.date],
    closed: dict[dt.date, str],
    products: list[Product],
    usual: set[int],
    cells: list[OrderCell],
    form: GridForm,
    state: GridState,
) -> str:
    """Render the order grid: per product and day the price, the offer and the running total."""
    week, canteen = saved_order.week, saved_order.canteen
    prices_of = {day: group_prices(day) for day in open_days}
    cover = (
        contract_cover(get_session(), canteen.id, min(open_days), max(open_days))
        if open_days
        else None
    )
    market = week_market(week, canteen.id)
    by_key: dict[tuple[int, dt.date], GridRow] = {}
    totals = {day: DayTotal(day) for day in open_days}
    published = published_unit_prices(get_session(), week.id, canteen.id)
    for day, product, name in cells:
        line = saved_order.line_of(product.id, day)
        saved = line.quantity if line else None
        contract_line = cover.line_for(product.id, day) if cover else None
        day_market = market.get((product.id, day))
        row = GridRow(
            product=product,
            name=name,
            value=state.value(name, saved),
            day=day,
            saved=saved,
            other_value=state.other_value(product.id, day),
            price_eur=published.get((product.id, day))
            or (contract_line.price_eur if contract_line else prices_of[day].get(product.id)),
            is_contract=contract_line is not None,
            errors=state.field_errors.get(name),
            offered=day_market.offered if day_market else Decimal(0),
            ordered_by_others=day_market.ordered_by_others if day_market else Decimal(0),
            available=day_market.available if day_market else Decimal(0),
        )
        by_key[(product.id, day)] = row
        quantity = row.quantity
        if quantity:
            totals[day].kg += quantity * product.unit_kg
            totals[day].eur += quantity * (row.price_eur or 0)
    rows = [
        OrderProductRow(
            product, product.id in usual, [by_key.get((product.id, d)) for d in open_days]
        )
        for product in products
        if any((product.id, day) in by_key for day in open_days)
    ]
    return render_template(
        "weeks/order.html",
        week=week,
        canteen=canteen,
        days=open_days,
        closed=closed,
        rows=rows,
        totals=list(totals.values()),
        total_kg=sum((t.kg for t in totals.values()), Decimal(0)),
        total_eur=sum((t.eur for t in totals.values()), Decimal(0)),
        form=form,
        version=state.version,
        window=order_window(week, current_user),
        deadline_text=format_deadline(week.order_deadline_dt),
        unit_label=unit_label,
        as_input=as_input,
    )


StandingCell = tuple[int, Product, str]  # ISO weekday, product, field name


@blueprint.route("/commandes-permanentes", methods=["GET", "POST"])
def standing_orders() -> str | Response | tuple[str, int]:
    """Show and save a canteen's standing order (copied into each week when it opens)."""
    canteen_id = _canteen_id_for_page()
    session = get_session()
    if canteen_id is None:
        canteens = sorted_by_name(session.scalars(select(Canteen)), lambda c: c.name)
        return render_template("weeks/choose.html", week=None, farms=None, canteens=canteens)
    canteen = session.get(Canteen, canteen_id)
    if canteen is None:
        abort(404)
    weekdays = canteen_weekdays(canteen)
    products = sorted_by_name(
        session.scalars(select(Product).where(Product.is_active.is_(True))),
        lambda product: product.name_fr,
    )
    cells: list[StandingCell] = [
        (weekday, product, f"q-{product.id}-{weekday}")
        for weekday in weekdays
        for product in products
    ]

    def save(typed: dict[str, Decimal], version: str | None) -> SaveReport:
        inputs = [
            StandingOrderInput(product.id, typed[name], weekday, row=name)
            for weekday, product, name in cells
        ]
        return save_standing_orders(current_user, canteen.id, inputs, expected_version=version)

    return grid_page(
        [name for _, _, name in cells],
        standing_orders_version(canteen.id),
        save,
        _canteen_url("weeks.standing_orders", canteen.id),
        lambda form, state: _standing_orders_page(canteen, weekdays, cells, form, state),
    )


def _standing_orders_page(
    canteen: Canteen,
    weekdays: list[int],
    cells: list[StandingCell],
    form: GridForm,
    state: GridState,
) -> str:
    """Render the standing orders page: each delivery weekday's inputs."""
    saved = {
        (line.product_id, line.weekday): line.quantity for line in list_standing_orders(canteen.id)
    }
    sections = [
        (
            WEEKDAY_NAMES_FR[weekday - 1],
            [
                GridRow(
                    product=product,
                    name=name,
                    value=state.value(name, saved.get((product.id, weekday))),
                    errors=state.field_errors.get(name),
                )
                for day_number, product, name in cells
                if day_number == weekday
            ],
        )
        for weekday in weekdays
    ]
    return render_template(
        "weeks/standing_orders.html",
        canteen=canteen,
        sections=sections,
        form=form,
        # The version read now: a save refused as stale shows the saved lines' version.
        version=standing_orders_version(canteen.id),
        unit_label=unit_label,
    )


# --- Canteen: closures ----------------------------------------------------------------------

CLOSURE_HORIZON_WEEKS = 8


def _canteen_for_closures() -> Canteen | None:
    """Return the canteen whose closures are shown (None: the lead has to choose one)."""
    canteen_id = _canteen_id_for_page()
    if canteen_id is None:
        return None
    canteen = get_session().get(Canteen, canteen_id)
    if canteen is None:
        abort(404)
    return canteen


@blueprint.route("/fermetures", methods=["GET", "POST"])
def closures() -> str | Response | tuple[str, int]:
    """Show a canteen's closed days ahead and let its manager (or the lead) declare closures."""
    canteen = _canteen_for_closures()
    if canteen is None:
        canteens = sorted_by_name(get_session().scalars(select(Canteen)), lambda c: c.name)
        return render_template(
            "weeks/choose.html", week=None, farms=None, canteens=canteens,
            canteen_endpoint="weeks.closures",
        )
    form = ClosureForm()
    status = 200
    if form.validate_on_submit():
        try:
            _closure, withdrawn = declare_closure(
                current_user,
                canteen.id,
                form.start_date.data,
                form.end_date.data,
                form.reason.data or "",
            )
        except InvalidInput as error:
            flash(str(error), "error")
            for name, messages in error.field_errors.items():
                getattr(form, name).errors = list(messages)
            status = 422
        except Forbidden:
            abort(403)
        else:
            flash(_("Fermeture enregistrée."), "success")
            if withdrawn:
                flash(
                    ngettext(
                        "%(num)d ligne de commande de ces jours-là a été retirée.",
                        "%(num)d lignes de commande de ces jours-là ont été retirées.",
                        withdrawn,
                    ),
                    "warning",
                )
            return redirect(_canteen_url("weeks.closures", canteen.id))
    elif form.is_submitted():
        flash(_("La fermeture n'a pas été enregistrée : vérifiez les champs signalés."), "error")
        status = 422
    zone_form = SchoolZoneForm(formdata=None, zone=canteen.school_zone or "")
    page = render_template(
        "weeks/closures.html",
        canteen=canteen,
        form=form,
        zone_form=zone_form,
        action_form=ActionForm(),
        spans=_closures_ahead_of(canteen),
        horizon_weeks=CLOSURE_HORIZON_WEEKS,
    )
    return (page, status) if status != 200 else page


def _closures_ahead_of(canteen: Canteen) -> list[ClosedSpan]:
    """Return the canteen's closed delivery days over the coming weeks."""
    monday = monday_of(current_iso_week())
    days = [
        day
        for weeks in range(CLOSURE_HORIZON_WEEKS)
        for day in delivery_days(iso_week_label(monday + dt.timedelta(weeks=weeks)))
    ]
    return [span for span in closures_ahead(days) if span.canteen.id == canteen.id]


@blueprint.route("/fermetures/zone", methods=["POST"])
def school_zone() -> Response:
    """Set the school-holiday zone whose holidays close the canteen."""
    canteen = _canteen_for_closures()
    if canteen is None:
        abort(400)
    form = SchoolZoneForm()
    if form.validate_on_submit():
        try:
            set_school_zone(current_user, canteen.id, form.zone.data)
        except Forbidden:
            abort(403)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(_("Zone de vacances scolaires enregistrée."), "success")
    else:
        flash(_("Zone inconnue : choisissez A, B, C ou aucune."), "error")
    return redirect(_canteen_url("weeks.closures", canteen.id))


@blueprint.route("/fermetures/<int:closure_id>/retirer", methods=["POST"])
def remove_closure(closure_id: int) -> Response:
    """Remove one of the canteen's declared closures."""
    canteen = _canteen_for_closures()
    if canteen is None:
        abort(400)
    if ActionForm().validate_on_submit():
        try:
            remove_declared_closure(current_user, canteen.id, closure_id)
        except Forbidden:
            abort(403)
        except NotFound as error:
            abort(404, str(error))
        else:
            flash(_("Fermeture retirée."), "success")
    return redirect(_canteen_url("weeks.closures", canteen.id))


# --- Lead: the weeks -------------------------------------------------------------------------


@blueprint.route("/semaines")
def week_list() -> str:
    """List the weeks with their state, deadlines and coordinator, and the buttons to move them."""
    weeks = list(reversed(list_weeks()))
    coordinators = coordinators_of(week.iso_week for week in weeks)
    new_week_form = NewWeekForm()
    if not new_week_form.iso_week.data:
        existing = {week.iso_week for week in weeks}
        candidate = current_iso_week()
        for _ in range(60):
            if candidate not in existing:
                break
            candidate = _next_iso_week(candidate)
        new_week_form.iso_week.data = candidate
    return render_template(
        "weeks/week_list.html",
        weeks=weeks,
        coordinators=coordinators,
        action_form=ActionForm(),
        new_week_form=new_week_form,
        format_deadline=format_deadline,
    )


def _next_iso_week(iso_week: str) -> str:
    """Return the label of the week after ``iso_week``."""
    return iso_week_label(monday_of(iso_week) + dt.timedelta(weeks=1))


@blueprint.route("/semaines/nouvelle", methods=["POST"])
def create_week() -> Response:
    """Open a week (created if needed) with the standing orders copied in."""
    form = NewWeekForm()
    if form.validate_on_submit():
        try:
            week = open_week(form.iso_week.data or "", current_user)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(
                _("Semaine %(n)s ouverte aux offres et commandes.", n=week.week_number), "success"
            )
    else:
        flash(_("Indiquez la semaine à ouvrir, par exemple 2026-W48."), "error")
    return redirect(url_for("weeks.week_list"))


WEEK_ACTIONS = {
    "ouvrir": (open_week, _l("Semaine %(n)s ouverte aux offres et commandes.")),
    "rouvrir": (open_week, _l("Semaine %(n)s rouverte.")),
    "clore": (close_week, _l("Semaine %(n)s close : offres et commandes arrêtées.")),
}


@blueprint.route("/semaines/<iso_week>/<action>", methods=["POST"])
def change_week(iso_week: str, action: str) -> Response:
    """Open, close or reopen a week."""
    if action not in WEEK_ACTIONS:
        abort(404)
    week = _week_or_404(iso_week)
    form = ActionForm()
    if form.validate_on_submit() and action == "clore" and not request.form.get("confirm"):
        flash(_("Cochez la case pour confirmer la clôture : offres et commandes seront "
                "arrêtées."), "error")
    elif form.validate_on_submit():
        operation, message = WEEK_ACTIONS[action]
        try:
            operation(week.iso_week, current_user)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(str(message) % {"n": week.week_number}, "success")
    return redirect(url_for("weeks.week_list"))
