"""People who sign in, how they are invited, their API tokens and the login throttle log."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from pial.db import Base
from pial.models.common import Timestamped, UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.canteens import Canteen
    from pial.models.farms import Farm

TOKEN_HASH_LENGTH = 64
"""Length of a SHA-256 hex digest, the stored form of every secret token."""


class Role(enum.StrEnum):
    """What a user is: the platform lead, a grower of a farm, or a canteen's buyer/cook."""

    LEAD = "lead"
    GROWER = "grower"
    CANTEEN = "canteen"


class User(Timestamped, Base):
    """A person who signs in; ``email_lower`` is the unique, case-insensitive login key."""

    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role),
        # A grower belongs to a farm, a canteen user to a canteen; nobody belongs to both.
        CheckConstraint("role != 'grower' OR farm_id IS NOT NULL", name="grower_has_farm"),
        CheckConstraint("role != 'canteen' OR canteen_id IS NOT NULL", name="canteen_has_canteen"),
        CheckConstraint("farm_id IS NULL OR canteen_id IS NULL", name="farm_or_canteen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    email_lower: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Null until the invitation is consumed (the user then chooses a password).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    role: Mapped[Role] = mapped_column(enum_type(Role))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id"), index=True)
    canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    is_active: Mapped[bool] = mapped_column(default=True)
    email_reminders: Mapped[bool] = mapped_column(default=True)
    email_planning: Mapped[bool] = mapped_column(default=True)
    email_alerts: Mapped[bool] = mapped_column(default=True)
    last_login_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Carried in every session and remember cookie (Flask-Login's ``get_id``): raising it
    # ends all of them, on every device (sign-out, password change, deactivation).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    farm: Mapped[Farm | None] = relationship(back_populates="users")
    canteen: Mapped[Canteen | None] = relationship(back_populates="users")
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @validates("email")
    def _set_email_lower(self, _key: str, email: str) -> str:
        """Keep ``email_lower`` in step with ``email``."""
        self.email_lower = email.strip().lower()
        return email.strip()

    # The session protocol of Flask-Login, spelled out so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        """A stored user is always an authenticated one (anonymous users are not rows)."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """A stored user is never anonymous."""
        return False

    def get_id(self) -> str:
        """Return what Flask-Login keeps in the session and the remember cookie.

        The session generation travels with the id: once it is raised, every session and
        remember cookie issued before no longer loads anybody.
        """
        return f"{self.id}:{self.session_generation or 0}"


class InvitationPurpose(enum.StrEnum):
    """Why a one-time link was sent."""

    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"


class Invitation(Base):
    """A one-time link (invitation or password reset); only the token's SHA-256 is stored."""

    __tablename__ = "invitations"
    __table_args__ = (
        enum_check("role", Role),
        enum_check("purpose", InvitationPurpose),
        CheckConstraint("farm_id IS NULL OR canteen_id IS NULL", name="farm_or_canteen"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[InvitationPurpose] = mapped_column(
        enum_type(InvitationPurpose), default=InvitationPurpose.INVITATION
    )
    email: Mapped[str] = mapped_column(String(254), index=True)  # stored lowered
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    farm_id: Mapped[int | None] = mapped_column(ForeignKey("farms.id", ondelete="CASCADE"))
    canteen_id: Mapped[int | None] = mapped_column(ForeignKey("canteens.id", ondelete="CASCADE"))
    # The account created (invitation) or concerned (reset), once known.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    farm: Mapped[Farm | None] = relationship()
    canteen: Mapped[Canteen | None] = relationship()


class ApiToken(Base):
    """A named bearer token of a user for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # first characters, shown to recognise it
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")


class LoginAttempt(Base):
    """One sign-in attempt, kept to throttle guessing per address and per IP."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_lower_attempted_dt", "email_lower", "attempted_dt"),
        Index("ix_login_attempts_ip_attempted_dt", "ip", "attempted_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email_lower: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(45))
    attempted_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)


class LoginThrottle(Base):
    """Failed sign-ins counted per key (a client address, or an account from one address).

    The counter is taken with one atomic UPDATE … RETURNING before the password is checked,
    so concurrent guesses never get more checks than the limit, on SQLite as on PostgreSQL.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(320), primary_key=True)
    window_start_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=0)


class RememberToken(Base):
    """A device's « rester connecté » cookie: ``selector:validator``, only the validator hashed.

    The validator changes each time the cookie signs somebody in; ``previous_validator_hash``
    recognises a replay of the value just replaced (a stolen copy), which revokes the device.
    ``generation`` is the user's session generation at issue: a change ends every token.
    """

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    selector: Mapped[str] = mapped_column(String(32), unique=True)
    validator_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH))
    previous_validator_hash: Mapped[str | None] = mapped_column(String(TOKEN_HASH_LENGTH))
    generation: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInLink(Base):
    """A one-time sign-in link e-mailed to the owner of an account guessed at from many places.

    Once an account has too many failed sign-ins (any address), its password alone no longer
    signs in; this link, with the right password, still does. Only the token's SHA-256 is kept.
    """

    __tablename__ = "signin_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    used_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
