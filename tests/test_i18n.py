"""French by default, English on request, French formats."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import format_decimal

from pial import i18n


def test_french_is_the_default(client: Any) -> None:
    page = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Se connecter" in page


def test_english_when_the_browser_asks(client: Any) -> None:
    page = client.get("/connexion", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in page
    assert "Sign in" in page and "Se connecter" not in page


def test_the_users_saved_language_wins(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("lead", locale="en"))
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Hello" in page


def test_french_formats(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert i18n.format_number(Decimal("1234.5")) == "1\u202f234,5"
        assert i18n.format_money(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
        assert i18n.format_day(dt.date(2026, 11, 23)) == "lundi 23 novembre"
        assert i18n.format_iso_week("2026-W48") == "semaine 48 (23–29 nov.)"
        assert i18n.format_iso_week("2026-W49") == "semaine 49 (30 nov.–6 déc.)"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_numbers_are_written_as_babel_writes_them(app: Any, locale: str) -> None:
    rng = random.Random(48)
    values: list[float | Decimal | int] = [2.675, 0.125, -1234.567, 10**7, Decimal("3.14159")]
    values += [rng.uniform(-1e6, 1e6) for _ in range(300)]
    values += [round(rng.uniform(-100, 100), rng.randint(0, 4)) for _ in range(300)]
    with app.test_request_context("/", headers={"Accept-Language": locale}):
        for value in values:
            for digits in range(4):
                pattern = "#,##0." + "#" * digits if digits else "#,##0"
                expected = format_decimal(value, format=pattern, locale=locale)
                assert i18n.format_number(value, digits) == expected, (value, digits)
            expected = format_decimal(value, format="#,##0.00", locale=locale) + "\u00a0€"
            assert i18n.format_money(value) == expected, value


def test_a_tiny_negative_amount_is_not_written_minus_zero(app: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert i18n.format_money(-0.004) == "0,00\u00a0€"
        assert i18n.format_number(-0.0001, 2) == "0"
        assert i18n.format_number(-1234.5, 1) == "-1\u202f234,5"


def test_names_sort_in_french_collation_order_not_by_code_point() -> None:
    from pial.i18n import sorted_by_name

    names = ["Courge", "Échalote", "Céleri", "Fenouil", "carotte", "Epinard", "Zeste", "Ail"]
    assert sorted(names)[-1] == "Échalote"  # by code point: accents after z
    assert sorted_by_name(names, lambda name: name) == [
        "Ail", "carotte", "Céleri", "Courge", "Échalote", "Epinard", "Fenouil", "Zeste",
    ]  # fmt: skip
