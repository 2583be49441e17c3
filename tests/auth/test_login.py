"""Sign-in, sign-out, throttling and password changes through HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.conftest import TEST_PASSWORD


def test_login_page_is_public_and_in_french(client: Any) -> None:
    response = client.get("/connexion")
    assert response.status_code == 200
    assert "Connexion" in response.get_data(as_text=True)


def test_home_requires_sign_in(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_login_with_good_password_then_logout(client: Any, make_user: Any) -> None:
    user = make_user("grower", email="Anne.Martin@Exemple.fr")
    response = client.post(
        "/connexion", data={"email": "anne.martin@exemple.fr", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert user.display_name in client.get("/").get_data(as_text=True)

    assert client.post("/deconnexion").status_code == 302
    assert client.get("/").status_code == 302


def test_logout_is_not_a_get(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("lead"))
    assert client.get("/deconnexion").status_code == 405
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_french_message(client: Any, make_user: Any) -> None:
    user = make_user("lead")
    response = client.post("/connexion", data={"email": user.email, "password": "mauvais"})
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_sign_in(client: Any, make_user: Any) -> None:
    user = make_user("lead", is_active=False)
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_failed_attempts_are_throttled_in_the_database(
    client: Any, make_user: Any, db: Any
) -> None:
    from pial.models import LoginAttempt

    user = make_user("lead")
    for _ in range(5):
        client.post("/connexion", data={"email": user.email, "password": "pas-le-bon"})
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    attempts = db.scalars(select(LoginAttempt).where(LoginAttempt.email_lower == user.email_lower))
    assert len(list(attempts)) == 5  # the throttled attempt is refused before being counted


def test_open_redirect_is_refused(client: Any, make_user: Any) -> None:
    user = make_user("lead")
    response = client.post(
        "/connexion?next=https://evil.example/",
        data={"email": user.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"].endswith("/")
    assert "evil" not in response.headers["Location"]


def test_change_password(client: Any, make_user: Any, login: Any) -> None:
    user = make_user("grower")
    login(user)
    refused = client.post(
        "/mot-de-passe",
        data={"current_password": TEST_PASSWORD, "password": "azerty123", "confirm": "azerty123"},
    )
    assert "au moins 10 caractères" in refused.get_data(as_text=True)
    accepted = client.post(
        "/mot-de-passe",
        data={
            "current_password": TEST_PASSWORD,
            "password": "les tomates de juillet",
            "confirm": "les tomates de juillet",
        },
    )
    assert accepted.status_code == 302
    client.post("/deconnexion")
    login(user, password="les tomates de juillet")


def test_password_hashes_are_argon2(make_user: Any) -> None:
    user = make_user("lead")
    assert user.password_hash.startswith("$argon2id$")
