"""The catalogue's units named once: French singular and plural of each ``ProductUnit`` value.

Flask-free, so that the spreadsheet writers (French documents) use it as well as the pages and
e-mails, which translate these names through :func:`pial.i18n.unit_label`.
"""

from __future__ import annotations

from decimal import Decimal


def N_(text: str) -> str:
    """Mark a unit name for translation (it is translated when shown, by ``unit_label``)."""
    return text


UNIT_NAMES: dict[str, tuple[str, str]] = {
    "kg": (N_("kg"), N_("kg")),
    "piece": (N_("pièce"), N_("pièces")),
    "bunch": (N_("botte"), N_("bottes")),
}
"""(singular, plural) French name of each ``ProductUnit`` value."""


def unit_names(unit: object) -> tuple[str, str]:
    """Return the French (singular, plural) names of a unit (an unknown unit names itself)."""
    return UNIT_NAMES.get(str(unit), (str(unit), str(unit)))


def french_unit_label(unit: object, quantity: Decimal | None = None) -> str:
    """Return the French name of a unit: « kg », « pièce », « 2 pièces » from two on."""
    singular, plural = unit_names(unit)
    return plural if quantity is not None and quantity >= 2 else singular
