"""« Rester connecté » : one token per device, rotated each time it signs somebody in.

The cookie holds ``selector:validator``; only the validator's SHA-256 is stored. Each use
issues a new validator (the old value is refused at once); a replay of the value just
replaced means two holders — the device's token is revoked, so the thief and the owner
both sign in again. A token also ends when the user's session generation changes
(sign-out, password change, deactivation) and 30 days after its last use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from flask import g
from sqlalchemy import delete, select, update

from pial.audit import record_audit
from pial.clock import now
from pial.db import get_session
from pial.models import RememberToken, User

COOKIE_NAME = "pial_remember"
LIFETIME = dt.timedelta(days=30)


def set_cookie(value: str | None) -> None:
    """Send this device's cookie with the answer (None: remove it); see pial.auth.init_app."""
    g.pial_remember = value or ""


def _hash(validator: str) -> str:
    return hashlib.sha256(validator.encode()).hexdigest()


def issue(user: User) -> str:
    """Create a token for a new device of ``user``; return the cookie value (never stored)."""
    session = get_session()
    selector, validator = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
    moment = now()
    session.add(
        RememberToken(
            user_id=user.id,
            selector=selector,
            validator_hash=_hash(validator),
            generation=user.session_generation or 0,
            created_dt=moment,
            expires_dt=moment + LIFETIME,
        )
    )
    session.commit()
    return f"{selector}:{validator}"


def use(value: str) -> tuple[User, str] | None:
    """Return the user a cookie value signs in and the device's new value, or None.

    A refused value whose selector is known (a rotated value replayed, a forged validator, an
    expired token, a changed generation) deletes the device's token.
    """
    selector, _, validator = value.partition(":")
    if not selector or not validator or len(selector) > 32 or len(validator) > 100:
        return None
    session = get_session()
    token = session.scalar(select(RememberToken).where(RememberToken.selector == selector))
    if token is None:
        return None
    user = session.get(User, token.user_id)
    presented = _hash(validator)
    moment = now()
    valid = (
        user is not None
        and user.is_active
        and (user.session_generation or 0) == token.generation
        and token.expires_dt > moment
        and hmac.compare_digest(presented, token.validator_hash)
    )
    if valid and user is not None:
        new_validator = secrets.token_urlsafe(32)
        # Atomic: of two requests presenting the same value, only one rotates it.
        rotated = session.execute(
            update(RememberToken)
            .where(RememberToken.id == token.id, RememberToken.validator_hash == presented)
            .values(
                validator_hash=_hash(new_validator),
                previous_validator_hash=presented,
                last_used_dt=moment,
                expires_dt=moment + LIFETIME,
            )
        )
        if getattr(rotated, "rowcount", 0) == 1:
            session.commit()
            return user, f"{selector}:{new_validator}"
    if user is not None and token.previous_validator_hash is not None and hmac.compare_digest(
        presented, token.previous_validator_hash
    ):
        record_audit(None, "user.remember_replayed", user, after={"selector": selector})
    session.execute(delete(RememberToken).where(RememberToken.id == token.id))
    session.commit()
    return None


def revoke_all(user: User) -> None:
    """Delete every remember token of ``user`` (the caller commits)."""
    get_session().execute(delete(RememberToken).where(RememberToken.user_id == user.id))
