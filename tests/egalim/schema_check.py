"""Validate a file against ma-cantine's schema with Frictionless, as ma-cantine's Validata does.

Frictionless is an implementation of the Table Schema standard independent of PIAL: the tests
use it on the repository's verbatim copy of the schema, so that a row passes only if the
schema's own rules (types, patterns, required fields, header names and order) accept it.
"""

from __future__ import annotations

import json

from pial.egalim.tableschema import PURCHASE_SCHEMA_PATH


def schema_errors(content: bytes) -> list[tuple[int | None, str | None, str, str]]:
    """Return (row, field, error type, note) for each way ``content`` breaks the schema."""
    from frictionless import Resource, Schema

    descriptor = json.loads(PURCHASE_SCHEMA_PATH.read_text(encoding="utf-8"))
    resource = Resource(data=content, format="csv", encoding=descriptor["encoding"],
                        schema=Schema.from_descriptor(descriptor))  # fmt: skip
    report = resource.validate()
    return [tuple(error) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])]
