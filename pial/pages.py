"""What the feature pages share: a service's refusal, flashed on its form or answered as HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash

from pial.errors import InvalidInput, ServiceError

Result = TypeVar("Result")


def flash_refusal(error: ServiceError, form: Any = None) -> None:
    """Flash a service refusal, tying its field errors to the form's inputs."""
    flash(str(error), "error")
    if isinstance(error, InvalidInput) and form is not None:
        for name, messages in error.field_errors.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = list(field.errors) + messages


def read_or_abort(function: Callable[..., Result], *args: Any, **kwargs: Any) -> Result:
    """Call a read service, turning its refusal (NotFound, Forbidden…) into its HTTP status."""
    try:
        return function(*args, **kwargs)
    except ServiceError as error:
        abort(error.http_status, str(error))
