"""Running jobs exactly once per nominal fire time, whoever asks and however often.

A run starts by inserting ``JobRun(job_id, scheduled_dt)`` and committing it: the unique
constraint lets exactly one process (or thread, or retry) win; the others see the row and skip.
Missed fire times within a job's grace are made up when the service comes back
(:func:`run_due_jobs`), still once each.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import traceback
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pial import clock
from pial.admin.services import get_platform
from pial.db import get_session
from pial.models import JobRun, JobStatus
from pial.scheduler.calendar import JobTiming, fire_times, job_timings
from pial.scheduler.jobs import JOBS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What happened to one (job, fire time): ran, failed, or already taken elsewhere."""

    job_id: str
    scheduled_dt: dt.datetime
    status: JobStatus | None  # None: another process or an earlier attempt has it
    summary: str = ""


def run_once(job_id: str, scheduled_dt: dt.datetime) -> RunOutcome:
    """Run ``job_id`` for its fire time ``scheduled_dt`` unless it already ran (or runs)."""
    session = get_session()
    started = clock.now()
    record = JobRun(job_id=job_id, scheduled_dt=scheduled_dt, started_dt=started,
                    status=JobStatus.RUNNING)  # fmt: skip
    session.add(record)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return RunOutcome(job_id, scheduled_dt, None)
    log.info("job %s (%s) started", job_id, scheduled_dt.isoformat())
    began = time.perf_counter()
    try:
        summary = JOBS[job_id](scheduled_dt)
        status, error = JobStatus.SUCCEEDED, None
    except Exception as exc:  # a failed job is recorded and shown, never re-raised
        session.rollback()
        summary, status = f"{type(exc).__name__}: {exc}", JobStatus.FAILED
        error = traceback.format_exc(limit=20)
        log.exception("job %s (%s) failed", job_id, scheduled_dt.isoformat())
    record = session.get(JobRun, record.id) or record
    record.status = status
    record.error = error if error else None
    record.finished_dt = clock.now()
    record.duration_s = round(time.perf_counter() - began, 3)
    session.commit()
    return RunOutcome(job_id, scheduled_dt, status, summary[:500])


def current_timings() -> list[JobTiming]:
    """Return the job triggers for the platform settings saved now."""
    return job_timings(get_platform())


def due_fire_times(timing: JobTiming, now: dt.datetime) -> list[dt.datetime]:
    """Return the fire times of a job within its grace before ``now`` that have no run yet."""
    candidates = list(fire_times(timing.trigger, now - timing.grace, now))
    if not candidates:
        return []
    done = set(
        get_session().scalars(
            select(JobRun.scheduled_dt).where(
                JobRun.job_id == timing.job_id, JobRun.scheduled_dt.in_(candidates)
            )
        )
    )
    get_session().commit()
    return [moment for moment in candidates if moment not in done]


def run_due_jobs(now: dt.datetime | None = None) -> list[RunOutcome]:
    """Run every job occurrence that is due and not yet run, oldest first."""
    moment = now or clock.now()
    pending = sorted(
        (scheduled, timing.job_id)
        for timing in current_timings()
        for scheduled in due_fire_times(timing, moment)
    )
    return [run_once(job_id, scheduled) for scheduled, job_id in pending]


def next_fire_times(now: dt.datetime | None = None) -> dict[str, dt.datetime | None]:
    """Return, per job, its next fire time after ``now``."""
    moment = now or clock.now()
    result: dict[str, dt.datetime | None] = {}
    for timing in current_timings():
        upcoming = timing.trigger.get_next_fire_time(None, moment + dt.timedelta(seconds=1))
        result[timing.job_id] = upcoming.astimezone(dt.UTC) if upcoming else None
    return result
