"""The rounding rule of every amount PIAL writes: to the cent, half up, line by line.

Each sale line is valued ``quantity × unit price`` and rounded to the cent (ROUND_HALF_UP);
its fee and fund contribution are ``value × rate``, each rounded the same way; an advance
recovery is rounded the same way too. Totals are the sums of the rounded lines, never the
rounding of an unrounded total, so that a statement adds up to the cent on paper.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cent(amount: Decimal) -> Decimal:
    """Round an amount to the cent, half up (0.005 → 0.01, −0.005 → −0.01)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def line_value_eur(quantity: Decimal, unit_price_eur: Decimal) -> Decimal:
    """Return the value of a sale line: quantity × unit price, rounded to the cent."""
    return to_cent(quantity * unit_price_eur)


def share_of_eur(value_eur: Decimal, rate: Decimal) -> Decimal:
    """Return ``rate`` of an amount (a fee, a fund contribution), rounded to the cent."""
    return to_cent(value_eur * rate)
