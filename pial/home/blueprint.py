"""Home page routes."""

from __future__ import annotations

from flask import Blueprint, render_template

from pial.access import SIGNED_IN
from pial.home.services import current_week_overview

blueprint = Blueprint("home", __name__)

ACCESS_RULES = {"index": SIGNED_IN}


@blueprint.route("/")
def index() -> str:
    """Show the current week and what the signed-in person has to do."""
    return render_template("home/index.html", overview=current_week_overview())
