"""Why a roll-up action was refused, as a catalog key the handler or the CLI translates."""

from __future__ import annotations

import functools
from typing import Any

from bot.i18n import translate
from bot.replies import say


class RollupRefused(Exception):
    """An action refused for a reason the user is told (catalog key and parameters)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(translate("en", key, **params))
        self.key = key
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # A chart refused in the render process (no CJK font) crosses back pickled; the
        # default would rebuild it from the English message and lose the key.
        return (functools.partial(type(self), self.key, **self.params), ())

    def translated(self, locale: str) -> str:
        """As plain text: a toast, the command line."""
        return translate(locale, self.key, **self.params)

    def said(self, locale: str) -> str:
        """As a reply (HTML): what the person typed is in it, escaped."""
        return say(locale, self.key, **self.params)
