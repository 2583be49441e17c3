"""What a long-running PIAL process (the server, the scheduler) does with stop signals."""

from __future__ import annotations

import signal
from types import FrameType


def stop_on_interrupt_or_terminate() -> None:
    """Make Ctrl+C and SIGTERM stop a long-running command cleanly (``finally`` blocks run).

    A shell without job control starts background commands with SIGINT ignored, and Python
    then leaves it ignored: Ctrl+C (or ``kill -INT``) would never stop the server. SIGTERM,
    what service managers send, would end it without its clean-up.
    """

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
