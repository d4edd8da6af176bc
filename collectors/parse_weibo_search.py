"""Pure parser for m.weibo.cn's user search (`containerid=100103type=3&q=<name>`, platform-apis-2.md §5.1)."""

from __future__ import annotations

from dataclasses import dataclass

from collectors.parse_common import Obj, as_list, as_obj, get_bool, get_id, opt_int, opt_str, req_str
from collectors.parse_weibo_mobile import _data, parse_count

#: `verified_type` values of official bodies: 1 government (政府), 7 organisation (机构) (§5.1).
GOVERNMENT_TYPES = frozenset((1, 7))


@dataclass(frozen=True)
class UserCandidate:
    """One user the search returned."""

    uid: str
    screen_name: str
    verified: bool
    verified_type: int | None
    verified_reason: str
    followers: int | None

    @property
    def government(self) -> bool:
        """A verified government or organisation account."""
        return self.verified and self.verified_type in GOVERNMENT_TYPES


def search_containerid(name: str) -> str:
    """The container id of a user search by name (httpx URL-encodes it as a query value)."""
    return f"100103type=3&q={name}"


def _user(obj: Obj, where: str) -> UserCandidate:
    user = as_obj(obj.get("user"), where + ".user")
    where += ".user"
    followers = user.get("followers_count")
    return UserCandidate(
        uid=get_id(user, ("id", "idstr"), where),
        screen_name=req_str(user, "screen_name", where),
        verified=bool(get_bool(user, "verified", where)),
        verified_type=opt_int(user, "verified_type", where),
        verified_reason=opt_str(user, "verified_reason", where) or "",
        followers=parse_count(followers) if isinstance(followers, (int, str)) else None,
    )


def parse_user_search(body: object) -> list[UserCandidate]:
    """Every user (`card_type 10`) in any card group of a search answer; [] for ok:0 (nothing found)."""
    data = _data(body, "search")
    if data is None:
        return []
    out: list[UserCandidate] = []
    for i, card in enumerate(as_list(data.get("cards", []), "search.cards")):
        c = as_obj(card, f"search.cards[{i}]")
        group = [c] if c.get("card_type") == 10 else as_list(c.get("card_group", []), f"search.cards[{i}].card_group")
        for j, item in enumerate(group):
            obj = as_obj(item, f"search.cards[{i}].card_group[{j}]")
            if obj.get("card_type") == 10 and "user" in obj:
                out.append(_user(obj, f"search.cards[{i}].card_group[{j}]"))
    return out


@dataclass(frozen=True)
class Match:
    """The outcome for one account: the chosen user (None: none unambiguous) and why."""

    chosen: UserCandidate | None
    reason_zh: str
    reason_en: str
    candidates: tuple[UserCandidate, ...] = ()


def choose(candidates: list[UserCandidate], name: str, unit: str) -> Match:
    """The one exact-name verified government account whose verification text names the unit, if exactly one."""
    exact = tuple(c for c in candidates if c.screen_name.strip() == name.strip())
    if not exact:
        return Match(None, "微博搜索没有同名账号", "no account of exactly this name", tuple(candidates[:5]))
    named = [c for c in exact if c.government and unit and unit in c.verified_reason]
    if len(named) == 1:
        return Match(named[0], "同名且政务认证写明本单位", "same name, government verification names the unit", exact)
    if len(named) > 1:
        return Match(None, f"有{len(named)}个同名政务认证账号都写明本单位，请人工核实",
                     f"{len(named)} same-name government accounts name the unit: check by hand", exact)
    return Match(None, "同名账号的认证信息未写明本单位，请人工核实",
                 "no same-name account's verification names the unit: check by hand", exact)
