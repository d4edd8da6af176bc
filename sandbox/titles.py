"""Plausible Chinese government-news titles and digests for the generated county's posts."""

from __future__ import annotations

import random
from datetime import date

COUNTY = "滹沱县"
TOWNS = ("城关镇", "东关镇", "西河乡", "南营镇", "北留乡", "桥头镇")

# Unit-name keyword -> topics that unit writes about. The first matching keyword wins.
_TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("教育", ("秋季学期开学", "义务教育招生", "校园安全", "课后服务", "中考志愿填报", "学生资助", "教师招聘")),
    ("公安", ("反诈宣传", "夏夜治安巡查", "交通安全", "户籍办理", "校园周边整治", "禁毒宣传")),
    ("卫生健康", ("家庭医生签约", "流感疫苗接种", "健康义诊", "无偿献血", "慢病管理", "妇幼保健")),
    ("市场监督", ("食品安全抽检", "价格监督检查", "特种设备安全", "消费维权", "燃气具专项检查")),
    ("人力资源", ("春风行动招聘会", "城乡居民养老保险", "技能培训", "农民工工资支付", "高校毕业生就业")),
    ("民政", ("低保动态管理", "养老服务", "婚姻登记", "留守儿童关爱", "殡葬改革")),
    ("农业农村", ("春耕备耕", "秋粮收购", "高标准农田建设", "农机安全", "秸秆禁烧")),
    ("应急", ("防汛演练", "安全生产大检查", "森林防火", "应急避难场所", "地震应急演练")),
    ("生态环境", ("空气质量通报", "河道保洁", "秸秆禁烧巡查", "环境执法检查", "土壤污染防治")),
    ("自然资源", ("耕地保护", "不动产登记", "国土空间规划", "地质灾害巡查")),
    ("住房", ("老旧小区改造", "农村危房改造", "燃气安全排查", "住房公积金")),
    ("交通", ("农村公路养护", "春运安全", "客运班线调整", "治超检查")),
    ("文化", ("非遗展演", "景区文明旅游", "文化惠民演出", "乡村旅游节", "图书馆阅读活动")),
    ("医疗保障", ("医保参保缴费", "异地就医备案", "医保基金监管", "门诊慢特病申报")),
    ("审批", ("一网通办", "企业开办", "证照办理", "帮办代办服务")),
    ("退役军人", ("光荣牌悬挂", "退役军人就业招聘", "优抚对象慰问", "烈士纪念日")),
    ("水利", ("河湖长制巡河", "农村饮水安全", "防汛抗旱", "水资源保护")),
    ("财政", ("惠农补贴发放", "预算公开", "政府采购", "财会监督")),
    ("司法", ("普法宣传", "法律援助", "人民调解", "社区矫正")),
    ("融媒", ("重点项目建设", "民生实事", "秋收一线", "文明城市创建", "乡村振兴")),
    ("镇", ("人居环境整治", "乡村振兴", "网格化服务", "秸秆禁烧", "农村饮水安全")),
    ("乡", ("人居环境整治", "乡村振兴", "移风易俗", "网格化服务")),
)
_GENERAL = ("县委常委会", "重点项目建设", "优化营商环境", "民生实事", "乡村振兴", "安全生产", "文明城市创建")

_TEMPLATES = (
    "{county}召开{topic}工作推进会",
    "{unit}开展{topic}专项行动",
    "关于做好{topic}工作的通知",
    "【权威发布】{topic}，这些事项请注意！",
    "{topic}丨{town}：{action}",
    "{month}月{day}日{county}{topic}情况通报",
    "{unit}部署{topic}工作",
    "提醒！{topic}即将开始",
    "{town}{topic}见行动",
    "图说丨{county}{topic}",
)
_ACTIONS = ("多措并举抓落实", "把服务送到群众家门口", "压实责任强推进", "真抓实干见成效", "织密安全防护网")
_DIGEST_TAILS = (
    "详情请点击阅读全文。",
    "请广大群众相互转告。",
    "欢迎转发扩散。",
    "具体安排如下。",
    "一起来看！",
)


def topics_for(unit: str) -> tuple[str, ...]:
    """The topics a unit writes about, chosen by keywords in its name."""
    # "人民政府" contains "民政": drop it so governments are matched as towns or the county.
    core = unit.replace("人民政府", "").removeprefix(COUNTY)
    for keyword, topics in _TOPICS:
        if keyword in core:
            return topics
    return _GENERAL


def short_unit(unit: str) -> str:
    """How a unit names itself in text: 滹沱县教育局 -> 县教育局, 滹沱县南营镇人民政府 -> 南营镇."""
    core = unit.replace("人民政府", "").removeprefix(COUNTY)
    if not core:
        return COUNTY
    return core if core.endswith(("镇", "乡")) else "县" + core


def make_text(rng: random.Random, unit: str, day: date) -> tuple[str, str]:
    """A news-style (title, digest) pair for a post by `unit` on `day`."""
    topic = rng.choice(topics_for(unit))
    action = rng.choice(_ACTIONS)
    town = next((t for t in TOWNS if t in unit), rng.choice(TOWNS))
    title = rng.choice(_TEMPLATES).format(
        county=COUNTY, unit=short_unit(unit), topic=topic, town=town, action=action, month=day.month, day=day.day
    )
    digest = f"近日，{short_unit(unit)}围绕{topic}{action}。{rng.choice(_DIGEST_TAILS)}"
    return title, digest


_FOLLOW_UPS = (
    "下一步，{unit}将持续压实工作责任，细化任务分工，确保各项措施落地见效。",
    "活动现场，工作人员通过发放宣传资料、现场答疑等方式，向群众详细讲解相关政策。",
    "会议要求，各乡镇、各部门要提高思想认识，加强统筹协调，形成工作合力。",
    "据了解，此次活动共发放宣传资料三千余份，接受群众咨询二百余人次。",
    "群众如有疑问，可拨打12345政务服务便民热线咨询，或前往县政务服务中心办理。",
)


def make_details(rng: random.Random, unit: str) -> str:
    """Three follow-up sentences, enough to push a Weibo post past the 140-character fold."""
    return "".join(s.format(unit=short_unit(unit)) for s in rng.sample(_FOLLOW_UPS, 3))
