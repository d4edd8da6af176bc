"""Contract: the sandbox answers in the shapes of the recorded platform payloads (tests/fixtures/payloads).

A shape is the set of key paths of a JSON body with the JSON type found at each (list items merged,
``[]`` in the path). Two promises: every path that all recordings of an endpoint carry is served (the
sandbox drops no field a real answer always has), and a path both carry has a type the recordings show
(the sandbox changes no type: ids stay numbers, m.weibo.cn counts may be numbers or strings as in the
recordings). The sandbox may serve fields our recordings happen not to include.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
FLAGSHIP = "5718301790"
YESTERDAY = date(2025, 6, 17)
TokenFetcher = Callable[[httpx.AsyncClient, str], Awaitable[str]]
Shape = dict[str, set[str]]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "list", dict: "object"}[type(value)]


def shape(body: Any, path: str = "$", out: Shape | None = None) -> Shape:
    """Key paths of a JSON value and the JSON types seen at each."""
    out = {} if out is None else out
    out.setdefault(path, set()).add(_kind(body))
    if isinstance(body, dict):
        for key, value in body.items():
            # Numeric keys (ids used as object keys) are data, not field names.
            shape(value, f"{path}.{'<id>' if key.isdigit() else key}", out)
    elif isinstance(body, list):
        for item in body:
            shape(item, f"{path}[]", out)
    return out


def always(body: Any, path: str = "$") -> set[str]:
    """The paths a body always carries: a list item's field counts only when every item has it."""
    if isinstance(body, dict):
        paths = {path}
        for key, value in body.items():
            paths |= always(value, f"{path}.{'<id>' if key.isdigit() else key}")
        return paths
    if isinstance(body, list) and body:
        return {path} | set.intersection(*(always(item, f"{path}[]") for item in body))
    return {path}


def recorded(*names: str) -> list[Any]:
    """The recorded bodies of payload files (a ``*_bodies.json`` file holds a list of bodies)."""
    bodies: list[Any] = []
    for name in names:
        body = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
        bodies.extend(body if name.endswith("_bodies.json") else [body])
    return bodies


def assert_conforms(served: Any, names: tuple[str, ...], *, every_field: bool = True) -> None:
    """The sandbox answer keeps the recorded fields (those all recordings carry) and their types."""
    variants = recorded(*names)
    kinds_seen: Shape = {}
    for variant in variants:
        for path, kinds in shape(variant).items():
            kinds_seen.setdefault(path, set()).update(kinds)
    got = shape(served)
    problems = []
    for path, kinds in got.items():
        known = kinds_seen.get(path)
        if known is not None and path.endswith("_count") and "number" in known:
            known = known | {"string"}  # m.weibo.cn counts became strings ("693.2万") about 2022 (§4.3)
        if known is not None and "null" not in known and kinds - known - {"null"}:
            problems.append(f"{path}: served {sorted(kinds)}, recorded {sorted(known)}")
    if every_field:
        kept = set.intersection(*(always(v) for v in variants))
        problems += [f"{path}: recorded in every sample, not served" for path in sorted(kept - set(got))]
    assert not problems, f"sandbox answer differs from {names}:\n" + "\n".join(problems)


CUBE = {
    "getusersummary": ("wechat/datacube_getusersummary.json",),
    "getusercumulate": ("wechat/datacube_getusercumulate.json", "wechat/getusercumulate_user_source.json"),
    "getarticlesummary": ("wechat/datacube_getarticlesummary.json",),
    "getarticletotal": ("wechat/datacube_getarticletotal.json", "wechat/getarticletotal_full.json"),
}


@pytest.mark.parametrize("name", sorted(CUBE))
async def test_datacube_answers_have_recorded_shapes(
    client: httpx.AsyncClient, wechat_token: TokenFetcher, name: str
) -> None:
    token = await wechat_token(client, "county_wx")
    span = 6 if name == "getusersummary" else 0
    body = (await client.post(f"/datacube/{name}", params={"access_token": token}, json={
        "begin_date": str(YESTERDAY - timedelta(days=span)), "end_date": str(YESTERDAY)})).json()
    assert body["list"], name  # a shape check on an empty list proves nothing
    assert_conforms(body, (*CUBE[name], "wechat/datacube_empty.json"))


async def test_token_and_freepublish_have_recorded_shapes(
    client: httpx.AsyncClient, wechat_token: TokenFetcher, secrets: dict[str, dict[str, str]]
) -> None:
    cred = secrets["county_wx"]
    token_body = (await client.get("/cgi-bin/token", params={
        "grant_type": "client_credential", "appid": cred["appid"], "secret": cred["secret"]})).json()
    assert_conforms(token_body, ("wechat/token.json",))
    token = token_body["access_token"]
    listing = (await client.post("/cgi-bin/freepublish/batchget", params={"access_token": token},
                                 json={"offset": 0, "count": 5, "no_content": 1})).json()
    assert listing["item"]
    assert_conforms(listing, ("wechat/freepublish_batchget.json",))
    error = (await client.post("/datacube/getusersummary", params={"access_token": "nope"}, json={})).json()
    assert_conforms(error, ("wechat/errcode_bodies.json",), every_field=False)


async def test_weibo_open_api_has_recorded_shapes(client: httpx.AsyncClient, secrets: dict[str, dict[str, str]]) -> None:
    token = secrets["county_wb"]["access_token"]
    timeline = (await client.get("/2/statuses/user_timeline.json", params={"access_token": token, "count": 5})).json()
    assert timeline["statuses"]
    assert_conforms(timeline, ("weibo_api/user_timeline.json",))
    user = (await client.get("/2/users/show.json", params={"access_token": token, "uid": FLAGSHIP})).json()
    assert_conforms(user, ("weibo_api/users_show.json",))
    error = (await client.get("/2/statuses/user_timeline.json", params={"access_token": "2.00nope"})).json()
    assert_conforms(error, ("weibo_api/error_bodies.json",), every_field=False)


async def test_weibo_mobile_has_recorded_shapes(client: httpx.AsyncClient) -> None:
    profile = (await client.get("/api/container/getIndex", params={"type": "uid", "value": FLAGSHIP})).json()
    assert_conforms(profile, ("weibo_mobile/profile_2019.json", "weibo_mobile/profile_2022_string_counts.json"))
    posts = (await client.get("/api/container/getIndex", params={"containerid": f"107603{FLAGSHIP}"})).json()
    assert posts["data"]["cards"]
    assert_conforms(posts, ("weibo_mobile/posts_2019_page.json", "weibo_mobile/posts_since_id_pinned.json",
                            "weibo_mobile/posts_pinned_old.json", "weibo_mobile/posts_pinned_newest.json"))


def test_shape_sees_a_changed_type() -> None:
    """The contract check itself fails on an invented field and on a changed type."""
    with pytest.raises(AssertionError, match="not served"):
        assert_conforms({"access_token": "x"}, ("wechat/token.json",))
    with pytest.raises(AssertionError, match="served"):
        assert_conforms({"access_token": "x", "expires_in": "7200"}, ("wechat/token.json",))
