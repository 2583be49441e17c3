"""Running jobs exactly once per nominal fire time, whoever asks and however often.

A run starts by inserting ``JobRun(job_id, scheduled_dt)`` and committing it: the unique
constraint lets exactly one process (or thread, or retry) win; the others see the row and skip.
The claim holds a lease that a heartbeat thread renews while the job runs; when the process
dies (kill -9, power cut), the lease runs out and the next caller takes the run over and runs
it again. Every job is idempotent (a second run for the same slot changes nothing already
done), so a run cut short anywhere ends done exactly once.
Missed fire times within a job's grace are made up when the service comes back
(:func:`run_due_jobs`), still once each.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import traceback
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import ColumnElement, and_, not_, or_, select, update
from sqlalchemy.exc import IntegrityError

from pial import clock
from pial.admin.services import get_platform
from pial.db import get_database, get_session
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


def lease_length() -> dt.timedelta:
    """How long a claim holds without a heartbeat (``PIAL_JOB_LEASE_SECONDS``, 10 min)."""
    return dt.timedelta(seconds=float(current_app.config.get("PIAL_JOB_LEASE_SECONDS", 600)))


def _lease_expired(now: dt.datetime) -> ColumnElement[bool]:
    """A running claim whose process stopped renewing it (no lease: a claim from before)."""
    return and_(
        JobRun.status == JobStatus.RUNNING,
        or_(JobRun.lease_expires_dt.is_(None), JobRun.lease_expires_dt < now),
    )


def _take_over(job_id: str, scheduled_dt: dt.datetime) -> int | None:
    """Take over a run whose lease expired; return its id, None if it is alive or done."""
    session = get_session()
    now = clock.now()
    run_id = session.scalar(
        select(JobRun.id).where(JobRun.job_id == job_id, JobRun.scheduled_dt == scheduled_dt)
    )
    if run_id is None:
        session.commit()
        return None
    taken = session.execute(
        update(JobRun)
        .where(JobRun.id == run_id, _lease_expired(now))
        .values(lease_expires_dt=now + lease_length(), attempts=JobRun.attempts + 1,
                started_dt=now)
    )  # fmt: skip
    session.commit()
    return run_id if getattr(taken, "rowcount", 0) == 1 else None


class _Heartbeat:
    """A thread renewing a claim's lease while its job runs, on its own connection."""

    def __init__(self, run_id: int) -> None:
        self._database = get_database()
        self._lease = lease_length()
        self._run_id = run_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{run_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _beat(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            try:
                with self._database.engine.begin() as connection:
                    connection.execute(
                        update(JobRun)
                        .where(JobRun.id == self._run_id, JobRun.status == JobStatus.RUNNING)
                        .values(lease_expires_dt=clock.now() + self._lease)
                    )
            except Exception:  # a busy database: the next beat tries again
                log.warning("lease of job run %s not renewed", self._run_id, exc_info=True)


def run_once(job_id: str, scheduled_dt: dt.datetime) -> RunOutcome:
    """Run ``job_id`` for its fire time ``scheduled_dt`` unless it already ran (or runs).

    A run whose process died (its lease expired) is taken over and run again.
    """
    session = get_session()
    started = clock.now()
    record = JobRun(job_id=job_id, scheduled_dt=scheduled_dt, started_dt=started,
                    status=JobStatus.RUNNING, lease_expires_dt=started + lease_length(),
                    attempts=1)  # fmt: skip
    session.add(record)
    try:
        session.commit()
        run_id = record.id
    except IntegrityError:
        session.rollback()
        taken = _take_over(job_id, scheduled_dt)
        if taken is None:
            return RunOutcome(job_id, scheduled_dt, None)
        run_id = taken
        log.warning("job %s (%s): lease expired, taken over", job_id, scheduled_dt.isoformat())
    log.info("job %s (%s) started", job_id, scheduled_dt.isoformat())
    began = time.perf_counter()
    with _Heartbeat(run_id):
        try:
            summary = JOBS[job_id](scheduled_dt)
            status, error = JobStatus.SUCCEEDED, None
        except Exception as exc:  # a failed job is recorded and shown, never re-raised
            session.rollback()
            summary, status = f"{type(exc).__name__}: {exc}", JobStatus.FAILED
            error = traceback.format_exc(limit=20)
            log.exception("job %s (%s) failed", job_id, scheduled_dt.isoformat())
    stored = session.get(JobRun, run_id)
    assert stored is not None  # runs are never deleted
    session.refresh(stored)
    stored.status = status
    stored.error = error if error else None
    stored.finished_dt = clock.now()
    stored.lease_expires_dt = None
    stored.duration_s = round(time.perf_counter() - began, 3)
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
                JobRun.job_id == timing.job_id,
                JobRun.scheduled_dt.in_(candidates),
                not_(_lease_expired(now)),  # a run whose process died is due again
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
