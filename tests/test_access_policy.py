"""The central access policy covers every route and denies by default."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from pial.access import policy
from tests.conftest import TEST_PASSWORD


def test_every_route_has_an_access_rule(app: Any) -> None:
    table = policy(app)
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint not in table
    )
    assert missing == [], f"routes without an access rule: {missing}"


def test_a_route_without_rule_is_refused(database_url: str, tmp_path: Any) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path / "instance")
    stray = Blueprint("stray", __name__)
    stray.add_url_rule("/stray", "page", lambda: "secret")
    app.register_blueprint(stray)
    assert app.test_client().get("/stray").status_code == 403


def test_security_headers(client: Any) -> None:
    response = client.get("/connexion")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced_on_forms(database_url: str, tmp_path: Any, make_user: Any) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path / "instance2", WTF_CSRF_ENABLED=True)
    user = make_user("grower")
    client = app.test_client()
    # A sign-in without its token is refused: the form comes back (with a French message, see
    # tests/test_error_pages.py), and nobody is signed in. Other forms answer 400 (same file).
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"].endswith("/connexion")
    assert client.get("/").status_code in (302, 303)
