"""Small helpers shared by the API endpoints: path checks and decimal formatting."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from pial.api.schemas import MAX_ID
from pial.errors import NotFound, PreconditionRequired, ServiceError

_ISO_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def actor() -> Any:
    """Return the signed-in user the request acts as (the policy already admitted them)."""
    return current_user._get_current_object()


def checked_week(iso_week: str) -> str:
    """Return ``iso_week`` if it is a plausible ``2026-W48`` label, else answer 404."""
    match = _ISO_WEEK.match(iso_week)
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 53:
        raise NotFound(
            _(
                "Semaine « %(iso_week)s » inconnue : écrivez-la comme 2026-W48.",
                iso_week=iso_week[:20],
            )
        )
    return iso_week


def checked_id(value: int, what: str | None = None) -> int:
    """Return an identifier that a database integer can hold, else answer 404."""
    if not 1 <= value <= MAX_ID:
        raise NotFound(_("%(what)s n'existe pas.", what=what or _("Cet enregistrement")))
    return value


def decimal_text(value: Decimal | None) -> str | None:
    """Write a decimal without exponent nor trailing zeros (12.500 → "12.5")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def documented_refusal(blueprint: Blueprint, description: str) -> Any:
    """Document the 422 an operation answers for a rule its schema cannot state."""
    from pial.api.schemas import ProblemOut

    return blueprint.alt_response(
        422, schema=ProblemOut, content_type="application/problem+json", description=description
    )


def api_blueprint(name: str, description: str) -> Blueprint:
    """Return an API blueprint under ``/api/v1`` with CSRF for session calls and problem errors."""
    from pial.api.authentication import protect_session_calls
    from pial.api.problems import handle_service_error

    blueprint = Blueprint(name, __name__, url_prefix="/api/v1", description=description)
    blueprint.before_request(protect_session_calls)
    blueprint.register_error_handler(ServiceError, handle_service_error)
    return blueprint


def expected_version(payload: dict[str, Any]) -> str:
    """Return the version a write is based on: ``version``, else If-Match; else answer 428."""
    if payload.get("version"):
        return str(payload["version"])
    header = request.headers.get("If-Match", "").strip()
    if header.startswith("W/"):
        header = header[2:]
    header = header.strip('"')
    if header and header != "*":
        return header
    raise PreconditionRequired(
        _(
            "Indiquez la version lue : « version » dans le corps, ou l'en-tête If-Match avec "
            "l'ETag reçu. Sans elle, vous pourriez effacer la saisie de quelqu'un d'autre."
        )
    )


IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 130},
    "description": "L'ETag du GET ; à défaut, « version » dans le corps. Sans l'un ni "
    "l'autre : 428.",
}
