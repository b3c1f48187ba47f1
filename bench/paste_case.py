"""The paste benchmarks (issue 18): splitting a long paste, and a paste's round trip.

- ``paste: split a 4,000-character report, CPU``: :func:`bot.paste.read` on a report of
  4,000 characters (headings, 50 numbered items with figures, open problems to match),
  in this process; target under 20 ms.
- ``paste → preview round trip vs a dialog step``: the real bot through the sandbox; the
  time from sending a pasted report to the preview, beside a typed dialog step of the same
  bot (``dialog step`` row's measure), the ratio; target under 3×.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.cases import (
    Row,
    Side,
    Sizes,
    begin_dialog,
    make_users,
    ms,
    ratio,
    running,
    sqlite_url,
    verdict,
)
from bench.seed import seed_offices
from bench.world import Stage, median, start_bot
from bot.paste import IndicatorSpec, OpenItem, read

SPLIT_TARGET = 0.020
PREVIEW = "预览"  # dialog.preview.title (zh-CN)
PAUSED = "草稿已保存"  # dialog.cancel.done (zh-CN)


def long_report(length: int = 4000) -> str:
    lines = [
        "就业援助组第48周工作情况汇报",
        "一、本周工作完成情况",
        "服务群众500人次，新增岗位120个",
    ]
    number = 1
    while sum(map(len, lines)) < length - 200:
        lines.append(f"{number}.走访辖区第{number}片区企业，登记用工需求，各项工作正常推进；")
        number += 1
    lines += ["二、存在的问题及需协调事项", "1.招聘会场地仍然不足", "2.企业用工信息更新不及时"]
    lines += ["三、下步打算", "①筹备春季招聘月活动；", "②继续走访企业。"]
    return "\n".join(lines)[:length]


def split_cpu(repeats: int) -> float:
    text = long_report()
    indicators = [IndicatorSpec(1, "服务人次", "人次"), IndicatorSpec(2, "新增岗位", "个")]
    open_items = [OpenItem("problem", i, f"问题{i}：招聘会场地不足") for i in range(10)]
    times = []
    for _ in range(repeats):
        began = time.process_time()
        read(text, indicators, open_items)
        times.append(time.process_time() - began)
    return median(times)


async def paste(stage: Stage, work: Path, sizes: Sizes) -> list[Row]:
    cpu = split_cpu(max(5, sizes.steps))
    rows = [
        Row(
            "paste: split a 4,000-character report, CPU",
            "—",
            ms(cpu),
            "—",
            "< 20 ms",
            verdict(cpu < SPLIT_TARGET),
        )
    ]
    url = sqlite_url(work / f"paste-{time.monotonic_ns()}.sqlite3")
    [contact] = make_users(stage, 1, "pastecontact")
    await seed_offices(url, [[(contact.id, contact.username)]])
    report = long_report(3000)
    async with running(stage, start_bot(stage, "lihui", work, url)) as lihui:
        driver = stage.driver(lihui.token)
        side = Side(lihui, driver)
        side.last = await begin_dialog(stage, driver, lihui, contact)
        await side.steps(stage, contact, sizes.warm_steps, sizes.step_gap)
        steps = await side.steps(stage, contact, max(2, sizes.steps // 4), sizes.step_gap)
        trips = []
        for _ in range(max(2, sizes.steps // 8)):
            count = len(stage.messages(lihui.bot_id, contact.id))
            sent = time.perf_counter()
            await driver.send_text(contact, contact.id, report)
            reply = await stage.wait_for(
                lihui.bot_id, contact.id, count, lambda a: PREVIEW in a.text
            )
            trips.append(reply.at - sent)
            count = len(stage.messages(lihui.bot_id, contact.id))
            await driver.send_text(contact, contact.id, "/cancel")  # the next paste is new
            await stage.wait_for(lihui.bot_id, contact.id, count, lambda a: PAUSED in a.text)
        await driver.aclose()
    step, trip = median(steps), median(trips)
    rows.append(
        Row(
            "paste → preview round trip vs a dialog step (p50)",
            ms(step),
            ms(trip),
            ratio(trip, step),
            "< 3×",
            verdict(trip < 3 * step),
        )
    )
    return rows
