"""Errors of the API as RFC 9457 problem details, titled in the user's language (fr/en)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, current_app, json, request
from flask_babel import get_locale
from werkzeug.exceptions import HTTPException

from pial.error_pages import render_http_error, render_unexpected_error
from pial.errors import InvalidInput, ServiceError, StaleRecord

PROBLEM_MIMETYPE = "application/problem+json"

# status: (French title, English title, English detail when the error carries none)
_TITLES: dict[int, tuple[str, str, str]] = {
    400: ("Requête incorrecte", "Bad request", "The request could not be understood."),
    401: (
        "Authentification requise",
        "Authentication required",
        "Send a valid personal API token as 'Authorization: Bearer <token>'.",
    ),
    403: ("Accès refusé", "Forbidden", "You may not do this with your role or to this record."),
    404: ("Introuvable", "Not found", "This resource does not exist."),
    405: ("Méthode non permise", "Method not allowed", "This method is not allowed here."),
    409: (
        "Conflit",
        "Conflict",
        "The record changed meanwhile or its state forbids this action; nothing was saved.",
    ),
    428: (
        "Précondition requise",
        "Precondition required",
        "Send the version you read ('version' in the body, or If-Match with the ETag).",
    ),
    413: ("Requête trop volumineuse", "Payload too large", "The request body is too large."),
    415: ("Type de contenu non pris en charge", "Unsupported media type", "Send JSON."),
    422: ("Données invalides", "Invalid data", "Some fields are invalid; see 'errors'."),
    500: ("Erreur interne", "Internal error", "Something went wrong on our side."),
}

_FRENCH_DETAILS: dict[int, str] = {
    400: "La requête n'a pas pu être comprise.",
    401: "Envoyez un jeton d'API personnel valide : « Authorization: Bearer <jeton> ».",
    403: "Votre rôle ne permet pas cette action, ou pas sur cet enregistrement.",
    404: "Cette ressource n'existe pas.",
    405: "Cette méthode n'est pas permise ici.",
    409: "L'enregistrement a changé entre-temps ou son état interdit cette action.",
    413: "Le corps de la requête est trop volumineux.",
    428: "Envoyez la version lue (« version » dans le corps, ou If-Match avec l'ETag).",
    415: "Envoyez du JSON.",
    422: "Certains champs sont invalides : voir « errors ».",
    500: "Une erreur s'est produite de notre côté.",
}

# marshmallow's English messages, in French for French-speaking users.
_FRENCH_FIELD_MESSAGES = {
    "Missing data for required field.": "Champ obligatoire.",
    "Not a valid integer.": "Nombre entier attendu.",
    "Not a valid number.": "Nombre attendu.",
    "Not a valid string.": "Texte attendu.",
    "Not a valid date.": "Date attendue (AAAA-MM-JJ).",
    "Not a valid datetime.": "Date et heure attendues.",
    "Not a valid boolean.": "Booléen attendu (true/false).",
    "Not a valid list.": "Liste attendue.",
    "Invalid input type.": "Type de valeur invalide.",
    "Unknown field.": "Champ inconnu.",
    "Field may not be null.": "Ce champ ne peut pas être vide (null).",
    "Special numeric values (nan or infinity) are not permitted.": "Nombre fini attendu.",
}


def is_api_request() -> bool:
    """Tell whether the current request addresses the JSON API."""
    return request.path.startswith("/api/")


def _speaks_french() -> bool:
    return str(get_locale() or "fr").startswith("fr")


def _french_messages(value: Any) -> Any:
    """Translate marshmallow's messages (nested dicts and lists) into French."""
    if isinstance(value, str):
        if value in _FRENCH_FIELD_MESSAGES:
            return _FRENCH_FIELD_MESSAGES[value]
        if value.startswith("Must be greater than or equal to"):
            bound = value.split("to", 1)[1].strip().rstrip(".")
            return f"Valeur trop petite : {bound} au minimum."
        if value.startswith("Must be less than or equal to") or value.startswith("Must be between"):
            return "Valeur hors des bornes permises (" + value + ")."
        if value.startswith("Length must be") or value.startswith("Longer than"):
            return "Longueur invalide (" + value + ")."
        if value.startswith("Must be one of"):
            return "Valeur non permise (" + value + ")."
        return value
    if isinstance(value, Mapping):
        return {key: _french_messages(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_french_messages(item) for item in value]
    return value


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    errors: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Return a problem-details answer; ``detail`` is a service's message in the user's language."""
    french_title, english_title, english_detail = _TITLES.get(
        status, ("Erreur", "Error", "The request failed.")
    )
    french = _speaks_french()
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": french_title if french else english_title,
        "status": status,
        "detail": detail
        or (_FRENCH_DETAILS.get(status, french_title) if french else english_detail),
    }
    if errors:
        body["errors"] = _french_messages(dict(errors)) if french else dict(errors)
    if extra:
        body.update(extra)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers["Content-Language"] = "fr" if french else "en"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten_webargs_errors(messages: Any) -> dict[str, Any]:
    """Merge webargs' {location: {field: [...]}} into {field: [...]}."""
    if not isinstance(messages, Mapping):
        return {"_": messages}
    merged: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, Mapping):
            merged.update({str(name): value for name, value in fields.items()})
        else:
            merged[str(location)] = fields
    return merged


def handle_http_exception(error: HTTPException) -> Any:
    """Answer HTTP errors of the API as problem details; the pages' errors get a page."""
    if not is_api_request() or error.code is None:
        return render_http_error(error)
    data = getattr(error, "data", None) or {}
    errors = None
    if "messages" in data:
        errors = _flatten_webargs_errors(data["messages"])
    headers = {}
    if error.code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="pial"'
    valid_methods = getattr(error, "valid_methods", None)
    if error.code == 405 and valid_methods:
        headers["Allow"] = ", ".join(valid_methods)
    return problem_response(error.code, errors=errors, headers=headers)


def handle_service_error(error: ServiceError) -> Response:
    """Answer a refusal of a service with its status and message (translated when raised)."""
    from pial.weeks.saving import StaleVersion

    errors = error.field_errors if isinstance(error, InvalidInput) else None
    extra: dict[str, Any] | None = None
    if isinstance(error, StaleRecord):
        extra = {"current_version": error.current_version, "current": {
            key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in error.current.items()
        }}
    if isinstance(error, StaleVersion):
        extra = {
            "current_version": error.current_version,
            "changed_by": error.changed_by,
            "changed_dt": error.changed_dt.isoformat() if error.changed_dt else None,
            "current_lines": [
                {
                    "product_id": product_id,
                    "day": day.isoformat() if day else None,
                    "quantity": format(quantity.normalize(), "f"),
                }
                for (product_id, day), quantity in sorted(
                    error.current_quantities.items(), key=lambda item: (item[0][0], str(item[0][1]))
                )
            ],
        }
    return problem_response(error.http_status, detail=str(error), errors=errors, extra=extra)


def handle_unexpected_error(error: Any) -> Any:
    """Answer an unexpected failure of the API as a 500 problem (logged, no traceback shown)."""
    if not is_api_request():
        return render_unexpected_error(error)
    original = getattr(error, "original_exception", None) or error
    current_app.logger.error("API failure on %s", request.path, exc_info=original)
    return problem_response(500)
