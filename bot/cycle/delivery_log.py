"""The step claims and the delivery log: what makes a scheduled step happen exactly once.

A step is claimed (``StepClaim``, unique per workspace, step and period) in the same unit
of work that records every message it will send (``Delivery``, each with a unique dedupe
key such as ``open:<ws>:<period>:<group>:<person>``). Only then is anything sent, one
delivery at a time, each moved ``pending -> sending`` by an atomic conditional update, so
two instances working on one step never send the same message, and a restart resumes
with exactly the deliveries still ``pending``.

A delivery left ``sending`` by a process that died may or may not have reached Telegram
(the Bot API has no idempotency key to ask). It becomes ``uncertain`` and is **not** sent
again: the office would rather see one prompt missing (logged, listed by ``lihui jobs``)
than have contacts receive each prompt twice after every crash. A person can tell what the
bot cannot: the director's ``/report`` lists them (:mod:`bot.cycle.uncertain`), and
:func:`settle_uncertain` puts them back to ``pending`` (sent again by the usual path) or
``dismissed`` (known to have arrived, or no longer wanted), each once.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cycle.steps import UNDELIVERABLE, Outgoing, Unreached
from bot.replies import Attachment, Button, Reply
from storage.models import Delivery, StepClaim
from storage.upsert import dialect_insert, insert_or_ignore

# A "sending" row older than this belongs to a process that is gone (a live one gives up
# on a send within a few minutes, see handlers/delivery.py).
STALE_SENDING = timedelta(minutes=10)
OPEN = ("pending", "sending")
UNCERTAIN = "uncertain"
DISMISSED = "dismissed"  # an uncertain delivery a person said needs no second send
SETTLE_NOTES = {"pending": "sent again on request", DISMISSED: "dismissed on request"}


def to_payload(reply: Reply, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """A reply as JSON for the log, files included: a resumed step needs all of it."""
    payload: dict[str, Any] = {
        "text": reply.text,
        "buttons": [
            [{"label": b.label, "data": b.data, "url": b.url} for b in row] for row in reply.buttons
        ],
    }
    if reply.photo_file_ids:
        payload["photo_file_ids"] = list(reply.photo_file_ids)
    if reply.attachment is not None:
        payload["attachment"] = {
            "filename": reply.attachment.filename,
            "kind": reply.attachment.kind,
            "data": base64.b64encode(reply.attachment.data).decode("ascii"),
        }
    if meta:
        payload["meta"] = meta
    return payload


def from_payload(payload: dict[str, Any]) -> Reply:
    buttons = [
        [Button(b["label"], b.get("data"), b.get("url")) for b in row]
        for row in payload.get("buttons", [])
    ]
    attachment = None
    if "attachment" in payload:
        file = payload["attachment"]
        attachment = Attachment(file["filename"], base64.b64decode(file["data"]), file["kind"])
    return Reply(
        payload.get("text", ""),
        buttons=buttons,
        photo_file_ids=tuple(payload.get("photo_file_ids", ())),
        attachment=attachment,
    )


async def claim(
    session: AsyncSession,
    workspace_id: int,
    step: str,
    key: str,
    instance: str,
    now: datetime,
    status: str = "running",
) -> StepClaim | None:
    """Claim a step for this instance; None if it was claimed (run or skipped) before."""
    inserted = await insert_or_ignore(
        session,
        StepClaim,
        workspace_id=workspace_id,
        step=step,
        period_key=key,
        instance=instance,
        claimed_at=now,
        finished_at=now if status != "running" else None,
        status=status,
    )
    if not inserted:
        return None
    return await session.scalar(
        select(StepClaim).where(
            StepClaim.workspace_id == workspace_id,
            StepClaim.step == step,
            StepClaim.period_key == key,
        )
    )


async def record(
    session: AsyncSession, claim_row: StepClaim, outgoing: Sequence[Outgoing], now: datetime
) -> int:
    """Log every message of a step before any is sent; returns how many were new.

    One statement for the whole step (a fan-out to a thousand contacts is one insert), and
    a message already logged under its dedupe key is left as it is.
    """
    if not outgoing:
        return 0
    rows = [
        {
            "workspace_id": claim_row.workspace_id,
            "claim_id": claim_row.id,
            "dedupe_key": item.key[:200],
            "chat_id": item.chat_id or 0,
            "kind": item.kind,
            "payload": to_payload(item.reply, item.meta),
            "status": "pending" if item.chat_id is not None else "failed",
            "attempts": 0,
            "last_error": ""
            if item.chat_id is not None
            else f"{UNDELIVERABLE}: no Telegram id known",
            "created_at": now,
        }
        for item in outgoing
    ]
    insert = dialect_insert(session.bind.dialect.name)
    result = await session.execute(insert(Delivery).values(rows).on_conflict_do_nothing())
    return max(result.rowcount, 0)


async def pending(session: AsyncSession, claim_id: int) -> list[int]:
    rows = await session.scalars(
        select(Delivery.id)
        .where(Delivery.claim_id == claim_id, Delivery.status == "pending")
        .order_by(Delivery.id)
    )
    return list(rows)


async def grab(session: AsyncSession, delivery_id: int, now: datetime) -> Delivery | None:
    """Take one pending delivery for sending; None if another worker took it first."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == "pending")
        .values(status="sending", attempted_at=now)
    )
    if result.rowcount != 1:
        return None
    return await session.get(Delivery, delivery_id)


