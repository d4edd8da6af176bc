"""Fault injection: make the sandbox fail the way the real platforms do, on purpose and reproducibly.

Faults come from a TOML file (`load_faults`), from `create_app(faults=...)`, or at runtime through
`POST /_sandbox/faults` (a JSON list of the same tables; it replaces the current set),
`GET /_sandbox/faults` and `DELETE /_sandbox/faults`. TOML format:

    [[fault]]
    kind = "errcode"            # required, one of KINDS (below)
    platform = "wechat"         # wechat | weibo | weibo_mobile | wecom | feed; omitted = every platform
    uid = "gh_d29d035cc6d5"     # only this account (gh_ id, Weibo uid, feed uid; robot key for webhooks)
    path = "datacube"           # only request paths containing this text
    code = 45009                # kind errcode: the errcode / error_code / errno to answer
    status = 503                # kind http_status: the HTTP status (burst: 418 unless given)
    rate = 0.3                  # probability per matching request (seeded, so runs repeat); default 1
    count = 5                   # stop after this many hits (burst: default 5); default unlimited
    seconds = 0.5               # latency (default 0.2) / slow (default 30)
    min_interval = 0.5          # pace: minimum seconds between requests

Kinds:
- latency: sleep `seconds`, then answer normally. slow: the same, meant to outlast the client's timeout.
- errcode: the platform's error body for `code` (WeChat/WeCom `{"errcode","errmsg"}` with HTTP 200, Weibo
  open API `{"error_code": "<code>"}`, m.weibo.cn `{"ok":0,"errno":"<code>"}`). Codes 40001, 40014 and
  42001 spare the token endpoints, so `code=40001 rate=1` is the "always 40001" mode that proves clients
  cap their token-refresh retries. Use 45009 for exhausted quotas, 42001 for token expiry, -1 for busy.
- http_status: that HTTP status (5xx gateway page, 418/432/403/414 empty body). burst: HTTP 418 for the
  next `count` requests. pace: HTTP 418 when requests come faster than `min_interval` seconds.
- login_required: m.weibo.cn `{"ok":-100,"url":"https://passport.weibo.cn/…"}` unless the request carries
  the county's cookie `SUB=<county.weibo_cookie>`. captcha: JSON with a captcha `url` and no `data`.
- non_json: an HTML page with HTTP 200. truncated: the real body cut in half. malformed: the real body
  with broken syntax. wrong_types: the real JSON with numbers as strings and digit strings as numbers.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
import tomllib
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

PLATFORMS = ("wechat", "weibo", "weibo_mobile", "wecom", "feed")
KINDS = (
    "latency", "slow", "errcode", "http_status", "burst", "pace", "login_required", "captcha",
    "non_json", "truncated", "malformed", "wrong_types",
)
_DELAYS = ("latency", "slow")
_MUTATIONS = ("truncated", "malformed", "wrong_types")
_TOKEN_CODES = (40001, 40014, 42001)
_TOKEN_PATHS = ("/token", "/stable_token", "/gettoken")
_GATEWAY_PAGE = "<html><head><title>{0}</title></head><body><center><h1>{0}</h1></center><hr><center>stgw</center></body></html>"

ErrorRenderer = Callable[[Request, int], Response]


@dataclass
class Fault:
    """One fault rule (see the module docstring for the fields)."""

    kind: str
    platform: str | None = None
    uid: str | None = None
    path: str | None = None
    code: int | None = None
    status: int | None = None
    rate: float = 1.0
    count: int | None = None
    seconds: float | None = None
    min_interval: float = 0.5

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fault:
        """A validated Fault from a TOML table or JSON object; raises ValueError on bad input."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
        values = dict(data)
        if values.get("uid") is not None:
            values["uid"] = str(values["uid"])  # Weibo uids are often written as TOML integers
        fault = cls(**values)
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; known: {', '.join(KINDS)}")
        if fault.platform is not None and fault.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {fault.platform!r}; known: {', '.join(PLATFORMS)}")
        if fault.kind == "errcode" and not isinstance(fault.code, int):
            raise ValueError("kind errcode needs an integer code")
        if fault.kind == "http_status" and not isinstance(fault.status, int):
            raise ValueError("kind http_status needs an integer status")
        if not 0.0 <= float(fault.rate) <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if fault.kind == "burst" and fault.count is None:
            fault.count = 5
        return fault

    def matches(self, platform: str, uid: str | None, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.platform is not None and self.platform != platform:
            return False
        if self.uid is not None and self.uid != uid:
            return False
        if self.path is not None and self.path not in path:
            return False
        # Token-invalid codes on a token endpoint would make no sense and break the "always 40001" mode.
        return not (self.kind == "errcode" and self.code in _TOKEN_CODES and path.endswith(_TOKEN_PATHS))


def load_faults(path: Path) -> list[Fault]:
    """The `[[fault]]` tables of a TOML file."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    tables = data.get("fault", [])
    if not isinstance(tables, list):
        raise ValueError("expected [[fault]] tables")
    return [Fault.from_dict(table) for table in tables]


def parse_faults(items: Any) -> list[Fault]:
    """Faults from a decoded JSON list (the body of POST /_sandbox/faults)."""
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValueError("expected a JSON list of fault objects")
    return [Fault.from_dict(item) for item in items]


class FaultInjector:
    """Applies the active faults around each platform request; seeded, so a run repeats exactly."""

    def __init__(self, faults: Iterable[Fault] = (), seed: int = 7, valid_cookie: str = "") -> None:
        self._faults = list(faults)
        self._rng = random.Random(seed)
        self._valid_cookie = valid_cookie
        self._renderers: dict[str, ErrorRenderer] = {}
        self._last_seen: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def register(self, platform: str, renderer: ErrorRenderer) -> None:
        """Set how `platform` renders an injected error code."""
        self._renderers[platform] = renderer

    def replace(self, faults: Iterable[Fault]) -> None:
        """Make `faults` the active set."""
        with self._lock:
            self._faults = list(faults)

    def active(self) -> list[dict[str, Any]]:
        """The active faults as JSON-ready dicts (counts show what is left)."""
        with self._lock:
            return [asdict(f) for f in self._faults]

    async def run(
        self, request: Request, platform: str, uid: str | None, handler: Callable[[], Awaitable[Response]]
    ) -> Response:
        """Answer `request` with `handler`, unless an active fault intervenes."""
        path = request.url.path
        for fault in self._fire(platform, uid, path, _DELAYS):
            await asyncio.sleep(fault.seconds if fault.seconds is not None else (30.0 if fault.kind == "slow" else 0.2))
        logged_in = bool(self._valid_cookie) and request.cookies.get("SUB") == self._valid_cookie
        for fault in self._fire(platform, uid, path, None, logged_in):
            return self._short_circuit(fault, request, platform, uid)
        response = await handler()
        for fault in self._fire(platform, uid, path, _MUTATIONS):
            response = _mutate(fault.kind, response)
        return response

    def _fire(
        self, platform: str, uid: str | None, path: str, kinds: tuple[str, ...] | None, logged_in: bool = False
    ) -> list[Fault]:
        """Matching faults of `kinds` (None: the short-circuit kinds) that fire now; spends their counts."""
        fired = []
        with self._lock:
            for fault in self._faults:
                in_group = fault.kind in kinds if kinds is not None else fault.kind not in _DELAYS + _MUTATIONS
                if not in_group or not fault.matches(platform, uid, path) or fault.count == 0:
                    continue
                if fault.kind == "login_required" and logged_in:
                    continue
                if fault.kind == "pace" and not self._too_fast(fault, platform, uid):
                    continue
                if fault.rate < 1.0 and self._rng.random() >= fault.rate:
                    continue
                if fault.count is not None:
                    fault.count -= 1
                fired.append(fault)
                if kinds is None:
                    break  # only one fault can answer instead of the platform: spend no other counts
        return fired

    def _too_fast(self, fault: Fault, platform: str, uid: str | None) -> bool:
        key = (platform, fault.uid and uid)
        now = time.monotonic()
        last = self._last_seen.get(key)
        self._last_seen[key] = now
        return last is not None and now - last < fault.min_interval

    def _short_circuit(self, fault: Fault, request: Request, platform: str, uid: str | None) -> Response:
        kind = fault.kind
        if kind == "errcode" and fault.code is not None:
            renderer = self._renderers.get(platform)
            return renderer(request, fault.code) if renderer else _status_response(500)
        if kind in ("http_status", "burst", "pace"):
            return _status_response(fault.status or 418)
        if kind == "non_json":
            return Response(_GATEWAY_PAGE.format("系统繁忙"), media_type="text/html")
        if kind == "captcha":
            return JSONResponse({"url": "https://security.weibo.com/captcha/geetest?type=0&from=mweibo"})
        back = quote(f"https://m.weibo.cn/u/{uid or ''}", safe="")  # login_required
        return JSONResponse({
            "ok": -100,
            "msg": "请先登录",
            "url": f"https://passport.weibo.cn/signin/welcome?entry=mweibo&r={back}",
        })


def _status_response(status: int) -> Response:
    if status >= 500:
        return Response(_GATEWAY_PAGE.format(f"{status} Bad Gateway"), status_code=status, media_type="text/html")
    return Response(b"", status_code=status)


def _mutate(kind: str, response: Response) -> Response:
    body = bytes(response.body)
    if kind == "truncated":
        body = body[: len(body) // 2]
    elif kind == "malformed":
        # A trailing comma and a stray quote: looks like JSON (or XML) but does not parse.
        body = body.rstrip()[:-1] + b',"' if body else b"{"
    else:
        try:
            body = json.dumps(_retype(json.loads(body)), ensure_ascii=False).encode()
        except ValueError:
            return response
    return Response(body, status_code=response.status_code, media_type=response.media_type)


def _retype(value: Any) -> Any:
    """Numbers become strings and digit strings become numbers, recursively."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return int(value) if value.isdigit() else value
    if isinstance(value, list):
        return [_retype(v) for v in value]
    if isinstance(value, dict):
        return {k: _retype(v) for k, v in value.items()}
    return value
