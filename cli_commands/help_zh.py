"""Chinese `--help`: a catalogue keyed by command path and option name, applied before help is printed.

The English help strings stay in code beside each command (they are the source); this catalogue holds
their Chinese versions. `localize` puts one language or the other on the command tree; a test checks
that every command and option has a Chinese entry.
"""

from __future__ import annotations

import click

#: Command help by path ("" is the root command).
COMMANDS: dict[str, str] = {
    "": "govmedia：政务新媒体矩阵健康管理——台账、采集、检查、预警、报告。",
    "init": "生成带中文注释的默认配置文件并建库。",
    "doctor": "检查配置、数据库、密钥文件和各账号的采集设置，按采集方式统计准备情况，并给出采集计划。",
    "backup": "备份数据库（SQLite 在线备份，govmedia run 运行时也可安全执行）。",
    "restore": "用备份替换当前数据库（当前库另存为 *.before-restore）。",
    "accounts": "账号台账。",
    "accounts import": "导入台账（.xlsx、.xls、.csv 或 Unicode 文本）：先识别列对应（--dry-run 可查看），只有账号名称必填；有错误时一条不写。",
    "accounts export": "按导入格式导出台账（.xlsx 或 .csv）。",
    "accounts list": "列出账号。",
    "accounts show": "查看一个账号（REF：平台:账号ID、数字编号或完整账号名称）。",
    "accounts history": "查看账号的审计记录。",
    "accounts add": "新增一个账号（校验规则与台账导入相同）。",
    "accounts set": "修改一个账号的字段；每项修改都记入审计记录。",
    "accounts retire": "注销一个账号（状态改为已注销），记入审计记录。",
    "accounts resolve": "查找待补全账号的账号ID：微博按名称搜索；其他平台说明到哪里查看。",
    "units": "单位。",
    "units list": "列出单位及其账号数。",
    "units add": "新增单位。",
    "contacts": "联系人（负责人 / 分管领导 / 运维人员）。",
    "contacts list": "列出联系人。",
    "contacts add": "为单位新增联系人。",
    "contacts confirm": "记录联系人信息已于今天重新核实。",
    "collect": "执行一轮采集（或子命令：status、import、template）。",
    "collect status": "每个账号：最近成功、最近尝试与错误、已知文章数、数据截至。",
    "collect import": "导入各单位报送的手工采集账号数据（文章和粉丝数）。",
    "collect template": "生成某单位的月度报送表（预填手工报送账号，附填报说明）。",
    "check": "检查每个账号：新立、刷新、解除问题，并立关停整合复核。",
    "content": "内容安全：发布前检查错敏表述与个人隐私。",
    "content check": "检查稿件（txt、md、html、docx；- 表示标准输入）中的过时名称、错别字/敏感词和个人号码。",
    "findings": "列出发现的问题（JSON 键名稳定，供其他工具使用）。",
    "rules": "规则目录。",
    "rules list": "每条规则的中文名称、级别和生效的设置。",
    "review": "关停整合复核案件。",
    "review list": "列出复核案件。",
    "review show": "查看一件复核案件（案件编号或账号 REF）。",
    "review dossier": "生成复核案件的决定材料（可打印的 HTML）。",
    "review decide": "对复核案件作出决定；账号状态随之变更并记入审计记录。",
    "notify": "执行一轮预警发送（或：notify log）。",
    "notify log": "预警发送记录。",
    "silence": "豁免：暂停预警，记录申请人、理由和到期日。",
    "silence add": "为账号或单位新增生效的豁免（申请人为 --actor）。",
    "silence list": "列出豁免（待批准的等待审批）。",
    "silence expire": "立即结束一项豁免。",
    "silence approve": "批准通过企业微信申请的豁免。",
    "bot": "企业微信回调服务（接收单位联系人的回复）。",
    "bot serve": "提供 /wecom/callback：验证、解密，回答已登记联系人的指令。",
    "report": "报告：月度矩阵健康度报告、活跃度和矩阵概览。",
    "report monthly": "生成月度矩阵健康度报告（HTML、xlsx、docx 通报稿）。",
    "report activity": "每个账号：发文数、未更新天数、粉丝数及变化、阅读、互动、指数、未解决问题。",
    "report matrix": "矩阵概览：平台 × 单位层级、状态、主账号、重复账号、待决复核。",
    "run": "启动定时任务：按周期采集，随后检查、预警等。",
    "demo": "用示例县运行整个产品：独立的配置、SQLite 数据库和模拟平台。",
    "sandbox": "本地平台模拟器（微信、微博、企业微信、订阅源）。",
    "sandbox serve": "运行模拟器，直到按 Ctrl-C。",
    "sandbox messages": "列出预警机器人发到模拟器的消息。",
    "web": "网页控制台及其用户。",
    "web serve": "运行网页控制台，直到按 Ctrl-C（默认只监听 127.0.0.1；对外请用 nginx 加 https，见 docs/web.md）。",
    "web user": "网页控制台用户：管理员、单位用户（本单位及下级单位）、只读用户。",
    "web user add": "新增网页用户（密码从标准输入读取，不出现在命令行中）。",
    "web user list": "列出网页用户。",
    "web user disable": "停用网页用户（其登录会话立即失效）。",
    "web user reset": "重设密码（已停用的用户随之恢复；原会话失效）。",
    "web user link": "关联企业微信账号：该成员可用“企业微信登录”以此网页用户身份登录（[web] wecom_login）。",
    "web user unlink": "取消网页用户的企业微信账号关联。",
}

