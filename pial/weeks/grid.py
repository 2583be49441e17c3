"""A grid of quantities on a page: parse what was posted, save it, say why a save was refused.

The offer, order and standing-order pages are such grids: each gives its fields, its save and
how it renders; :func:`grid_page` does the rest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from flask import abort, flash, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from pial.errors import Forbidden, InvalidInput, ServiceError
from pial.models import Product
from pial.weeks.forms import GridForm
from pial.weeks.parsing import parse_quantity
from pial.weeks.saving import SaveReport, StaleVersion


def as_input(value: Decimal | None) -> str:
    """Show a quantity in an input the French way, without thousands separators (12,5)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


@dataclass(slots=True)
class GridRow:
    """One input of a quantity grid: the product, its field name, the value shown."""

    product: Product
    name: str
    value: str
    day: dt.date | None = None
    saved: Decimal | None = None
    suggestion: Decimal | None = None
    other_value: Decimal | None = None  # what somebody else saved meanwhile (stale save)
    price_eur: Decimal | None = None
    is_contract: bool = False
    errors: list[str] | None = None
    offered: Decimal | None = None  # what growers offer that day (order page)
    ordered_by_others: Decimal | None = None  # what other canteens already ordered that day
    available: Decimal | None = None  # what is left for this canteen

    @property
    def quantity(self) -> Decimal | None:
        """Return the quantity shown in the input, None when empty or not a number."""
        try:
            return parse_quantity(self.value, field=self.name) if self.value else None
        except InvalidInput:
            return None

    @property
    def exceeds_available(self) -> bool:
        """Tell whether the quantity shown is more than what is left on offer."""
        quantity = self.quantity
        return bool(quantity and self.available is not None and quantity > self.available)


@dataclass(slots=True)
class GridState:
    """A quantity grid as a page shows it: after a refused save, what was typed and why."""

    version: str  # the version token the page sends back with its next save
    typed: dict[str, Decimal] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    other: dict[tuple[int, dt.date | None], Decimal] | None = None  # saved meanwhile (409)
    status: int = 200

    def was_typed(self, name: str) -> bool:
        """Tell whether input ``name`` shows what was posted rather than what is saved."""
        return name in self.typed or name in self.field_errors

    def value(self, name: str, saved: Decimal | None) -> str:
        """Return the value of input ``name``: as posted after a refused save, else ``saved``."""
        return request.form.get(name, "") if self.was_typed(name) else as_input(saved)

    def other_value(self, product_id: int, day: dt.date | None) -> Decimal | None:
        """Return what somebody else saved meanwhile for a product (and day), after a 409."""
        return self.other.get((product_id, day)) if self.other is not None else None


def parse_grid(names: list[str]) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """Parse the posted quantity fields ``names``; return the values and per-field errors."""
    values: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        raw = request.form.get(name, "")
        try:
            values[name] = parse_quantity(raw, field=name)
        except InvalidInput as error:
            errors[name] = [
                message for messages in error.field_errors.values() for message in messages
            ]
    return values, errors


def grid_page(
    names: list[str],
    version: str,
    save: Callable[[dict[str, Decimal], str | None], SaveReport],
    saved_url: str,
    render: Callable[[GridForm, GridState], str],
) -> str | Response | tuple[str, int]:
    """Show a quantity grid; on a valid POST, parse it, save it and map the refusals.

    ``save`` gets the posted quantities by field name and the version the page was read at.
    Saved: flash the summary and go to ``saved_url``. Refused: flash why and ``render`` the grid
    again with what was typed, the errors by field and, for a stale save (409), what somebody
    else saved meanwhile.
    """
    form = GridForm()
    state = GridState(version)
    if request.method == "POST" and form.validate_on_submit():
        state.typed, state.field_errors = parse_grid(names)
        if state.field_errors:
            flash(_("Des quantités sont à corriger : rien n'a été enregistré."), "error")
            state.status = 422
        else:
            try:
                report = save(state.typed, form.version.data or None)
            except Forbidden:
                abort(403)
            except StaleVersion as error:
                flash(str(error), "error")
                state.other, state.version = error.current_quantities, error.current_version
                state.status = 409
            except InvalidInput as error:
                flash(str(error), "error")
                state.field_errors, state.status = error.field_errors, 422
            except ServiceError as error:
                flash(str(error), "error")
                state.status = error.http_status
            else:
                flash(report.describe(), "success")
                return redirect(saved_url)
        if state.status != 409:
            state.version = form.version.data or state.version
    page = render(form, state)
    return (page, state.status) if state.status != 200 else page
