"""Time ``seed_demo`` on a fresh SQLite (or given) database: ``python -m pial.demo.bench``.

Prints the time of each step reported by the seeding, then the total; the target is under
60 s for a whole season on SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    """Seed the demo into a fresh database and print how long each step took."""
    parser = argparse.ArgumentParser(description="Mesure la durée de pial seed-demo.")
    parser.add_argument("--weeks-back", type=int, default=None,
                        help="semaines passées à jouer (défaut : toute la saison)")
    parser.add_argument("--at", default=None,
                        help="instant simulé, ISO 8601 avec fuseau (défaut : maintenant)")
    parser.add_argument("--database-url", default=None, help="base à utiliser (vide)")
    args = parser.parse_args(argv)

    from pial.app import create_app
    from pial.demo import seed_demo
    from pial.migrations import upgrade_database

    with tempfile.TemporaryDirectory(prefix="pial-demo-bench-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade_database(url)
        config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                  "SCHEDULER_ENABLED": False}
        if args.at:
            moment = dt.datetime.fromisoformat(args.at)
            config["PIAL_CLOCK"] = lambda: moment
        app = create_app(config)
        started = last = time.perf_counter()

        def progress(message: str) -> None:
            nonlocal last
            clock = time.perf_counter()
            print(f"{clock - last:6.2f} s  {message}", flush=True)
            last = clock

        with app.app_context():
            summary = seed_demo(weeks_back=args.weeks_back, progress=progress)
        print(summary.describe())
        print(f"total_s={time.perf_counter() - started:.1f}")


if __name__ == "__main__":
    main()
