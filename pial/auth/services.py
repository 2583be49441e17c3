"""Sign-in, invitations and passwords: the account operations, each owning its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from pial.audit import record_audit
from pial.auth import remember
from pial.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from pial.clock import now as utcnow
from pial.db import get_session
from pial.errors import ServiceError
from pial.models import Invitation, LoginAttempt, LoginThrottle, Role, SignInLink, User

INVITATION_VALIDITY = dt.timedelta(days=7)
THROTTLE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_MAX_FAILURES = 5  # per account from one client address
THROTTLE_MAX_PER_CLIENT = 20  # per client address, all accounts together
ACCOUNT_MAX_ATTEMPTS = 10  # per account, all addresses together; then a link is needed
SIGNIN_LINK_LIFETIME = dt.timedelta(hours=1)
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


def _throttle_keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    """Return the counters a sign-in attempt goes through, with their limits.

    Guesses are counted per client address, and per account from that address: somebody
    guessing from their machine locks out only that machine, never the owner signing in from
    theirs. A client address guessing at many accounts is stopped by its own counter.
    """
    client = ip or "?"
    return [
        (f"ip:{client}", THROTTLE_MAX_PER_CLIENT),
        (f"account:{email}|{client}", THROTTLE_MAX_FAILURES),
    ]


def _take_attempt(key: str, limit: int, now: dt.datetime) -> bool:
    """Count one attempt against ``key`` atomically; False when the limit is already reached.

    One UPDATE … RETURNING per key, so two concurrent guesses can never both read « 4 » and
    both check a password: the database serialises the increments (SQLite and PostgreSQL).
    """
    session = get_session()
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, window_start_dt=now, failures=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    expired = LoginThrottle.window_start_dt < now - THROTTLE_WINDOW
    count = session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=case((expired, 1), else_=LoginThrottle.failures + 1),
            window_start_dt=case((expired, now), else_=LoginThrottle.window_start_dt),
        )
        .returning(LoginThrottle.failures)
    ).scalar_one()
    return int(count) <= limit


def _forget_attempt(client_key: str, account_key: str, account_any_key: str) -> None:
    """After a success: the account's counter from this address restarts; the client's and
    the account's across all addresses keep only failures, so that an owner who signs in
    often (several devices, a shared desk) is never taken for a guesser."""
    session = get_session()
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key))
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_([client_key, account_any_key]), LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )


def authenticate(
    email: str,
    password: str,
    ip: str | None = None,
    link_for: Callable[[str], str] | None = None,
) -> User:
    """Return the active user with these credentials, recording the attempt; else refuse.

    Each attempt is counted (and committed) before the password is checked; a success clears
    the account's counter for this client address. Past ``ACCOUNT_MAX_ATTEMPTS`` on the
    account from all addresses together, the right password no longer suffices: the owner is
    e-mailed a one-time link (``link_for``: token → URL) that, with the password, signs in.
    """
    session = get_session()
    email = normalise_email(email)
    now = utcnow()
    keys = _throttle_keys(email, ip)
    allowed = all([_take_attempt(key, limit, now) for key, limit in keys])
    account_any_key = f"account-any:{email}"
    account_open = _take_attempt(account_any_key, ACCOUNT_MAX_ATTEMPTS, now)
    session.commit()
    if not allowed:
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
    if not account_open:
        _send_signin_link(user, now, link_for)
        session.commit()
        raise AccountError(
            _(
                "Ce compte a reçu trop de tentatives de connexion : par sécurité, le mot de passe "
                "seul ne suffit plus. Un lien de connexion vient d'être envoyé à son adresse "
                "e-mail ; ouvrez-le et saisissez votre mot de passe."
            )
        )
    _forget_attempt(keys[0][0], keys[1][0], account_any_key)
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_dt = now
    session.commit()
    return user


def _send_signin_link(
    user: User, now: dt.datetime, link_for: Callable[[str], str] | None
) -> None:
    """Queue a one-time sign-in link for ``user`` unless one sent recently is still unused."""
    from pial.notifications.messages import send_signin_link

    session = get_session()
    pending = session.scalar(
        select(SignInLink.id).where(
            SignInLink.user_id == user.id,
            SignInLink.used_dt.is_(None),
            SignInLink.expires_dt > now + SIGNIN_LINK_LIFETIME - THROTTLE_WINDOW,
        )
    )
    if pending is not None or link_for is None:
        return  # at most one e-mail per throttle window: guessing cannot flood the mailbox
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        user_id=user.id, token_hash=hash_token(token), created_dt=now,
        expires_dt=now + SIGNIN_LINK_LIFETIME,
    )
    session.add(link)
    session.flush()
    send_signin_link(user, link_for(token), link.id)


def find_signin_link(token: str) -> SignInLink:
    """Return the unused, unexpired sign-in link of ``token``; else refuse."""
    link = get_session().scalar(
        select(SignInLink).where(SignInLink.token_hash == hash_token(token))
    )
    if link is None or link.used_dt is not None or link.expires_dt <= utcnow():
        raise AccountError(
            _("Ce lien de connexion n'est plus valable : connectez-vous pour en recevoir un autre.")
        )
    return link


def sign_in_with_link(token: str, password: str, ip: str | None = None) -> User:
    """Sign in with a one-time link and the account's password; the link is then used up."""
    session = get_session()
    now = utcnow()
    allowed = _take_attempt(f"ip:{ip or '?'}", THROTTLE_MAX_PER_CLIENT, now)
    session.commit()
    if not allowed:
        raise AccountError(
            _("Trop de tentatives de connexion échouées : réessayez dans quelques minutes.")
        )
    link = find_signin_link(token)
    user = session.get(User, link.user_id)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        raise AccountError(_("Mot de passe incorrect."))
    link.used_dt = now
    session.execute(
        delete(LoginThrottle).where(LoginThrottle.key == f"account-any:{user.email_lower}")
    )
    user.last_login_dt = now
    record_audit(user, "user.signin_link", user)
    session.commit()
    return user


def end_all_sessions(user: User) -> None:
    """End every session and remember cookie of ``user``, on every device."""
    session = get_session()
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
    )
    remember.revoke_all(user)
    record_audit(user, "user.sessions_end", user)
    session.commit()
    session.refresh(user)


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
    if new_password == current_password:
        raise AccountError(_("Le nouveau mot de passe doit être différent de l'actuel."))
    problems = password_problems(new_password, email=user.email)
    if problems:
        raise AccountError(" ".join(problems))
    user.password_hash = hash_password(new_password)
    user.password_changed_dt = utcnow()
    # Every other session and remember cookie ends; the route signs this one in again.
    user.session_generation = (user.session_generation or 0) + 1
    remember.revoke_all(user)
    record_audit(user, "user.password_change", user)
    session.commit()
