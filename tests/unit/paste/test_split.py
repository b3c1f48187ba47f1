"""Splitting pasted reports (bot.paste): the corpus, figures, matching and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.paste import IndicatorSpec, OpenItem, join, looks_like_paste, looks_like_report, read
from bot.paste.figures import find_values
from bot.paste.matching import is_same
from bot.paste.split import split
from tests.unit.paste.corpus import CASES, Case

INDICATORS = [
    IndicatorSpec(1, "服务人次", "人次"),
    IndicatorSpec(2, "救助金", "元"),
    IndicatorSpec(3, "培训人次", "人次"),
    IndicatorSpec(4, "核查户数", "户"),
]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_pasted_report_yields_its_parts(case: Case) -> None:
    result = split(case.text)
    assert result.splittable
    assert result.parts["done"] == case.done
    assert result.parts["problems"] == case.problems
    assert result.parts["plan"] == case.plan
    if case.title is not None:
        assert result.title == case.title


@pytest.mark.parametrize("case", [c for c in CASES if c.values], ids=lambda c: c.name)
def test_figures_are_found_by_unit_and_name(case: Case) -> None:
    found = read(case.text, INDICATORS)
    by_name = {i.name: found.values[i.id].value for i in INDICATORS if i.id in found.values}
    for name, value in case.values.items():
        assert by_name[name] == value


def test_a_unit_shared_by_two_indicators_is_told_apart_by_name() -> None:
    found = find_values(["服务群众500人次，培训骨干80人次"], [INDICATORS[0], INDICATORS[2]])
    assert found.values[1].value == 500
    assert found.values[3].value == 80


def test_an_indicator_found_twice_with_two_numbers_is_left_to_ask() -> None:
    found = find_values(["走访37户", "回访12户"], [INDICATORS[3]])
    assert 4 not in found.values
    assert sorted(f.value for f in found.ambiguous[4]) == [12, 37]


def test_the_same_number_twice_is_not_ambiguous() -> None:
    found = find_values(["核查56户", "共核查56户"], [INDICATORS[3]])
    assert found.values[4].value == 56


def test_a_number_not_followed_by_the_unit_is_not_taken() -> None:
    found = find_values(["2026年召开会议3次"], [INDICATORS[3]])
    assert not found.values and not found.ambiguous


def test_a_text_without_headings_cannot_be_split() -> None:
    text = "本周我们走访了37户，服务群众500人次。下周继续走访。问题是人手不足。"
    assert not split(text).splittable
    assert not looks_like_report(text)


def test_a_bare_heading_word_is_an_answer_not_a_paste() -> None:
    assert not looks_like_report("工作计划")
    assert not looks_like_report("筹备春季招聘月活动")


def test_a_long_headingless_text_looks_like_a_paste() -> None:
    assert looks_like_paste("1.走访\n2.培训\n3.宣传")
    assert not looks_like_paste("怎么填报？")


def test_a_problem_like_an_open_one_is_its_follow_up() -> None:
    reading = read(
        "一、本周工作完成情况\n1.协调解决了招聘会场地问题，已落实\n二、存在问题\n1.招聘会场地仍然不足\n"
        "2.企业用工信息更新慢\n三、下周工作计划\n1.继续",
        [],
        [
            OpenItem("problem", 7, "招聘会场地不足"),
            OpenItem("decision", 8, "协调解决招聘会场地问题"),
        ],
    )
    assert [p["text"] for p in reading.problems] == ["企业用工信息更新慢"]
    outcomes = {(item.kind, item.id): (outcome, note) for item, outcome, note in reading.follow_ups}
    assert outcomes[("problem", 7)] == ("needs_coordination", "招聘会场地仍然不足")
    assert outcomes[("decision", 8)][0] == "resolved"
    # The done item stays in the week's work too: it is what was done.
    assert reading.done == ["协调解决了招聘会场地问题，已落实"]


def test_unrelated_texts_are_not_the_same() -> None:
    assert not is_same("企业用工信息更新慢", "招聘会场地不足")
    assert is_same("招聘会场地不足。", "招聘会场地不足")


def test_the_status_is_taken_only_when_the_text_says_one() -> None:
    base = "一、本周工作完成情况\n1.{}\n二、下周工作计划\n1.继续"
    assert read(base.format("项目正常推进"), []).status == "on_track"
    assert read(base.format("进度滞后"), []).status == "delayed"
    assert read(base.format("完成走访"), []).status is None
    assert read(base.format("正常推进，但二期滞后"), []).status is None


def test_two_pieces_cut_in_mid_sentence_join_on_one_line() -> None:
    first = "一、本周工作完成情况\n1." + "走" * 4000
    assert join(first, "访完成") == first + "访完成"
    assert join("一、本周工作完成情况\n1.走访", "2.培训") == "一、本周工作完成情况\n1.走访\n2.培训"


# --- properties: no character of an item is lost or doubled ---------------------------------

HEADINGS = {
    "done": ["一、本周工作完成情况", "本周工作完成情况：", "（一）工作进展", "Work done this week"],
    "problems": ["二、存在问题", "存在的问题及需协调事项", "二、困难和问题：", "Problems"],
    "plan": ["三、下周工作计划", "下步打算", "三、工作计划：", "Plan for next week"],
}
NUMBERS = ["{}.", "{}、", "（{}）", "", "①"]
# Item text: words of real work (never only heading words), with figures and punctuation.
item_text = (
    st.lists(
        st.sampled_from(
            list("走访企业群众服务举办招聘会场次户人名资金到位宣传培训社区<>&AB，,（）%")
        )
        | st.sampled_from(["500人次", "1.5万元", "３７户", "2026年", " "]),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .map(lambda s: "走访" + s.strip(" ；;。，,、") + "完毕")
)


@st.composite
def reports(draw: st.DrawFn) -> tuple[str, dict[str, list[str]]]:
    parts = {part: draw(st.lists(item_text, max_size=5)) for part in HEADINGS}
    order = draw(st.permutations(list(HEADINGS)))
    lines = [draw(st.sampled_from(["", "第48周工作情况汇报"]))]
    for part in order:
        lines.append(draw(st.sampled_from(HEADINGS[part])))
        style = draw(st.sampled_from(NUMBERS))
        end = draw(st.sampled_from(["", "；", "。", ";"]))
        for number, item in enumerate(parts[part], 1):
            lines.append(style.format(number) + item + end)
    return "\n".join(lines), parts


@settings(max_examples=150, deadline=None)
@given(reports())
def test_every_item_comes_out_once_under_its_part(report: tuple[str, dict[str, list[str]]]) -> None:
    text, parts = report
    result = split(text)
    for part, items in parts.items():
        assert result.parts[part] == items


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_no_character_is_invented_or_doubled(text: str) -> None:
    """Whatever is pasted, the items hold only characters of the text, each at most once."""
    result = split(text)
    items = [item for part in result.parts.values() for item in part]
    remaining = list(text)
    for char in "".join(items):
        assert char in remaining
        remaining.remove(char)
