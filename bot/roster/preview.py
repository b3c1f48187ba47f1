"""What importing a roster would change, said before anything changes (确认导入 applies it).

:func:`diff` compares the office's active roster with a file's groups, both as plain
:class:`~bot.roster.model.RosterGroup` values, and lists what the import will do in the
terms :func:`bot.roster.apply_roster` uses: groups matched by code (a new name is a
rename), groups missing from the file deactivated, contacts compared as people
(``@Ann`` is ``@ann``), indicators matched by name, and a dropped indicator kept when
weekly values refer to it. :func:`preview_text` says it in the caller's language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import say
from bot.roster.applying import _stored_groups, roster_group_of
from bot.roster.model import RosterGroup
from storage.models import Indicator, IndicatorValue, TaskGroup

CONTACT_KINDS = (("primary_contact", "primary"), ("deputy_contact", "deputy"))
# The fields other than name, contacts and indicators: a change in one is "details changed".
DETAIL_FIELDS = (
    "order",
    "responsible_unit",
    "responsible_person",
    "member_units",
    "duties",
)
SHOWN = 30  # lines per section at most: a preview must fit one message


@dataclass(frozen=True)
class ContactChange:
    code: str
    kind: str  # "primary" | "deputy"
    before: str
    after: str


@dataclass
class RosterDiff:
    """Each list names groups by code (and name), in the file's order."""

    added: list[tuple[str, str]] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # code, old, new
    removed: list[tuple[str, str]] = field(default_factory=list)
    contacts: list[ContactChange] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    indicators_added: list[tuple[str, str]] = field(default_factory=list)  # code, name
    indicators_removed: list[tuple[str, str]] = field(default_factory=list)
    indicators_kept: list[tuple[str, str]] = field(default_factory=list)  # have values
    indicators_changed: list[tuple[str, str]] = field(default_factory=list)  # unit, target

    @property
    def empty(self) -> bool:
        """Nothing would change. Kept indicators are not a change: they stay as they are."""
        return not any(
            (
                self.added,
                self.renamed,
                self.removed,
                self.contacts,
                self.details,
                self.indicators_added,
                self.indicators_removed,
                self.indicators_changed,
            )
        )


def diff(
    stored: Sequence[RosterGroup],
    wanted: Sequence[RosterGroup],
    with_values: frozenset[tuple[str, str]] = frozenset(),
) -> RosterDiff:
    """What making ``stored`` (the active roster) into ``wanted`` changes.

    ``with_values`` holds (code, indicator name) of the indicators that have weekly values.
    """
    result = RosterDiff()
    by_code = {group.code: group for group in stored}
    for group in wanted:
        old = by_code.pop(group.code, None)
        if old is None:
            result.added.append((group.code, group.name))
            result.indicators_added.extend((group.code, i.name) for i in group.indicators)
            continue
        _diff_group(old, group, with_values, result)
    result.removed.extend((group.code, group.name) for group in by_code.values())
    return result


def _diff_group(
    old: RosterGroup, new: RosterGroup, with_values: frozenset[tuple[str, str]], into: RosterDiff
) -> None:
    code = new.code
    if old.name != new.name:
        into.renamed.append((code, old.name, new.name))
    for attribute, kind in CONTACT_KINDS:
        before, after = getattr(old, attribute), getattr(new, attribute)
        if before.lower() != after.lower():
            into.contacts.append(ContactChange(code, kind, before, after))
    old_names, new_names = {i.name for i in old.indicators}, {i.name for i in new.indicators}
    reordered = [i.name for i in old.indicators if i.name in new_names] != [
        i.name for i in new.indicators if i.name in old_names
    ]
    if reordered or any(getattr(old, name) != getattr(new, name) for name in DETAIL_FIELDS):
        into.details.append((code, new.name))
    old_indicators = {i.name: i for i in old.indicators}
    for indicator in new.indicators:
        previous = old_indicators.pop(indicator.name, None)
        if previous is None:
            into.indicators_added.append((code, indicator.name))
        elif (previous.unit, previous.target) != (indicator.unit, indicator.target):
            into.indicators_changed.append((code, indicator.name))
    for name in old_indicators:
        target = into.indicators_kept if (code, name) in with_values else into.indicators_removed
        target.append((code, name))


# --- the office's side ------------------------------------------------------------------


async def current_roster(session: AsyncSession, workspace_id: int) -> list[RosterGroup]:
    """The workspace's active groups as roster rows, in report order."""
    return [roster_group_of(g) for g in await _stored_groups(session, workspace_id) if g.active]


async def indicators_with_values(
    session: AsyncSession, workspace_id: int
) -> frozenset[tuple[str, str]]:
    """(group code, indicator name) of every indicator weekly values refer to."""
    rows = await session.execute(
        select(TaskGroup.code, Indicator.name)
        .join(Indicator, Indicator.group_id == TaskGroup.id)
        .where(
            TaskGroup.workspace_id == workspace_id,
            select(IndicatorValue.id).where(IndicatorValue.indicator_id == Indicator.id).exists(),
        )
    )
    return frozenset((code, name) for code, name in rows)


async def plan(
    session: AsyncSession, workspace_id: int, wanted: Sequence[RosterGroup]
) -> tuple[RosterDiff, str]:
    """The diff of importing ``wanted`` now, and the fingerprint of the roster it is
    against (:func:`fingerprint`): a confirmation checks it is still the same."""
    stored = await current_roster(session, workspace_id)
    with_values = await indicators_with_values(session, workspace_id)
    return diff(stored, wanted, with_values), fingerprint(stored)


def fingerprint(groups: Sequence[RosterGroup]) -> str:
    text = json.dumps([asdict(g) for g in groups], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# --- saying it ------------------------------------------------------------------------------


def _section(locale: str, key: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    shown = lines[:SHOWN]
    if len(lines) > SHOWN:
        shown.append(say(locale, "roster.preview.more", count=len(lines) - SHOWN))
    return [say(locale, key, count=len(lines)), *shown]


def _pairs(locale: str, items: list[tuple[str, str]]) -> list[str]:
    return [say(locale, "roster.preview.item", code=code, name=name) for code, name in items]


def preview_text(change: RosterDiff, locale: str, title: str, file_name: str) -> str:
    """The preview message: each kind of change with its groups, or "nothing changes"."""
    head = say(locale, "roster.preview.title", title=title, file=file_name)
    if change.empty:
        return "\n".join([head, say(locale, "roster.preview.nothing")])
    none = say(locale, "roster.preview.blank")
    renamed = [
        say(locale, "roster.preview.renamed_item", code=code, old=old, new=new)
        for code, old, new in change.renamed
    ]
    contacts = [
        say(
            locale,
            f"roster.preview.contact_{c.kind}",
            code=c.code,
            before=c.before or none,
            after=c.after or none,
        )
        for c in change.contacts
    ]
    parts = [head]
    for key, lines in (
        ("roster.preview.added", _pairs(locale, change.added)),
        ("roster.preview.renamed", renamed),
        ("roster.preview.removed", _pairs(locale, change.removed)),
        ("roster.preview.contacts", contacts),
        ("roster.preview.details", _pairs(locale, change.details)),
        ("roster.preview.indicators_added", _pairs(locale, change.indicators_added)),
        ("roster.preview.indicators_changed", _pairs(locale, change.indicators_changed)),
        ("roster.preview.indicators_removed", _pairs(locale, change.indicators_removed)),
        ("roster.preview.indicators_kept", _pairs(locale, change.indicators_kept)),
    ):
        parts.extend(_section(locale, key, lines))
    parts.append(say(locale, "roster.preview.confirm"))
    return "\n".join(parts)
