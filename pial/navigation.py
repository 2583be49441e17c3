"""The per-role navigation menu, which each feature extends with its own entries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext
from flask_login import current_user

_EXTENSION_KEY = "pial.navigation"

MAIN_MENU_BEFORE = 50
"""Entries ordered below this are each role's daily tools; the others go under « Plus »."""

WEEK_STATE_LABELS = {
    "draft": lazy_gettext("en préparation"),
    "open": lazy_gettext("ouverte aux offres et commandes"),
    "closed": lazy_gettext("close, en attente de répartition"),
    "allocated": lazy_gettext("répartie, en relecture"),
    "published": lazy_gettext("planning publié"),
    "delivered": lazy_gettext("livrée"),
}


@dataclass(frozen=True, slots=True)
class NavigationEntry:
    """A menu entry: its label, endpoint and the roles that see it."""

    label: Any
    endpoint: str
    roles: frozenset[str]
    order: int = 100


@dataclass(frozen=True, slots=True)
class NavigationItem:
    """A menu entry resolved for the current request."""

    label: str
    url: str
    active: bool
    more: bool = False  # shown under « Plus », not in the main row


def add_navigation(app: Flask, label: Any, endpoint: str, *roles: str, order: int = 100) -> None:
    """Add a menu entry shown to ``roles``."""
    entries: list[NavigationEntry] = app.extensions.setdefault(_EXTENSION_KEY, [])
    entries.append(NavigationEntry(label, endpoint, frozenset(roles), order))


def navigation_items() -> list[NavigationItem]:
    """Return the menu of the signed-in user, in order."""
    if not current_user.is_authenticated:
        return []
    entries: list[NavigationEntry] = current_app.extensions.get(_EXTENSION_KEY, [])
    visible = sorted(
        (entry for entry in entries if current_user.role in entry.roles),
        key=lambda entry: entry.order,
    )
    return [
        NavigationItem(
            str(entry.label), url_for(entry.endpoint), request.endpoint == entry.endpoint,
            more=entry.order >= MAIN_MENU_BEFORE,
        )
        for entry in visible
    ]


def week_state_label(state: str) -> str:
    """Return the French label of a week state."""
    return str(WEEK_STATE_LABELS.get(state, state))


def init_app(app: Flask) -> None:
    """Expose the menu and the labels to every template."""
    helpers: dict[str, Callable[..., Any]] = {
        "navigation_items": navigation_items,
        "week_state_label": week_state_label,
    }
    app.context_processor(lambda: helpers)
