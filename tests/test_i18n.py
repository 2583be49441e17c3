"""French by default, English on request, French formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

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
