"""Personal API tokens: created by a user, shown once, stored as a SHA-256 hash, revocable."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from pial.audit import record_audit
from pial.auth.services import hash_token
from pial.clock import now as utcnow
from pial.db import get_session
from pial.errors import InvalidInput, NotFound
from pial.models import ApiToken, User

TOKEN_PREFIX = "pial_"
SHOWN_PREFIX_LENGTH = 12  # "pial_" and 7 random characters: enough to recognise a token
MAX_ACTIVE_TOKENS = 20
LAST_USED_RESOLUTION = dt.timedelta(minutes=10)  # write last_used_dt at most this often


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token and its secret, which is shown once and never stored."""

    token_id: int
    name: str
    prefix: str
    secret: str


def list_tokens(user: User) -> list[ApiToken]:
    """Return the user's tokens, the active ones first, the latest first."""
    return list(
        get_session().scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(
                ApiToken.revoked_dt.is_not(None), ApiToken.created_dt.desc(), ApiToken.id.desc()
            )
        )
    )


def create_token(user: User, name: str, valid_days: int | None = None) -> IssuedToken:
    """Create a token acting as ``user`` (same role, same farm or canteen); return its secret."""
    session = get_session()
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Donnez un nom au jeton."), {"name": [_("Indiquez un nom.")]})
    if len(name) > 100:
        raise InvalidInput(_("Nom trop long."), {"name": [_("100 caractères au plus.")]})
    if valid_days is not None and not 1 <= valid_days <= 3660:
        raise InvalidInput(
            _("Durée de validité invalide."), {"valid_days": [_("Entre 1 et 3660 jours.")]}
        )
    active = [token for token in list_tokens(user) if token.revoked_dt is None]
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(
            _(
                "Vous avez déjà %(max_active_tokens)s jetons actifs : révoquez-en un d'abord.",
                max_active_tokens=MAX_ACTIVE_TOKENS,
            ),
            {"name": [_("Trop de jetons actifs.")]},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        created_dt=now,
        expires_dt=now + dt.timedelta(days=valid_days) if valid_days else None,
    )
    session.add(token)
    session.flush()
    record_audit(user, "api_token.create", token, after={"name": name, "prefix": token.prefix})
    session.commit()
    return IssuedToken(token.id, name, token.prefix, secret)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (idempotent); another user's token is not found."""
    session = get_session()
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(_("Ce jeton n'existe pas."))
    if token.revoked_dt is None:
        token.revoked_dt = utcnow()
        record_audit(user, "api_token.revoke", token, after={"prefix": token.prefix})
        session.commit()
    return token


def user_for_token(secret: str) -> User | None:
    """Return the active user of a valid, unrevoked, unexpired token; note its use."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    session = get_session()
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is None or token.revoked_dt is not None:
        return None
    if token.expires_dt is not None and token.expires_dt <= now:
        return None
    user = token.user
    if not user.is_active:
        return None
    if token.last_used_dt is None or now - token.last_used_dt >= LAST_USED_RESOLUTION:
        # End the read first: on SQLite a GET request reads in a deferred transaction, and a
        # transaction that starts with this write waits for the lock instead of failing.
        session.commit()
        token.last_used_dt = now
        session.commit()
    return user
