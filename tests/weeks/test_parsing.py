"""``parse_quantity``: what people type, the French way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pial.errors import InvalidInput
from pial.weeks.parsing import parse_quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        (" 1 234,25 ", Decimal("1234.25")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1.234,5", Decimal("1234.5")),
        (",5", Decimal("0.5")),
        ("", Decimal("0")),
        ("0", Decimal("0")),
        ("+3", Decimal("3")),
        ("2,500", Decimal("2.5")),
    ],
)
def test_accepted(text: str, expected: Decimal) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-3", "est négatif"),
        ("- 3,5", "est négatif"),
        ("NaN", "n'est pas un nombre"),
        ("inf", "n'est pas un nombre"),
        ("1e3", "n'est pas un nombre"),
        ("12 kg", "n'est pas un nombre"),
        ("1,2,3", "n'est pas un nombre"),
        ("0,0001", "trop de décimales"),
        ("99999999999", "trop grand"),
    ],
)
def test_refused_in_french_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_quantity(text, field="carottes")
    assert message in str(refused.value)
    assert str(refused.value).startswith("Carottes : ")
    assert message in refused.value.field_errors["carottes"][0]


def test_decimals_are_checked_too() -> None:
    assert parse_quantity(Decimal("4.500")) == Decimal("4.5")
    assert parse_quantity(7) == Decimal(7)
    with pytest.raises(InvalidInput):
        parse_quantity(Decimal("NaN"))
    with pytest.raises(InvalidInput):
        parse_quantity(Decimal("-1"))


@given(st.decimals(min_value=0, max_value=10**8, places=3, allow_nan=False))
def test_french_rendering_round_trips(value: Decimal) -> None:
    text = format(value, "f").replace(".", ",")
    assert parse_quantity(text) == value
