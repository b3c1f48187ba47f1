"""Splitting a pasted weekly report into the report's parts.

Contacts write the week in Word, in a fixed shape, and paste it: a title line, then
headings (一、本周工作完成情况 / 二、存在问题 / 三、下周工作计划, or their many local
variants and English ones) with numbered items under each. A heading is recognised by what
it is made of: after its numbering and punctuation are taken off, a heading consists only
of heading words ("本周", "工作", "完成", "情况", "存在", "问题", "下步", "打算" ...) and
names a part. An item, a sentence about real work, always holds other words, so it is never
taken for a heading. Items keep their own characters; only their numbering, the blanks
around them and a trailing "；" or "。" are taken off.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

PARTS = ("done", "problems", "plan")

# Numbering before a heading or an item: 一、 （一） (一) 1. 1、 1) （1） ① 第一部分 一是
CN_NUMERALS = "一二三四五六七八九十百零〇"
NUMBERING = re.compile(
    rf"""^[ \t\u3000]*(?:
        第[{CN_NUMERALS}\d]+(?:部分|项|条|点)[、，,.．:：\s]*
      | [（(][{CN_NUMERALS}\d]{{1,3}}[)）][、.．\s]*
      | [{CN_NUMERALS}]{{1,3}}(?:是|[、.．，,:：])\s*
      | [0-9０-９]{{1,3}}(?:[、．.)）:：](?![0-9０-９])|\s)\s*
      | [①-⑳㉑-㉟❶-❿➀-➉⑴-⒇⒈-⒛]\s*
      | [-•·●○■□◆◇▪*–—]\s+
      | [IVX]{{1,4}}[.、]\s*
    )""",
    re.VERBOSE,
)
TRAILING = "；;。.，,、 \t\u3000"
HEADING_TRIM = "：:；;。.，,、 \t\u3000*#【】[]《》<>"

# The words headings are made of, longest first so that greedy matching takes "下一步"
# before "下". Each part is named by its own keywords (checked plan, problems, done).
_HEADING_WORDS = """
    本周 本期 本月 上周 一周 近期 近段 阶段 下周 下步 下一步 下阶段 下一阶段 下月 今后 当前 目前
    主要 重点 工作 完成 开展 进展 推进 落实 情况 成效 成果 亮点 存在 的 问题 困难 不足 短板
    和 及 与 以及 需 需要 协调 解决 事项 请求 帮助 支持 计划 打算 安排 思路 措施 建议 遇到
    指标 数据 项目 任务 总体 整体 一 二 三"""
HEADING_WORDS = sorted(_HEADING_WORDS.split(), key=len, reverse=True)
PLAN_KEYS = ("计划", "打算", "下周", "下步", "下一步", "下阶段", "下一阶段", "下月", "今后", "思路")
PROBLEM_KEYS = ("问题", "困难", "不足", "短板", "协调", "请求", "帮助", "支持")
DONE_KEYS = ("完成", "开展", "进展", "推进", "落实", "情况", "成效", "成果", "工作", "指标")

_EN_WORDS = """
    this week week's weeks work done completed complete progress accomplishments achievements
    achieved highlights problems problem issues issue difficulties challenges risks and needing
    needs need requiring require coordination to be coordinated plan plans planned for next
    steps step the of main key items results status report on in our what was were"""
EN_WORDS = frozenset(_EN_WORDS.split())
EN_PLAN = frozenset({"plan", "plans", "planned", "next"})
EN_PROBLEM = frozenset({"problems", "problem", "issues", "issue", "difficulties", "challenges"})
EN_PROBLEM |= {"risks", "coordination"}
EN_DONE = frozenset({"done", "completed", "complete", "progress", "accomplishments", "work"})
EN_DONE |= {"achievements", "achieved", "highlights", "results"}

TITLE_HINT = re.compile(
    r"周报|工作汇报|情况汇报|情况报告|进展情况|工作报告|汇报|第\s*[0-9０-９一二三四五六七八九十]+\s*周|"
    r"weekly report|report for|week \d+",
    re.IGNORECASE,
)
BOILERPLATE = re.compile(r"^现将.{0,30}(报告|汇报|总结)如下[：:。]?$")
NOTHING = re.compile(r"^(无|暂无|没有|无。|暂无。|none|n/?a|nil|—|-|/)$", re.IGNORECASE)
# A line that holds several numbered items at once: "1.走访；2.培训；3.宣传".
INLINE_ITEM = re.compile(
    r"(?<=[；;。])\s*"
    r"(?=(?:[0-9０-９]{1,2}[、.．)）]|[①-⑳]|[（(][0-9一二三四五六七八九十]{1,2}[)）]))"
)


@dataclass(frozen=True)
class Heading:
    part: str
    rest: str  # what followed the heading on its line ("存在问题：无" → "无")
    text: str  # the heading as written, without numbering


@dataclass
class Split:
    """What a pasted text yields: the items of each part, in the order written."""

    parts: dict[str, list[str]] = field(default_factory=lambda: {p: [] for p in PARTS})
    found: set[str] = field(default_factory=set)  # parts whose heading was found
    title: str | None = None
    headings: dict[str, str] = field(default_factory=dict)  # part → heading as written

    @property
    def splittable(self) -> bool:
        return bool(self.found)


def strip_numbering(line: str) -> str:
    """The line without its leading numbering (one level: "（一）1." keeps "1.")."""
    match = NUMBERING.match(line)
    return line[match.end() :] if match else line.lstrip(" \t\u3000")


def is_numbered(line: str) -> bool:
    return NUMBERING.match(line) is not None


def _made_of_heading_words(core: str) -> bool:
    i = 0
    while i < len(core):
        for word in HEADING_WORDS:
            if core.startswith(word, i):
                i += len(word)
                break
        else:
            return False
    return True


def _chinese_part(core: str) -> str | None:
    if len(core) < 2 or len(core) > 24 or not _made_of_heading_words(core):
        return None
    for keys, part in ((PLAN_KEYS, "plan"), (PROBLEM_KEYS, "problems"), (DONE_KEYS, "done")):
        if any(key in core for key in keys):
            return part
    return None


def _english_part(core: str) -> str | None:
    words = re.findall(r"[a-z']+", core.lower().replace("&", " and "))
    if not words or len(words) > 8 or not set(words) <= EN_WORDS:
        return None
    if re.search(r"[^a-zA-Z'&\s-]", core):
        return None
    for keys, part in ((EN_PLAN, "plan"), (EN_PROBLEM, "problems"), (EN_DONE, "done")):
        if keys & set(words):
            return part
    return None


def heading_of(line: str) -> Heading | None:
    """The part a line heads, if it is a heading; text after a colon is the part's start."""
    body = strip_numbering(line).strip()
    head, rest = body, ""
    for colon in ("：", ":"):
        if colon in body:
            head, _, rest = body.partition(colon)
            break
    core = unicodedata.normalize("NFKC", head).strip(HEADING_TRIM)
    core = re.sub(r"[\s（）()]", "", core) if not core.isascii() else core
    part = _chinese_part(core) if not core.isascii() else _english_part(core)
    if part is None:
        return None
    return Heading(part, rest.strip(), head.strip(HEADING_TRIM))


