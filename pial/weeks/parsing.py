"""Parse the numbers people type: ``12,5``, ``1 234,5``, ``3.5`` — never a negative or NaN."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from flask_babel import gettext as _

from pial.errors import InvalidInput

MAX_QUANTITY = Decimal("999999999.999")
"""Largest quantity a ``Numeric(12, 3)`` column holds."""

QUANTITY_DECIMALS = 3
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")


def parse_quantity(text: str | Decimal | int | None, *, field: str | None = None) -> Decimal:
    """Return the quantity typed in ``text`` as a Decimal (blank = 0), or raise InvalidInput.

    Accepts a decimal comma (``12,5``), spaces or apostrophes between thousands
    (``1 234,5``), and ``1.234,5``; refuses negatives, NaN, infinities, exponents and more than
    three decimals. ``field`` names the field or row in the French message and the error map.
    """
    name = field or _("quantité")
    if isinstance(text, int):
        text = Decimal(text)
    if isinstance(text, Decimal):
        return _checked(text, name, str(text))
    raw = (text or "").strip()
    if raw == "":
        return Decimal(0)
    compact = _SPACES.sub("", raw)
    if compact.startswith("-"):
        _refuse(name, _("« %(raw)s » est négatif : indiquez une quantité positive ou 0.", raw=raw))
    if compact.startswith("+"):
        compact = compact[1:]
    if "," in compact and "." in compact:
        # "1.234,5": the dot separates thousands, the comma the decimals.
        compact = compact.replace(".", "").replace(",", ".")
    else:
        compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.match(compact):
        _refuse(name, _("« %(raw)s » n'est pas un nombre (exemple : 12,5).", raw=raw))
    try:
        value = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only valid numbers
        _refuse(name, _("« %(raw)s » n'est pas un nombre (exemple : 12,5).", raw=raw))
    return _checked(value, name, raw)


def _checked(value: Decimal, name: str, raw: str) -> Decimal:
    """Refuse non-finite, negative, too precise or too large values."""
    if not value.is_finite():
        _refuse(name, _("« %(raw)s » n'est pas un nombre (exemple : 12,5).", raw=raw))
    if value < 0:
        _refuse(name, _("« %(raw)s » est négatif : indiquez une quantité positive ou 0.", raw=raw))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_DECIMALS:
        if value != value.quantize(Decimal(1).scaleb(-QUANTITY_DECIMALS)):
            _refuse(name, _("« %(raw)s » a trop de décimales : 3 au plus.", raw=raw))
        value = value.quantize(Decimal(1).scaleb(-QUANTITY_DECIMALS))
    if value > MAX_QUANTITY:
        _refuse(name, _("« %(raw)s » est trop grand.", raw=raw))
    return value + Decimal(0)  # normalises -0 to 0


def _refuse(name: str, message: str) -> NoReturn:
    """Raise the InvalidInput naming ``name``."""
    raise InvalidInput(
        _("%(place)s : %(message)s", place=name.capitalize(), message=message), {name: [message]}
    )
