"""Personal API tokens: shown once, stored hashed, revocable, acting with the user's role."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from sqlalchemy import select

from pial.api.tokens import create_token, revoke_token, user_for_token
from pial.models import ApiToken


def test_a_token_is_stored_as_its_sha256_with_a_shown_prefix(db: Any, make_user: Any) -> None:
    user = make_user("grower")
    issued = create_token(user, "tableur de la ferme")
    stored = db.scalar(select(ApiToken).where(ApiToken.id == issued.token_id))
    assert stored.token_hash == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in (stored.token_hash, stored.prefix, stored.name)
    assert issued.secret.startswith(stored.prefix) and len(stored.prefix) < 16
    assert user_for_token(issued.secret) is user


def test_revoked_expired_and_inactive_tokens_no_longer_sign_in(
    app: Any, db: Any, make_user: Any
) -> None:
    user = make_user("canteen")
    revoked = create_token(user, "a")
    revoke_token(user, revoked.token_id)
    assert user_for_token(revoked.secret) is None
    expiring = create_token(user, "b", valid_days=1)
    app.config["PIAL_CLOCK"] = lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    assert user_for_token(expiring.secret) is None
    app.config["PIAL_CLOCK"] = None
    kept = create_token(user, "c")
    user.is_active = False
    db.flush()
    assert user_for_token(kept.secret) is None
    assert user_for_token("pial_" + "x" * 43) is None


def test_nobody_revokes_another_users_token(db: Any, make_user: Any) -> None:
    import pytest

    from pial.errors import NotFound

    owner, other = make_user("grower"), make_user("grower")
    issued = create_token(owner, "a")
    with pytest.raises(NotFound):
        revoke_token(other, issued.token_id)
    assert user_for_token(issued.secret) is owner


def test_token_page_shows_the_secret_once_then_only_its_prefix(
    client: Any, login: Any, make_user: Any, db: Any
) -> None:
    user = make_user("lead")
    login(user)
    page = client.post("/compte/jetons-api", data={"name": "script de suivi"})
    assert page.status_code == 200
    secret = re.search(r"pial_[A-Za-z0-9_-]{40,}", page.get_data(as_text=True))
    assert secret is not None
    listing = client.get("/compte/jetons-api").get_data(as_text=True)
    assert secret.group(0) not in listing
    assert secret.group(0)[:12] in listing and "script de suivi" in listing
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert client.post(f"/compte/jetons-api/{token.id}/revocation").status_code == 302
    db.refresh(token)
    assert token.revoked_dt is None  # the confirmation box was not ticked
    assert client.post(f"/compte/jetons-api/{token.id}/revocation",
                       data={"confirm": "y"}).status_code == 302
    db.refresh(token)
    assert token.revoked_dt is not None
    answer = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {secret.group(0)}"}
    )
    assert answer.status_code == 200  # the session cookie still signs this browser in
    fresh = client.application.test_client()
    refused = fresh.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(0)}"})
    assert refused.status_code == 401


def test_token_page_refuses_an_empty_name(client: Any, login: Any, make_user: Any) -> None:
    login(make_user("grower"))
    answer = client.post("/compte/jetons-api", data={"name": ""})
    assert answer.status_code == 422
    assert "pial_" not in answer.get_data(as_text=True)
