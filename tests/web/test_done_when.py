"""Issue 23's "Done when", on the demo county with users made by `govmedia web user add`."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from starlette.applications import Starlette

from registry.db.models import Account, Post, Review
from tests.web.webkit import County, client, csrf_of, gm, login

ROW = re.compile(r'<a href="/accounts/(\d+)">')


async def listed_accounts(c: object, path: str = "/accounts") -> set[int]:
    """Every account id the list shows, following its pages."""
    seen: set[int] = set()
    page = 1
    while True:
        r = await c.get(f"{path}?page={page}")  # type: ignore[attr-defined]
        assert r.status_code == 200
        ids = {int(x) for x in ROW.findall(r.text)}
        if not ids or ids <= seen:
            return seen
        seen |= ids
        page += 1


async def test_anonymous_requests_go_to_login(app: Starlette) -> None:
    async with client(app) as c:
        for path in ("/", "/accounts", "/accounts/1", "/findings", "/reviews", "/reports", "/ledger", "/content",
                     "/users", "/no-such-page"):
            r = await c.get(path)
            assert r.status_code == 303, path
            assert r.headers["location"].startswith("/login?next="), path
        api = await c.get("/accounts", headers={"accept": "application/json"})
        assert api.status_code == 401
        assert (await c.post("/findings/1/fixed")).status_code == 401
        assert (await c.get("/healthz")).text == "ok"
        assert (await c.get("/login")).status_code == 200


async def test_admin_sees_all_40_accounts_across_pages(app: Starlette) -> None:
    async with client(app) as c:
        assert (await login(c, "chief")).status_code == 303
        ids = await listed_accounts(c)
        assert len(ids) == await Account.all().count() == 40
        first = await c.get("/accounts")
        assert "共 40 个" in first.text and 'href="?page=2"' in first.text


async def test_unit_user_sees_only_its_unit(app: Starlette, county: County) -> None:
    own = {a.id for a in await Account.filter(unit__name=county.unit)}
    other = await Account.exclude(unit__name=county.unit).order_by("id").first()
    assert own and other is not None
    async with client(app) as c:
        await login(c, "unituser")
        assert await listed_accounts(c) == own
        assert (await c.get(f"/accounts/{other.id}")).status_code == 404
        assert (await c.get(f"/accounts/{min(own)}")).status_code == 200
        review = await Review.exclude(account__unit__name=county.unit).first()
        if review is not None:
            assert (await c.get(f"/reviews/{review.id}")).status_code == 404


async def test_post_without_csrf_token_is_refused(app: Starlette) -> None:
    review = await Review.filter(state="open").order_by("id").first()
    assert review is not None
    async with client(app) as c:
        await login(c, "chief")
        r = await c.post(f"/reviews/{review.id}/decide", data={"decision": "关停", "reason": "x"})
        assert r.status_code == 403
        r = await c.post(f"/reviews/{review.id}/decide", data={"decision": "关停", "reason": "x", "csrf_token": "forged"})
        assert r.status_code == 403
        assert (await Review.get(id=review.id)).state == "open"
    async with client(app) as c:  # nor can a login be posted without the form's token
        r = await c.post("/login", data={"username": "chief", "password": "Admin-pass-2026"})
        assert r.status_code == 403


async def test_script_in_a_post_title_is_shown_as_text(app: Starlette) -> None:
    account = await Account.all().order_by("id").first()
    assert account is not None
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    await Post.create(account=account, post_id="hostile-1", published_at=dt.datetime.now(dt.UTC), title=hostile,
                      url="javascript:alert(1)")
    async with client(app) as c:
        await login(c, "chief")
        r = await c.get(f"/accounts/{account.id}")
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
    assert 'href="javascript:' not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


async def test_repeated_failed_logins_are_locked(app: Starlette) -> None:
    async with client(app, addr="10.23.0.1") as c:
        for _ in range(5):
            assert (await login(c, "reader", "wrong-password-1")).status_code == 401
        locked = await login(c, "reader")  # the right password, too late
        assert locked.status_code == 429 and "锁定" in locked.text
    async with client(app, addr="10.23.0.2") as c:  # the user stays locked from another address
        assert (await login(c, "reader")).status_code == 429


async def test_a_browser_action_shows_in_accounts_history(app: Starlette, county: County) -> None:
    review = await Review.filter(state="open").order_by("-id").prefetch_related("account").first()
    assert review is not None
    ref = review.account.ref
    async with client(app) as c:
        await login(c, "chief")
        form = await c.get(f"/reviews/{review.id}")
        r = await c.post(f"/reviews/{review.id}/decide", data={
            "csrf_token": csrf_of(form.text), "decision": "保留整改", "reason": "网页决定：限期整改", "deadline": ""})
        assert r.status_code == 303, r.text
    assert (await Review.get(id=review.id)).decided_by == "web:chief"
    # The CLI runs its own event loop: in a thread, as a person would run it in another terminal; this
    # process lets go of its SQLite connection first (it reconnects on next use).
    from tortoise import Tortoise

    await Tortoise.close_connections()
    history = await asyncio.to_thread(gm, county.path, "accounts", "history", ref)
    assert "web:chief" in history
