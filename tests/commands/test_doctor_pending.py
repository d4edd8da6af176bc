"""`doctor` never counts a pending (待补全) account as collectable (issue 21): not in the readiness table, not
in the polling plan, not in import's credential warning; pending accounts get their own line saying what is
missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from registry.config.i18n import set_lang

#: Made like the lists of issue 21: a section row 一、省直机关, a 开设单位 heading, one blank unit, one row
#: without an id, one without a platform and with an @ name; saved in GBK as Excel on Chinese Windows does.
LIST = """序号,新媒体名称,平台,原始ID,开设单位
一、省直机关,,,,
1,滹沱教育,微信公众号,gh_1a2b3c4d5e60,滹沱县教育局
2,滹沱卫健,微信公众号,gh_1a2b3c4d5e61,滹沱县卫生健康局
3,滹沱交通,微信公众号,gh_1a2b3c4d5e62,
4,滹沱民政,微信公众号,,滹沱县民政局
5,@滹沱文旅,,,滹沱县文化广电和旅游局
"""


def _plan_accounts(out: str, method: str) -> int:
    """The 账号 figure of a method's row in the polling plan (the table after 采集计划)."""
    plan = out.split("采集计划")[1]
    row = next(line for line in plan.splitlines() if line.startswith(method + " "))
    return int(row.split()[1])


def test_doctor_counts_only_collectable_accounts(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVMEDIA_CONFIG", raising=False)
    (tmp_path / "list.csv").write_bytes(LIST.encode("gbk"))
    runner = CliRunner()

    def gm(*args: str) -> str:
        try:
            result = runner.invoke(main, ["--db", db_url, *args], catch_exceptions=False)
        finally:
            set_lang("zh")
        assert result.exit_code == 0, result.output
        return result.output

    out = gm("accounts", "import", "list.csv")
    assert "新增 5" in out and "（其中待补全 3）" in out
    # Only the two complete WeChat accounts need a credential; the pending ones are not counted.
    assert "2 个账号的采集方式需要凭据但未填写（第3、4行）" in out
    # 一、省直机关 is no level of the county's: no 单位类型 taken from it.
    assert "单位类型】按所在分类行填写" not in out
    doctor = gm("doctor")
    assert "可采集账号 2 个" in doctor
    assert "待补全 3 个账号（不采集，不计入采集计划）：缺主办单位 1 个、缺账号ID 2 个、缺平台 1 个" in doctor
    assert "滹沱民政（#4）：待补全，缺账号ID，暂不采集" in doctor
    assert "滹沱文旅（#5）：待补全，缺平台、账号ID，暂不采集" in doctor
    assert _plan_accounts(doctor, "wechat_api") == 2
    readiness = doctor.split("各采集方式准备情况")[1].split("采集计划")[0]
    assert next(line for line in readiness.splitlines() if line.startswith("wechat_api")).split()[1] == "2"
