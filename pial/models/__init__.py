"""Every PIAL table; importing this package registers them all on ``Base.metadata``.

One aggregate per module; shared column types and helpers are in ``common``.
"""

from pial.db import Base
from pial.models.allocation import (
    PUBLICATION_FIELDS,
    AllocationLine,
    AllocationRun,
    CropFailure,
    ImmutableRunError,
    ManualLock,
    RunStatus,
    RunTrigger,
)
from pial.models.audit import (
    AuditLog,
)
from pial.models.canteens import (
    Canteen,
    CanteenGroup,
    CanteenKind,
    canteen_group_members,
)
from pial.models.catalogue import (
    ALL_YEAR,
    Price,
    Product,
    ProductUnit,
    Season,
)
from pial.models.common import (
    Money,
    Quantity,
    Rate,
    Share,
    Timestamped,
    UTCDateTime,
    enum_check,
    enum_type,
    utcnow,
)
from pial.models.contracts import (
    Contract,
    ContractLine,
    ContractLinePeriod,
    contract_growers,
)
from pial.models.deliveries import (
    Delivery,
    QualityRating,
    Receipt,
)
from pial.models.egalim import (
    MacantineExport,
    OtherPurchases,
)
from pial.models.farms import (
    CertificationLabel,
    Farm,
    FarmCertificate,
)
from pial.models.jobs import (
    JobRun,
    JobStatus,
    OutboxMessage,
    OutboxStatus,
)
from pial.models.money import (
    AdvanceRecovery,
    CashAdvance,
    FeeAccrual,
    FundMovement,
    LedgerEntry,
    LedgerKind,
)
from pial.models.platform import (
    PLATFORM_ID,
    FeeKind,
    FeeRate,
    Platform,
    find_platform,
    parse_weekdays,
)
from pial.models.rotation import (
    CoordinatorAssignment,
    CoordinatorSwap,
    SwapState,
)
from pial.models.users import (
    TOKEN_HASH_LENGTH,
    ApiToken,
    Invitation,
    InvitationPurpose,
    LoginAttempt,
    Role,
    User,
)
from pial.models.weeks import (
    WEEK_STATE_ORDER,
    AvailabilityLine,
    DeliveryWeek,
    OrderLine,
    OrderPriority,
    StandingOrderLine,
    WeekState,
)

__all__ = [
    "ALL_YEAR",
    "PLATFORM_ID",
    "PUBLICATION_FIELDS",
    "TOKEN_HASH_LENGTH",
    "WEEK_STATE_ORDER",
    "AdvanceRecovery",
    "AllocationLine",
    "AllocationRun",
    "ApiToken",
    "AuditLog",
    "AvailabilityLine",
    "Base",
    "Canteen",
    "CanteenGroup",
    "CanteenKind",
    "CashAdvance",
    "CertificationLabel",
    "Contract",
    "ContractLine",
    "ContractLinePeriod",
    "CoordinatorAssignment",
    "CoordinatorSwap",
    "CropFailure",
    "Delivery",
    "DeliveryWeek",
    "Farm",
    "FarmCertificate",
    "FeeAccrual",
    "FeeKind",
    "FeeRate",
    "FundMovement",
    "ImmutableRunError",
    "Invitation",
    "InvitationPurpose",
    "JobRun",
    "JobStatus",
    "LedgerEntry",
    "LedgerKind",
    "LoginAttempt",
    "MacantineExport",
    "ManualLock",
    "Money",
    "OrderLine",
    "OrderPriority",
    "OtherPurchases",
    "OutboxMessage",
    "OutboxStatus",
    "Platform",
    "Price",
    "Product",
    "ProductUnit",
    "QualityRating",
    "Quantity",
    "Rate",
    "Receipt",
    "Role",
    "RunStatus",
    "RunTrigger",
    "Season",
    "Share",
    "StandingOrderLine",
    "SwapState",
    "Timestamped",
    "UTCDateTime",
    "User",
    "WeekState",
    "canteen_group_members",
    "contract_growers",
    "enum_check",
    "enum_type",
    "find_platform",
    "parse_weekdays",
    "utcnow",
]
