"""The audit log: who changed what, with the values before and after."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pial.db import Base
from pial.models.common import UTCDateTime, utcnow

if TYPE_CHECKING:
    from pial.models.users import User


class AuditLog(Base):
    """One audited action; ``before_json``/``after_json`` hold JSON text, ``entity_id`` text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity_type_entity_id", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64))  # verb, e.g. "publish_planning"
    entity_type: Mapped[str] = mapped_column(String(64))  # table name, e.g. "delivery_weeks"
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before_json: Mapped[str | None] = mapped_column(Text)  # JSON text
    after_json: Mapped[str | None] = mapped_column(Text)  # JSON text
    ip: Mapped[str | None] = mapped_column(String(45))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()
