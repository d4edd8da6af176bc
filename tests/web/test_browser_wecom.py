"""企业微信登录 in a real browser: headless Chromium presses the button, confirms on the sandbox's WeCom page
as a member linked to the admin, and lands in the console signed in (screenshots as test_browser's)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.server import running_sandbox
from tests.web.test_browser import CHROMIUM, DRIVER, _shot, _until, browser  # noqa: F401 - the browser fixture
from tests.web.webkit import County, gm

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="headless Chromium is not installed (apt-get install chromium chromium-driver)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def wecom_console(county: County) -> Iterator[tuple[str, str]]:
    """`govmedia web serve` with WeCom sign-in switched on through the environment, against a running
    sandbox (the demo county's corp); (console URL, the member linked to the admin)."""
    with running_sandbox() as sb:
        member = sb.sandbox.county.wecom.users[0]
        gm(county.path, "web", "user", "link", "chief", member)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "GOVMEDIA_WEB_WECOM_LOGIN": "true", "GOVMEDIA_WEB_PUBLIC_URL": base,
               "GOVMEDIA_WECOM_API_BASE": sb.base_url + "/wecom", "GOVMEDIA_WECOM_LOGIN_BASE": sb.base_url + "/wecom-login",
               "GOVMEDIA_WECOM_OAUTH_BASE": sb.base_url + "/wecom-login"}
        proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--config", str(county.config),
                                 "web", "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True, env=env,
                                cwd=Path(__file__).resolve().parents[2])
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                if re.search(rf"http://127\.0\.0\.1:{port}/", line):
                    yield base, member
                    break
            else:
                pytest.fail("web serve did not start")
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_admin_signs_in_with_wecom(wecom_console: tuple[str, str], browser: object, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, member = wecom_console
    d = browser
    d.get(base + "/login")  # type: ignore[attr-defined]
    _shot(d, tmp_path, "login-wecom")
    d.find_element(By.LINK_TEXT, "企业微信登录").click()  # type: ignore[attr-defined]
    _until(d, "请选择扫码的成员")
    _shot(d, tmp_path, "wecom-sandbox-scan")
    d.find_element(By.PARTIAL_LINK_TEXT, f"以 {member} 的身份").click()  # type: ignore[attr-defined]
    WebDriverWait(d, 30).until(lambda x: x.current_url.rstrip("/") == base)
    assert "chief" in d.page_source  # type: ignore[attr-defined]
    assert "403" not in d.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
    _shot(d, tmp_path, "overview-after-wecom-login")
