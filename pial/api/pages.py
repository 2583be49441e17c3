"""HTML pages of the API: personal tokens (create, list, revoke) and the browsable reference."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from pial.access import PUBLIC, SIGNED_IN
from pial.api import tokens
from pial.api.common import actor
from pial.api.forms import TokenForm
from pial.errors import ServiceError

blueprint = Blueprint("api_pages", __name__)

ACCESS_RULES = {
    "tokens": SIGNED_IN,
    "revoke_token": SIGNED_IN,
    "reference": PUBLIC,
}

HTTP_METHODS = ("get", "put", "post", "patch", "delete")


@blueprint.route("/compte/jetons-api", methods=["GET", "POST"], endpoint="tokens")
def tokens_page() -> str | tuple[str, int]:
    """List the user's API tokens and create one (its secret is shown once, on this answer)."""
    form = TokenForm()
    issued = None
    status = 200
    if form.validate_on_submit():
        try:
            issued = tokens.create_token(actor(), form.name.data or "", form.valid_days.data)
        except ServiceError as error:
            flash(str(error), "error")
            status = error.http_status
        else:
            form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 422
    page = render_template(
        "tokens/index.html", form=form, issued=issued, all_tokens=tokens.list_tokens(actor())
    )
    return page, status


@blueprint.route("/compte/jetons-api/<int:token_id>/revocation", methods=["POST"])
def revoke_token(token_id: int) -> Response:
    """Revoke one of the user's tokens, once the confirmation box is ticked."""
    if not request.form.get("confirm"):
        flash(_("Cochez la case pour confirmer : un jeton révoqué ne peut pas être rétabli."),
              "error")
        return redirect(url_for("api_pages.tokens"))
    try:
        token = tokens.revoke_token(actor(), token_id)
    except ServiceError as error:
        flash(str(error), "error")
    else:
        flash(
            _(
                "Le jeton « %(name)s » (%(prefix)s…) est révoqué.",
                name=token.name,
                prefix=token.prefix,
            ),
            "info",
        )
    return redirect(url_for("api_pages.tokens"))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the OpenAPI document into a list of operations, grouped order kept."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            found.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or [""])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": item.get("parameters", []) + operation.get("parameters", []),
                    "body": body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                    if body
                    else None,
                    "responses": sorted(operation.get("responses", {}).items()),
                }
            )
    return sorted(found, key=lambda op: (op["tag"], op["path"], op["method"]))


@blueprint.route("/api/v1/docs", methods=["GET"])
def reference() -> str:
    """Show the API reference, rendered on the server from the OpenAPI document."""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    spec = api.spec.to_dict()
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=_operations(spec),
        schemas=spec.get("components", {}).get("schemas", {}),
    )
