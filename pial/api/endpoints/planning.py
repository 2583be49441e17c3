# flask-smorest ships no type information: its route decorators are untyped.
# mypy: disable-error-code="untyped-decorator"
"""Allocation runs and the publication of a week's planning (lead or week's coordinator)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from pial.access import roles
from pial.allocation import runs
from pial.allocation import services as allocation
from pial.allocation.coordination import require_coordinator
from pial.api.common import actor, api_blueprint, checked_id, checked_week, decimal_text
from pial.api.schemas import PublicationIn, RunDetailOut, RunOut
from pial.errors import NotFound
from pial.models import AllocationRun, Role

blueprint = api_blueprint("api_planning", "Répartitions et publication du planning")

ACCESS_RULES = {
    "list_runs": roles(Role.LEAD, Role.GROWER),
    "create_run": roles(Role.LEAD, Role.GROWER),
    "get_run": roles(Role.LEAD, Role.GROWER),
    "publish": roles(Role.LEAD, Role.GROWER),
}


def _run_out(run: AllocationRun, *, with_lines: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": run.id,
        "sequence": run.sequence,
        "status": str(run.status),
        "trigger": str(run.trigger),
        "created_dt": run.created_dt,
        "published_version": run.published_version,
        "published_dt": run.published_dt,
        "fill_rate": run.fill_rate,
        "ordered_eur": decimal_text(run.ordered_eur),
        "served_eur": decimal_text(run.served_eur),
        "solve_s": run.solve_s,
        "time_limit_reached": run.time_limit_reached,
        "error_message": run.error_message,
    }
    if with_lines:
        out["lines"] = [
            {
                "id": line.id,
                "farm_id": line.farm_id,
                "canteen_id": line.canteen_id,
                "product_id": line.product_id,
                "day": line.day,
                "quantity": decimal_text(line.quantity),
            }
            for line in sorted(run.lines, key=lambda ln: ln.id)
        ]
    return out


@blueprint.route("/weeks/<iso_week>/runs", methods=["GET"])
@blueprint.response(200, RunOut(many=True))
def list_runs(iso_week: str) -> list[dict[str, Any]]:
    """List the allocation runs of a week, latest first (lead or the week's coordinator)."""
    require_coordinator(actor(), checked_week(iso_week))
    return [_run_out(run) for run in runs.week_runs(iso_week)]


@blueprint.route("/weeks/<iso_week>/runs", methods=["POST"])
@blueprint.response(201, RunDetailOut)
def create_run(iso_week: str) -> dict[str, Any]:
    """Run the allocation of a closed week; concurrent runs of one week are serialised."""
    run = allocation.allocate_week(checked_week(iso_week), actor(), trigger="manual")
    return _run_out(run, with_lines=True)


@blueprint.route("/weeks/<iso_week>/runs/<int:run_id>", methods=["GET"])
@blueprint.response(200, RunDetailOut)
def get_run(iso_week: str, run_id: int) -> dict[str, Any]:
    """Return one run of a week with its planned lines."""
    require_coordinator(actor(), checked_week(iso_week))
    run = runs.get_run(iso_week, checked_id(run_id, _("Cette répartition")))
    if run is None:
        raise NotFound(_("Cette répartition n'existe pas."))
    return _run_out(run, with_lines=True)


@blueprint.route("/weeks/<iso_week>/publication", methods=["POST"])
@blueprint.arguments(PublicationIn)
@blueprint.response(200, RunOut)
def publish(payload: dict[str, Any], iso_week: str) -> dict[str, Any]:
    """Publish a run (default: the latest) as the week's planning."""
    run_id = payload["run_id"]
    run = allocation.publish_week(checked_week(iso_week), actor(), run_id)
    return _run_out(run)
