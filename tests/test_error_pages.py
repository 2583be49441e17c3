"""Error pages: every HTTP error in the user's language, inside the layout, with a way back."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, abort

from pial.access import PUBLIC, declare


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Real CSRF checks and a small upload limit, as in production."""
    return {"WTF_CSRF_ENABLED": True, "MAX_CONTENT_LENGTH": 1024}


@pytest.fixture
def failing_app(app: Flask) -> Flask:
    """The app with two test routes: one too often called (429), one that crashes (500)."""
    def too_many() -> str:
        abort(429)

    def crash() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/test-trop-de-demandes", "too_many", too_many)
    app.add_url_rule("/test-panne", "crash", crash)
    declare(app, {"too_many": PUBLIC, "crash": PUBLIC})
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def page_of(response: Any) -> str:
    """Return the body of a response as text."""
    return str(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("get", "/n-existe-pas", 404, "Page introuvable"),
        ("get", "/semaines/2026-W48/planning/clore", 405, "Action non permise"),
        ("post", "/compte/jetons-api/1/revocation", 400, "Demande incorrecte"),
        ("get", "/test-trop-de-demandes", 429, "Trop de demandes"),
        ("get", "/test-panne", 500, "Erreur du serveur"),
    ],
)
def test_error_pages_are_french_in_the_layout_with_a_way_back(
    failing_app: Flask, client: Any, login: Any, make_user: Any,
    method: str, path: str, status: int, title: str,
) -> None:
    if status == 400:
        failing_app.config["WTF_CSRF_ENABLED"] = False
        login(make_user("grower"))
        failing_app.config["WTF_CSRF_ENABLED"] = True  # the form below carries no token
    response = getattr(client, method)(path)
    html = page_of(response)
    assert response.status_code == status
    assert f"<h1 id=\"erreur-titre\">{title}</h1>" in html
    assert "Retour à l'accueil" in html and 'lang="fr"' in html
    assert "<header" in html or "<nav" in html  # inside the site's layout
    for english in ("Not Found", "Bad Request", "Method Not Allowed", "Internal Server Error",
                    "Too Many Requests", "boom"):
        assert english not in html


def test_too_large_a_request_is_explained(client: Any) -> None:
    response = client.post("/connexion", data={"email": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in page_of(response)


def test_a_forbidden_page_explains_in_french(
    app: Flask, client: Any, login: Any, make_user: Any
) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    login(make_user("grower"))
    response = client.get("/semaines")
    assert response.status_code == 403 and "Accès refusé" in page_of(response)


def test_error_pages_speak_the_browsers_language(client: Any) -> None:
    response = client.get("/n-existe-pas", headers={"Accept-Language": "en"})
    html = page_of(response)
    assert response.status_code == 404
    assert "Page not found" in html and "Back to the home page" in html


def test_a_stale_login_form_is_shown_again_in_french(client: Any) -> None:
    response = client.post("/connexion", data={"email": "a@b.fr", "password": "x",
                                               "csrf_token": "perime"}, follow_redirects=True)
    html = page_of(response)
    assert response.status_code == 200
    assert "Le formulaire de connexion avait expiré" in html
    assert "Bad Request" not in html and "Mot de passe" in html
