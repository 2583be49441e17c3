"""The audit log: who changed what, when, with the values before and after."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from flask import has_request_context, request

from pial.actors import Actor
from pial.db import get_session
from pial.models import AuditLog


def _jsonable(values: Mapping[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)


def record_audit(
    actor: Actor,
    action: str,
    entity: Any,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add an audit entry to the current transaction (the caller commits)."""
    get_session().add(
        AuditLog(
            actor_id=actor.id if actor is not None else None,
            action=action,
            entity_type=type(entity).__name__,
            entity_id=str(getattr(entity, "id", "") or ""),
            before_json=_jsonable(before),
            after_json=_jsonable(after),
            created_dt=dt.datetime.now(dt.UTC),
            ip=request.remote_addr if has_request_context() else None,
        )
    )
