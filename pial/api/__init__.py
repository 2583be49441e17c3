"""The JSON API ``/api/v1``: the services of the pages, for personal API tokens.

OpenAPI 3 document at ``/api/v1/openapi.json`` (built from the marshmallow schemas, which also
validate the requests), a browsable reference at ``/api/v1/docs``, errors as problem details.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

from pial.access import PUBLIC, Rule, declare, register_blueprint
from pial.models import Role

API_VERSION = "1.0.0"
DOC_ENDPOINTS = {"api-docs.openapi_json": PUBLIC}


#: Request bodies whose ``version`` the server requires (in the body, or as If-Match): the
#: document says it is required, as the server enforces it (428 without either).
VERSIONED_BODIES = ("AvailabilityIn", "OrdersIn")


class PialApi(Api):  # type: ignore[misc]
    """flask-smorest's Api answering errors as problem details, on /api/ paths only."""

    def _openapi_json(self) -> Any:
        """Serve the document with the versioned bodies' ``version`` marked required."""
        schemas = self.spec.to_dict().get("components", {}).get("schemas", {})
        for name in VERSIONED_BODIES:
            body = schemas.get(name)
            if body is not None and "version" not in body.get("required", []):
                self.spec.components.schemas[name].setdefault("required", []).append("version")
        return super()._openapi_json()

    def _register_error_handlers(self) -> None:
        """Leave error handling to :mod:`pial.api.problems` (the pages keep their own)."""

    def _register_responses(self) -> None:
        """Document every error status as ``application/problem+json`` with ProblemOut."""
        from flask_smorest.utils import prepare_response

        from pial.api.problems import PROBLEM_MIMETYPE
        from pial.api.schemas import ProblemOut

        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = ProblemOut
                prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Problem details (RFC 9457)", "schema": ProblemOut}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def _api_blueprints() -> list[tuple[Any, dict[str, Rule]]]:
    from pial.api.endpoints import (
        deliveries,
        egalim,
        invoices,
        planning,
        records,
        rounds,
        season,
        weeks,
    )

    return [
        (weeks.blueprint, weeks.ACCESS_RULES),
        (planning.blueprint, planning.ACCESS_RULES),
        (deliveries.blueprint, deliveries.ACCESS_RULES),
        (records.blueprint, records.ACCESS_RULES),
        (invoices.blueprint, invoices.ACCESS_RULES),
        (egalim.blueprint, egalim.ACCESS_RULES),
        (season.blueprint, season.ACCESS_RULES),
        (rounds.blueprint, rounds.ACCESS_RULES),
    ]


def init_app(app: Flask) -> None:
    """Register the API, its documentation, token sign-in, problem details and token pages."""
    from pial.api import authentication, pages, problems
    from pial.navigation import add_navigation
    from pial.security import csrf

    app.config.setdefault("API_TITLE", "PIAL API")
    app.config.setdefault("API_VERSION", API_VERSION)
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Offres, commandes, répartitions, publication, réceptions, "
                "contrats et exports de PIAL. Authentification : « Authorization: Bearer "
                "<jeton> » (jetons personnels, page « Jetons d'API »).",
            },
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = PialApi(app)
    declare(app, DOC_ENDPOINTS)
    for blueprint, rules in _api_blueprints():
        api.register_blueprint(blueprint)
        declare(app, {f"{blueprint.name}.{name}": rule for name, rule in rules.items()})
        csrf.exempt(blueprint)
    app.login_manager.request_loader(authentication.load_user_from_request)  # type: ignore[attr-defined]
    app.register_error_handler(HTTPException, problems.handle_http_exception)
    app.register_error_handler(InternalServerError, problems.handle_unexpected_error)
    register_blueprint(app, pages.blueprint, pages.ACCESS_RULES)
    add_navigation(
        app, _l("Jetons d'API"), "api_pages.tokens", Role.LEAD, Role.GROWER, Role.CANTEEN,
        order=990,
    )
