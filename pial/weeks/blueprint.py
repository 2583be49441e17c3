"""Week pages: the grower's offer, the canteen's order, standing orders, the lead's weeks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pial.access import roles
from pial.clock import iso_week_label, monday_of
from pial.db import get_session
from pial.errors import Forbidden, InvalidInput, NotFound, ServiceError
from pial.i18n import sorted_by_name, unit_label
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
from pial.weeks.forms import ActionForm, GridForm, NewWeekForm
from pial.weeks.grid import GridRow, GridState, as_input, grid_page
from pial.weeks.offers import (
    AvailabilityInput,
    FarmWeekOffer,
    copy_last_week_availability,
    farm_offer,
    last_week_offer,
    save_availability,
)
from pial.weeks.opening import close_week, open_week
from pial.weeks.orders import (
    CanteenWeekOrder,
    OrderInput,
    canteen_order,
    contract_cover,
    save_orders,
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
    "my_order": roles(Role.CANTEEN),
    "order": roles(Role.CANTEEN, Role.LEAD),
    "standing_orders": roles(Role.CANTEEN, Role.LEAD),
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
    return render_template(
        "weeks/offer.html",
        week=week,
        farm=farm,
        groups=list(groups.values()),
        form=form,
        version=state.version,
        window=window,
        by_day=by_day,
        can_merge_days=by_day and not saved_offer.by_day,
        deadline_text=format_deadline(week.availability_deadline_dt),
        use_suggestion=use_suggestion and bool(suggestion),
        unit_label=unit_label,
        coordinator=coordinator_of(week.iso_week),
    )


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
class DaySection:
    """One delivery day of the order page."""

    day: dt.date
    rows: list[GridRow]


OrderCell = tuple[dt.date, Product, str]  # delivery day, product, field name


@blueprint.route("/semaine/<iso_week>/commande", methods=["GET", "POST"])
def order(iso_week: str) -> str | Response | tuple[str, int]:
    """Show and save a canteen's order of the week, day by day."""
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
    cells: list[OrderCell] = []
    for day in days:
        in_season = products_in_season(day)
        known = {product.id for product in in_season}
        extra = {
            line.product.id: line.product
            for line in saved_order.lines
            if line.day == day and line.product_id not in known
        }
        for product in in_season + sorted_by_name(extra.values(), lambda p: p.name_fr):
            cells.append((day, product, f"q-{product.id}-{day.isoformat()}"))

    def save(typed: dict[str, Decimal], version: str | None) -> SaveReport:
        inputs = [
            OrderInput(product.id, typed[name], day, row=name) for day, product, name in cells
        ]
        return save_orders(
            current_user, canteen.id, week.iso_week, inputs, expected_version=version
        )

    return grid_page(
        [name for _, _, name in cells],
        saved_order.version,
        save,
        _canteen_url("weeks.order", canteen.id, iso_week=week.iso_week),
        lambda form, state: _order_page(saved_order, days, cells, form, state),
    )


def _order_page(
    saved_order: CanteenWeekOrder,
    days: list[dt.date],
    cells: list[OrderCell],
    form: GridForm,
    state: GridState,
) -> str:
    """Render the order page: each delivery day's inputs with the price (contract or group)."""
    week, canteen = saved_order.week, saved_order.canteen
    sections: dict[dt.date, DaySection] = {day: DaySection(day, []) for day in days}
    prices_of = {day: group_prices(day) for day in days}
    cover = contract_cover(get_session(), canteen.id, min(days), max(days)) if days else None
    for day, product, name in cells:
        line = saved_order.line_of(product.id, day)
        saved = line.quantity if line else None
        contract_line = cover.line_for(product.id, day) if cover else None
        sections[day].rows.append(
            GridRow(
                product=product,
                name=name,
                value=state.value(name, saved),
                saved=saved,
                other_value=state.other_value(product.id, day),
                price_eur=contract_line.price_eur
                if contract_line
                else prices_of[day].get(product.id),
                is_contract=contract_line is not None,
                errors=state.field_errors.get(name),
            )
        )
    return render_template(
        "weeks/order.html",
        week=week,
        canteen=canteen,
        sections=list(sections.values()),
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
    if form.validate_on_submit():
        operation, message = WEEK_ACTIONS[action]
        try:
            operation(week.iso_week, current_user)
        except ServiceError as error:
            flash(str(error), "error")
        else:
            flash(str(message) % {"n": week.week_number}, "success")
    return redirect(url_for("weeks.week_list"))
