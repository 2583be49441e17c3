"""Who does something: a signed-in person, or the system (scheduler, CLI, migrations) as ``None``.

Services take an ``actor: Actor`` and check it themselves (deny by default); routes pass
``current_user``, jobs pass ``None``.
"""

from __future__ import annotations

from typing import TypeAlias

from pial.models.users import User

Actor: TypeAlias = User | None
"""The person a service acts for; ``None`` is the system itself."""
