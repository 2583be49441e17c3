"""Pages shown when a service refuses an action that a page did not handle itself."""

from __future__ import annotations

from flask import Flask, render_template

from pial.errors import ServiceError


def render_service_error(error: ServiceError) -> tuple[str, int]:
    """Show the refusal's French message with its HTTP status (404, 403, 409…)."""
    return render_template("error.html", message=str(error), status=error.http_status), (
        error.http_status
    )


def init_app(app: Flask) -> None:
    """Answer uncaught service refusals on pages with a readable page, never a 500."""
    app.register_error_handler(ServiceError, render_service_error)
