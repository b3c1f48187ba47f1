"""Faults injected into Bot API answers on request of a test.

Why: the bot must survive what the real network does to it (gateway errors, slow answers,
dropped connections, flood waits). A test arms a fault for the next N calls of a method
(or of any method) and then checks that the bot retried, waited or recorded the failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["error", "delay", "drop", "retry_after"]
ANY_METHOD = "*"


@dataclass
class Fault:
    kind: FaultKind
    method: str = ANY_METHOD
    times: int = 1
    status: int = 502
    description: str = "Bad Gateway"
    delay: float = 0.0
    retry_after: int = 1
    chat_id: int | None = None  # only calls into this chat (a flood wait is per chat)

    def matches(self, method: str, chat_id: object = None) -> bool:
        if self.chat_id is not None and str(self.chat_id) != str(chat_id):
            return False
        return self.method == ANY_METHOD or self.method.lower() == method.lower()


@dataclass
class FaultInjector:
    faults: list[Fault] = field(default_factory=list)

    def arm(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take(self, method: str, chat_id: object = None) -> Fault | None:
        """The first armed fault for ``method`` (into ``chat_id``), counting one use of it."""
        for fault in self.faults:
            if fault.matches(method, chat_id):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
