"""The interface language is a preference saved on the person's account."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session


def test_choosing_english_saves_it_and_switches_the_interface(
    client: Any, db: Session, make_user: Any, login: Any
) -> None:
    user = make_user("lead")
    login(user)
    page = client.get("/compte/langue").get_data(as_text=True)
    assert '<input checked id="locale-0" name="locale" type="radio" value="fr">' in page

    response = client.post("/compte/langue", data={"locale": "en"})
    assert response.status_code == 302
    db.refresh(user)
    assert user.locale == "en"
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_an_unknown_language_is_refused_next_to_the_field(
    client: Any, db: Session, make_user: Any, login: Any
) -> None:
    user = make_user("lead")
    login(user)
    response = client.post("/compte/langue", data={"locale": "de"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="locale-errors"' in page
    db.refresh(user)
    assert user.locale == "fr"
