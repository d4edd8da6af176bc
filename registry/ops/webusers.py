"""Web console users (admin / unit / viewer) and login attempts; every change to a user is audited.

Passwords arrive here already hashed (argon2, by ``web.passwords``): the registry never sees one.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from tortoise.transactions import in_transaction

from registry.config.i18n import tr
from registry.db.models import LoginAttempt, Unit, WebUser
from registry.ledger import audit
from registry.ledger.accounts import NotFound

ROLES = ("admin", "unit", "viewer")
NAME_MAX = 64
WECOM_MAX = 64  # the column's length


class WebUserFacts(NamedTuple):
    """A web user as the console and the CLI show it (never the hash)."""

    id: int
    name: str
    role: str
    unit_id: int | None
    unit_name: str
    disabled: bool
    session_epoch: int
    created_at: dt.datetime
    #: The WeCom member (userid) who may sign in as this user; "" = none.
    wecom_userid: str = ""


async def _facts(user: WebUser) -> WebUserFacts:
    unit = await Unit.get_or_none(id=user.unit_id) if user.unit_id else None  # type: ignore[attr-defined]
    return WebUserFacts(user.id, user.name, user.role, unit.id if unit else None, unit.name if unit else "",
                        user.disabled, user.session_epoch, user.created_at, user.wecom_userid)


async def add_web_user(name: str, role: str, unit: str | None, password_hash: str, *, actor: str) -> WebUserFacts:
    """Create a user; a unit user needs an existing unit, the others none."""
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(c.isspace() or ord(c) < 32 for c in name):
        raise ValueError(tr(f"用户名应为 1–{NAME_MAX} 个字符，不含空白", f"a user name is 1-{NAME_MAX} characters, no spaces"))
    if role not in ROLES:
        raise ValueError(tr(f"角色应为 {'/'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}"))
    if (role == "unit") != bool(unit):
        raise ValueError(tr("unit 角色必须用 --unit 指定单位，其他角色不能指定单位",
                            "the unit role needs --unit; the other roles take none"))
    unit_row = None
    if unit:
        unit_row = await Unit.get_or_none(name=unit)
        if unit_row is None:
            raise NotFound(tr(f"找不到单位：{unit}", f"no unit {unit!r}"))
    if await WebUser.exists(name=name):
        raise ValueError(tr(f"用户已存在：{name}", f"user already exists: {name}"))
    async with in_transaction():
        user = await WebUser.create(name=name, role=role, unit=unit_row, password_hash=password_hash)
        await audit.record(actor=actor, entity="web_user", entity_id=user.id, ref=f"web:{name}", action="create",
                           changes={"role": (None, role), "unit": (None, unit or None)})
    return await _facts(user)


async def list_web_users() -> list[WebUserFacts]:
    """Every web user, by name."""
    return [await _facts(u) for u in await WebUser.all().order_by("name")]


async def web_user_by_name(name: str) -> WebUserFacts | None:
    """The user of this name (disabled ones too), or None."""
    if not name or len(name) > NAME_MAX:
        return None
    user = await WebUser.get_or_none(name=name)
    return await _facts(user) if user else None


async def web_user_by_wecom(userid: str) -> WebUserFacts | None:
    """The enabled user a WeCom member signs in as, or None (no such link, or the user is disabled)."""
    if not userid or len(userid) > WECOM_MAX:
        return None
    user = await WebUser.get_or_none(wecom_userid=userid.lower(), disabled=False)
    return await _facts(user) if user else None


async def link_wecom(name: str, userid: str, *, actor: str) -> WebUserFacts:
    """Let the WeCom member ``userid`` sign in as this user ("" removes the link); one user per member.

    WeCom userids are matched without regard to case (WeCom itself lower-cases them in answers).
    """
    userid = userid.strip().lower()
    if len(userid) > WECOM_MAX or any(c.isspace() or ord(c) < 32 for c in userid):
        raise ValueError(tr(f"企业微信账号应为 1–{WECOM_MAX} 个字符，不含空白",
                            f"a WeCom userid is 1-{WECOM_MAX} characters, no spaces"))
    user = await _get(name)
    async with in_transaction():
        if userid:
            other = await WebUser.filter(wecom_userid=userid).exclude(id=user.id).first()
            if other is not None:
                raise ValueError(tr(f"企业微信账号 {userid} 已关联网页用户 {other.name}",
                                    f"WeCom userid {userid} is already linked to web user {other.name}"))
        before = user.wecom_userid
        user.wecom_userid = userid
        await user.save(update_fields=["wecom_userid", "updated_at"])
        await audit.record(actor=actor, entity="web_user", entity_id=user.id, ref=f"web:{name}", action="update",
                           changes={"wecom_userid": (before or None, userid or None)})
    return await _facts(user)


async def password_hash_of(name: str) -> str | None:
    """The stored hash of an enabled user (None: no such user or disabled), for checking a login."""
    if not name or len(name) > NAME_MAX:
        return None
    row = await WebUser.filter(name=name, disabled=False).first().values("password_hash")
    return str(row["password_hash"]) if row else None


async def _get(name: str) -> WebUser:
    user = await WebUser.get_or_none(name=name) if name and len(name) <= NAME_MAX else None
    if user is None:
        raise NotFound(tr(f"找不到网页用户：{name}", f"no web user {name!r}"))
    return user


async def disable_web_user(name: str, *, actor: str) -> WebUserFacts:
    """Disable a user and end its sessions."""
    user = await _get(name)
    async with in_transaction():
        before = user.disabled
        user.disabled, user.session_epoch = True, user.session_epoch + 1
        await user.save(update_fields=["disabled", "session_epoch", "updated_at"])
        await audit.record(actor=actor, entity="web_user", entity_id=user.id, ref=f"web:{name}", action="disable",
                           changes={"disabled": (before, True)})
    return await _facts(user)


async def reset_web_password(name: str, password_hash: str, *, actor: str) -> WebUserFacts:
    """Set a new password (re-enabling the user) and end its sessions."""
    user = await _get(name)
    async with in_transaction():
        before = user.disabled
        user.password_hash, user.disabled, user.session_epoch = password_hash, False, user.session_epoch + 1
        await user.save(update_fields=["password_hash", "disabled", "session_epoch", "updated_at"])
        await audit.record(actor=actor, entity="web_user", entity_id=user.id, ref=f"web:{name}", action="reset",
                           changes={"disabled": (before, False)}, note="password reset")
    return await _facts(user)


async def rehash_password(name: str, password_hash: str) -> None:
    """Store a stronger hash of the same password (argon2 parameters raised); not a change worth auditing."""
    await WebUser.filter(name=name).update(password_hash=password_hash)


async def record_login_attempt(keys: list[str], ok: bool, at: dt.datetime) -> None:
    """Keep one attempt under each key (``user:NAME``, ``addr:IP``); a success clears the keys' failures."""
    async with in_transaction():
        if ok:
            await LoginAttempt.filter(key__in=keys, ok=False).delete()
        await LoginAttempt.bulk_create([LoginAttempt(key=k[:160], at=at, ok=ok) for k in keys])


async def recent_failures(key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Failed attempts under ``key`` since a moment, and the latest one's time."""
    rows = await LoginAttempt.filter(key=key[:160], ok=False, at__gte=since).order_by("-at").values_list("at", flat=True)
    latest: dt.datetime | None = rows[0] if rows else None  # type: ignore[assignment]
    return len(rows), latest


async def prune_login_attempts(before: dt.datetime) -> int:
    """Forget attempts older than a moment."""
    return await LoginAttempt.filter(at__lt=before).delete()