def clean_item(text: str) -> str:
    """An item as kept: numbering, surrounding blanks and trailing ；。，、 taken off."""
    return strip_numbering(text).strip().rstrip(TRAILING).strip()


def _items_of_line(line: str) -> list[str]:
    pieces = INLINE_ITEM.split(line) if is_numbered(line) else [line]
    return [item for piece in pieces if (item := clean_item(piece))]


def _lines(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]", "", text)
    return [line.strip(" \t\u3000\u00a0") for line in text.split("\n")]


def _is_title(line: str) -> bool:
    """A first line that names the report rather than saying something."""
    if TITLE_HINT.search(line):
        return True
    return len(line) <= 40 and not line.endswith(("。", "；", ";", ".")) and not is_numbered(line)


def split(text: str) -> Split:
    """The parts of a pasted report; ``found`` is empty when no heading was recognised."""
    result = Split()
    lines = [line for line in _lines(text) if line]
    current: str | None = None
    preamble: list[str] = []
    for line in lines:
        heading = heading_of(line)
        if heading is not None:
            current = heading.part
            result.found.add(current)
            result.headings.setdefault(current, heading.text)
            if heading.rest and not NOTHING.match(clean_item(heading.rest)):
                result.parts[current].extend(_items_of_line(heading.rest))
            continue
        if current is None:
            preamble.append(line)
            continue
        if NOTHING.match(clean_item(line)):
            continue
        result.parts[current].extend(_items_of_line(line))
    if not result.found:
        return result
    if preamble and _is_title(preamble[0]):
        result.title = preamble.pop(0)
    # Anything else above the first heading is kept, as the start of the week's work.
    kept = [
        item for line in preamble if not BOILERPLATE.match(line) for item in _items_of_line(line)
    ]
    result.parts["done"][:0] = kept
    return result


def items_of_unsplit(text: str) -> str:
    """A text with no heading, kept whole (blank lines and invisible characters removed)."""
    return "\n".join(line for line in _lines(text) if line)
