"""A record's completeness: the placeholder unit of a pending account (待补全), what a record still lacks,
and who a record is while its uid is unknown."""

from __future__ import annotations

from registry.config.i18n import tr
from registry.ledger import vocab

#: Unit cells that mean "owner unit not known yet": the account is imported as pending (待补全).
PENDING_UNIT = "待核实"
#: Unit cells read as "not known yet" (stored as PENDING_UNIT).
UNKNOWN_UNITS = frozenset(("", PENDING_UNIT, "待确认", "待定", "不详", "未知"))


def shown_unit(name: str) -> str | None:
    """A unit name as users see it: None (shown "—") for the placeholder a pending account waits in, which is
    no unit (the schema keeps every account in a unit; the placeholder never shows as one)."""
    return None if name == PENDING_UNIT else name


def is_pending(record: dict[str, str]) -> bool:
    """Whether a record lacks the platform uid or the owner unit (pending identity, 待补全)."""
    return not record.get("uid") or record.get("unit") == PENDING_UNIT


#: What a record may lack, in the user's language.
MISSING_LABELS = {"platform": ("平台", "platform"), "uid": ("账号ID", "account id"), "unit": ("主办单位", "owner unit"),
                  "contact": ("联系人", "contact")}


def missing_fields(record: dict[str, str]) -> list[str]:
    """What a record still lacks: "platform", "uid", "unit", "contact" (labels in MISSING_LABELS).

    Only a missing id or unit keeps an account from being collected (`is_pending`); a missing contact is
    reported so that the office completes it, the account is still collected.
    """
    out = []
    if record.get("platform") == vocab.Platform.OTHER.value and not record.get("uid"):
        out.append("platform")
    if not record.get("uid"):
        out.append("uid")
    if record.get("unit") in ("", PENDING_UNIT):
        out.append("unit")
    if not record.get("operator") and not record.get("head"):
        out.append("contact")
    return out


def missing_text(missing: list[str]) -> str:
    """Missing fields as the user reads them: 账号ID、主办单位 / account id, owner unit."""
    return tr("、", ", ").join(tr(*MISSING_LABELS[m]) for m in missing)


def record_identity(record: dict[str, str]) -> tuple[str, ...]:
    """Who a record is: (platform, uid), or (platform, name, unit) while the uid is unknown."""
    if record.get("uid"):
        return record["platform"], record["uid"]
    return record["platform"], record["name"], record["unit"]
