"""Domain events: a service says what happened, and the packages above it decide what follows.

A lower package (allocation) cannot call a higher one (notifications) without an import
cycle; it raises an event instead, and each interested package subscribes a handler when the
app is built (``init_app``). Handlers run at once, inside the raising service's transaction,
so that what they write (queued e-mails) is committed, or rolled back, with the change itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app

EXTENSION = "pial.events"

Event = TypeVar("Event")


def subscribe(app: Flask, event_type: type[Event], handler: Callable[[Event], object]) -> None:
    """Have ``handler`` called with every ``event_type`` event raised in ``app``."""
    handlers: defaultdict[type[Any], list[Callable[[Any], object]]] = app.extensions.setdefault(
        EXTENSION, defaultdict(list)
    )
    handlers[event_type].append(handler)


def raise_event(event: object) -> None:
    """Call the current app's handlers of ``event``'s type, in the order they subscribed."""
    for handler in current_app.extensions.get(EXTENSION, {}).get(type(event), ()):
        handler(event)
