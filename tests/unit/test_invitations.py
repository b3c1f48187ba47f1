"""The director's checklist of invitations: what it counts and how it shows each contact."""

from __future__ import annotations

from bot.invitations import ContactStatus, render_checklist

OFFICE = [
    ContactStatus(1, "就业援助组", 1, "张伟", "zhang_wei", "primary", "confirmed"),
    ContactStatus(1, "就业援助组", 2, "wang_fang", "wang_fang", "deputy", "not_opened"),
    ContactStatus(2, "志愿服务组", 3, "李娜", "li_na", "primary", "opened"),
    ContactStatus(3, "环境整治组", 3, "李娜", "li_na", "primary", "opened"),
    ContactStatus(4, "文明创建组", 4, "赵六", None, "primary", "declined"),
]


def test_people_are_counted_once_and_each_group_lists_its_contacts_in_order() -> None:
    text = render_checklist("zh-CN", "温暖二七", OFFICE, "11-26 10:00")
    assert text.splitlines() == [
        "<b>联络员打开情况</b>（温暖二七）",
        "已打开 3/4 人，已确认 1 人",  # 李娜 counts once; a "not me" has opened the bot too
        "1. 就业援助组",
        "　✅ 张伟 @zhang_wei（联络员）：已确认",
        "　⬜ @wang_fang（副联络员）：未打开",  # known by the roster's username only
        "2. 志愿服务组",
        "　🔵 李娜 @li_na（联络员）：已打开，未确认",
        "3. 环境整治组",
        "　🔵 李娜 @li_na（联络员）：已打开，未确认",
        "4. 文明创建组",
        "　❗ 赵六（联络员）：表示不是本组联络员",
        "更新于 11-26 10:00，点击“刷新”查看最新情况。",
    ]


def test_groups_are_numbered_as_listed_even_when_positions_have_gaps() -> None:
    gaps = [
        ContactStatus(5, "甲组", 1, "甲", None, "primary", "opened"),
        ContactStatus(9, "乙组", 2, "乙", None, "deputy", "not_opened"),
    ]
    lines = render_checklist("zh-CN", "办公室", gaps, "12-01 09:00").splitlines()
    assert lines[2] == "1. 甲组" and lines[4] == "2. 乙组"
    assert lines[1] == "已打开 1/2 人，已确认 0 人"


def test_names_are_escaped_and_english_reads_as_english() -> None:
    odd = [ContactStatus(1, "A&B <team>", 1, "<Tom>", "tom", "deputy", "not_opened")]
    text = render_checklist("en", "Office", odd, "12-01 09:00")
    assert "1. A&amp;B &lt;team&gt;" in text
    assert "  ⬜ &lt;Tom&gt; @tom (deputy contact): not opened" in text
    assert "Opened: 0/1 people; confirmed: 0" in text


def test_an_office_without_contacts_says_so() -> None:
    text = render_checklist("zh-CN", "办公室", [], "12-01 09:00")
    assert text.splitlines()[1] == "名单中还没有联络员。"
