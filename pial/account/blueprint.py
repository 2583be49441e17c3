"""Preferences routes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from pial.access import SIGNED_IN
from pial.account import services
from pial.account.forms import LocaleForm, NotificationsForm
from pial.errors import InvalidInput

blueprint = Blueprint("account", __name__, url_prefix="/compte")

ACCESS_RULES = {"language": SIGNED_IN, "notifications": SIGNED_IN}


@blueprint.route("/langue", methods=["GET", "POST"])
def language() -> str | Response | tuple[str, int]:
    """Show and save the interface language of the signed-in person."""
    form = LocaleForm(locale=current_user.locale or "fr")
    if form.validate_on_submit():
        try:
            services.set_locale(current_user, form.locale.data or "")
        except InvalidInput as error:
            form.locale.errors = list(error.field_errors.get("locale", [str(error)]))
            return render_template("account/language.html", form=form), 422
        flash(gettext("Langue enregistrée."), "success")
        return redirect(url_for("account.language"))
    status = 422 if form.errors else 200
    return render_template("account/language.html", form=form), status


@blueprint.route("/courriels", methods=["GET", "POST"])
def notifications() -> str | Response:
    """Show and save which e-mails the signed-in person receives."""
    form = NotificationsForm(
        data={name: getattr(current_user, name) for name in services.NOTIFICATION_PREFERENCES}
    )
    if form.validate_on_submit():
        services.set_notification_preferences(
            current_user,
            {name: bool(getattr(form, name).data) for name in services.NOTIFICATION_PREFERENCES},
        )
        flash(gettext("Préférences de courriel enregistrées."), "success")
        return redirect(url_for("account.notifications"))
    return render_template("account/notifications.html", form=form)
