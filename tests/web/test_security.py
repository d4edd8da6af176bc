"""Sessions, passwords, throttling, headers, redirects, uploads and hostile strings everywhere."""

from __future__ import annotations

import io
import time
import zipfile

from starlette.applications import Starlette

from registry.db.models import Account, Finding, Review, Unit
from registry.ops.webusers import disable_web_user, reset_web_password
from tests.web.webkit import PASSWORDS, client, csrf_of, login
from web.passwords import hash_password, password_problem, verify_password
from web.session import COOKIE, Session, SessionCodec

HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_session_cookie_is_signed_and_expires_when_idle() -> None:
    codec = SessionCodec(b"k" * 32, idle_s=60)
    raw = codec.dump(Session(user="chief", epoch=3, csrf="t"))
    assert codec.load(raw).user == "chief"
    assert codec.load(raw[:-2] + "xx").user == ""  # tampered
    assert SessionCodec(b"o" * 32).load(raw).user == ""  # another key
    assert codec.load(raw, now=time.time() + 61).user == ""  # idle too long
    header = SessionCodec(b"k" * 32, secure=True).cookie_header(Session())
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header


def test_passwords() -> None:
    stored = hash_password("correct horse 1")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "correct horse 1")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything")
    assert password_problem("short") and password_problem(" padded-password ") and not password_problem("long-enough-1")


async def test_headers_and_open_paths(app: Starlette) -> None:
    async with client(app) as c:
        r = await c.get("/login")
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"
        assert 'lang="zh-CN"' in r.text
        cookie = r.headers["set-cookie"]
        assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert (await c.get("/static/style.css")).status_code == 200


async def test_login_never_redirects_off_site(app: Starlette) -> None:
    async with client(app) as c:
        page = await c.get("/login?next=//evil.example/x")
        assert "//evil.example" not in page.text
        r = await c.post("/login", data={"username": "chief", "password": PASSWORDS["chief"],
                                         "csrf_token": csrf_of(page.text), "next": "https://evil.example/"})
        assert r.status_code == 303 and r.headers["location"] == "/"


async def test_disable_and_reset_end_sessions(app: Starlette) -> None:
    async with client(app) as c:
        await login(c, "reader")
        assert (await c.get("/accounts")).status_code == 200
        await reset_web_password("reader", hash_password(PASSWORDS["reader"]), actor="test")
        assert (await c.get("/accounts")).status_code == 303  # the old cookie's epoch is gone
        await login(c, "reader")
        assert (await c.get("/accounts")).status_code == 200
        await disable_web_user("reader", actor="test")
        assert (await c.get("/accounts")).status_code == 303
        assert (await login(c, "reader")).status_code == 401
        await reset_web_password("reader", hash_password(PASSWORDS["reader"]), actor="test")


async def test_hostile_strings_are_text_everywhere(app: Starlette) -> None:
    account = await Account.all().order_by("id").first()
    assert account is not None
    await Account.filter(id=account.id).update(name=HOSTILE, notes=HOSTILE)
    await Unit.filter(id=account.unit_id).update(name="单位" + HOSTILE)  # type: ignore[attr-defined]
    await Finding.filter(account_id=account.id).update(summary_zh=HOSTILE)
    review = await Review.all().order_by("id").first()
    async with client(app) as c:
        await login(c, "chief")
        pages = ["/", "/accounts", f"/accounts?q={account.uid}", f"/accounts/{account.id}", "/findings", "/reviews",
                 "/users", f"/accounts?q={HOSTILE}"]
        if review is not None:
            pages.append(f"/reviews/{review.id}")
        for path in pages:
            r = await c.get(path)
            assert r.status_code == 200, path
            assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
        shown = await c.get(f"/accounts/{account.id}")
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text
        # a draft and an uploaded ledger are untrusted too
        page = await c.get("/content")
        r = await c.post("/content", data={"csrf_token": csrf_of(page.text), "draft": HOSTILE + " 县国税局"})
        assert r.status_code == 200 and "<script>alert" not in r.text and "&lt;script&gt;" in r.text
        ledger = await c.get("/ledger")
        csv = ("账号名称,平台,账号ID,主办单位\n" + HOSTILE.replace(",", "") + ",微信公众号,gh_0123456789ab,县政府办\n").encode()
        r = await c.post("/ledger/upload", data={"csrf_token": csrf_of(ledger.text)},
                         files={"file": (HOSTILE.replace("/", "") + ".csv", csv, "text/csv")})
        assert r.status_code == 200, r.text
        assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text


async def test_uploads_are_bounded(app: Starlette) -> None:
    async with client(app) as c:
        await login(c, "chief")
        token = csrf_of((await c.get("/ledger")).text)
        big = b"a" * (app.state.services.max_upload_bytes + 1)
        r = await c.post("/ledger/upload", data={"csrf_token": token}, files={"file": ("big.csv", big, "text/csv")})
        assert r.status_code == 413
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/sharedStrings.xml", b"<sst>" + b"A" * (80 * 1024 * 1024) + b"</sst>")
        r = await c.post("/ledger/upload", data={"csrf_token": token},
                         files={"file": ("bomb.xlsx", bomb.getvalue(), "application/octet-stream")})
        assert r.status_code == 400 and "过大" in r.text
        r = await c.post("/ledger/upload", data={"csrf_token": token},
                         files={"file": ("x.exe", b"MZ", "application/octet-stream")})
        assert r.status_code == 400


async def test_failed_logins_are_slowed_before_the_lock(app: Starlette) -> None:
    from dataclasses import replace

    waited: list[float] = []

    async def record(seconds: float) -> None:
        waited.append(seconds)

    services = app.state.services
    app.state.services = replace(services, throttle=replace(services.throttle, delay_s=0.5, sleep=record))
    try:
        async with client(app, addr="10.23.1.1") as c:
            for _ in range(5):
                assert (await login(c, "nobody-here", "wrong-password-1")).status_code == 401
    finally:
        app.state.services = services
    assert waited == [0.5, 1.0]  # no delay for the first three failures, then doubling
