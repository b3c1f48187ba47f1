# ruff: noqa: E501 (the reports are written out as pasted, one line each)
"""Pasted weekly reports as the offices write them, each with the parts it must yield.

Varied on purpose: headings (本周工作完成情况, 工作进展, 存在问题, 存在的问题及需协调事项,
需协调解决的问题, 困难和问题, 下周工作计划, 下步打算, 工作计划, English), numbering
(一、 （一） 1. 1、 ① none), full- and half-width punctuation, trailing ；。, empty parts
("无"), figures with 万 and full-width digits, titles and none.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    done: list[str]
    problems: list[str]
    plan: list[str]
    title: str | None = None
    values: dict[str, float] = field(default_factory=dict)  # indicator name → value


def long_report() -> Case:
    done = [
        f"第{i}批次走访困难群众家庭，服务群众{i * 10}人次，登记诉求并逐一回应" for i in range(1, 61)
    ]
    text = "一、本周工作完成情况\n" + "\n".join(f"{i}.{d}；" for i, d in enumerate(done, 1))
    text += "\n二、存在问题\n1.人手不足\n三、下周工作计划\n1.继续走访"
    return Case("long, over 4,000 characters", text, done, ["人手不足"], ["继续走访"])


CASES: list[Case] = [
    Case(
        "the standard shape",
        "就业专项组第48周工作情况汇报\n一、本周工作完成情况\n1.举办招聘会2场，服务群众500人次；\n"
        "2.走访企业37户。\n二、存在问题\n1.招聘会场地不足。\n三、下周工作计划\n1.筹备春季招聘月活动。",
        ["举办招聘会2场，服务群众500人次", "走访企业37户"],
        ["招聘会场地不足"],
        ["筹备春季招聘月活动"],
        title="就业专项组第48周工作情况汇报",
        values={"服务人次": 500},
    ),
    Case(
        "（一） numbering and 存在的问题及需协调事项",
        "一、本周工作完成情况\n（一）完成老旧小区改造3个\n（二）新增养老床位120张\n"
        "二、存在的问题及需协调事项\n（一）资金拨付较慢\n三、下周工作计划\n（一）推进二期工程",
        ["完成老旧小区改造3个", "新增养老床位120张"],
        ["资金拨付较慢"],
        ["推进二期工程"],
    ),
    Case(
        "1、 numbering, 下步打算",
        "一、本周工作完成情况\n1、开展政策宣传4场\n2、发放宣传册800份\n二、存在问题\n1、群众知晓率不高\n"
        "三、下步打算\n1、扩大宣传覆盖面\n2、开展入户宣传",
        ["开展政策宣传4场", "发放宣传册800份"],
        ["群众知晓率不高"],
        ["扩大宣传覆盖面", "开展入户宣传"],
    ),
    Case(
        "circled numbers",
        "一、本周工作完成情况\n①走访独居老人25户\n②组织志愿服务3次\n二、存在问题\n①志愿者数量不足\n"
        "三、下周工作计划\n①招募志愿者",
        ["走访独居老人25户", "组织志愿服务3次"],
        ["志愿者数量不足"],
        ["招募志愿者"],
    ),
    Case(
        "no numbering at all",
        "本周工作完成情况\n召开推进会一次\n完成摸底调查\n存在问题\n部分数据不全\n下周工作计划\n形成调查报告",
        ["召开推进会一次", "完成摸底调查"],
        ["部分数据不全"],
        ["形成调查报告"],
    ),
    Case(
        "headings with full-width colons and text on the same line",
        "一、本周工作完成情况：完成项目立项审批。\n二、存在问题：无\n三、下周工作计划：启动招标工作。",
        ["完成项目立项审批"],
        [],
        ["启动招标工作"],
    ),
    Case(
        "half-width colons and semicolons",
        "一、本周工作完成情况:\n1.完成台账整理;\n2.上报统计数据;\n二、存在问题:\n无\n三、下周工作计划:\n1.迎接检查;",
        ["完成台账整理", "上报统计数据"],
        [],
        ["迎接检查"],
    ),
    Case(
        "需协调解决的问题",
        "一、本周工作完成情况\n1.完成场地选址\n二、需协调解决的问题\n1.需规划部门出具意见\n三、下周工作计划\n1.办理用地手续",
        ["完成场地选址"],
        ["需规划部门出具意见"],
        ["办理用地手续"],
    ),
    Case(
        "困难和问题, 工作计划",
        "一、工作进展\n1.完成培训120人次\n二、困难和问题\n1.培训场地紧张\n三、工作计划\n1.再办两期培训",
        ["完成培训120人次"],
        ["培训场地紧张"],
        ["再办两期培训"],
        values={"培训人次": 120},
    ),
    Case(
        "English headings",
        "Weekly report, week 48\nWork done this week\n1. Held two job fairs for 500 people.\n"
        "2. Visited 37 firms.\nProblems\n1. Not enough space for the fairs.\nPlan for next week\n"
        "1. Prepare the spring hiring month.",
        ["Held two job fairs for 500 people", "Visited 37 firms"],
        ["Not enough space for the fairs"],
        ["Prepare the spring hiring month"],
        title="Weekly report, week 48",
    ),
    Case(
        "English headings with colons, issues needing coordination, next steps",
        "Progress:\n- Opened the new service hall\nIssues needing coordination:\n- Staff shortage\nNext steps:\n- Hire two clerks",
        ["Opened the new service hall"],
        ["Staff shortage"],
        ["Hire two clerks"],
    ),
    Case(
        "full-width digits and 万",
        "一、本周工作完成情况\n１．发放救助金１.５万元\n２．服务群众１２００人次\n二、存在问题\n无\n三、下周工作计划\n１．继续发放",
        ["发放救助金１.５万元", "服务群众１２００人次"],
        [],
        ["继续发放"],
        values={"救助金": 15000, "服务人次": 1200},
    ),
    Case(
        "an empty problems part with 暂无",
        "一、本周工作完成情况\n1.完成月度考核\n二、存在问题\n暂无。\n三、下周工作计划\n1.总结经验",
        ["完成月度考核"],
        [],
        ["总结经验"],
    ),
    Case(
        "no problems heading at all",
        "一、本周工作完成情况\n1.召开协调会\n二、下周工作计划\n1.落实会议要求",
        ["召开协调会"],
        [],
        ["落实会议要求"],
    ),
    Case(
        "parts in another order",
        "一、下周工作计划\n1.开展督查\n二、本周工作完成情况\n1.制定督查方案\n三、存在问题\n1.时间紧",
        ["制定督查方案"],
        ["时间紧"],
        ["开展督查"],
    ),
    Case(
        "boilerplate opening sentence dropped, title kept apart",
        "关于第49周工作进展情况的报告\n现将本周工作情况汇报如下：\n一、本周工作完成情况\n1.完成清单梳理\n"
        "二、存在问题\n1.清单口径不一\n三、下周工作计划\n1.统一口径",
        ["完成清单梳理"],
        ["清单口径不一"],
        ["统一口径"],
        title="关于第49周工作进展情况的报告",
    ),
    Case(
        "several items on one line",
        "一、本周工作完成情况\n1.走访企业12家；2.召开座谈会1次；3.解决诉求5件。\n二、存在问题\n无\n三、下周工作计划\n1.回访企业",
        ["走访企业12家", "召开座谈会1次", "解决诉求5件"],
        [],
        ["回访企业"],
    ),
    Case(
        "two numbering levels",
        "一、本周工作完成情况\n（一）就业服务\n1.举办招聘会1场\n2.发布岗位300个\n（二）技能培训\n1.培训80人次\n"
        "二、存在问题\n1.企业参与度不高\n三、下周工作计划\n1.走访企业",
        ["就业服务", "举办招聘会1场", "发布岗位300个", "技能培训", "培训80人次"],
        ["企业参与度不高"],
        ["走访企业"],
    ),
    Case(
        "blank lines and indentation from Word",
        "\n\n　　一、本周工作完成情况\n\n　　1.完成入户核查56户。\n\n　　二、存在问题\n\n　　1.核查人员不足。\n\n"
        "　　三、下周工作计划\n\n　　1.完成剩余核查。\n",
        ["完成入户核查56户"],
        ["核查人员不足"],
        ["完成剩余核查"],
        values={"核查户数": 56},
    ),
    Case(
        "headings in 【】 brackets",
        "【本周工作完成情况】\n1.完成宣传片拍摄\n【存在问题】\n1.经费紧张\n【下周工作计划】\n1.宣传片上线",
        ["完成宣传片拍摄"],
        ["经费紧张"],
        ["宣传片上线"],
    ),
    Case(
        "一是 二是 items",
        "一、本周工作完成情况\n一是完成了项目验收；\n二是开展了安全检查。\n二、存在问题\n无\n三、下步工作打算\n一是做好项目移交。",
        ["完成了项目验收", "开展了安全检查"],
        [],
        ["做好项目移交"],
    ),
    Case(
        "主要工作 and 下一步工作计划",
        "主要工作\n1.完成5个社区的走访\n存在的困难\n1.社区配合度不一\n下一步工作计划\n1.召开推进会",
        ["完成5个社区的走访"],
        ["社区配合度不一"],
        ["召开推进会"],
    ),
    Case(
        "numbers with a dot and a space",
        "一、本周工作完成情况\n1. 完成资料归档\n2. 开展业务培训2场\n二、存在问题\n1. 系统运行不稳定\n三、下周工作计划\n1. 系统升级",
        ["完成资料归档", "开展业务培训2场"],
        ["系统运行不稳定"],
        ["系统升级"],
    ),
    Case(
        "parenthesised arabic numbering",
        "一、本周工作完成情况\n(1)完成评估报告\n(2)组织专家论证\n二、存在问题\n(1)专家时间难协调\n三、下周工作计划\n(1)报送评估报告",
        ["完成评估报告", "组织专家论证"],
        ["专家时间难协调"],
        ["报送评估报告"],
    ),
    Case(
        "HTML-looking text is only text",
        "一、本周工作完成情况\n1.举办<b>招聘会</b> & 宣讲会\n二、存在问题\n无\n三、下周工作计划\n1.<i>继续</i>",
        ["举办<b>招聘会</b> & 宣讲会"],
        [],
        ["<i>继续</i>"],
    ),
    Case(
        "本周工作 without 情况, 问题 alone",
        "本周工作：\n1.完成摸排\n问题：\n1.底数不清\n计划：\n1.建立台账",
        ["完成摸排"],
        ["底数不清"],
        ["建立台账"],
    ),
    Case(
        "a heading with its number in 第一部分 form",
        "第一部分 本周工作完成情况\n1.完成方案起草\n第二部分 存在问题\n1.意见分歧\n第三部分 下周工作计划\n1.征求意见",
        ["完成方案起草"],
        ["意见分歧"],
        ["征求意见"],
    ),
    Case(
        "only done and plan, problems said as 无 in the heading line",
        "一、本周完成情况\n1.开展巡查6次\n二、存在问题：无。\n三、下周计划\n1.继续巡查",
        ["开展巡查6次"],
        [],
        ["继续巡查"],
    ),
    Case(
        "a title without hint words",
        "民政专项组\n一、本周工作完成情况\n1.发放低保金\n二、存在问题\n无\n三、下周工作计划\n1.复核名单",
        ["发放低保金"],
        [],
        ["复核名单"],
        title="民政专项组",
    ),
    Case(
        "trailing full stop and semicolon kept inside items",
        "一、本周工作完成情况\n1.完成A项；B项推进中。\n二、存在问题\n1.无法按期完成；需延期。\n三、下周工作计划\n1.推进B项。",
        ["完成A项；B项推进中"],
        ["无法按期完成；需延期"],
        ["推进B项"],
    ),
    Case(
        "bullets",
        "本周工作完成情况\n• 完成调研\n• 形成报告\n存在问题\n• 数据滞后\n下周工作计划\n• 报送领导",
        ["完成调研", "形成报告"],
        ["数据滞后"],
        ["报送领导"],
    ),
    Case(
        "English with mixed case and an empty issues part",
        "THIS WEEK'S WORK\n1) Finished the survey\nIssues\nNone\nNext week\n1) Write it up",
        ["Finished the survey"],
        [],
        ["Write it up"],
    ),
    long_report(),
]
