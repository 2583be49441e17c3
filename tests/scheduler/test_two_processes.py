"""Two scheduler processes asking for the same fire times run each of them exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text

OCCURRENCES = 40

WORKER = textwrap.dedent(
    """
    import datetime as dt, os, sys, time
    from pial.app import create_app
    from pial.scheduler import jobs, runner

    url, instance, log_path, start_flag = sys.argv[1:5]
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "x", "SCHEDULER_ENABLED": False})

    def job(scheduled):
        with open(log_path, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {scheduled.isoformat()}\\n")
        time.sleep(0.005)
        return "ok"

    jobs.JOBS["nightly_backup"] = job
    while not os.path.exists(start_flag):
        time.sleep(0.01)
    base = dt.datetime(2026, 11, 24, 2, 30, tzinfo=dt.UTC)
    with app.app_context():
        for day in range(OCCURRENCES):
            runner.run_once("nightly_backup", base + dt.timedelta(days=day))
    """
).replace("OCCURRENCES", str(OCCURRENCES))


def test_two_processes_never_run_a_fire_time_twice(
    database_of_each_kind: str, tmp_path: Path
) -> None:
    log_path = tmp_path / "runs.log"
    start_flag = tmp_path / "go"
    env = dict(os.environ)
    env.pop("PIAL_DATABASE_URL", None)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                database_of_each_kind,
                str(tmp_path / f"instance{i}"),
                str(log_path),
                str(start_flag),
            ],
            env=env,
        )
        for i in range(2)
    ]
    time.sleep(1.0)  # let both import and connect before the start
    start_flag.touch()
    for worker in workers:
        assert worker.wait(timeout=120) == 0

    lines = log_path.read_text(encoding="utf-8").splitlines()
    per_fire_time = Counter(line.split()[1] for line in lines)
    assert len(per_fire_time) == OCCURRENCES
    assert set(per_fire_time.values()) == {1}, "a fire time ran twice"

    engine = create_engine(database_of_each_kind)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM job_runs")).scalar_one()
        statuses = connection.execute(text("SELECT DISTINCT status FROM job_runs")).scalars().all()
    engine.dispose()
    assert count == OCCURRENCES and statuses == ["succeeded"]
