"""Account pages: sign-in, sign-out, invitations, password change."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from pial.access import PUBLIC, SIGNED_IN, roles
from pial.auth import remember, services
from pial.auth.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    InvitationForm,
    LoginForm,
    SignInLinkForm,
)
from pial.db import get_session
from pial.fields import choices
from pial.i18n import sorted_by_name
from pial.models import Canteen, Farm, Role

blueprint = Blueprint("auth", __name__)

ACCESS_RULES = {
    "login": PUBLIC,
    "logout": SIGNED_IN,
    "logout_everywhere": SIGNED_IN,
    "accept_invitation": PUBLIC,
    "signin_link": PUBLIC,
    "change_password": SIGNED_IN,
    "invite": roles(Role.LEAD),
}

ROLE_LABELS = {
    Role.LEAD: _l("Responsable de projet"),
    Role.GROWER: _l("Producteur"),
    Role.CANTEEN: _l("Gestionnaire de cantine"),
}


def _safe_next(target: str | None) -> str:
    """Return ``target`` if it stays on this site, else the home page."""
    if target and target.startswith("/") and not target.startswith("//"):
        if not urlsplit(target).netloc:
            return target
    return url_for("home.index")


@blueprint.route("/connexion", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data or "",
                form.password.data or "",
                request.remote_addr,
                link_for=lambda token: url_for("auth.signin_link", token=token, _external=True),
            )
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            login_user(user)
            if form.remember.data:
                remember.set_cookie(remember.issue(user))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@blueprint.route("/connexion/lien/<token>", methods=["GET", "POST"])
def signin_link(token: str) -> str | Response | tuple[str, int]:
    """Sign in with the one-time link e-mailed after too many attempts, and the password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        link = services.find_signin_link(token)
    except services.AccountError as error:
        return render_template("auth/signin_link_invalid.html", reason=str(error)), 410
    form = SignInLinkForm()
    if form.validate_on_submit():
        try:
            user = services.sign_in_with_link(token, form.password.data or "", request.remote_addr)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            login_user(user)
            return redirect(url_for("home.index"))
    return render_template("auth/signin_link.html", form=form, email=link.user.email)


@blueprint.route("/deconnexion", methods=["POST"])
def logout() -> Response:
    """Sign out (a POST, so that no link or image can sign somebody out).

    Signing out ends every session and remember cookie of the person, on every device: a
    copied session cookie is worth nothing afterwards.
    """
    services.end_all_sessions(current_user)
    logout_user()
    remember.set_cookie(None)
    flash(_("Vous êtes déconnecté."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/deconnexion-partout", methods=["POST"])
def logout_everywhere() -> Response:
    """Sign out on every device (the account page's « Se déconnecter partout »)."""
    services.end_all_sessions(current_user)
    logout_user()
    remember.set_cookie(None)
    flash(_("Vous êtes déconnecté sur tous vos appareils."), "info")
    return redirect(url_for("auth.login"))


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> str | Response | tuple[str, int]:
    """Show the invitation form; the POST (never the GET) consumes the invitation."""
    try:
        invitation = services.find_valid_invitation(token)
    except services.AccountError as error:
        return render_template("auth/invitation_invalid.html", reason=str(error)), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token, form.display_name.data or "", form.password.data or ""
            )
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            login_user(user)
            flash(_("Bienvenue ! Votre compte est créé."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@blueprint.route("/mot-de-passe", methods=["GET", "POST"])
def change_password() -> str | Response:
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data or "", form.password.data or ""
            )
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            # The change ended every session; this one goes on under the new generation.
            user = current_user._get_current_object()
            login_user(user)
            if remember.COOKIE_NAME in request.cookies:  # this device stays remembered
                remember.set_cookie(remember.issue(user))
            flash(
                _("Mot de passe modifié. Vos autres appareils devront se reconnecter."),
                "success",
            )
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@blueprint.route("/invitations/nouvelle", methods=["GET", "POST"])
def invite() -> str | Response:
    """Let the project lead invite a grower, a canteen manager or another lead."""
    session = get_session()
    form = InvitationForm()
    form.role.choices = choices((role.value, label) for role, label in ROLE_LABELS.items())
    farms = sorted_by_name(session.scalars(select(Farm)), lambda farm: farm.name)
    canteens = sorted_by_name(session.scalars(select(Canteen)), lambda canteen: canteen.name)
    form.farm_id.choices = choices([(0, "—"), *((farm.id, farm.name) for farm in farms)])
    form.canteen_id.choices = choices([(0, "—"), *((c.id, c.name) for c in canteens)])
    link = None
    if form.validate_on_submit():
        try:
            issued = services.create_invitation(
                current_user,
                form.email.data or "",
                form.role.data or "",
                farm_id=form.farm_id.data or None,
                canteen_id=form.canteen_id.data or None,
                link_for=lambda token: url_for(
                    "auth.accept_invitation", token=token, _external=True
                ),
            )
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            link = url_for("auth.accept_invitation", token=issued.token, _external=True)
            flash(
                _(
                    "Invitation créée pour %(email)s ; le lien lui est envoyé par e-mail.",
                    email=issued.email,
                ),
                "success",
            )
    return render_template("auth/invite.html", form=form, link=link)
