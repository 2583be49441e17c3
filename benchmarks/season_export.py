"""Time the season export of the demo year: ``python benchmarks/season_export.py``.

Seeds the demo territory into a fresh SQLite database with the clock set near the end of its
season (so that a whole year of weeks is played and published), then writes the season
workbook several times and prints the time of each run, the row count and the file size.
The target: well under a few seconds for the full year.

Options: ``--database-url`` to use another database (seeded only if it has no season yet, so
a second run on the same file skips the minutes of seeding), ``--at`` to choose the simulated
moment, ``--repeat`` for the number of runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_MOMENT = "2027-07-05T10:00:00+02:00"
"""A Monday near the end of the 2026-2027 school year: the demo plays about 44 weeks."""


def main(argv: list[str] | None = None) -> None:
    """Seed (unless given a database) and time the season export."""
    parser = argparse.ArgumentParser(description="Mesure la durée de l'export de saison.")
    parser.add_argument("--database-url", default=None, help="base à utiliser (chargée si vide)")
    parser.add_argument("--at", default=DEFAULT_MOMENT, help="instant simulé (ISO 8601)")
    parser.add_argument("--season", default=None, help="code de saison (défaut : la plus remplie)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from sqlalchemy import func, select

    from pial.allocation.runs import current_published_runs
    from pial.app import create_app
    from pial.db import get_session
    from pial.migrations import upgrade_database
    from pial.models import AllocationLine, Season
    from pial.spreadsheets.services import export_season

    with tempfile.TemporaryDirectory(prefix="pial-season-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        moment = dt.datetime.fromisoformat(args.at)
        config = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": folder,
            "SCHEDULER_ENABLED": False,
            "PIAL_CLOCK": lambda: moment,
        }
        app = create_app(config)
        with app.app_context():
            upgrade_database(url)
            if get_session().scalar(select(func.count()).select_from(Season)) == 0:
                from pial.demo import seed_demo

                started = time.perf_counter()
                summary = seed_demo()
                print(f"seed_s={time.perf_counter() - started:.1f}  {summary.describe()}")
            session = get_session()
            runs = current_published_runs().subquery()
            code = args.season
            if code is None:
                seasons = session.scalars(select(Season)).all()
                code = max(
                    seasons,
                    key=lambda season: session.scalar(
                        select(func.count())
                        .select_from(AllocationLine)
                        .where(
                            AllocationLine.run_id.in_(select(runs.c.id)),
                            AllocationLine.day >= season.start_date,
                            AllocationLine.day <= season.end_date,
                        )
                    )
                    or 0,
                ).code
            timings_s = []
            rows = size = 0
            for _ in range(args.repeat):
                stream = io.BytesIO()
                started = time.perf_counter()
                rows = export_season(code, stream)
                timings_s.append(time.perf_counter() - started)
                size = len(stream.getvalue())
                session.rollback()  # a fresh read each time, as a download would do
    print(f"season={code} rows={rows} size_kb={size // 1024}")
    print("export_s=" + " ".join(f"{value:.3f}" for value in timings_s))
    print(f"median_export_s={statistics.median(timings_s):.3f}")


if __name__ == "__main__":
    main()
