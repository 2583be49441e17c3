"""Sessions that end when people say so (issue 20): sign-out, password change, deactivation.

Each test replays what a thief would hold (a copied session cookie, a copied « remember me »
cookie) in a fresh browser and checks that it no longer signs anybody in.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pial.db import get_database, get_session
from pial.models import RememberToken
from tests.conftest import TEST_PASSWORD, IsolatedClient, make_app

NEW_PASSWORD = "les tomates de juillet"


def _sign_in(app: Flask, user: Any, *, remember: bool = False, ip: str = "192.0.2.10") -> Any:
    app.test_client_class = IsolatedClient  # no per-request cache shared between browsers
    client = app.test_client()
    data = {"email": user.email, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    answer = client.post("/connexion", data=data, environ_base={"REMOTE_ADDR": ip})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def _cookies(client: FlaskClient) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app: Flask, cookies: dict[str, str]) -> int:
    """Status of the home page for a new browser holding only ``cookies``."""
    app.test_client_class = IsolatedClient
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value, domain="pial.test")
    return int(thief.get("/").status_code)


def test_logout_ends_a_copied_session_cookie(app: Flask, make_user: Any, db: Any) -> None:
    client = _sign_in(app, make_user("grower"))
    stolen = {"session": _cookies(client)["session"]}
    assert _replay(app, stolen) == 200  # the copy works while the person is signed in
    client.post("/deconnexion")
    assert _replay(app, stolen) == 302


def test_logout_ends_the_remember_cookie_on_every_device(
    app: Flask, make_user: Any, db: Any
) -> None:
    user = make_user("lead")
    phone = _sign_in(app, user, remember=True)
    assert _count_tokens(user) == 1
    laptop = _sign_in(app, user)
    laptop.post("/deconnexion")
    assert _count_tokens(user) == 0  # every device's token ends with the generation
    assert _replay(app, {"pial_remember": _cookies(phone)["pial_remember"]}) == 302
    assert phone.get("/").status_code == 302  # the phone's session ended too


def _count_tokens(user: Any) -> int:
    return int(
        get_session().scalar(
            select(func.count(RememberToken.id)).where(RememberToken.user_id == user.id)
        )
        or 0
    )


def _use_remember(app: Flask, value: str) -> tuple[int, str | None]:
    """A new browser holding only the remember cookie: its status and the cookie it gets back."""
    app.test_client_class = IsolatedClient
    browser = app.test_client()
    browser.set_cookie("pial_remember", value, domain="pial.test")
    status = int(browser.get("/compte/langue").status_code)
    return status, _cookies(browser).get("pial_remember")


def test_the_remember_cookie_is_rotated_on_use_and_a_replayed_old_value_revokes_the_device(
    app: Flask, make_user: Any, db: Any
) -> None:
    user = make_user("grower")
    phone = _sign_in(app, user, remember=True)
    first = _cookies(phone)["pial_remember"]
    selector, _, validator = first.partition(":")
    stored = get_session().scalar(select(RememberToken).where(RememberToken.user_id == user.id))
    assert stored is not None and stored.selector == selector
    assert validator not in {stored.validator_hash, stored.previous_validator_hash}  # hashed

    status, second = _use_remember(app, first)
    assert status == 200 and second and second != first  # a new value on each use
    status, third = _use_remember(app, second)
    assert status == 200 and third and third not in {first, second}

    # the thief replays the value the owner's browser has just replaced
    assert _use_remember(app, second)[0] == 302
    assert _count_tokens(user) == 0  # reuse of a rotated value: the device's token is revoked
    assert _use_remember(app, third)[0] == 302  # the owner signs in again with the password
    assert _use_remember(app, first)[0] == 302


def test_a_stolen_remember_cookie_used_first_locks_out_the_thief_at_the_owners_next_use(
    app: Flask, make_user: Any, db: Any
) -> None:
    user = make_user("canteen")
    phone = _sign_in(app, user, remember=True)
    laptop = _sign_in(app, user, remember=True)
    stolen = _cookies(phone)["pial_remember"]
    status, thiefs = _use_remember(app, stolen)
    assert status == 200 and thiefs  # the thief got in once, with a new value
    assert _use_remember(app, stolen)[0] == 302  # the owner's (now old) value: theft detected
    assert _use_remember(app, thiefs)[0] == 302  # and the thief's value is revoked with it
    # the laptop's token is another device's: untouched
    assert _use_remember(app, _cookies(laptop)["pial_remember"])[0] == 200


def test_password_change_ends_other_sessions_but_keeps_this_one(
    app: Flask, make_user: Any, db: Any
) -> None:
    user = make_user("canteen")
    other = _sign_in(app, user, remember=True)
    stolen = _cookies(other)
    here = _sign_in(app, user)
    answer = here.post(
        "/mot-de-passe",
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
              "confirm": NEW_PASSWORD},
    )  # fmt: skip
    assert answer.status_code == 302
    assert here.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert _replay(app, {"pial_remember": stolen["pial_remember"]}) == 302
    assert _replay(app, {"session": stolen["session"]}) == 302


def test_the_new_password_must_differ(app: Flask, make_user: Any, db: Any) -> None:
    client = _sign_in(app, make_user("grower"))
    answer = client.post(
        "/mot-de-passe",
        data={"current_password": TEST_PASSWORD, "password": TEST_PASSWORD,
              "confirm": TEST_PASSWORD},
    )  # fmt: skip
    assert "Le nouveau mot de passe doit être différent de l'actuel." in html.unescape(
        answer.get_data(as_text=True)
    )


def test_deactivation_ends_sessions_for_good(app: Flask, make_user: Any, db: Any) -> None:
    lead, grower = make_user("lead"), make_user("grower")
    grower_client = _sign_in(app, grower, remember=True)
    stolen = _cookies(grower_client)
    lead_client = _sign_in(app, lead)
    lead_client.post(f"/admin/comptes/{grower.id}/activation", data={"active": "0"})
    db.expire_all()
    assert get_session().get(type(grower), grower.id).is_active is False
    lead_client.post(f"/admin/comptes/{grower.id}/activation", data={"active": "1"})
    db.expire_all()
    assert get_session().get(type(grower), grower.id).is_active is True
    # Reactivated, the account signs in again, but only with its password.
    assert _replay(app, {"pial_remember": stolen["pial_remember"]}) == 302
    assert _replay(app, {"session": stolen["session"]}) == 302


def test_sign_out_everywhere_from_the_account_page(app: Flask, make_user: Any, db: Any) -> None:
    user = make_user("grower")
    phone = _sign_in(app, user, remember=True)
    phones = _cookies(phone)["pial_remember"]
    here = _sign_in(app, user)
    page = here.get("/compte/langue").get_data(as_text=True)
    assert "Se déconnecter partout" in page
    answer = here.post("/deconnexion-partout", follow_redirects=True)
    assert "Vous êtes déconnecté sur tous vos appareils." in answer.get_data(as_text=True)
    assert here.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert "pial_remember" not in _cookies(phone)  # the refused cookie is removed
    assert _replay(app, {"pial_remember": phones}) == 302


def test_remember_cookie_lasts_30_days_and_is_renewed_on_use(
    app: Flask, make_user: Any, db: Any
) -> None:
    client = _sign_in(app, make_user("lead"), remember=True)
    remember = _cookies(client)["pial_remember"]
    cookie = next(c for c in client._cookies.values() if c.key == "pial_remember")
    assert cookie.expires is not None
    expires = cookie.expires if cookie.expires.tzinfo else cookie.expires.replace(tzinfo=dt.UTC)
    lifetime = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=29) < lifetime <= dt.timedelta(days=30)
    fresh = app.test_client()
    fresh.set_cookie("pial_remember", remember, domain="pial.test")
    answer = fresh.get("/")
    assert answer.status_code == 200
    renewed = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("pial_remember=")]
    assert renewed and "Expires=" in renewed[0]


def test_a_guesser_cannot_lock_the_owner_out(app: Flask, make_user: Any, db: Any) -> None:
    user = make_user("lead")
    attacker = app.test_client()
    for _ in range(8):
        attacker.post("/connexion", data={"email": user.email, "password": "mauvais"},
                      environ_base={"REMOTE_ADDR": "203.0.113.66"})  # fmt: skip
    refused = attacker.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD},
                            environ_base={"REMOTE_ADDR": "203.0.113.66"})  # fmt: skip
    assert "Trop de tentatives" in refused.get_data(as_text=True)  # the guesser is stopped
    _sign_in(app, user, ip="198.51.100.7")  # the owner, from their own address, signs in


def test_one_client_guessing_many_accounts_is_throttled(
    app: Flask, make_user: Any, db: Any
) -> None:
    from pial.auth.services import THROTTLE_MAX_PER_CLIENT

    users = [make_user("grower") for _ in range(THROTTLE_MAX_PER_CLIENT // 4 + 1)]
    attacker = app.test_client()
    answers = []
    for user in users:
        for _ in range(4):  # under each account's limit
            answer = attacker.post("/connexion", data={"email": user.email, "password": "x"},
                                   environ_base={"REMOTE_ADDR": "203.0.113.9"})  # fmt: skip
            answers.append("Trop de tentatives" in answer.get_data(as_text=True))
    assert answers.count(False) == THROTTLE_MAX_PER_CLIENT


def test_simultaneous_guesses_get_no_more_checks_than_the_limit(
    fresh_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    """40 guesses at once (threads, each with its own connection): at most 5 password checks."""
    from pial.auth import services
    from pial.auth.passwords import hash_password
    from pial.models import User

    application = make_app(fresh_url, tmp_path / "instance")
    checks: list[int] = []
    real_verify = services.verify_password

    def counting_verify(password_hash: str | None, password: str) -> bool:
        checks.append(1)
        return real_verify(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting_verify)
    try:
        with application.app_context():
            get_session().add(User(email="cible@exemple.fr", display_name="Cible", role="lead",
                                   password_hash=hash_password(TEST_PASSWORD)))  # fmt: skip
            get_session().commit()
        barrier = threading.Barrier(40)
        refused: list[str] = []

        def guess() -> None:
            with application.app_context():
                barrier.wait()
                try:
                    services.authenticate("cible@exemple.fr", "mauvais", "203.0.113.5")
                except services.AccountError as error:
                    refused.append(str(error))

        threads = [threading.Thread(target=guess) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert len(refused) == 40
        assert len(checks) == services.THROTTLE_MAX_FAILURES
    finally:
        get_database(application).engine.dispose()
