"""A paste inside the report dialog: applying a reading, and the two questions it may ask.

:func:`apply_paste` writes what a pasted report says into the report being drafted, as the
dialog's own steps would have (the same fields, the same follow-ups), in the update's own
transaction: between the paste and the press of 提交 everything is in the database. It
returns the step to ask next: an indicator the text gave two numbers for (``paste_pick``),
the status when the text did not say it (the dialog's ``status`` step, then back to the
preview), or the preview itself. A text with no heading goes to ``paste_unsplit``, which
offers to take it all as 本周完成情况 or to walk the dialog; it is kept as the week's work
meanwhile, so nothing is lost either way.
"""

from __future__ import annotations

from bot import reporting
from bot.dialog_steps import NEXT, Ctx, Step, ask, follow_up_items, header, indicators
from bot.parsing import InputError, parse_number
from bot.paste import IndicatorSpec, OpenItem, read
from bot.paste.split import items_of_unsplit
from bot.replies import Reply

MAX_PASTE = 20_000  # five messages of Telegram's 4,096 characters
NOTE_LIMIT = 500
MAX_BUTTONS = 4  # the numbers offered as buttons for an indicator found several times
MAX_SHOWN = 8


def apply_paste(ctx: Ctx, text: str) -> tuple[str, str]:
    """Write a pasted report into the draft; the step to ask next, and what to say first."""
    if len(text) > MAX_PASTE:
        raise InputError("input.too_long", {"limit": MAX_PASTE, "length": len(text)})
    specs = [IndicatorSpec(i.id, i.name, i.unit or "") for i in indicators(ctx)]
    items = follow_up_items(ctx)
    reading = read(text, specs, [OpenItem(i.kind, i.id, i.text) for i in items])
    ctx.data["paste"] = {"text": text, "at": ctx.now.isoformat()}
    ctx.data.pop("paste_asks", None)
    s = ctx.submission
    if not reading.split.splittable:
        s.done_text = items_of_unsplit(text)
        return "paste_unsplit", ""
    found = reading.split.found
    if "done" in found:
        s.done_text = "\n".join(reading.done) or None
    if "plan" in found:
        s.plan_text = "\n".join(reading.plan) or None
    if "problems" in found:
        s.new_problems = reading.problems
    by_key = {(i.kind, i.id): i for i in items}
    for open_item, outcome, note in reading.follow_ups:
        item = by_key[(open_item.kind, open_item.id)]
        reporting.set_follow_up(s, item, outcome, note[:NOTE_LIMIT])
    for indicator_id, figure in reading.values.items():
        reporting.set_indicator(s, indicator_id, figure.value, figure.raw)
    if reading.status:
        s.progress_status = reading.status
    if reading.percent is not None:
        s.percent = reading.percent
    ctx.data["paste_asks"] = [
        {"indicator": i, "values": [f.value for f in figures], "raws": [f.raw for f in figures]}
        for i, figures in reading.ambiguous.items()
    ]
    summary = ctx.say(
        "paste.summary",
        done=len(reading.done),
        problems=len(reading.problems),
        followups=len(reading.follow_ups),
        plan=len(reading.plan),
        values=len(reading.values),
    )
    return next_question(ctx), summary


def next_question(ctx: Ctx) -> str:
    """What the paste left open, one question at a time; then the preview."""
    if ctx.data.get("paste_asks"):
        return "paste_pick"
    if not ctx.submission.progress_status:
        ctx.data["return_to_preview"] = True
        return "status"
    ctx.data.pop("return_to_preview", None)
    return "preview"


# --- an indicator the text gave two numbers for -----------------------------------------------


def _asked(ctx: Ctx) -> dict[str, object]:
    return ctx.data["paste_asks"][0]


def _indicator_named(ctx: Ctx, indicator_id: object) -> tuple[str, str]:
    for indicator in indicators(ctx):
        if indicator.id == indicator_id:
            return indicator.name, indicator.unit or ""
    return "?", ""


def prompt_pick(ctx: Ctx) -> Reply:
    asked = _asked(ctx)
    name, unit = _indicator_named(ctx, asked["indicator"])
    raws = [str(raw) for raw in asked["raws"]]  # type: ignore[attr-defined]
    shown = "、".join(raws[:MAX_SHOWN]) + ("…" if len(raws) > MAX_SHOWN else "")
    text = header(ctx, "paste.pick.title") + "\n"
    text += ctx.say("paste.pick.ask", name=name, values=shown, unit=unit)
    rows = [[ctx.button("dialog.button.skip", "skip")]]
    if len(raws) <= MAX_BUTTONS:  # more than a few: the contact types the right number
        choices = [ctx.button("paste.button.value", f"c:{i}", value=r) for i, r in enumerate(raws)]
        rows.insert(0, choices)
    return ask(ctx, text, rows)


def _answered(ctx: Ctx, value: float | None, raw: str) -> str:
    asks = list(ctx.data["paste_asks"])  # a new list: the state notices top-level writes only
    asked = asks.pop(0)
    ctx.data["paste_asks"] = asks
    if value is not None:
        reporting.set_indicator(ctx.submission, int(asked["indicator"]), value, raw)
    return next_question(ctx)


async def text_pick(ctx: Ctx, text: str) -> str | None:
    return _answered(ctx, parse_number(text), text.strip())


async def button_pick(ctx: Ctx, action: str) -> str | None:
    if not ctx.data.get("paste_asks"):
        return None
    if action == "skip":
        return _answered(ctx, None, "")
    choice = action.removeprefix("c:")
    values = _asked(ctx)["values"]
    if not choice.isascii() or not choice.isdigit() or int(choice) >= len(values):  # type: ignore[arg-type]
        return None
    return _answered(ctx, float(values[int(choice)]), str(_asked(ctx)["raws"][int(choice)]))  # type: ignore[index]


# --- a text with no heading ---------------------------------------------------------------------


def prompt_unsplit(ctx: Ctx) -> Reply:
    text = ctx.say("paste.unsplit")
    rows = [
        [ctx.button("paste.button.all", "all")],
        [ctx.button("paste.button.steps", "steps")],
    ]
    return Reply(text, buttons=rows)


async def button_unsplit(ctx: Ctx, action: str) -> str | None:
    if action == "all":
        return NEXT  # on from 本周完成情况 (its parent), to the dialog's next step
    if action == "steps":
        return "done"
    return None


STEPS: dict[str, Step] = {
    "paste_pick": Step(prompt_pick, text_pick, button_pick),
    "paste_unsplit": Step(prompt_unsplit, None, button_unsplit),
}
PARENT = {"paste_unsplit": "done"}
# The steps a paste leads to: a next piece of the same paste arriving here joins it.
AFTER_PASTE = frozenset({"preview", "status", "paste_pick", "paste_unsplit"})
