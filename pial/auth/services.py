"""Sign-in, invitations and passwords: the account operations, each owning its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from pial.audit import record_audit
from pial.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from pial.clock import now as utcnow
from pial.db import get_session
from pial.errors import ServiceError
from pial.models import Invitation, LoginAttempt, Role, User

INVITATION_VALIDITY = dt.timedelta(days=7)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ServiceError):
    """An account operation was refused; the message is for the user (French)."""


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    """An invitation and its one-time token (shown once, stored only as a hash)."""

    invitation_id: int
    email: str
    token: str


def normalise_email(email: str) -> str:
    """Return the canonical (trimmed, lower-case) form of an email address."""
    return email.strip().lower()


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a one-time token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _recent_failures(email: str, now: dt.datetime) -> int:
    session = get_session()
    count = session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email_lower == email,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.attempted_dt >= now - THROTTLE_WINDOW,
        )
    )
    return int(count or 0)


def authenticate(email: str, password: str, ip: str | None = None) -> User:
    """Return the active user with these credentials, recording the attempt; else refuse."""
    session = get_session()
    email = normalise_email(email)
    now = utcnow()
    if _recent_failures(email, now) >= THROTTLE_MAX_FAILURES:
        raise AccountError(
            _("Trop de tentatives de connexion échouées : réessayez dans quelques minutes.")
        )
    user = session.scalar(select(User).where(User.email_lower == email))
    succeeded = (
        user is not None and user.is_active and verify_password(user.password_hash, password)
    )
    session.add(LoginAttempt(email_lower=email, ip=ip, attempted_dt=now, succeeded=succeeded))
    if not succeeded or user is None:
        session.commit()
        raise AccountError(_("Adresse e-mail ou mot de passe incorrect."))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_dt = now
    session.commit()
    return user


def create_invitation(
    created_by: User,
    email: str,
    role: str,
    farm_id: int | None = None,
    canteen_id: int | None = None,
    link_for: Callable[[str], str] | None = None,
) -> IssuedInvitation:
    """Invite ``email`` with ``role``; return the token to put in the link (never stored).

    With ``link_for`` (token → absolute URL), the invitation e-mail is queued in the same
    transaction, so it is sent if and only if the invitation exists.
    """
    session = get_session()
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        raise AccountError(_("Adresse e-mail invalide."))
    if role not in {r.value for r in Role}:
        raise AccountError(_("Rôle inconnu."))
    if role == Role.GROWER and not farm_id:
        raise AccountError(_("Un producteur doit être rattaché à une ferme."))
    if role == Role.CANTEEN and not canteen_id:
        raise AccountError(_("Un gestionnaire de cantine doit être rattaché à une cantine."))
    if session.scalar(select(User.id).where(User.email_lower == email)) is not None:
        raise AccountError(_("Un compte existe déjà pour cette adresse e-mail."))
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        email=email,
        role=role,
        farm_id=farm_id if role == Role.GROWER else None,
        canteen_id=canteen_id if role == Role.CANTEEN else None,
        token_hash=hash_token(token),
        created_by_id=created_by.id,
        created_dt=now,
        expires_dt=now + INVITATION_VALIDITY,
    )
    session.add(invitation)
    session.flush()
    record_audit(created_by, "invitation.create", invitation, after={"email": email, "role": role})
    if link_for is not None:
        from pial.notifications.messages import send_invitation

        send_invitation(email, link_for(token), created_by.display_name, invitation.id)
    session.commit()
    return IssuedInvitation(invitation_id=invitation.id, email=email, token=token)


def find_valid_invitation(token: str) -> Invitation:
    """Return the pending invitation of ``token``, or refuse with the reason."""
    invitation = get_session().scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise AccountError(_("Ce lien d'invitation n'est pas valide."))
    if invitation.consumed_dt is not None:
        raise AccountError(_("Ce lien d'invitation a déjà été utilisé."))
    if invitation.expires_dt < utcnow():
        raise AccountError(_("Ce lien d'invitation a expiré : demandez-en un nouveau."))
    return invitation


def accept_invitation(token: str, display_name: str, password: str) -> User:
    """Consume the invitation of ``token`` and create the account it promised."""
    session = get_session()
    invitation = find_valid_invitation(token)
    problems = password_problems(password, email=invitation.email)
    if problems:
        raise AccountError(" ".join(problems))
    if not display_name.strip():
        raise AccountError(_("Indiquez votre nom."))
    user = User(
        email=invitation.email,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=invitation.role,
        farm_id=invitation.farm_id,
        canteen_id=invitation.canteen_id,
        is_active=True,
    )
    session.add(user)
    invitation.consumed_dt = utcnow()
    session.flush()
    record_audit(user, "invitation.accept", invitation, after={"user_id": user.id})
    session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the user's password after checking the current one and the policy."""
    session = get_session()
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_("Le mot de passe actuel est incorrect."))
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(new_password)
    record_audit(user, "user.password_change", user)
    session.commit()
