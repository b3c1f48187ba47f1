"""The database schema: one class per noun of DESIGN.md §2, plus the bookkeeping tables
that make lihui safe to restart and to run as several instances (step claims, processed
updates, the delivery log, the dialog position).

Conventions: integer surrogate keys; Telegram ids are ``BigInteger``; every instant is
stored as an aware UTC datetime (:class:`UTCDateTime`), every calendar day as ``Date``;
enumerations are short strings checked in the core, so adding a value needs no migration.
Nothing here knows Telegram beyond the fact that people and chats have numeric ids.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations can alter them on both SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always aware and in UTC when read back.

    SQLite has no time zones and hands back naive datetimes; without this, comparing a
    stored deadline with the clock would raise on SQLite and work on PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use bot.clock.now() or an aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


# --- the office and its roster ------------------------------------------------------------


class Workspace(Base):
    """One office, bound to one office chat."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    locale: Mapped[str] = mapped_column(String(16), default="zh-CN")
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    # False while the bot is not a member of the office chat (removed, kicked): the weekly
    # cycle stops posting there and resumes when the bot is added back (issue 8).
    office_chat_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # False once /unbind: the data stays (until ``lihui workspace purge``) but is not served.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    groups: Mapped[list[TaskGroup]] = relationship(
        back_populates="workspace", order_by="TaskGroup.position"
    )


class WorkdayOverride(Base):
    """A holiday or make-up working day the calendar package does not know (yet)."""

    __tablename__ = "workday_override"
    __table_args__ = (UniqueConstraint("workspace_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")


class TaskGroup(Base):
    """A special task group (专项组)."""

    __tablename__ = "task_group"
    __table_args__ = (UniqueConstraint("workspace_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    responsible_person: Mapped[str] = mapped_column(String(100), default="")
    member_units: Mapped[str] = mapped_column(Text, default="")
    duties: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the group entered the roster: a group that joins mid-way is assessed from then
    # on (bot.rollups.scoring). Storage has no clock of its own, so the insert's real time;
    # None for groups created before the column existed ("from the beginning").
    created_at: Mapped[datetime | None] = mapped_column(
        nullable=True, default=lambda: datetime.now(UTC)
    )

    workspace: Mapped[Workspace] = relationship(back_populates="groups")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="group", order_by="Indicator.position", cascade="all, delete-orphan"
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="group", order_by="Contact.kind.desc()", cascade="all, delete-orphan"
    )


class Indicator(Base):
    """A number a group reports each week (人次, 岗位, 场次 ...)."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("group_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20), default="")
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[TaskGroup] = relationship(back_populates="indicators")


class Person(Base):
    """A Telegram user lihui knows of.

    A roster may name a contact by @username before that person ever wrote to the bot, so
    ``telegram_user_id`` is filled in when they first do (matched by username).
    """

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, nullable=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(16), nullable=True)
    started_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    # The office a private command acts on when the person has several (bot/access/office.py).
    # No foreign key: a removed or unbound office is simply not among the person's offices
    # any more, and the next command asks again.
    office_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Membership(Base):
    """A person's role in a workspace: ``director``, ``staff`` or ``member``."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("workspace_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))


class Contact(Base):
    """A person who reports for a task group: ``primary`` or ``deputy``."""

    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("group_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))

    group: Mapped[TaskGroup] = relationship(back_populates="contacts")
    person: Mapped[Person] = relationship()


# --- the weekly cycle -------------------------------------------------------------------


class Period(Base):
    """A reporting week of one workspace, keyed like ``2026-W48``."""

    __tablename__ = "period"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(10))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    deadline_at: Mapped[datetime | None] = mapped_column(nullable=True)
    agenda_compiled_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Exemption(Base):
    """A group excused from reporting for one period (免报)."""

    __tablename__ = "exemption"
    __table_args__ = (UniqueConstraint("group_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime]


class Submission(Base):
    """One group's report for one period: a draft until submitted, then revisable.

    The fields hold the current content (the draft while the dialog runs); every submit
    and every revision also freezes a full copy in :class:`SubmissionRevision`.
    """

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("group_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="draft")  # draft | submitted
    done_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    progress_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    percent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    plan_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    # New problems and photos of the draft, as JSON lists: they become ledger rows on submit.
    new_problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime]

    indicator_values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    follow_ups: Mapped[list[FollowUp]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[SubmissionRevision]] = relationship(
        back_populates="submission", order_by="SubmissionRevision.number"
    )


class SubmissionRevision(Base):
    """A frozen copy of a submission as submitted (number 1) or revised (2, 3 ...)."""

    __tablename__ = "submission_revision"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    submission: Mapped[Submission] = relationship(back_populates="revisions")


class IndicatorValue(Base):
    """One indicator's number in one submission."""

    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("submission_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    raw_text: Mapped[str] = mapped_column(String(100), default="")

    submission: Mapped[Submission] = relationship(back_populates="indicator_values")


class FollowUp(Base):
    """A submission's answer about one earlier open problem or decision (跟踪事项)."""

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("submission_id", "problem_id", "decision_id"),
        Index("ix_follow_up_problem", "problem_id"),
        Index("ix_follow_up_decision", "decision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id", ondelete="CASCADE"))
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), nullable=True
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), nullable=True
    )
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship(back_populates="follow_ups")


class Problem(Base):
    """A problem raised by a group; open week after week until resolved."""

    __tablename__ = "problem"
    __table_args__ = (Index("ix_problem_open", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    to_meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    # open | in_progress | needs_coordination | resolved
    status: Mapped[str] = mapped_column(String(24), default="open")
    opened_period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    resolved_period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"), nullable=True)
    source_submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Decision(Base):
    """A task decided at the meeting (议定事项), followed up until closed (销号)."""

    __tablename__ = "decision"
    __table_args__ = (Index("ix_decision_open", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # open | in_progress | needs_coordination | done
    status: Mapped[str] = mapped_column(String(24), default="open")
    decided_period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)


class StatusChange(Base):
    """The history of a problem or a decision: who moved it to which status, and why."""

    __tablename__ = "status_change"
    __table_args__ = (
        Index("ix_status_change_problem", "problem_id"),
        Index("ix_status_change_decision", "decision_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problem.id", ondelete="CASCADE"), nullable=True
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="CASCADE"), nullable=True
    )
    period_id: Mapped[int | None] = mapped_column(ForeignKey("period.id"), nullable=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime]


# --- the report dialog --------------------------------------------------------------------


class DialogState(Base):
    """Where a person stands in the report dialog: the only dialog state there is.

    Handlers keep nothing in memory; each update reads this row, acts, and writes it back
    in the same transaction. ``version`` grows with every step so that a button from an
    older prompt (its callback data carries the version) is recognised as stale.
    """

    __tablename__ = "dialog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission.id", ondelete="CASCADE"), nullable=True
    )
    step: Mapped[str] = mapped_column(String(32), default="idle")
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    # Mutable: the dialog writes single keys (``data["outcome"] = ...``) and they must persist.
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    prompt_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime]


