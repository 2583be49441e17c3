"""Errors raised by services; their message is meant for the user, in French."""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """An action was refused; ``str(error)`` tells the user why."""

    http_status = 400


class NotFound(ServiceError):
    """The record does not exist (or is not visible to this user)."""

    http_status = 404


class Forbidden(ServiceError):
    """The user may not do this to this record (ownership, role of the week…)."""

    http_status = 403


class Conflict(ServiceError):
    """Somebody else changed the record meanwhile, or the week's state forbids the action."""

    http_status = 409


class PreconditionRequired(ServiceError):
    """A write came without the version it was based on (a blind overwrite is refused)."""

    http_status = 428


class StaleRecord(Conflict):
    """A write was based on a version of the record that is no longer the current one.

    ``current_version`` and ``current`` (the record as a GET shows it now) let the client
    merge and retry.
    """

    def __init__(self, message: str, *, current_version: str, current: Mapping[str, object]):
        super().__init__(message)
        self.current_version = current_version
        self.current = dict(current)


class InvalidInput(ServiceError):
    """Input was refused; ``field_errors`` maps each field (or row) to its French messages."""

    http_status = 422

    def __init__(self, message: str, field_errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})