async def finish(
    session: AsyncSession,
    delivery_id: int,
    *,
    status: str,
    attempts: int,
    now: datetime,
    message_id: int | None = None,
    error: str = "",
) -> None:
    """Record a send's outcome; it also settles a row a restart had marked uncertain."""
    await session.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status.in_(("sending", "uncertain")))
        .values(
            status=status,
            attempts=attempts,
            telegram_message_id=message_id,
            last_error=error[:2000],
            sent_at=now if status == "sent" else None,
        )
    )


async def mark_uncertain(session: AsyncSession, before: datetime | None) -> list[Delivery]:
    """``sending`` rows of a process that died: uncertain, never resent (module docstring).

    At start every ``sending`` row is stale (``before`` None) unless a live instance settles
    it moments later (:func:`finish` accepts that); on later sweeps only old ones.
    """
    query = select(Delivery).where(Delivery.status == "sending")
    if before is not None:
        query = query.where(Delivery.attempted_at < before)
    rows = list(await session.scalars(query))
    for row in rows:
        row.status = UNCERTAIN
        row.last_error = (row.last_error + " " if row.last_error else "") + (
            "the process stopped during the send; it may or may not have arrived"
        )
    return rows


async def unfinished_claims(session: AsyncSession) -> list[StepClaim]:
    return list(
        await session.scalars(
            select(StepClaim).where(StepClaim.status == "running").order_by(StepClaim.id)
        )
    )


async def finish_claim_if_done(session: AsyncSession, claim_id: int, now: datetime) -> bool:
    """Close a claim once none of its deliveries is pending or being sent."""
    open_count = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(Delivery.claim_id == claim_id, Delivery.status.in_(OPEN))
    )
    if open_count:
        return False
    result = await session.execute(
        update(StepClaim)
        .where(StepClaim.id == claim_id, StepClaim.status == "running")
        .values(status="done", finished_at=now)
    )
    return result.rowcount == 1


async def unreached(session: AsyncSession, claim_id: int) -> list[Unreached]:
    """Private prompts of a step that Telegram refused for good (or could not be sent)."""
    rows = await session.scalars(
        select(Delivery)
        .where(
            Delivery.claim_id == claim_id,
            Delivery.kind == "prompt",
            Delivery.status == "failed",
            Delivery.last_error.startswith(UNDELIVERABLE),
        )
        .order_by(Delivery.id)
    )
    found = []
    for row in rows:
        meta = row.payload.get("meta") or {}
        if "group_id" in meta and "person_id" in meta:
            found.append(Unreached(int(meta["group_id"]), int(meta["person_id"])))
    return found


async def deliveries_of(session: AsyncSession, claim_id: int) -> list[Delivery]:
    return list(
        await session.scalars(
            select(Delivery).where(Delivery.claim_id == claim_id).order_by(Delivery.id)
        )
    )


def _settleable(workspace_id: int, now: datetime) -> list[Any]:
    """The workspace's uncertain rows whose send began before :data:`STALE_SENDING`.

    A restart marks *every* ``sending`` row uncertain, also one another instance is still
    sending (it settles it moments later, see :func:`finish`); only once that instance
    would have given up is the row surely abandoned, and a second send cannot race it.
    """
    return [
        Delivery.workspace_id == workspace_id,
        Delivery.status == UNCERTAIN,
        or_(Delivery.attempted_at.is_(None), Delivery.attempted_at < now - STALE_SENDING),
    ]


async def uncertain_of(session: AsyncSession, workspace_id: int, now: datetime) -> list[Delivery]:
    """The workspace's deliveries that may not have arrived, oldest first."""
    rows = await session.scalars(
        select(Delivery).where(*_settleable(workspace_id, now)).order_by(Delivery.id)
    )
    return list(rows)


async def settle_uncertain(
    session: AsyncSession, workspace_id: int, up_to: int, *, resend: bool, now: datetime
) -> list[Delivery]:
    """Requeue (``pending``) or dismiss the workspace's uncertain deliveries up to id ``up_to``.

    ``up_to`` is the newest one the person was shown, so a send that became uncertain since
    is not settled unseen. One conditional update: of two presses (two people, a double tap,
    a press replayed after a restart) only the first finds the rows still uncertain; the
    rows it settled are returned, none to the others. A requeued row is sent by the
    scheduler's sweep, with its recorded payload, like any pending delivery.
    """
    status = "pending" if resend else DISMISSED
    result = await session.execute(
        update(Delivery)
        .where(Delivery.id <= up_to, *_settleable(workspace_id, now))
        .values(
            status=status,
            last_error=Delivery.last_error + " | " + SETTLE_NOTES[status],
        )
        .returning(Delivery.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(result.scalars())
    if not ids:
        return []
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.id.in_(ids))
        .order_by(Delivery.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)