class DeepLink(Base):
    """An opaque token for ``t.me/<bot>?start=<token>``: never raw ids in a link."""

    __tablename__ = "deep_link"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_group.id", ondelete="CASCADE"), nullable=True
    )
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("period.id", ondelete="CASCADE"), nullable=True
    )
    purpose: Mapped[str] = mapped_column(String(24), default="submit")
    created_at: Mapped[datetime]


# --- running safely: exactly once, nothing lost ---------------------------------------------


class StepClaim(Base):
    """A scheduled step done for a workspace and period; the unique key makes it happen once."""

    __tablename__ = "step_claim"
    __table_args__ = (UniqueConstraint("workspace_id", "step", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))
    period_key: Mapped[str] = mapped_column(String(10))
    instance: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # running (its deliveries are being sent) | done | skipped (missed beyond the grace period)
    status: Mapped[str] = mapped_column(String(16), default="running", server_default="running")


class ProcessedUpdate(Base):
    """A Telegram update already handled; Telegram may deliver the same update twice."""

    __tablename__ = "processed_update"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime]


class Delivery(Base):
    """A message lihui must send, recorded before it is sent so none is silently lost."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_pending", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), nullable=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # pending | sending | sent | failed | uncertain | dismissed (see bot/cycle/delivery_log.py)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The scheduled step (StepClaim) the message belongs to, so an interrupted step resumes
    # with exactly its unsent messages; and when the last send began ("sending" since).
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True, nullable=True)
    attempted_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AuditLog(Base):
    """Who changed what, for changes an office must be able to account for."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), nullable=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


# --- ledgers: the short dialogs of /decide and of closing a decision ----------------------


class LedgerDraft(Base):
    """Where a person stands in a ledger dialog (/decide, or the note when closing one).

    Apart from :class:`DialogState` so that recording a decision never disturbs a report
    half written; like it, saved at every step (a restart continues there) and versioned
    (a button from an older prompt is stale). Deleted when the dialog ends.
    """

    __tablename__ = "ledger_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # decide | close
    step: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(MutableDict.as_mutable(JSON), default=dict)
    updated_at: Mapped[datetime]


# --- reports: the numbered weekly bulletin, and the indexes a week's reports read by ----------

