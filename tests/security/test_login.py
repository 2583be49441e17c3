"""Sign-in hardening: throttling shared by several app instances, cookie flags in production."""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

from pial.db import get_database, get_session
from tests.conftest import TEST_PASSWORD, make_app

THROTTLED = "Trop de tentatives de connexion"


def _create_user(app: Any, email: str) -> None:
    from pial.auth.passwords import hash_password
    from pial.models import User

    with app.app_context():
        session = get_session()
        session.add(User(email=email, display_name="Maraîchère", role="lead",
                         password_hash=hash_password(TEST_PASSWORD)))
        session.commit()


def _sign_in(app: Any, email: str, password: str) -> Any:
    return app.test_client().post("/connexion", data={"email": email, "password": password})


def test_throttling_counts_failures_made_on_every_instance(fresh_url: str, tmp_path: Path) -> None:
    moment = [dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)]
    clock = {"PIAL_CLOCK": lambda: moment[0]}
    first = make_app(fresh_url, tmp_path / "one", **clock)
    second = make_app(fresh_url, tmp_path / "two", **clock)
    try:
        _create_user(first, "jeanne@exemple.fr")
        for attempt in range(5):  # alternately on each worker, as behind a load balancer
            app = first if attempt % 2 == 0 else second
            answer = _sign_in(app, "jeanne@exemple.fr", "mauvais-mot-de-passe")
            assert answer.status_code == 200 and THROTTLED not in answer.get_data(as_text=True)
        refused = _sign_in(second, "jeanne@exemple.fr", TEST_PASSWORD)
        assert refused.status_code == 200
        assert THROTTLED in refused.get_data(as_text=True)
        assert THROTTLED in _sign_in(first, "JEANNE@exemple.fr", TEST_PASSWORD).get_data(
            as_text=True
        )
        moment[0] += dt.timedelta(minutes=16)  # the failures leave the window
        assert _sign_in(first, "jeanne@exemple.fr", TEST_PASSWORD).status_code == 302
    finally:
        get_database(first).engine.dispose()
        get_database(second).engine.dispose()


def _cookie_flags(response: Any) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name in cookie:
            found[name] = cookie
    return found


def test_session_and_remember_cookies_are_secure_in_production(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIAL_ENV", "production")
    app = make_app(fresh_url, tmp_path / "prod")
    try:
        assert app.config["PIAL_ENV"] == "production"
        _create_user(app, "paul@exemple.fr")
        answer = app.test_client().post(
            "/connexion",
            data={"email": "paul@exemple.fr", "password": TEST_PASSWORD, "remember": "y"},
            base_url="https://pial.test",
        )
        assert answer.status_code == 302
        cookies = _cookie_flags(answer)
        assert {"session", "pial_remember"} <= set(cookies)
        for name in ("session", "pial_remember"):
            morsel = cookies[name][name]
            assert morsel["secure"] is True, name
            assert morsel["httponly"] is True, name
            assert morsel["samesite"] == "Lax", name
    finally:
        get_database(app).engine.dispose()


def test_cookies_are_not_secure_outside_production(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIAL_ENV", "development")
    app = make_app(fresh_url, tmp_path / "dev")
    try:
        _create_user(app, "lea@exemple.fr")
        answer = _sign_in(app, "lea@exemple.fr", TEST_PASSWORD)
        morsel = _cookie_flags(answer)["session"]["session"]
        assert not morsel["secure"]
        assert morsel["httponly"] is True and morsel["samesite"] == "Lax"
    finally:
        get_database(app).engine.dispose()