_LEDGER_COLUMNS = {
    "name": "账号名称", "unit": "主办单位", "unit-kind": "单位类型", "status": "状态", "method": "采集方式",
    "credential": "凭据", "feed-url": "订阅地址", "frequency": "更新频率要求", "interaction": "互动渠道",
    "opened-on": "开设日期", "filed": "是否备案", "filed-on": "备案日期", "notes": "备注", "matrix-role": "矩阵角色",
    "account-type": "账号类型", "verified-subject": "认证主体", "operator-org": "运维单位", "head": "负责人",
    "head-phone": "负责人电话", "operator": "运维人员", "operator-phone": "运维人员电话", "wecom": "企业微信账号",
    "head-wecom": "负责人企业微信账号", "parent-unit": "上级单位",
}
_LIST_FORMAT = "输出格式：table（表格）、csv、json、xlsx。"
_LIST_OUT = "写入此文件。"

#: Option help: "command path --option" for one command, "--option" for every command that has it.
OPTIONS: dict[str, str] = {
    # The root group's options.
    "--config": "配置文件（默认 $GOVMEDIA_CONFIG 或 ./govmedia.toml）。",
    "--lang": "输出语言：zh 中文（默认）、en 英文；可写在命令行任意位置。",
    "--actor": "记入审计记录的操作人（默认：系统用户名）。",
    "--verbose": "输出更多日志（可重复：-vv）。",
    "--db": "数据库地址，覆盖配置文件中的设置。",
    "init --db": "写入新配置文件的数据库地址。",
    "init --force": "覆盖已存在的配置文件。",
    "init --county": "本县名称（写入配置，报告和消息中显示），例如 深泽县。",
    # Shared by the list commands.
    "--format": _LIST_FORMAT,
    "--out": _LIST_OUT,
    "--account": "只看这个账号（REF）；可重复。",
    "--unit": "单位名称（包含即可）。",
    "--platform": "平台：微信公众号、新浪微博、抖音……（或 wechat、weibo 等代码）；不认识的平台词会报错并列出可用的词。",
    "--status": "状态代码或名称，例如 运营中。",
    "--reason": "理由（记入审计记录）。",
    "--dry-run": "试运行：只显示将做的改变，不写入。",
    "--yes": "不再询问确认。",
    "--state": "按状态筛选。",
    "--rule": "只看这条规则（规则编号）。",
    "--month": "月份 YYYY-MM。",
    "--port": "端口。",
    "--host": "监听地址。",
    "--name": "名称。",
    "--phone": "电话。",
    "--wecom": "企业微信账号（userid）。",
    "--since": "从这一天起重新抓取历史数据。",
    # accounts
    "accounts import --retire-missing": "注销文件中没有的账号。",
    "accounts import --sheet": "读取的工作表（默认：第一张有表头的工作表）。",
    "accounts import --default-platform": "未写平台的行所用的平台，例如 微信公众号。",
    "accounts import --map": "把表中某列按台账某列读取，如 --map '开设单位=主办单位'（或 =忽略），可多次使用。",
    "accounts import --mapping": "读取 --save-mapping 保存的列对应（先于 --map 生效）。",
    "accounts import --save-mapping": "保存本次使用的列对应，下次用 --mapping 复用。",
    "accounts import --fill-down": "主办单位为空表示“同上”，按上一行填充（CSV 等文本文件没有合并单元格信息）。",
    "accounts add --uid": "账号ID：微信原始ID（gh_…）或微博 UID / 主页地址。",
    **{f"--{opt}": f"台账列：{label}。" for opt, label in _LEDGER_COLUMNS.items()
       if opt not in ("name", "unit", "status", "wecom")},
    "accounts add --name": "台账列：账号名称。",
    "accounts set --name": "台账列：账号名称。",
    "accounts add --unit": "台账列：主办单位。",
    "accounts set --unit": "台账列：主办单位。",
    "accounts add --status": "台账列：状态。",
    "accounts set --status": "台账列：状态。",
    "accounts add --wecom": "台账列：企业微信账号（运维人员的 userid）。",
    "accounts set --wecom": "台账列：企业微信账号（运维人员的 userid）。",
    "accounts set --reason": "修改理由（记入审计记录）。",
    "accounts retire --reason": "账号退出矩阵的理由。",
    "accounts resolve --apply": "写入唯一匹配的结果（每项记入审计记录）。",
    "units add --kind": "单位类型：县政府 / 县直部门 / 乡镇 / 其他。",
    "units add --parent": "上级单位名称。",
    "contacts add --unit": "所属单位（完整名称）。",
    "contacts add --role": "角色：负责人 / 分管领导 / 运维人员（head / leader / operator）。",
    # collect
    "collect template --unit": "只含这个单位的账号（单位名称，包含即可；默认全县）。",
    "collect template --month": "报送月份 YYYY-MM（默认上个月）。",
    "collect template --out": "报送表文件（.xlsx）。",
    # check, findings, review
    "--as-of": "按这个时间点检查（本县时区）。",
    "check --fail-on": "存在该级别的问题时以退出码 1 结束。",
    "content check --fail-on": "发现至少这么严重的问题时以退出码 1 结束。",
    "review decide --decision": "决定：保留整改、整合、关停或注销。",
    "review decide --reason": "决定理由。",
    "--merge-into": "整合时并入的账号（REF）。",
    "--deadline": "整改期限（保留整改）。",
    "review dossier --out": "HTML 文件（默认 dossier-<编号>.html）。",
    # content
    "--date": "发布日期（默认今天）。",
    "--hotline": "本单位公开的电话号码（允许出现）；可重复。",
    "--lexicon": "额外的词表文件；可重复。",
    "--input-format": "输入格式（默认按文件后缀；标准输入为 txt）。",
    # notify, silence, bot
    "notify --dry-run": "只显示将发送的内容；不写入也不发送。",
    "--recipient": "接收人键（包含即可），例如 person:12。",
    "--limit": "最多显示条数。",
    "--until": "豁免的最后一天。",
    "--all": "包括已过期的。",
    "silence add --reason": "豁免理由。",
    "silence add --unit": "单位名称（完整）。",
    "silence add --account": "账号 REF。",
    # report
    "report monthly --out": "输出目录。",
    "report monthly --format": "逗号分隔：html,xlsx,docx。",
    "--from": "第一天（默认：30 天前）。",
    "--to": "最后一天（默认：今天）。",
    # operation
    "--worker": "PostgreSQL：作为多个分担采集的工作进程之一。",
    "--once": "每个任务执行一次后退出（用于 cron 或检查）。",
    "backup --out": "备份文件（默认 govmedia-年月日-时分.db）。",
    "--force": "覆盖已存在的文件。",
    # demo, sandbox
    "--dir": "演示目录。",
    "demo --port": "模拟平台端口（被占用时自动换一个空闲端口）。",
    "--seed": "生成示例县的随机种子。",
    "--faults": "要注入的故障（TOML 文件）。",
    "--url": "模拟平台地址。",
    "--channel": "渠道：wecom_app、wecom_robot 或 mp_template。",
    # web
    "web serve --host": "监听地址（默认 127.0.0.1）。",
    "web serve --port": "端口（0 表示自动选择空闲端口）。",
    "--secure-cookies": "会话 Cookie 加 Secure 标记（经 https 访问时）；默认取 [web] secure_cookies。",
    "web user add --role": "角色：admin（管理员）、unit（单位用户）、viewer（只读）。",
    "web user add --unit": "单位用户所属单位（完整名称）。",
    "web user add --wecom": "可用企业微信登录为此用户的企业微信账号（userid）。",
    "--password-stdin": "从标准输入读取密码。",
}

