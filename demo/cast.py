"""The people of the demo: one sandbox user for every @username the sample roster names.

Why from the roster: the bot recognises a contact by the @username the roster gives, so
the demo's users must carry exactly those usernames (``sample_contact01`` ...). Display
names are made up here (the roster knows only usernames); everything stays marked as a
sample. A stranger, whom no roster names, shows what the bot tells an outsider.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from bot.sample import SAMPLE_PEOPLE, sample_roster
from sandbox.driver import SandboxDriver

# Made-up names for the contacts (one per sample group) and the deputies.
_CONTACT_NAMES = [
    "王晓明",
    "刘佳",
    "陈静",
    "杨帆",
    "黄磊",
    "张伟",
    "周婷",
    "吴刚",
    "徐丽",
    "孙洋",
    "马琳",
    "朱军",
    "胡敏",
]
_DEPUTY_NAMES = ["郭强", "何芳", "高峰", "林娜", "罗斌", "梁燕", "宋涛", "谢欣"]
OFFICE_TITLE = "温暖二七领导小组办公室（示例）"
# Two contacts (of groups without a deputy) who have never opened the bot: the weekly
# prompt cannot reach them privately, so the office chat shows how the bot copes.
NOT_STARTED = ("sample_contact12", "sample_contact13")


@dataclass
class Persona:
    """One person the page can act as."""

    key: str  # stable across restarts: the username, or "stranger"
    role: str  # director | staff | member | contact | deputy | stranger
    first_name: str
    username: str | None
    language_code: str
    groups: list[str] = field(default_factory=list)  # task groups they report for
    user_id: int = 0  # the sandbox's id, filled in once the user exists
    in_office: bool = True  # a member of the office chat
    # Has written to the bot before the demo begins, so the bot knows their Telegram id and
    # can write to them. Those who have not are reached through the office chat instead.
    started: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def cast_list() -> list[Persona]:
    """Everyone, in the order the page lists them: office people, contacts, deputies, stranger."""
    people = [
        Persona(username, role, name, username, "zh-hans") for username, name, role in SAMPLE_PEOPLE
    ]
    by_username: dict[str, Persona] = {}
    deputies: list[Persona] = []
    for group in sample_roster():
        for kind, handle in (("contact", group.primary_contact), ("deputy", group.deputy_contact)):
            username = handle.lstrip("@")
            if not username:
                continue
            if username not in by_username:
                names = _CONTACT_NAMES if kind == "contact" else _DEPUTY_NAMES
                count = sum(1 for p in by_username.values() if p.role == kind)
                name = f"{names[count % len(names)]}（示例）"
                by_username[username] = Persona(username, kind, name, username, "zh-hans")
                (people if kind == "contact" else deputies).append(by_username[username])
            by_username[username].groups.append(group.name)
    for persona in people:
        persona.started = persona.username not in NOT_STARTED
    stranger = Persona(
        "stranger", "stranger", "Alex", "alex_visitor", "en", in_office=False, started=False
    )
    return [*people, *deputies, stranger]


@dataclass
class Cast:
    """The demo's sandbox world: its people and the office chat."""

    personas: list[Persona]
    office_chat_id: int
    office_title: str = OFFICE_TITLE

    def by_user_id(self, user_id: int) -> Persona | None:
        return next((p for p in self.personas if p.user_id == user_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "office": {"id": self.office_chat_id, "title": self.office_title},
            "personas": [p.to_json() for p in self.personas],
        }


async def create_cast(driver: SandboxDriver) -> Cast:
    """Create every persona as a sandbox user and the office chat with the bot in it.

    The sandbox numbers users and groups in order of creation, so the same cast created
    again on a fresh sandbox gets the same ids (the bot's database keeps pointing at them).
    """
    personas = cast_list()
    for persona in personas:
        user = await driver.create_user(
            persona.first_name, username=persona.username, language_code=persona.language_code
        )
        persona.user_id = user.id
    members = [p.user_id for p in personas if p.in_office]
    director = next(p for p in personas if p.role == "director")
    chat = await driver.create_group(
        OFFICE_TITLE, members=members, admins=[director.user_id], creator=director.user_id
    )
    return Cast(personas, chat.id)
