"""Guessing one account from many addresses (issue 20): the password alone stops working, the
owner gets a one-time sign-in link by e-mail (real SMTP) and, with the password, still gets in.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from pial.auth.services import ACCOUNT_MAX_ATTEMPTS, THROTTLE_MAX_FAILURES
from pial.db import get_session
from pial.models import SignInLink
from pial.notifications import deliver_outbox
from tests.conftest import TEST_PASSWORD, IsolatedClient

LOCKED = "le mot de passe seul ne suffit plus"


def _browser(app: Flask) -> Any:
    app.test_client_class = IsolatedClient
    return app.test_client()


def _attempt(app: Flask, email: str, password: str, ip: str) -> Any:
    return _browser(app).post("/connexion", data={"email": email, "password": password},
                              environ_base={"REMOTE_ADDR": ip})  # fmt: skip


def _guess_from_many_addresses(app: Flask, email: str) -> None:
    for number in range(ACCOUNT_MAX_ATTEMPTS):
        answer = _attempt(app, email, f"devinette {number}", f"203.0.113.{number + 1}")
        assert "incorrect" in html.unescape(answer.get_data(as_text=True))


def _text(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def test_guessing_from_many_addresses_needs_the_emailed_link_and_the_password(
    app: Flask, make_user: Any, db: Any, smtp_server: Any
) -> None:
    user = make_user("grower")
    assert ACCOUNT_MAX_ATTEMPTS // THROTTLE_MAX_FAILURES >= 2  # no single address is stopped
    _guess_from_many_addresses(app, user.email)

    # The right password alone, even from the owner's own address, no longer signs in.
    owner = _attempt(app, user.email, TEST_PASSWORD, "198.51.100.7")
    assert owner.status_code == 200 and LOCKED in html.unescape(owner.get_data(as_text=True))
    # A guesser who finds the password gets no further, and no second e-mail is sent.
    thief = _attempt(app, user.email, TEST_PASSWORD, "203.0.113.200")
    assert LOCKED in html.unescape(thief.get_data(as_text=True))
    assert _browser(app).get("/compte/langue").status_code == 302

    deliver_outbox()
    messages = [m for m in smtp_server.messages() if m["To"] == user.email]
    assert len(messages) == 1
    body = _text(messages[0])
    match = re.search(r"https?://\S+/connexion/lien/(\S+)", body)
    assert match, body
    link = "/connexion/lien/" + match[1]

    browser = _browser(app)
    page = browser.get(link)
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    wrong = browser.post(link, data={"password": "devinette"})
    assert "Mot de passe incorrect." in html.unescape(wrong.get_data(as_text=True))
    signed_in = browser.post(link, data={"password": TEST_PASSWORD})
    assert signed_in.status_code == 302
    assert browser.get("/compte/langue").status_code == 200

    # One time only; and the account's password works alone again for its owner.
    again = _browser(app).get(link)
    assert again.status_code == 410
    assert _attempt(app, user.email, TEST_PASSWORD, "198.51.100.7").status_code == 302
    stored = get_session().scalars(select(SignInLink).where(SignInLink.user_id == user.id)).all()
    assert len(stored) == 1 and stored[0].used_dt is not None
    assert match[1] != stored[0].token_hash  # only the hash is kept


def test_guesses_alone_send_no_email_and_a_forged_link_is_refused(
    app: Flask, make_user: Any, db: Any, smtp_server: Any
) -> None:
    user = make_user("canteen")
    _guess_from_many_addresses(app, user.email)
    _attempt(app, user.email, "encore faux", "203.0.113.250")
    deliver_outbox()
    assert [m for m in smtp_server.messages() if m["To"] == user.email] == []
    assert _browser(app).get("/connexion/lien/pas-un-vrai-lien").status_code == 410


def test_an_owner_signing_in_often_is_never_asked_for_a_link(
    app: Flask, make_user: Any, db: Any, smtp_server: Any
) -> None:
    user = make_user("lead")
    # Many sign-ins within the window, from the office and the phone: each one succeeds.
    for number in range(3 * ACCOUNT_MAX_ATTEMPTS):
        answer = _attempt(app, user.email, TEST_PASSWORD, f"198.51.100.{number % 2 + 1}")
        assert answer.status_code == 302, html.unescape(answer.get_data(as_text=True))
    # Guesses still count, successes between them or not.
    for number in range(ACCOUNT_MAX_ATTEMPTS - 1):
        _attempt(app, user.email, f"devinette {number}", f"203.0.113.{number + 1}")
        assert _attempt(app, user.email, TEST_PASSWORD, "198.51.100.1").status_code == 302
    _attempt(app, user.email, "devinette", "203.0.113.99")
    owner = _attempt(app, user.email, TEST_PASSWORD, "198.51.100.1")
    assert LOCKED in html.unescape(owner.get_data(as_text=True))
