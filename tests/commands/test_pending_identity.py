"""Accounts whose id is not known yet (待补全): import, re-import, check, and `accounts resolve` against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang
from registry.config.settings import write_default
from sandbox.server import running_sandbox
from sandbox.weibo_mobile import AMBIGUOUS_NAME

LISTS = Path(__file__).parent.parent / "fixtures" / "ledgers"
#: A names-only list as offices publish it: no ids, one unit left 待核实, empty 互动渠道, a 微信号.
NAMES_ONLY = """序号,名称,平台类型,开办主体,微信号,互动渠道
1,滹沱发布,政务微博,滹沱县人民政府,,
2,滹沱公安,政务微博,滹沱县公安局,,
3,滹沱健康,政务微博,滹沱县卫生健康局,,
4,滹沱人社,政务微博,滹沱县人力资源和社会保障局,,
5,滹沱交通,政务微博,滹沱县交通运输局,,
6,南营镇微博,政务微博,滹沱县南营镇人民政府,,
7,滹沱教育,政务微信,滹沱县教育局,hutuojiaoyu,
8,滹沱融媒,抖音号,待核实,,
"""
#: The sample county's real uids of the Weibo accounts the search can match unambiguously.
UIDS = {"滹沱发布": "5718301790", "滹沱公安": "5351783912", "滹沱人社": "5967838011", "南营镇微博": "5490216597"}

Gm = Callable[..., str]


@pytest.fixture
def county(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gm]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    (tmp_path / "names.csv").write_text(NAMES_ONLY, encoding="utf-8")
    with running_sandbox(seed=7) as sb:
        write_default(tmp_path / "govmedia.toml", database_url=db_url, overrides={
            "platforms.weibo.mobile_base": sb.base_url, "platforms.weibo.min_interval": 0.0,
            "platforms.weibo.jitter": 0.0})
        runner = CliRunner()

        def gm(*args: str, code: int | None = 0) -> str:
            try:
                result = runner.invoke(main, list(args), catch_exceptions=False)
            finally:
                set_lang("zh")
            assert code is None or result.exit_code == code, result.output
            assert "Traceback" not in result.output
            return result.output

        yield gm


def _accounts(gm: Gm) -> dict[str, dict[str, object]]:
    return {a["name"]: a for a in json.loads(gm("accounts", "list", "--format", "json"))}


def test_names_only_list_imports_as_pending_and_reimport_changes_nothing(county: Gm) -> None:
    out = county("accounts", "import", "names.csv")
    assert "新增 8，变更 0，未变 0" in out and "待补全" in out
    accounts = _accounts(county)
    assert len(accounts) == 8 and all(a["uid"] is None and a["pending"] for a in accounts.values())
    assert accounts["滹沱融媒"]["unit"] is None  # pending is not a unit (issue 21, item 7)
    assert "新增 0，变更 0，未变 8" in county("accounts", "import", "names.csv")
    shown = county("accounts", "show", "滹沱教育")
    assert "待补全" in shown and "账号别名: hutuojiaoyu" in shown
    # A later list that brings the ids completes the same accounts, audited.
    ids = {n: a["id"] for n, a in accounts.items()}
    with_ids = "名称,平台,原始ID,开办主体\n滹沱发布,新浪微博,5718301790,滹沱县人民政府\n" \
               "滹沱教育,微信公众号,gh_0a1b2c3d4e5f,滹沱县教育局\n滹沱融媒,抖音,hutuorongmei,滹沱县融媒体中心\n"
    Path("ids.csv").write_text(with_ids, encoding="utf-8")
    assert "新增 0，变更 3" in county("accounts", "import", "ids.csv")
    after = _accounts(county)
    assert len(after) == 8 and after["滹沱发布"]["uid"] == "5718301790" and not after["滹沱发布"]["pending"]
    assert after["滹沱融媒"]["unit"] == "滹沱县融媒体中心" and after["滹沱融媒"]["uid"] == "hutuorongmei"
    assert {n: a["id"] for n, a in after.items()} == ids
    history = json.loads(county("accounts", "history", "weibo:5718301790", "--format", "json"))
    assert any(e["action"] == "identify" for e in history), history
    # The names-only list again: ids are kept, nothing changes.
    assert "新增 0，变更 0，未变 8" in county("accounts", "import", "names.csv")


def test_check_on_a_pending_county_opens_no_veto_and_no_review(county: Gm) -> None:
    county("accounts", "import", "names.csv")
    county("check")
    found = json.loads(county("findings", "--format", "json"))
    assert {f["rule"] for f in found} == {"identity_pending", "registry_incomplete"}
    assert sum(f["rule"] == "identity_pending" for f in found) == 8
    assert all(f["account_uid"] is None for f in found)
    assert json.loads(county("review", "list", "--state", "all", "--format", "json")) == []
    doctor = county("doctor", code=None)
    assert "待补全 8 个" in doctor and "滹沱发布（#" in doctor


def test_resolve_fills_the_unambiguous_weibo_uids_and_explains_the_rest(county: Gm) -> None:
    county("accounts", "import", "names.csv")
    preview = county("accounts", "resolve", "--format", "json")
    rows = {r["name"]: r for r in json.loads(preview.split("\n待补全")[0])}
    assert {n for n, r in rows.items() if r["uid"]} == set(UIDS)
    assert all(a["uid"] is None for a in _accounts(county).values())  # no --apply: nothing written
    out = county("accounts", "resolve", "--apply")
    assert "已补全 4" in out
    accounts = _accounts(county)
    assert {n: a["uid"] for n, a in accounts.items() if a["uid"]} == UIDS
    rows = {r["name"]: r for r in json.loads(county("accounts", "resolve", "--format", "json").split("\n待补全")[0])}
    assert set(rows) == {AMBIGUOUS_NAME, "滹沱交通", "滹沱教育", "滹沱融媒"}  # still pending, each with a reason
    assert "请人工核实" in rows[AMBIGUOUS_NAME]["reason"]
    assert "没有同名账号" in rows["滹沱交通"]["reason"]  # deleted from the platform
    assert "mp.weixin.qq.com" in rows["滹沱教育"]["reason"] and "hutuojiaoyu" in rows["滹沱教育"]["reason"]
    assert rows["滹沱融媒"]["reason"]
    history = json.loads(county("accounts", "history", "weibo:5718301790", "--format", "json"))
    assert any(e["action"] == "identify" and "accounts resolve" in e["note"] for e in history), history