_ENGLISH: dict[int, str | None] = {}


def _name(param: click.Option) -> str:
    longs = [o for o in param.opts if o.startswith("--")]
    return longs[0] if longs else param.opts[0]


def option_help(path: str, param: click.Option) -> str | None:
    """The Chinese help of an option of the command at ``path`` (None: not in the catalogue)."""
    name = _name(param)
    return OPTIONS.get(f"{path} {name}".strip()) or OPTIONS.get(name)


def walk(cmd: click.Command, path: str = "") -> list[tuple[str, click.Command]]:
    """Every command under ``cmd`` (itself first) with its path."""
    out = [(path, cmd)]
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            out.extend(walk(sub, f"{path} {name}".strip()))
    return out


def localize(root: click.Command, lang: str) -> None:
    """Put the Chinese (zh) or the original English help texts on every command and option."""
    for path, cmd in walk(root):
        _ENGLISH.setdefault(id(cmd), cmd.help)
        cmd.help = COMMANDS.get(path, _ENGLISH[id(cmd)]) if lang == "zh" else _ENGLISH[id(cmd)]
        for param in cmd.params:
            if not isinstance(param, click.Option):
                continue
            _ENGLISH.setdefault(id(param), param.help)
            zh = option_help(path, param)
            param.help = (zh or _ENGLISH[id(param)]) if lang == "zh" else _ENGLISH[id(param)]