# A report reads one week (or the eight of its trend) by period id; without these, that
# would scan every week of history (the unique keys lead with the group, not the period).
Index("ix_submission_period", Submission.period_id)
Index("ix_exemption_period", Exemption.period_id)
Index("ix_problem_opened_period", Problem.opened_period_id)
Index("ix_problem_resolved_period", Problem.resolved_period_id)


class PublishedBulletin(Base):
    """A weekly bulletin as published: its number (2026年第12期) and its content, frozen.

    The number is given on publication, counted per workspace and year, and the content is
    the compiled bulletin as it stood then, so that its Word file rebuilt a year later is
    the same document. One row per week (a second publication finds the first) and one per
    number (two instances racing for the next number meet on the unique key).
    The week is kept by key rather than by period row: a published number is never reused,
    even when sample data replaces the periods it was compiled from.
    """

    __tablename__ = "published_bulletin"
    __table_args__ = (
        UniqueConstraint("workspace_id", "year", "number"),
        UniqueConstraint("workspace_id", "period_key", name="uq_published_bulletin_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    period_key: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_at: Mapped[datetime]
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), nullable=True
    )


# --- roll-ups: good practices, score adjustments, published assessments (bot/rollups) -------


class GoodPractice(Base):
    """A report (one revision), or one passage of it, marked as a good practice (好的做法).

    ``status`` is ``draft`` while the person who marks it is still choosing (the title comes
    first, then the group, the week and the passage, each a button press), ``marked`` once
    chosen, ``withdrawn`` when taken back: a withdrawn mark is kept, not deleted, so the
    audit log's entries keep pointing at something.
    """

    __tablename__ = "good_practice"
    __table_args__ = (Index("ix_good_practice_workspace", "workspace_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("task_group.id", ondelete="CASCADE"), nullable=True
    )
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("period.id", ondelete="CASCADE"), nullable=True
    )
    revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("submission_revision.id", ondelete="SET NULL"), nullable=True
    )
    passage: Mapped[str] = mapped_column(Text, default="")  # empty: the whole report
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft|marked|withdrawn
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime]
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)


class ScoreAdjustment(Base):
    """A manual adjustment (加减分) of one group's score in one assessment window."""

    __tablename__ = "score_adjustment"
    __table_args__ = (Index("ix_score_adjustment_window", "workspace_id", "window_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    window_key: Mapped[str] = mapped_column(String(24))  # "2026-H1", "2026", "2026-02..2026-05"
    points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    created_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)


class PublishedAssessment(Base):
    """An assessment as published: its whole content frozen, whatever the rubric becomes."""

    __tablename__ = "published_assessment"
    __table_args__ = (UniqueConstraint("workspace_id", "window_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    window_key: Mapped[str] = mapped_column(String(24))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), nullable=True)
    published_at: Mapped[datetime]


# --- access: binding, roles and the office's own edits (issue 9) ----------------------------


class PendingEdit(Base):
    """A /groups edit waiting for the value the person will type next.

    Kept here rather than in memory so that a restart, or another instance answering the
    next update, still knows what the typed text is for. One per person: starting another
    edit replaces it.
    """

    __tablename__ = "pending_edit"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("task_group.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class OfficeQuestion(Base):
    """A private command waiting for its office: "which office?" was asked, with buttons.

    Kept in the database, not in memory, so a restart or another instance between the
    question and the press still runs the command asked for, once (``answered_at``).
    Ids are never reused (SQLite's AUTOINCREMENT), so an old button whose question was
    pruned names nothing rather than a newer question.
    """

    __tablename__ = "office_question"
    __table_args__: ClassVar[dict[str, Any]] = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    command: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    args: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)


class PendingImport(Base):
    """A roster file sent in the chat, read and previewed, waiting for 确认导入.

    The parsed rows are kept (not the file), so a press after a restart, or on another
    instance, still applies exactly what was previewed. ``status`` goes from ``pending``
    to ``applied`` or ``cancelled`` once, by a conditional update: a second press finds it
    no longer pending. ``base`` fingerprints the roster the preview was computed against,
    so a press after the roster changed in between asks for a fresh upload instead.
    """

    __tablename__ = "pending_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(255), default="")
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    base: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


# --- speed: indexes that keep the report's ledger reads bounded by what is open -------------
# open_problems reads the problems unresolved or resolved after the week; open_decisions the
# decisions not closed or closed after it. With these, both read two index ranges instead of
# every problem and decision the workspace ever had (bot/ledgers).
Index("ix_problem_resolved_in", Problem.workspace_id, Problem.resolved_period_id)
Index("ix_decision_closed", Decision.workspace_id, Decision.closed_at)
