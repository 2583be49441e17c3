"""Home page routes."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from pial.access import SIGNED_IN
from pial.home.services import backup_candidates, current_week_overview, home_for
from pial.models import Role

blueprint = Blueprint("home", __name__)

ACCESS_RULES = {"index": SIGNED_IN}


@blueprint.route("/")
def index() -> str:
    """Show the current week and what the signed-in person has to do."""
    farms = (
        backup_candidates(int(current_user.farm_id)) if current_user.role == Role.GROWER else []
    )
    return render_template(
        "home/index.html", overview=current_week_overview(), board=home_for(current_user),
        backup_farms=farms,
    )
