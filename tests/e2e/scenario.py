"""A person in a scenario: what they type and press, and what they expect to read back."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from sandbox.driver import SandboxDriver, SandboxMessage, SandboxUser


@dataclass
class Person:
    """Acts in the person's private chat with the bot (chat id == user id)."""

    driver: SandboxDriver
    user: SandboxUser

    @property
    def chat(self) -> int:
        return self.user.id

    async def says(self, text: str) -> None:
        await self.driver.send_text(self.user, self.chat, text)

    async def presses(self, label: str) -> str:
        return await self.driver.press_button(self.user, self.chat, label)

    async def sends_photo(self, seed: int = 0) -> None:
        await self.driver.send_photo(self.user, self.chat, tiny_png(seed))

    async def reads(self, contains: str, timeout: float = 10.0) -> SandboxMessage:  # noqa: ASYNC109
        return await self.driver.wait_for_message(self.chat, contains=contains, timeout=timeout)

    async def reads_nothing_more(self, within: float = 0.8) -> None:
        await self.driver.expect_no_message(self.chat, within=within)


def tiny_png(seed: int = 0) -> bytes:
    """A valid 1×1 PNG whose colour depends on ``seed`` (so each photo is distinct)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixel = bytes([0, seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixel))
        + chunk(b"IEND", b"")
    )


async def report_the_short_way(person: Person, done: str, plan: str) -> None:
    """/submit, then the shortest path to the photo step of a group with indicators:
    indicators, percent and problems skipped, progress on track."""
    await person.says("/submit")
    await person.reads("本周工作完成情况")
    await person.says(done)
    await person.reads("服务人次")
    await person.presses("跳过全部指标")
    await person.reads("本周工作总体进展如何")
    await person.presses("正常推进")
    await person.reads("完成百分比")
    await person.presses("跳过")
    await person.reads("本周有新的问题")
    await person.presses("没有了，继续")
    await person.reads("下周重点工作")
    await person.says(plan)
    await person.reads("工作照片")
