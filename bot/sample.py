"""Sample data: a made-up office with 13 task groups and weeks of plausible history.

``lihui demo``, the screenshots and the benchmarks need an office that looks lived in:
reports mostly on time with a few late or missing, problems that stay open for weeks
before they are resolved, meeting decisions that are closed or overdue. Everything is
marked as sample so that nobody mistakes it for real data: group names end in （示例）,
codes start with ``S``, contacts are ``@sample_…`` and the workspace has ``is_sample``.

The history is generated from ``random.Random(seed)``, so the same seed gives the same
office. Loading again for the same chat replaces the sample history instead of adding a
second copy; a workspace that is not a sample is never touched.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot import clock, reporting, schedule
from bot.i18n import translate
from bot.periods import Period as Week
from bot.periods import parse_period, period_containing
from bot.roster import RosterGroup, RosterIndicator, apply_roster, parse_indicators
from bot.workdays import WorkdayCalendar
from storage.models import (
    Decision,
    Exemption,
    FollowUp,
    IndicatorValue,
    Membership,
    Period,
    Person,
    Problem,
    StatusChange,
    Submission,
    SubmissionRevision,
    TaskGroup,
    Workspace,
)

SAMPLE_TITLE = "温暖二七领导小组办公室（示例）"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MEETING = time(10, 0)

# name, responsible unit, person, member units, duties, indicators, work done, plans
_THEMES: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "党群服务中心提质组",
        "区委组织部",
        "张建国 副部长",
        "各街道党工委、区住建局、区财政局",
        "统筹推进全区党群服务中心标准化建设和功能提升，推动服务资源下沉到社区。",
        "党群服务中心提档升级(个):30; 服务群众(人次):50000",
        "完成{n}个社区党群服务中心提档升级验收",
    ),
    (
        "社会组织服务组",
        "区民政局",
        "王丽华 副局长",
        "区社会组织服务中心、区财政局、各街道办事处",
        "建好用好社会组织服务中心，培育孵化社区社会组织，引导其有序参与基层治理。",
        "孵化社会组织(家):40; 公益创投项目(个):20",
        "社会组织服务中心开展能力建设培训{n}期",
    ),
    (
        "宣传网络平台组",
        "区委宣传部",
        "刘志强 副部长",
        "区融媒体中心、区委网信办、区文化广电和旅游局",
        "建设“温暖二七”宣传网络平台，讲好惠民故事，及时发布各专项组工作动态。",
        "发布宣传稿件(篇):600; 网络平台阅读量(万次):500",
        "在融媒体平台推出“温暖二七”专题报道{n}篇",
    ),
    (
        "志愿服务组",
        "团区委",
        "陈晓燕 书记",
        "区文明办、区民政局、各街道办事处",
        "动员群众广泛参与，壮大志愿者队伍，常态化开展邻里互助和志愿服务活动。",
        "志愿服务活动(场次):800; 志愿服务时长(小时):100000; 新增注册志愿者(人):3000",
        "组织“周末志愿行”活动{n}场",
    ),
    (
        "健康服务组",
        "区卫健委",
        "赵明 副主任",
        "区疾控中心、区人民医院、各社区卫生服务中心",
        "组织医疗资源进社区开展义诊和健康讲座，做实家庭医生签约服务。",
        "义诊活动(场次):200; 健康服务(人次):30000",
        "组织专家进社区义诊{n}场",
    ),
    (
        "就业援助组",
        "区人社局",
        "孙海涛 局长",
        "区总工会、区妇联、区工商联",
        "开展就业援助月和专场招聘，帮扶就业困难人员和高校毕业生就业。",
        "新增就业岗位(个):5000; 职业技能培训(人次):4000; 就业困难人员帮扶(人):600",
        "举办社区专场招聘会{n}场",
    ),
    (
        "困难家庭帮扶组",
        "区民政局",
        "周红梅 副局长",
        "区医保局、区教育局、区住建局、区慈善总会",
        "建立困难家庭动态台账，落实救助政策，做到应保尽保、应帮尽帮。",
        "走访困难家庭(户):3000; 发放救助资金(万元):800",
        "入户走访困难家庭，更新帮扶台账{n}批",
    ),
    (
        "环境卫生整治组",
        "区城管局",
        "吴志刚 局长",
        "区生态环境分局、区住建局、各街道办事处",
        "集中整治背街小巷和老旧小区环境卫生，建立长效保洁机制。",
        "整治背街小巷(条):120; 清理卫生死角(处):2000; 新增绿化面积(平方米):50000",
        "集中整治背街小巷{n}条",
    ),
    (
        "商户服务组",
        "区商务局",
        "郑国华 副局长",
        "区市场监管局、区税务局、区工商联",
        "走访服务沿街商户，帮助解决经营难题，营造暖心营商环境。",
        "走访服务商户(家):5000; 解决商户诉求(件):600",
        "走访沿街商户，收集诉求{n}批",
    ),
    (
        "助残服务组",
        "区残联",
        "冯静 理事长",
        "区民政局、区人社局、区卫健委",
        "为残疾人提供康复、就业和无障碍改造服务，提升残疾人生活品质。",
        "残疾人康复服务(人次):6000; 无障碍改造(户):300",
        "完成残疾人家庭无障碍改造{n}批",
    ),
    (
        "养老服务组",
        "区民政局（区老龄办）",
        "何建平 副局长",
        "区卫健委、区医保局、各街道办事处",
        "发展社区助餐和居家养老上门服务，建设社区养老服务站。",
        "助餐服务(人次):60000; 居家养老上门服务(人次):20000; 新建社区养老服务站(个):15",
        "新开社区老年助餐点{n}个",
    ),
    (
        "关爱未成年人组",
        "区教育局",
        "许文博 副局长",
        "团区委、区妇联、区关工委、区检察院",
        "开展困境儿童结对帮扶、课后服务和心理健康关爱活动。",
        "关爱活动(场次):300; 结对帮扶困境儿童(人):500",
        "开展“四点半课堂”课后服务{n}期",
    ),
    (
        "矛盾纠纷调解组",
        "区司法局",
        "韩立新 副局长",
        "区委政法委、区公安分局、区信访局、各街道综治中心",
        "健全矛盾纠纷多元化解机制，把矛盾纠纷化解在基层、解决在萌芽状态。",
        "调解矛盾纠纷(件):1500; 调解成功率(%):95",
        "组织人民调解员集中排查矛盾纠纷{n}轮",
    ),
]

_EXTRA_UNITS = ["区发改委", "区财政局", "区住建局", "区文化广电和旅游局", "区市场监管局"]
_DEPUTY_GROUPS = {1, 4, 6, 8, 11}  # groups (1-based) that have a deputy contact

_PROBLEMS = [
    "部分社区活动场地紧张，需协调街道统筹提供场地",
    "专项经费尚未拨付到位，影响项目推进",
    "成员单位数据报送不及时，统计口径不一致",
    "节假日服务力量薄弱，志愿者招募数量不足",
    "信息系统账号权限未开通，台账无法录入",
    "跨部门审批流程较长，需领导小组办公室协调",
    "老旧小区产权不清，改造方案难以落地",
    "宣传素材收集滞后，典型案例挖掘不够",
]
_DECISIONS = [
    "由{unit}牵头，会同相关成员单位研究解决“{topic}”问题",
    "{unit}于下周例会前报送阶段性工作进展和下步计划",
    "{unit}梳理典型做法，形成可复制推广的经验材料",
    "{unit}会同区财政局核实经费需求，加快资金拨付",
]
_EXEMPT_REASONS = [
    "牵头单位集中开展专项督查，经办公室批准本周免报",
    "节假日调休，经办公室批准本周免报",
    "责任单位人员调整，经办公室批准本周免报",
]
_PLANS = [
    "继续推进重点任务，做好台账整理和信息报送。",
    "对照年度目标查漏补缺，推动滞后事项加快落实。",
    "总结本阶段经验做法，筹备下阶段重点活动。",
]
_NOTES = {
    "in_progress": "正在推进中",
    "needs_coordination": "仍需协调解决",
    "resolved": "已协调解决",
    "done": "已按期办结",
}


class SampleError(Exception):
    """Sample data refused (for example, the chat's workspace is real); user-facing."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(translate("en", key, **params))

    def translated(self, locale: str) -> str:
        return translate(locale, self.key, **self.params)


@dataclass
class SampleSummary:
    """Counts of what :func:`load_sample` created."""

    workspace_id: int
    groups: int
    weeks: int
    submissions: int = 0
    late: int = 0
    missing: int = 0
    exempt: int = 0
    problems: int = 0
    problems_open: int = 0
    decisions: int = 0
    decisions_open: int = 0
    decisions_overdue: int = 0

    def describe(self, locale: str = "zh-CN") -> str:
        return translate(locale, "sample.summary", **self.__dict__)


# --- the sample roster --------------------------------------------------------------------


def _theme_group(number: int) -> RosterGroup:
    name, unit, person, members, duties, indicators, _ = _THEMES[number - 1]
    return RosterGroup(
        name=f"{name}（示例）",
        code=f"S{number:02d}",
        order=number,
        responsible_unit=unit,
        responsible_person=f"{person}（示例）",
        member_units=members.split("、"),
        duties=duties,
        primary_contact=f"@sample_contact{number:02d}",
        deputy_contact=f"@sample_deputy{number:02d}" if number in _DEPUTY_GROUPS else "",
        indicators=parse_indicators(indicators),
    )


def _extra_group(number: int) -> RosterGroup:
    unit = _EXTRA_UNITS[number % len(_EXTRA_UNITS)]
    return RosterGroup(
        name=f"专项组{number}（示例）",
        code=f"S{number:02d}",
        order=number,
        responsible_unit=unit,
        responsible_person="（示例）负责人",
        member_units=["各街道办事处", _EXTRA_UNITS[(number + 1) % len(_EXTRA_UNITS)]],
        duties=f"承担第{number}项示例专项任务，按周报送工作进展。",
        primary_contact=f"@sample_contact{number:02d}",
        indicators=[
            RosterIndicator("服务群众", "人次", 10000.0),
            RosterIndicator("开展活动", "场次", 100.0),
        ],
    )


def sample_roster(count: int = 13) -> list[RosterGroup]:
    """The sample roster: 13 themed groups, then generic ``专项组14（示例）`` ... if asked."""
    return [_theme_group(n) if n <= len(_THEMES) else _extra_group(n) for n in range(1, count + 1)]


def _work_phrase(group: TaskGroup, position: int) -> str:
    index = position - 1
    return _THEMES[index][6] if index < len(_THEMES) else "开展示例专项活动{n}场"


# --- the workspace --------------------------------------------------------------------------


async def _sample_workspace(session: AsyncSession, chat_id: int) -> Workspace:
    workspace = await session.scalar(select(Workspace).where(Workspace.chat_id == chat_id))
    if workspace is not None and not workspace.is_sample:
        raise SampleError("sample.error.not_sample", chat_id=chat_id)
    if workspace is None:
        workspace = Workspace(
            chat_id=chat_id, title=SAMPLE_TITLE, is_sample=True, settings={}, created_at=clock.now()
        )
        session.add(workspace)
        await session.flush()
    return workspace


async def _clear_history(session: AsyncSession, workspace_id: int) -> None:
    """Remove earlier sample history; the database cascades to submissions and the rest."""
    for model in (Problem, Decision, Period):
        await session.execute(
            delete(model)
            .where(model.workspace_id == workspace_id)
            .execution_options(synchronize_session=False)
        )


async def _person(session: AsyncSession, username: str, display_name: str) -> Person:
    person = await session.scalar(select(Person).where(Person.username == username))
    if person is None:
        person = Person(username=username, display_name=display_name)
        session.add(person)
        await session.flush()
    return person


# The office's own people (username, display name, role): a director, three staff and two
# members, so that every role can be tried in the demo (``demo/cast.py`` plays them).
SAMPLE_PEOPLE: list[tuple[str, str, str]] = [
    ("sample_director", "李主任（示例）", "director"),
    *((f"sample_staff{i:02d}", f"办公室工作人员{i}（示例）", "staff") for i in range(1, 4)),
    *((f"sample_member{i:02d}", f"办公室成员{i}（示例）", "member") for i in range(1, 3)),
]


async def _add_staff(session: AsyncSession, workspace_id: int) -> None:
    """The office's own people (:data:`SAMPLE_PEOPLE`) with their roles."""
    people = SAMPLE_PEOPLE
    existing = set(
        await session.scalars(
            select(Membership.person_id).where(Membership.workspace_id == workspace_id)
        )
    )
    for username, display_name, role in people:
        person = await _person(session, username, display_name)
        if person.id not in existing:
            session.add(Membership(workspace_id=workspace_id, person_id=person.id, role=role))


# --- the history ----------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@dataclass
class _Item:
    """An open problem or decision while the history is generated."""

    row: Problem | Decision
    group_id: int
    close_week: int | None  # the week index in which it is resolved or done, if ever
    status: str = "open"


@dataclass
class _GroupState:
    group: TaskGroup
    position: int
    percent: int
    contact_id: int | None


@dataclass
class _History:
    """Everything the generator needs while it walks forward week by week."""

    session: AsyncSession
    rng: random.Random
    workspace_id: int
    now: datetime
    weeks: list[Period]
    states: list[_GroupState]
    summary: SampleSummary
    items: list[_Item] = field(default_factory=list)
    by_group: dict[int, list[_Item]] = field(default_factory=dict)

    def track(self, item: _Item) -> None:
        self.items.append(item)
        self.by_group.setdefault(item.group_id, []).append(item)


async def _make_periods(
    session: AsyncSession, workspace_id: int, last: Week, count: int
) -> list[Period]:
    calendar = WorkdayCalendar()
    weeks = [last]
    while len(weeks) < count:
        weeks.insert(0, weeks[0].previous())
    periods = [
        Period(
            workspace_id=workspace_id,
            key=week.key,
            starts_on=week.start,
            ends_on=week.end,
            deadline_at=schedule.moment({}, "deadline", week, SHANGHAI, calendar),
        )
        for week in weeks
    ]
    session.add_all(periods)
    await session.flush()
    return periods


def _weekday_at(period: Period, weekday: int, at: time) -> datetime:
    day = period.starts_on + timedelta(days=weekday - 1)
    return _utc(datetime.combine(day, at, tzinfo=SHANGHAI))


def _submitted_at(history: _History, period: Period) -> tuple[datetime, bool]:
    rng = history.rng
    assert period.deadline_at is not None
    if rng.random() < 0.12:
        moment = period.deadline_at + timedelta(minutes=rng.randint(30, 52 * 60))
        moment = min(moment, history.now - timedelta(minutes=1))
        return moment, moment > period.deadline_at
    return period.deadline_at - timedelta(minutes=rng.randint(20, 50 * 60)), False


def _add_decisions(history: _History, week_index: int) -> list[_Item]:
    """Decisions of the Monday meeting held in week ``week_index``."""
    rng, period = history.rng, history.weeks[week_index]
    meeting = _weekday_at(period, 1, MEETING)
    count = rng.randint(1, max(2, len(history.states) // 5))
    added = []
    for number in range(count):
        state = rng.choice(history.states)
        due = period.starts_on + timedelta(days=4 + 7 * rng.randint(1, 3))
        weeks_to_due = (due - period.starts_on).days // 7
        # The meeting's first decision of the first week is left open: the sample needs overdue.
        keep_open = (week_index == 0 and number == 0) or rng.random() < 0.3
        close_week = None if keep_open else week_index + rng.randint(1, weeks_to_due + 1)
        text = rng.choice(_DECISIONS).format(
            unit=state.group.responsible_unit, topic=rng.choice(_PROBLEMS)
        )
        decision = Decision(
            workspace_id=history.workspace_id,
            group_id=state.group.id,
            text=f"{text}（示例）",
            due_on=due,
            status="open",
            decided_period_id=period.id,
            created_at=meeting,
        )
        history.session.add(decision)
        added.append(_Item(decision, state.group.id, close_week))
        history.track(added[-1])
    return added


def _follow_ups(
    history: _History, state: _GroupState, week_index: int, submission: Submission
) -> None:
    """Answer each open item of the group; close those whose time has come."""
    for item in history.by_group.get(state.group.id, []):
        if item.status in ("resolved", "done"):
            continue
        if item.row.id is None:
            continue  # decided this week; followed up from next week on
        is_problem = isinstance(item.row, Problem)
        if item.close_week is not None and week_index >= item.close_week:
            outcome = "resolved"  # the dialog's word; it closes a decision as "done"
        else:
            outcome = history.rng.choice(["in_progress", "in_progress", "needs_coordination"])
        submission.follow_ups.append(
            FollowUp(
                problem_id=item.row.id if is_problem else None,
                decision_id=None if is_problem else item.row.id,
                outcome=outcome,
                note=_NOTES[outcome],
            )
        )


def _submission(history: _History, state: _GroupState, week_index: int) -> Submission:
    rng, period = history.rng, history.weeks[week_index]
    submitted_at, late = _submitted_at(history, period)
    state.percent = min(100, state.percent + rng.randint(2, 8))
    status = rng.choices(["on_track", "delayed", "blocked"], weights=[78, 16, 6])[0]
    done = _work_phrase(state.group, state.position).format(n=rng.randint(1, 6))
    submission = Submission(
        group_id=state.group.id,
        period_id=period.id,
        state="submitted",
        done_text=f"{done}，各项工作有序推进（示例）。",
        progress_status=status,
        percent=state.percent,
        plan_text=rng.choice(_PLANS),
        new_problems=[],
        photos=[],
        indicator_values=[],
        follow_ups=[],
        revisions=[],
        late=late,
        started_by_id=state.contact_id,
        submitted_by_id=state.contact_id,
        submitted_at=submitted_at,
        updated_at=submitted_at,
    )
    _indicator_values(history, state, submission)
    _follow_ups(history, state, week_index, submission)
    if rng.random() < 0.14:
        submission.new_problems = [
            {"text": rng.choice(_PROBLEMS), "to_meeting": rng.random() < 0.5}
        ]
    submission.revisions.append(
        SubmissionRevision(
            number=1,
            content=reporting.snapshot(submission),
            author_id=state.contact_id,
            late=late,
            created_at=submitted_at,
        )
    )
    return submission


def _indicator_values(history: _History, state: _GroupState, submission: Submission) -> None:
    for indicator in state.group.indicators:
        base = (indicator.target or 100.0) / 40
        if indicator.unit == "%":
            number = float(min(100, round((indicator.target or 90) + history.rng.uniform(-5, 3))))
        else:
            number = float(max(0, round(base * history.rng.uniform(0.5, 1.5))))
        raw = f"{int(number)}{indicator.unit}"
        submission.indicator_values.append(
            IndicatorValue(indicator_id=indicator.id, value=number, raw_text=raw)
        )


def _week_reports(history: _History, week_index: int) -> list[Submission]:
    """Each group reports, is missing, or is exempt for the week."""
    period, rng = history.weeks[week_index], history.rng
    submissions = []
    for state in history.states:
        roll = rng.random()
        if roll < 0.03:
            history.session.add(
                Exemption(
                    group_id=state.group.id,
                    period_id=period.id,
                    reason=rng.choice(_EXEMPT_REASONS),
                    created_at=_weekday_at(period, 3, time(9, 0)),
                )
            )
            history.summary.exempt += 1
        elif roll < 0.13:
            history.summary.missing += 1
        else:
            submissions.append(_submission(history, state, week_index))
    history.session.add_all(submissions)
    return submissions


def _close_items(history: _History, week_index: int, submissions: list[Submission]) -> None:
    """Move problems and decisions by this week's follow-ups, with their status history."""
    by_id = {(isinstance(i.row, Problem), i.row.id): i for i in history.items}
    period = history.weeks[week_index]
    for submission in submissions:
        for follow_up in submission.follow_ups:
            is_problem = follow_up.problem_id is not None
            item = by_id[(is_problem, follow_up.problem_id or follow_up.decision_id)]
            assert follow_up.outcome is not None and submission.submitted_at is not None
            ledger = reporting.PROBLEM_STATUS if is_problem else reporting.DECISION_STATUS
            status = ledger[follow_up.outcome]
            if status == item.status:
                continue
            item.status = status
            reporting.change_status(item.row, status, period, submission.submitted_at)
            history.session.add(_status_change(item, status, period.id, submission))


def _status_change(
    item: _Item, status: str, period_id: int, submission: Submission | None
) -> StatusChange:
    is_problem = isinstance(item.row, Problem)
    created_at = submission.submitted_at if submission else item.row.created_at
    assert created_at is not None
    return StatusChange(
        problem_id=item.row.id if is_problem else None,
        decision_id=None if is_problem else item.row.id,
        period_id=period_id,
        submission_id=submission.id if submission else None,
        status=status,
        note=_NOTES.get(status) or ("新提出（示例）" if is_problem else "例会议定（示例）"),
        person_id=submission.submitted_by_id if submission else None,
        created_at=created_at,
    )


def _open_problems(
    history: _History, week_index: int, submissions: list[Submission]
) -> list[_Item]:
    """Ledger rows for the problems raised in this week's reports."""
    period, rng, opened = history.weeks[week_index], history.rng, []
    group_ids = {state.group.id for state in history.states}
    for submission in submissions:
        assert submission.group_id in group_ids and submission.submitted_at is not None
        for raised in submission.new_problems:
            problem = Problem(
                workspace_id=history.workspace_id,
                group_id=submission.group_id,
                text=f"{raised['text']}（示例）",
                to_meeting=raised["to_meeting"],
                status="open",
                opened_period_id=period.id,
                source_submission_id=submission.id,
                created_at=submission.submitted_at,
            )
            close_week = None if rng.random() < 0.25 else week_index + rng.randint(1, 5)
            history.session.add(problem)
            opened.append(_Item(problem, submission.group_id, close_week))
    return opened


async def _generate_week(history: _History, week_index: int) -> None:
    """One week: the Monday meeting's decisions, the reports, then the ledger moves.

    Two flushes a week: the first gives submissions and decisions their ids, the second
    gives the new problems theirs; the opening status rows come after the second.
    """
    new_decisions = _add_decisions(history, week_index)
    submissions = _week_reports(history, week_index)
    await history.session.flush()
    period_id = history.weeks[week_index].id
    for item in new_decisions:
        history.session.add(_status_change(item, "open", period_id, None))
    _close_items(history, week_index, submissions)
    opened = _open_problems(history, week_index, submissions)
    await history.session.flush()
    for item in opened:
        history.session.add(_status_change(item, "open", period_id, _source(submissions, item)))
    for item in opened:
        history.track(item)
    history.summary.submissions += len(submissions)
    history.summary.late += sum(1 for s in submissions if s.late)


def _source(submissions: list[Submission], item: _Item) -> Submission | None:
    assert isinstance(item.row, Problem)
    return next((s for s in submissions if s.id == item.row.source_submission_id), None)


async def _group_states(
    session: AsyncSession, workspace_id: int, rng: random.Random
) -> list[_GroupState]:
    groups = await session.scalars(
        select(TaskGroup)
        .where(TaskGroup.workspace_id == workspace_id, TaskGroup.active)
        .options(selectinload(TaskGroup.indicators), selectinload(TaskGroup.contacts))
        .order_by(TaskGroup.position)
    )
    states = []
    for position, group in enumerate(groups, start=1):
        primary = next((c for c in group.contacts if c.kind == "primary"), None)
        contact_id = primary.person_id if primary is not None else None
        states.append(_GroupState(group, position, rng.randint(5, 25), contact_id))
    return states


def _count_ledger(history: _History, today: date) -> None:
    summary = history.summary
    for item in history.items:
        if isinstance(item.row, Problem):
            summary.problems += 1
            summary.problems_open += item.row.status != "resolved"
        else:
            summary.decisions += 1
            is_open = item.row.status != "done"
            summary.decisions_open += is_open
            summary.decisions_overdue += bool(
                is_open and item.row.due_on and item.row.due_on < today
            )


def _last_week(end_period: Week | str | None, now: datetime) -> Week:
    if isinstance(end_period, Week):
        return end_period
    if isinstance(end_period, str):
        return parse_period(end_period)
    return period_containing(now, SHANGHAI).previous()


async def load_sample(
    session: AsyncSession,
    chat_id: int,
    weeks: int,
    groups: int = 13,
    *,
    end_period: Week | str | None = None,
    seed: int = 0,
) -> SampleSummary:
    """Fill the chat's sample workspace with a roster and ``weeks`` weeks of history.

    The last week is ``end_period`` or else the last week completed before now (Asia/
    Shanghai). Raises :class:`SampleError` for a workspace that is not a sample.
    """
    if weeks < 1 or groups < 1:
        raise SampleError("sample.error.bad_count")
    now = clock.now()
    workspace = await _sample_workspace(session, chat_id)
    await _clear_history(session, workspace.id)
    await apply_roster(session, chat_id, sample_roster(groups), title=SAMPLE_TITLE)
    await _add_staff(session, workspace.id)
    rng = random.Random(seed)
    periods = await _make_periods(session, workspace.id, _last_week(end_period, now), weeks)
    states = await _group_states(session, workspace.id, rng)
    summary = SampleSummary(workspace_id=workspace.id, groups=len(states), weeks=weeks)
    history = _History(session, rng, workspace.id, now, periods, states, summary)
    for week_index in range(weeks):
        await _generate_week(history, week_index)
    await session.flush()
    _count_ledger(history, now.astimezone(SHANGHAI).date())
    return summary
