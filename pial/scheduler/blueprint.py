"""The lead's view of the scheduler: next runs, last runs, failures, run a job now, the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from pial import clock
from pial.access import roles
from pial.db import get_session
from pial.models import JobRun, OutboxMessage, OutboxStatus, Role
from pial.scheduler.jobs import JOB_LABELS, JOBS
from pial.scheduler.runner import next_fire_times, run_once

blueprint = Blueprint("scheduler", __name__, url_prefix="/admin/planificateur")

ACCESS_RULES = {"overview": roles(Role.LEAD), "run_now": roles(Role.LEAD)}


@blueprint.route("/")
def overview() -> str:
    """Show the next and last runs of every job, and the state of the outbox."""
    session = get_session()
    runs = session.scalars(select(JobRun).order_by(JobRun.started_dt.desc()).limit(60)).all()
    count_by_status = select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
        OutboxMessage.status
    )
    outbox_counts = {str(status): int(count) for status, count in session.execute(count_by_status)}
    failed_mail = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
        .order_by(OutboxMessage.created_dt.desc())
        .limit(20)
    ).all()
    return render_template(
        "scheduler/overview.html",
        labels=JOB_LABELS,
        next_runs=next_fire_times(),
        runs=runs,
        outbox_counts=outbox_counts,
        failed_mail=failed_mail,
    )


@blueprint.route("/<job_id>/lancer", methods=["POST"])
def run_now(job_id: str) -> Response:
    """Run a job now (recorded with the current instant as its fire time)."""
    if job_id not in JOBS:
        abort(404)
    outcome = run_once(job_id, clock.now().replace(microsecond=0))
    if outcome.status is None:
        flash(_("Ce travail vient déjà d'être lancé."), "warning")
    elif outcome.status == "failed":
        flash(_("Échec : %(summary)s", summary=outcome.summary), "error")
    else:
        flash(
            _("%(job)s : %(summary)s", job=JOB_LABELS[job_id], summary=outcome.summary), "success"
        )
    return redirect(url_for("scheduler.overview"))
