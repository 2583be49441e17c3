"""Edits of user-maintained records, with optimistic concurrency and an audit entry.

Every editable record carries ``version_id``; a form sends back the version it was read at. If
somebody saved the record meanwhile, the edit is refused with a French message that shows what
the other person changed, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from pial.actors import Actor
from pial.audit import record_audit
from pial.db import get_session
from pial.errors import Conflict


def snapshot(record: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return the current values of ``fields`` of ``record``."""
    return {name: getattr(record, name) for name in fields}


def describe_values(values: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """Render field values as « libellé : valeur » pairs for a French message."""
    return ", ".join(f"{labels.get(name, name)} : {value}" for name, value in values.items())


def apply_edit(
    actor: Actor,
    record: Any,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None,
    action: str,
    labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Apply ``changes`` to ``record`` if nobody changed it since ``expected_version``; commit.

    Returns the values that actually changed (empty when the form changed nothing).
    """
    session = get_session()
    if expected_version is not None and record.version_id != expected_version:
        current = snapshot(record, list(changes))
        raise Conflict(
            _(
                "Quelqu'un d'autre a modifié cette fiche pendant que vous la modifiiez ; rien n'a "
                "été enregistré. Valeurs actuelles : "
            )
            + describe_values(current, labels or {})
            + _(". Rechargez la page pour reprendre à partir de ces valeurs.")
        )
    before = snapshot(record, list(changes))
    changed = {name: value for name, value in changes.items() if before[name] != value}
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(record, name, value)
    record_audit(actor, action, record, before={k: before[k] for k in changed}, after=changed)
    session.commit()
    return changed


def create_record(actor: Actor, record: Any, *, action: str) -> Any:
    """Add ``record``, audit its creation and commit."""
    session = get_session()
    session.add(record)
    session.flush()
    record_audit(actor, action, record, after={"id": record.id})
    session.commit()
    return record
