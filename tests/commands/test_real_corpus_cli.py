"""The real published lists through `govmedia accounts import` as a user runs it (only --default-platform):
every file imports with exit 0, a second import changes nothing, and `check` on the county opens no veto
and no review. `--dry-run` shows the column mapping with samples and each account's outcome."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang
from tests.clikit import Invoke, invoker
from tests.registry.real_corpus import LISTS, REAL


@pytest.fixture
def gm(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    return invoker(db_url, tmp_path, monkeypatch)


def _options(lst: object) -> list[str]:
    platform = getattr(lst, "default_platform", None)
    return ["--default-platform", platform] if platform else []


@pytest.mark.parametrize("suffix", [".xlsx", "-gbk.csv"])
def test_every_real_list_imports_twice_and_check_opens_no_veto(gm, suffix: str) -> None:  # type: ignore[no-untyped-def]
    for lst in LISTS:
        out = gm("accounts", "import", str(REAL / f"{lst.slug}{suffix}"), *_options(lst))
        assert "新增" in out and "错误" not in out
    for lst in LISTS:
        again = gm("accounts", "import", str(REAL / f"{lst.slug}{suffix}"), *_options(lst))
        assert "新增 0，变更 0，" in again, (lst.slug, again)
    accounts = json.loads(gm("accounts", "list", "--format", "json"))
    # What the lists say is closed is imported closed, never 运营中.
    closed = {a["name"] for a in accounts if a["status_code"] in ("deregistered", "closed")}
    assert closed == {"临淄交警", "桓台交警", "富平县林木病虫害防治检疫中心", "富平县自然资源综合执法大队",
                      "富平县国土资源局工会", "富平林业", "冷泉小镇美丽李家", "温泉小镇幸福嵩口", "老君镇食药监管", "汉台徐望",
                      "商洛政务发布", "商州区人民政府"}
    assert {a["name"] for a in accounts if a["name"].startswith("@")} == set()
    gm("check")
    findings = json.loads(gm("findings", "--format", "json"))
    assert not [f for f in findings if f["severity"] == "veto"]
    assert json.loads(gm("review", "list", "--state", "all", "--format", "json")) == []


def test_dry_run_shows_the_mapping_with_samples_and_each_outcome(gm) -> None:  # type: ignore[no-untyped-def]
    out = gm("accounts", "import", str(REAL / "sanming-tongbao.xlsx"), "--dry-run")
    assert "列对应（表中列 → 台账列）：" in out
    assert "C 账号类型 → 平台（按内容）  例：「微信公众号」" in out
    assert "D 所属地区 → 主办单位（按列名）  例：「三元区」、「清流县」" in out
    assert "F 处置 → 状态（按列名）  例：「整改」、「已注销」" in out
    assert "新增 水清三明 (wechat 待补全，缺：账号ID、主办单位，整改中)" in out
    assert "新增 冷泉小镇美丽李家 (wechat 待补全，缺：账号ID，已注销)" in out
    assert "（试运行，未写入）新增 4，变更 0，未变 0，注销 0（其中待补全 4）" in out
    gm("accounts", "import", str(REAL / "sanming-tongbao.xlsx"))
    assert "未变 水清三明" in gm("accounts", "import", str(REAL / "sanming-tongbao.xlsx"), "--dry-run")
    english = gm("accounts", "import", str(REAL / "sanming-tongbao.xlsx"), "--dry-run", lang="en")
    assert "C 账号类型 → 平台 (by values)" in english and "same   水清三明" in english


def test_map_save_mapping_and_mapping_file(gm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = REAL / "quanzhou-shishi-gbk.csv"
    out = gm("accounts", "import", str(path), "--dry-run", "--map", "榜单=备注", "--map", "备注=忽略",
             "--save-mapping", str(tmp_path / "map.json"))
    assert "D 榜单 → 备注（按指定）" in out and "E 备注 → （忽略）（按指定）" in out
    saved = json.loads((tmp_path / "map.json").read_text(encoding="utf-8"))
    assert saved["columns"]["榜单"] == "备注" and saved["columns"]["类型"] == "平台"
    again = gm("accounts", "import", str(path), "--dry-run", "--mapping", str(tmp_path / "map.json"))
    assert "D 榜单 → 备注（按指定）" in again
    bad = gm("accounts", "import", str(path), "--map", "榜单=颜色", code=2)
    assert "「颜色」不是台账的列" in bad
    assert "must be FILE_HEADING=LEDGER_COLUMN" in gm("accounts", "import", str(path), "--map", "榜单", code=2, lang="en")


def test_at_a_terminal_the_mapping_is_confirmed_corrected_and_blank_units_filled_on_request(
        gm, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The 县（区） list saved as CSV: its units are in each group's first row only. At a terminal the user
    sees the mapping, corrects one column, and answers that blank means 同上: every account gets its unit."""
    from cli_commands import onboarding

    monkeypatch.setattr(onboarding, "interactive", lambda: True)
    path = REAL / "shangqiu-tongbao-gbk.csv"
    result = CliRunner().invoke(main, ["--db", db_url, "accounts", "import", str(path)],
                                input="n\n存在问题=备注\ny\ny\n", catch_exceptions=False)
    set_lang("zh")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "B 县（区） → 主办单位（按列名）  例：「虞城县」、「睢阳区」" in out
    assert "已更正：存在问题 → 备注" in out
    assert "按此列对应读取？" in out and "空白是否表示“同上”" in out and "第4、5、8行主办单位为空" in out
    assert "已向下填充主办单位的行：第4、5、8行" in out and "新增 8，" in out
    units = {a["name"]: a["unit"] for a in json.loads(gm("accounts", "list", "--format", "json"))}
    assert units["虞城三五基层工作日"] == "虞城县" and units["商丘市梁园区卫生局"] == "梁园区"
    shown = gm("accounts", "show", "夏邑消防")
    assert "未进行填报登记" in shown
    # Answering no to the fill-down leaves those accounts pending, listed.
    result = CliRunner().invoke(main, ["--db", db_url, "accounts", "import", str(REAL / "sanming-tongbao-gbk.csv")],
                                input="y\nn\n", catch_exceptions=False)
    set_lang("zh")
    assert result.exit_code == 0 and "第5、6行主办单位为空，按待补全登记" in result.output
