"""Why a roll-up action was refused, as a catalog key the handler or the CLI translates."""

from __future__ import annotations

from bot.i18n import translate


class RollupRefused(Exception):
    """An action refused for a reason the user is told (catalog key and parameters)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(translate("en", key, **params))
        self.key = key
        self.params = params

    def translated(self, locale: str) -> str:
        return translate(locale, self.key, **self.params)
