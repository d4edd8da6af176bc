"""Weibo user search by name on m.weibo.cn (platform-apis-2.md §5.1), paced on the weibo_public lane."""

from __future__ import annotations

import httpx

from collectors.errors import ErrorKind, PlatformError
from collectors.lanes import LaneBook, LocalSlots
from collectors.parse_weibo_mobile import raise_for_http_status, raise_for_throttled_body
from collectors.parse_weibo_search import UserCandidate, parse_user_search, search_containerid
from collectors.service import http_from, options_from
from collectors.sources import lanes_from
from collectors.weibo import MOBILE_HEADERS, WeiboPublicSource
from registry.config.settings import Settings


class WeiboUserSearch:
    """Looks accounts up by name; one call per name, on the same lane (and pace) as weibo_public collection."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient, *, lanes: LaneBook | None = None) -> None:
        book = lanes or LaneBook(slots=LocalSlots())
        book.overrides = lanes_from(settings)
        self.base = options_from(settings).weibo_mobile_base
        self.http = http_from(settings, client, book)

    async def search(self, name: str) -> list[UserCandidate]:
        """The users m.weibo.cn returns for ``name`` (similar names too: choose exact ones)."""
        params = {"containerid": search_containerid(name), "page_type": "searchall"}
        resp = await self.http.request("GET", f"{self.base}/api/container/getIndex", where="user search",
                                       params=params, headers={**MOBILE_HEADERS, "Referer": f"{self.base}/search"},
                                       check_status=raise_for_http_status, lane=WeiboPublicSource.lane)
        if resp.status_code >= 400:
            raise_for_throttled_body(resp.content)
            raise PlatformError(ErrorKind.NETWORK, f"user search: HTTP {resp.status_code}", code=str(resp.status_code))
        try:
            body: object = resp.json()
        except ValueError:
            raise PlatformError(ErrorKind.PARSE, "user search: body is not JSON") from None
        return parse_user_search(body)
