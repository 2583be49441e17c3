"""Peak memory of a continuous week of 1000 growers × 1000 canteens (issue 22).

``python benchmarks/memory.py [--scale national] [--seed 1] [--max-km 85]`` generates the
« national » scale of ``solver.bench.generate`` (continuous; ``--max-km`` widens the reach of
every grower, hence a denser week with more pairs), writes it to a temporary file, then solves
it with ``python -m solver solve`` in a fresh process and reports that process's peak resident
memory (``ru_maxrss`` of the child), its CPU and wall seconds, the status and the number of
(grower, line) pairs. The target is a peak ≤ 1 GB. Memory does not depend on the machine's
load; times do (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from solver.bench.generate import generate_instance  # noqa: E402
from solver.engine.index import index_problem  # noqa: E402
from solver.io import read_problem  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-km", type=float, default=None,
                        help="override the scale's farthest grower–canteen distance")
    args = parser.parse_args()
    document = generate_instance(args.scale, "continuous", args.seed)
    if args.max_km is not None:
        document["settings"]["max_km"] = args.max_km
    pairs = index_problem(read_problem(document)).num_pairs
    with tempfile.TemporaryDirectory() as folder:
        instance, result = Path(folder) / "week.json", Path(folder) / "result.json"
        instance.write_text(json.dumps(document), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "solver", "solve", str(instance), "-o", str(result)],
                       check=True, cwd=REPO_ROOT)  # fmt: skip
        wall = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        status = json.loads(result.read_text(encoding="utf-8"))["status"]
    reach = document["settings"]["max_km"]
    print(f"{args.scale} seed {args.seed} continuous, max {reach} km: "
          f"{len(document['growers'])} growers × {len(document['canteens'])} canteens, "
          f"{len(document['orders'])} order lines, "
          f"{pairs} pairs; status {status}; peak {usage.ru_maxrss / 1024:.0f} MB; "
          f"CPU {usage.ru_utime + usage.ru_stime:.1f} s, wall {wall:.1f} s "
          f"(load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
