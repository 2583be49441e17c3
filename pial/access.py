"""The central access policy: every endpoint has exactly one rule, or it is refused.

Each feature declares the rules of its own endpoints next to its blueprint and hands them over
with :func:`register_blueprint`; the merged table is the one policy the app enforces before every
request. An endpoint missing from the table answers 403 (deny by default), and a test walks
``app.url_map`` to make sure no route is left without a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

_EXTENSION_KEY = "pial.policy"


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may call an endpoint: anybody, any signed-in user, or the listed roles."""

    public: bool = False
    roles: frozenset[str] | None = None

    def allows(self, user: Any) -> bool:
        """Tell whether ``user`` (possibly anonymous) passes this rule."""
        if self.public:
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        return self.roles is None or user.role in self.roles


PUBLIC = Rule(public=True)
SIGNED_IN = Rule()


def roles(*names: str) -> Rule:
    """Return a rule admitting signed-in users of the given roles."""
    return Rule(roles=frozenset(names))


def policy(app: Flask | None = None) -> dict[str, Rule]:
    """Return the endpoint → rule table of ``app`` (default: the current app)."""
    table: dict[str, Rule] = (app or current_app).extensions.setdefault(_EXTENSION_KEY, {})
    return table


def declare(app: Flask, rules: Mapping[str, Rule]) -> None:
    """Add endpoint rules to the app's policy, refusing to declare one endpoint twice."""
    table = policy(app)
    for endpoint, rule in rules.items():
        if endpoint in table:
            raise ValueError(f"access rule declared twice for {endpoint}")
        table[endpoint] = rule


def register_blueprint(app: Flask, blueprint: Blueprint, rules: Mapping[str, Rule]) -> None:
    """Register ``blueprint`` with the access rules of its endpoints (names without prefix)."""
    app.register_blueprint(blueprint)
    declare(app, {f"{blueprint.name}.{name}": rule for name, rule in rules.items()})


def enforce_policy() -> Response | None:
    """Refuse the request unless the endpoint's rule admits the current user."""
    endpoint = request.endpoint
    if endpoint is None:  # 404s and 405s carry no endpoint; Flask answers them itself.
        return None
    rule = policy().get(endpoint)
    if rule is None:
        abort(403)
    if rule.allows(current_user):
        return None
    if not current_user.is_authenticated and not request.path.startswith("/api/"):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    abort(403 if current_user.is_authenticated else 401)


def init_app(app: Flask) -> None:
    """Enforce the policy before every request of ``app``."""
    policy(app)
    declare(app, {"static": PUBLIC})
    app.before_request(enforce_policy)
