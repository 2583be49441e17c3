"""Pages shown when something goes wrong: in the user's language, inside the site's layout.

Service refusals that a page did not handle, HTTP errors (400, 403, 404, 405, 413, 429…) and
unexpected failures (500) all render ``error.html`` with a way back. The API answers its own
errors as problem details and hands the pages' errors to :func:`render_http_error`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from pial.errors import ServiceError

TITLES = {
    400: _l("Demande incorrecte"),
    401: _l("Connexion nécessaire"),
    403: _l("Accès refusé"),
    404: _l("Page introuvable"),
    405: _l("Action non permise"),
    409: _l("Action impossible"),
    413: _l("Envoi trop volumineux"),
    422: _l("Action impossible"),
    429: _l("Trop de demandes"),
    500: _l("Erreur du serveur"),
}

EXPLANATIONS = {
    400: _l("La page a reçu une demande qu'elle ne comprend pas. Rechargez la page et "
            "recommencez."),
    401: _l("Connectez-vous pour voir cette page."),
    403: _l("Votre compte ne permet pas d'ouvrir cette page."),
    404: _l("Cette adresse ne mène à aucune page. Elle a peut-être changé, ou le lien est "
            "incomplet."),
    405: _l("Cette adresse ne s'utilise pas ainsi. Passez par les boutons de la page."),
    413: _l("Le fichier ou le formulaire envoyé est trop volumineux. Envoyez un fichier plus "
            "petit."),
    429: _l("Trop de demandes en peu de temps. Patientez une minute, puis réessayez."),
    500: _l("Une erreur inattendue s'est produite ; elle a été enregistrée. Réessayez dans un "
            "moment, et prévenez la personne responsable du projet si elle revient."),
}


def _page(status: int, message: str | None) -> tuple[str, int]:
    """Render the error page of ``status`` with its French title, explanation and message."""
    title = str(TITLES.get(status, TITLES[500 if status >= 500 else 400]))
    explanation = str(EXPLANATIONS.get(status, ""))
    try:
        page = render_template("error.html", status=status, title=title, message=message,
                               explanation=explanation, back_url=_safe_referrer())
    except Exception:  # the layout itself failed (a broken database…): a bare page still helps
        current_app.logger.exception("error page could not be rendered")
        page = (f'<!doctype html><html lang="fr"><meta charset="utf-8"><title>{title}</title>'
                f'<h1>{title}</h1><p>{explanation}</p><p><a href="/">Accueil</a></p></html>')
    return page, status


def _safe_referrer() -> str | None:
    """Return the previous page of this site, if the browser said which it was."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


def render_service_error(error: ServiceError) -> tuple[str, int]:
    """Show the refusal's French message with its HTTP status (404, 403, 409…)."""
    return _page(error.http_status, str(error))


def render_http_error(error: HTTPException) -> tuple[str, int] | Response:
    """Show an HTTP error in the site's layout; a French message given to ``abort`` is kept."""
    status = error.code or 500
    if status < 400:
        return error.get_response()
    if isinstance(error, CSRFError) and request.endpoint == "auth.login":
        # A login form left open too long: show it again rather than « Bad Request ».
        flash(_("Le formulaire de connexion avait expiré : saisissez à nouveau vos "
                "identifiants."), "error")
        return redirect(url_for("auth.login"), code=303)
    if isinstance(error, CSRFError):
        message: str | None = _("Le formulaire avait expiré. Rechargez la page et recommencez.")
    else:
        default = type(error).description
        message = error.description if error.description != default else None
    return _page(status, message)


def render_unexpected_error(error: Any) -> tuple[str, int]:
    """Show a 500 page for an unexpected failure (logged, no traceback shown)."""
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, InternalServerError):
        current_app.logger.error("failure on %s", request.path, exc_info=original)
    return _page(500, None)


def init_app(app: Flask) -> None:
    """Answer refusals and HTTP errors on pages with a readable page, never Werkzeug's."""
    app.register_error_handler(ServiceError, render_service_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(InternalServerError, render_unexpected_error)
