"""The clock of the engine's safety nets: the solving thread's CPU time, not the wall clock.

Search effort is limited in work (nodes, pairs), so the plan does not depend on time; the
safety nets (`settings.time_limit_s`) still read a clock. Reading the solving thread's CPU
time keeps them, too, out of reach of other programs loading the machine: a solve is cut short
only if its own work exceeds the limit. The trips' part of the bound, computed beside the
search in a thread of its own (`bound.start_trip_bounds`), has a time limit of its own on that
thread's CPU time and is not counted. Native solvers only take wall-clock limits; they get the CPU
seconds left times `WALL_PER_CPU_S`, a backstop against a runaway call on a loaded machine.
"""

from __future__ import annotations

import time

WALL_PER_CPU_S = 10.0


def now() -> float:
    """Return the CPU seconds the calling thread has used."""
    return time.thread_time()
