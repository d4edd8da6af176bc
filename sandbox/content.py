"""Planted content problems (issue 16): a few sandbox posts carry realistic 错敏 and privacy problems, and a
few carry look-alikes that a content check must leave alone. Deterministic: fixed accounts and posts.

Problems (a check must find exactly these):
  * 滹沱发布 (Weibo, weibo_api): an outdated agency name (县环境保护局) in a recent post;
  * 滹沱市场监管 (Weibo, feed): an unmasked valid resident ID number in a recent post;
  * 滹沱人社 (Weibo, weibo_public): an individual's mobile number in a recent post.
Traps (must stay quiet):
  * 滹沱市场监管: an 18-digit order number whose check digit is wrong, and a masked ID number;
  * 滹沱人社: the unit's own published hotline, a mobile number listed in ``HOTLINES`` (the demo writes it
    to ``[content] hotlines``);
  * 滹沱市场监管: a post from 2018, before the 2019 local reform, naming 县工商行政管理局; the feed lists it
    after the newest items as an archived (pinned) article.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sandbox.model import TZ, Account, Post

#: The units' own published numbers: not an individual's private number.
HOTLINES = ("13931162345",)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _id_number(first17: str) -> str:
    """A resident ID number with its GB 11643 check digit."""
    return first17 + _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _wrong_check(first17: str) -> str:
    """The same 17 digits with a check digit that is not theirs (an order number that looks like an ID)."""
    right = _id_number(first17)[-1]
    return first17 + ("1" if right != "1" else "2")


VALID_ID = _id_number("13012319850617241")
ORDER_NUMBER = _wrong_check("13012320261105123")
MASKED_ID = "1301**********3015"
PERSONAL_MOBILE = "13831172846"
OLD_NAME = "县环境保护局"
PRE_REFORM_NAME = "县工商行政管理局"
PRE_REFORM_AT = datetime(2018, 6, 15, 10, 30, tzinfo=TZ)

#: (account uid, sentences added to its second-newest post, sentences added to its third-newest post).
_PLANTS: dict[str, tuple[str, str]] = {
    "5718301790": (f"联合县住建局开展大气污染防治联合检查。（来源：滹沱{OLD_NAME}）", ""),
    "5581726316": (f"经查，当事人（身份证号{VALID_ID}）已被依法处理。",
                   f"缴费订单号{ORDER_NUMBER}，当事人身份证号{MASKED_ID}。"),
    "5967838011": (f"详情请咨询经办人王女士，电话{PERSONAL_MOBILE}。", f"咨询热线：{HOTLINES[0]}。"),
}


def plant(account: Account) -> Account:
    """The account with its planted problems and traps (unchanged for any other account)."""
    plants = _PLANTS.get(account.uid)
    if plants is None or len(account.posts) < 3:
        return account
    posts = list(account.posts)
    for i, extra in ((1, plants[0]), (2, plants[1])):
        if extra:
            posts[i] = replace(posts[i], text=posts[i].text + extra)
    if account.uid == "5581726316":
        mid = str(((int(PRE_REFORM_AT.timestamp()) - 515_483_463) << 22) + 1)
        posts.append(Post(
            id=mid, published_at=PRE_REFORM_AT, title="县工商局开展商标专用权保护专项行动",
            text=f"【县工商局开展商标专用权保护专项行动】近日，{PRE_REFORM_NAME}在全县开展商标专用权保护专项行动。",
            url=f"https://weibo.com/{account.uid}/archive2018", reads=0, likes=3, shares=0, zaikan=0, favourites=0,
            comments=0, pinned=True))
    return replace(account, posts=tuple(posts))
