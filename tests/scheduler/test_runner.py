"""Each (job, fire time) runs once; failures are recorded; missed runs are made up within grace."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from pial.models import JobRun, JobStatus
from pial.scheduler import jobs, runner

FIRE = dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC)


@pytest.fixture
def counting_job(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    calls: list[dt.datetime] = []

    def job(scheduled: dt.datetime) -> str:
        calls.append(scheduled)
        return "fait"

    monkeypatch.setitem(jobs.JOBS, "close_and_allocate", job)
    return calls


def test_a_fire_time_runs_once_however_often_it_is_asked(db: Any, counting_job: list[Any]) -> None:
    first = runner.run_once("close_and_allocate", FIRE)
    second = runner.run_once("close_and_allocate", FIRE)
    assert first.status == JobStatus.SUCCEEDED and second.status is None
    assert counting_job == [FIRE]
    (run,) = db.scalars(select(JobRun)).all()
    assert run.status == JobStatus.SUCCEEDED and run.duration_s is not None


def test_a_failing_job_is_recorded_with_its_error(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(scheduled: dt.datetime) -> str:
        raise RuntimeError("le serveur de calcul ne répond pas")

    monkeypatch.setitem(jobs.JOBS, "nightly_backup", broken)
    outcome = runner.run_once("nightly_backup", FIRE)
    assert outcome.status == JobStatus.FAILED
    run = db.scalar(select(JobRun).where(JobRun.job_id == "nightly_backup"))
    assert run.status == JobStatus.FAILED
    assert "le serveur de calcul ne répond pas" in (run.error or "")
    # A retry of the same fire time does not run it again (the lead can run it now instead).
    assert runner.run_once("nightly_backup", FIRE).status is None


def test_missed_runs_are_made_up_within_grace_only(
    app: Any, db: Any, counting_job: list[Any]
) -> None:
    from pial.admin.services import get_platform

    platform = get_platform()
    platform.order_deadline_weekday = 4
    platform.order_deadline_time = dt.time(18, 0)
    db.commit()
    # Down from Thursday 16:00 to 20:00 (Paris): the 18:00 close is made up on return...
    back = dt.datetime(2026, 11, 26, 19, 0, tzinfo=dt.UTC)
    outcomes = [o for o in runner.run_due_jobs(back) if o.job_id == "close_and_allocate"]
    assert [o.scheduled_dt for o in outcomes] == [FIRE]
    assert counting_job == [FIRE]
    # ...once: the heartbeat after it finds nothing more to do.
    assert [o for o in runner.run_due_jobs(back + dt.timedelta(minutes=5))
            if o.job_id == "close_and_allocate"] == []  # fmt: skip
    # Back only two days later, beyond the 24 h grace: the run is not made up.
    later = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)
    outcomes = [o for o in runner.run_due_jobs(later) if o.job_id == "close_and_allocate"]
    assert outcomes == []


def test_the_lead_sees_runs_and_can_run_a_job_now(
    client: Any, make_user: Any, login: Any, db: Any, counting_job: list[Any]
) -> None:
    login(make_user("lead"))
    page = client.get("/admin/planificateur/")
    assert page.status_code == 200
    assert "Clôture et répartition" in page.get_data(as_text=True)
    response = client.post("/admin/planificateur/close_and_allocate/lancer")
    assert response.status_code == 302
    assert len(counting_job) == 1
    listing = client.get("/admin/planificateur/").get_data(as_text=True)
    assert "réussi" in listing
    assert client.post("/admin/planificateur/inconnu/lancer").status_code == 404


def test_growers_cannot_see_the_scheduler(client: Any, make_user: Any, login: Any) -> None:
    login(make_user("grower"))
    assert client.get("/admin/planificateur/").status_code == 403
