"""Scheduler bookkeeping (each job occurrence runs once) and the outgoing e-mail outbox."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import UTCDateTime, enum_check, enum_type, utcnow

if TYPE_CHECKING:
    from pial.models.users import User


class JobStatus(enum.StrEnum):
    """Where one occurrence of a scheduled job stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobRun(Base):
    """One occurrence of a scheduled job; the unique (job, time) makes it run exactly once."""

    __tablename__ = "job_runs"
    __table_args__ = (
        enum_check("status", JobStatus),
        UniqueConstraint("job_id", "scheduled_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100))
    scheduled_dt: Mapped[datetime] = mapped_column(UTCDateTime)  # the nominal fire time
    started_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[JobStatus] = mapped_column(enum_type(JobStatus), default=JobStatus.RUNNING)
    error: Mapped[str | None] = mapped_column(Text)
    duration_s: Mapped[float | None]
    # A running claim holds a lease that its process renews (heartbeat); once it has
    # expired (the process died), another process takes the run over and runs it again.
    lease_expires_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")


class OutboxStatus(enum.StrEnum):
    """Where an outgoing message stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after too many attempts


class OutboxMessage(Base):
    """An e-mail waiting to be sent (or sent); ``dedup_key`` stops the same notice twice."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        enum_check("status", OutboxStatus),
        Index("ix_outbox_messages_status_next_attempt_dt", "status", "next_attempt_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))  # e.g. "availability_reminder"
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_dt: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
