"""A real browser (headless Chromium through selenium) logs in as each role, walks every page, does one
action of each kind, signs in with WeCom (企业微信登录, the sandbox playing WeCom) and saves screenshots (into
$GOVMEDIA_SCREENSHOTS too when set: docs/screenshots)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sandbox.server import running_sandbox
from tests.web.webkit import PASSWORDS, County, gm

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="headless Chromium is not installed (apt-get install chromium chromium-driver)")
PAGES = ["/", "/accounts", "/findings", "/reviews", "/reports", "/content"]
ADMIN_PAGES = ["/ledger", "/users"]


@contextmanager
def _serving(county: County, port: int = 0, env: dict[str, str] | None = None) -> Iterator[str]:
    """`govmedia web serve --port PORT` on the county, as a person starts it (0: a free port); its base URL."""
    proc = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "--config", str(county.config),
                             "web", "serve", "--port", str(port)], stderr=subprocess.PIPE, text=True, env=env,
                            cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                yield f"http://127.0.0.1:{found.group(1)}"
                break
        else:
            pytest.fail("web serve did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(county: County) -> Iterator[str]:
    """The console on the county; its base URL."""
    with _serving(county) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--lang=zh-CN"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: object, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    assert path.stat().st_size > 5000
    target = os.environ.get("GOVMEDIA_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def _until(driver: object, text: str) -> None:
    """Wait (a click returns before the next page has loaded) until the page shows ``text``."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: text in d.page_source)  # type: ignore[no-any-return]


def _login(driver: object, base: str, name: str) -> None:
    from selenium.webdriver.common.by import By

    d = driver
    d.get(base + "/accounts")  # type: ignore[attr-defined]
    assert "/login" in d.current_url  # type: ignore[attr-defined]
    d.find_element(By.NAME, "username").send_keys(name)  # type: ignore[attr-defined]
    d.find_element(By.NAME, "password").send_keys(PASSWORDS[name])  # type: ignore[attr-defined]
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()  # type: ignore[attr-defined]
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(d, 30).until(lambda x: x.current_url.endswith("/accounts"))


def _walk(driver: object, base: str, pages: list[str], role: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    for p in pages:
        driver.get(base + p)  # type: ignore[attr-defined]
        h1 = driver.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]
        assert h1 and "404" not in h1 and "403" not in h1, (p, h1)
        name = {"/": "overview"}.get(p, p.strip("/"))
        _shot(driver, tmp_path, f"{name}-{role}")


def test_unit_user_walks_and_acts(server: str, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    _login(d, server, "unituser")
    _walk(d, server, PAGES, "unit", tmp_path)
    d.get(server + "/findings")  # type: ignore[attr-defined]
    buttons = d.find_elements(By.XPATH, "//button[text()='已整改']")  # type: ignore[attr-defined]
    if buttons:  # the unit's accounts have open findings: claim one fixed, ask an exemption for another
        buttons[0].click()
        _until(d, "已记录")
        form = d.find_element(By.CSS_SELECTOR, "form.exempt")  # type: ignore[attr-defined]
        form.find_element(By.NAME, "reason").send_keys("机构改革过渡期")
        form.find_element(By.TAG_NAME, "button").click()
        _until(d, "待审批的豁免申请")
        _shot(d, tmp_path, "findings-unit")
    d.get(server + "/users")  # type: ignore[attr-defined]
    assert "403" in d.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]


def test_admin_walks_and_acts(server: str, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = browser
    _login(d, server, "chief")
    _walk(d, server, PAGES + ADMIN_PAGES, "admin", tmp_path)
    # decide a review
    d.get(server + "/reviews")  # type: ignore[attr-defined]
    links = d.find_elements(By.CSS_SELECTOR, "table.list a[href^='/reviews/']")  # type: ignore[attr-defined]
    assert links
    links[0].click()
    Select(d.find_element(By.NAME, "decision")).select_by_visible_text("保留整改")  # type: ignore[attr-defined]
    d.find_element(By.NAME, "reason").send_keys("限期整改，下月复查")  # type: ignore[attr-defined]
    d.find_element(By.XPATH, "//button[text()='提交决定']").click()  # type: ignore[attr-defined]
    _until(d, "已决定：保留整改")
    _shot(d, tmp_path, "review-decided")
    # proofread a draft
    d.get(server + "/content")  # type: ignore[attr-defined]
    d.find_element(By.NAME, "draft").send_keys("县国税局发布通知，联系电话13012345678。")  # type: ignore[attr-defined]
    d.find_element(By.XPATH, "//button[text()='校对']").click()  # type: ignore[attr-defined]
    _until(d, "结果")
    _shot(d, tmp_path, "content-check")
    # ledger: upload -> mapping -> dry run
    d.get(server + "/ledger")  # type: ignore[attr-defined]
    sample = Path(__file__).resolve().parents[2] / "registry" / "data" / "sample-ledger.csv"
    d.find_element(By.NAME, "file").send_keys(str(sample))  # type: ignore[attr-defined]
    d.find_element(By.XPATH, "//button[text()='上传并识别列']").click()  # type: ignore[attr-defined]
    _until(d, "对应台账字段")
    _shot(d, tmp_path, "ledger-mapping")
    d.find_element(By.XPATH, "//button[text()='列对应正确，试运行']").click()  # type: ignore[attr-defined]
    _until(d, "试运行（未写入）")
    # generate a monthly review and find it in the list
    d.get(server + "/reports")  # type: ignore[attr-defined]
    before = len(d.find_elements(By.CSS_SELECTOR, "a[href^='/reports/files/']"))  # type: ignore[attr-defined]
    d.find_element(By.XPATH, "//button[text()='生成月度报告']").click()  # type: ignore[attr-defined]
    _until(d, "已生成")
    assert len(d.find_elements(By.CSS_SELECTOR, "a[href^='/reports/files/']")) >= max(before, 1)  # type: ignore[attr-defined]
    _shot(d, tmp_path, "reports-generated")
    # approve the unit's exemption request, if one waits
    d.get(server + "/findings")  # type: ignore[attr-defined]
    approve = d.find_elements(By.XPATH, "//button[text()='批准']")  # type: ignore[attr-defined]
    if approve:
        approve[0].click()
        _until(d, "已记录")


def test_viewer_reads_and_cannot_act(server: str, browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    d = browser
    _login(d, server, "reader")
    _walk(d, server, PAGES, "viewer", tmp_path)
    d.get(server + "/findings")  # type: ignore[attr-defined]
    assert not d.find_elements(By.XPATH, "//button[text()='已整改']")  # type: ignore[attr-defined]
    d.get(server + "/ledger")  # type: ignore[attr-defined]
    assert "403" in d.find_element(By.TAG_NAME, "h1").text  # type: ignore[attr-defined]


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
        with _serving(county, port, env) as served:
            assert served == base
            yield base, member


def test_admin_signs_in_with_wecom(wecom_console: tuple[str, str], browser: object, tmp_path: Path) -> None:
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
