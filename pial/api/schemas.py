"""Request and response schemas of the API (marshmallow); the OpenAPI document comes from them.

Quantities and amounts are read as JSON numbers and written as decimal strings ("12.5"), so
that no cent or gram is lost to binary floating point on the way out.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

MAX_ID = 2**31 - 1
MAX_QUANTITY = 1_000_000



def id_field(**kw: Any) -> fields.Integer:
    """Return a database identifier field (1 … 2³¹−1)."""
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)


class StrictSchema(Schema):
    """A request schema refusing unknown fields (a typo must not be silently ignored)."""

    class Meta:
        """Refuse unknown fields."""

        unknown = "raise"


def _quantity(**kw: Any) -> fields.Decimal:
    # apispec would print the Decimal bounds as strings; the document needs numbers.
    return fields.Decimal(
        allow_nan=False,
        validate=validate.Range(0, MAX_QUANTITY),
        metadata={"minimum": 0, "maximum": MAX_QUANTITY},
        **kw,
    )


# --- Requests ------------------------------------------------------------------------------------


class AvailabilityLineIn(StrictSchema):
    """One offered product: quantity in the product's unit, for a day or any day (null)."""

    product_name = fields.String(load_only=True, metadata={"description": "Ignoré (lecture)."})
    unit = fields.String(load_only=True, metadata={"description": "Ignoré (lecture)."})

    product_id = id_field(required=True)
    quantity = _quantity(required=True)
    day = fields.Date(load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class _ReadOnlyRecordFields(StrictSchema):
    """What a GET body shows and a PUT accepts back (ignored): the body can be sent back."""

    iso_week = fields.String(metadata={"description": "Ignoré : la semaine est dans l'URL."})
    editable = fields.Boolean(metadata={"description": "Ignoré (lecture)."})
    deadline_dt = fields.DateTime(allow_none=True, metadata={"description": "Ignoré."})
    message = fields.String(allow_none=True, metadata={"description": "Ignoré (lecture)."})
    version = fields.String(
        load_default=None,
        allow_none=False,
        validate=validate.Length(min=1, max=128),
        metadata={
            "description": "La version lue (GET). Obligatoire, ici ou dans l'en-tête If-Match "
            "(l'ETag du GET) : sans l'une ni l'autre, 428 ; périmée, 409 avec l'état actuel."
        },
    )


class AvailabilityIn(_ReadOnlyRecordFields):
    """The whole offer of a farm for a week (replace-all); ``version`` as last read."""

    farm_id = fields.Integer(metadata={"description": "Ignoré : la ferme est dans l'URL."})
    lines = fields.List(
        fields.Nested(AvailabilityLineIn), required=True, validate=validate.Length(max=500)
    )


class OrderLineIn(StrictSchema):
    """One ordered product for one delivery day, in the product's unit."""

    product_name = fields.String(load_only=True, metadata={"description": "Ignoré (lecture)."})
    unit = fields.String(load_only=True, metadata={"description": "Ignoré (lecture)."})
    priority = fields.String(
        validate=validate.OneOf(["contract", "regular"]),
        metadata={"description": "Ignoré : la priorité vient des contrats signés."},
    )

    product_id = id_field(required=True)
    day = fields.Date(required=True)
    quantity = _quantity(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class OrdersIn(_ReadOnlyRecordFields):
    """The whole orders of a canteen for a week (replace-all); ``version`` as last read."""

    canteen_id = fields.Integer(metadata={"description": "Ignoré : la cantine est dans l'URL."})
    lines = fields.List(
        fields.Nested(OrderLineIn), required=True, validate=validate.Length(max=500)
    )


class PublicationIn(StrictSchema):
    """Which run to publish (default: the latest)."""

    run_id = id_field(load_default=None, allow_none=True)


class ReceiptIn(StrictSchema):
    """What a canteen received on a delivery line; ``version`` as last read (GET)."""

    allocation_line_id = fields.Integer(
        metadata={"description": "Ignoré : la ligne est dans l'URL."}
    )
    recorded = fields.Boolean(metadata={"description": "Ignoré (lecture)."})
    planned_quantity = fields.String(metadata={"description": "Ignoré (lecture)."})
    received_dt = fields.DateTime(allow_none=True, metadata={"description": "Ignoré (lecture)."})
    version = fields.String(
        load_default=None,
        allow_none=False,
        validate=validate.Length(min=1, max=128),
        metadata={
            "description": "La version lue (GET ; « 0 » tant que rien n'est saisi). Obligatoire, "
            "ici ou dans l'en-tête If-Match (l'ETag du GET) : sans l'une ni l'autre, 428 ; "
            "périmée, 409 avec l'état actuel."
        },
    )

    received_quantity = _quantity(required=True)
    quality = fields.String(
        load_default="ok", validate=validate.OneOf(["ok", "minor", "rejected"])
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


# --- Responses -----------------------------------------------------------------------------------


class MeOut(Schema):
    """The user a token (or session) acts as."""

    id = fields.Integer()
    display_name = fields.String()
    email = fields.String()
    role = fields.String()
    farm_id = fields.Integer(allow_none=True)
    canteen_id = fields.Integer(allow_none=True)
    locale = fields.String()


class WeekOut(Schema):
    """A delivery week and its calendar."""

    iso_week = fields.String()
    state = fields.String()
    monday_date = fields.Date()
    availability_deadline_dt = fields.DateTime()
    order_deadline_dt = fields.DateTime()
    published_dt = fields.DateTime(allow_none=True)
    version_id = fields.Integer()


class _SavedLineOut(Schema):
    """The fields that offer and order lines share."""

    product_id = fields.Integer()
    product_name = fields.String()
    unit = fields.String()
    quantity = fields.String()
    note = fields.String(allow_none=True)


class AvailabilityLineOut(_SavedLineOut):
    """One saved offer line (``day`` empty: any delivery day of the week)."""

    day = fields.Date(allow_none=True)


class OrderLineOut(_SavedLineOut):
    """One saved order line."""

    day = fields.Date()
    priority = fields.String()


class _WeekRecordOut(Schema):
    """What a farm's offer and a canteen's orders of a week share, the version included."""

    iso_week = fields.String()
    version = fields.String()
    editable = fields.Boolean()
    deadline_dt = fields.DateTime()
    message = fields.String(allow_none=True)


class AvailabilityOut(_WeekRecordOut):
    """A farm's offer of a week, with the version to send back with the next save."""

    farm_id = fields.Integer()
    lines = fields.List(fields.Nested(AvailabilityLineOut))


class OrdersOut(_WeekRecordOut):
    """A canteen's orders of a week, with the version to send back with the next save."""

    canteen_id = fields.Integer()
    lines = fields.List(fields.Nested(OrderLineOut))


class AllocationLineOut(Schema):
    """One planned delivery: a farm brings a quantity of a product to a canteen on a day."""

    id = fields.Integer()
    farm_id = fields.Integer()
    canteen_id = fields.Integer()
    product_id = fields.Integer()
    day = fields.Date()
    quantity = fields.String()


class RunOut(Schema):
    """An allocation run (immutable) and its figures."""

    id = fields.Integer()
    sequence = fields.Integer()
    status = fields.String()
    trigger = fields.String()
    created_dt = fields.DateTime()
    published_version = fields.Integer(allow_none=True)
    published_dt = fields.DateTime(allow_none=True)
    fill_rate = fields.Float(allow_none=True)
    ordered_eur = fields.String(allow_none=True)
    served_eur = fields.String(allow_none=True)
    solve_s = fields.Float(allow_none=True)
    time_limit_reached = fields.Boolean(
        allow_none=True,
        metadata={"description": "Le calcul a atteint son temps maximal et a pu être écourté : "
                  "relancée, la répartition pourrait différer (null : non renseigné)."},
    )
    error_message = fields.String(allow_none=True)


class RunDetailOut(RunOut):
    """A run with its planned lines."""

    lines = fields.List(fields.Nested(AllocationLineOut))


class ReceiptOut(Schema):
    """What a canteen recorded as received."""

    allocation_line_id = fields.Integer()
    received_quantity = fields.String()
    quality = fields.String()
    note = fields.String(allow_none=True)
    received_dt = fields.DateTime()


class ReceiptStateOut(Schema):
    """A delivery line's receipt, to send back to the PUT (planned quantity until recorded)."""

    allocation_line_id = fields.Integer()
    recorded = fields.Boolean()
    planned_quantity = fields.String()
    received_quantity = fields.String()
    quality = fields.String()
    note = fields.String(allow_none=True)
    received_dt = fields.DateTime(allow_none=True)
    version = fields.String(metadata={"description": "À renvoyer (ou l'ETag en If-Match)."})


class DeliveryLineOut(Schema):
    """One line of a delivery note, with its receipt if recorded."""

    allocation_line_id = fields.Integer()
    farm_id = fields.Integer()
    farm_name = fields.String()
    product_id = fields.Integer()
    product_name = fields.String()
    quantity = fields.String()
    price_eur = fields.String()
    receipt = fields.Nested(ReceiptOut, allow_none=True)


class DeliveryDayOut(Schema):
    """What a canteen receives on one day of the published planning."""

    day = fields.Date()
    lines = fields.List(fields.Nested(DeliveryLineOut))


class DeliveriesOut(Schema):
    """A canteen's deliveries of a week."""

    iso_week = fields.String()
    canteen_id = fields.Integer()
    published_version = fields.Integer(allow_none=True)
    days = fields.List(fields.Nested(DeliveryDayOut))


class ContractLineOut(Schema):
    """A product committed by a contract."""

    id = fields.Integer()
    product_id = fields.Integer()
    committed_min_quantity_per_year = fields.String()
    production_cost_eur = fields.String()
    margin_eur = fields.String()
    intermediation_fee_eur = fields.String()


class ContractOut(Schema):
    """A public-procurement contract of a canteen or group of canteens."""

    id = fields.Integer()
    title = fields.String()
    tender_reference = fields.String(allow_none=True)
    lot_label = fields.String(allow_none=True)
    canteen_id = fields.Integer(allow_none=True)
    canteen_group_id = fields.Integer(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    is_active = fields.Boolean()
    version_id = fields.Integer()
    lines = fields.List(fields.Nested(ContractLineOut))


class StatementLineOut(Schema):
    """One accrued (or planned) sale of a statement."""

    day = fields.Date()
    iso_week = fields.String()
    farm_id = fields.Integer()
    canteen_id = fields.Integer()
    product_name = fields.String()
    unit = fields.String()
    quantity = fields.String()
    value_eur = fields.String()
    fee_eur = fields.String()
    fund_eur = fields.String()
    recovered_eur = fields.String()
    net_eur = fields.String()
    under_contract = fields.Boolean()
    received = fields.Boolean()


class StatementOut(Schema):
    """A farm's or canteen's monthly statement."""

    kind = fields.String()
    owner_id = fields.Integer()
    owner_name = fields.String()
    month = fields.String()
    pending_sales = fields.Integer()
    total_value_eur = fields.String()
    lines = fields.List(fields.Nested(StatementLineOut))


class InvoiceOut(Schema):
    """An invoice or credit note (amounts excluding and including VAT, in euros)."""

    id = fields.Integer()
    number = fields.String()
    kind = fields.String(metadata={"enum": ["invoice", "credit_note"]})
    corrects_id = fields.Integer(allow_none=True)
    month = fields.String()
    issue_date = fields.Date()
    due_date = fields.Date()
    seller_name = fields.String()
    seller_siret = fields.String(allow_none=True)
    buyer_name = fields.String()
    buyer_canteen_id = fields.Integer(allow_none=True)
    buyer_group_id = fields.Integer(allow_none=True)
    total_excl_vat_eur = fields.String()
    vat_eur = fields.String()
    total_incl_vat_eur = fields.String()
    status = fields.String(metadata={"enum": ["issued", "paid", "overdue", "credited"]})
    paid_date = fields.Date(allow_none=True)


# --- Errors --------------------------------------------------------------------------------------


class CurrentLineOut(Schema):
    """A line as somebody else saved it meanwhile."""

    product_id = fields.Integer()
    day = fields.Date(allow_none=True)
    quantity = fields.String()


class ProblemOut(Schema):
    """An error as RFC 9457 problem details; ``errors`` maps each offending field to messages."""

    type = fields.String()
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String())
    current_version = fields.String()
    changed_by = fields.String(allow_none=True)
    changed_dt = fields.DateTime(allow_none=True)
    current_lines = fields.List(fields.Nested(CurrentLineOut))
