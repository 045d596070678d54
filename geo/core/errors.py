"""The one error type that user-facing input problems raise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from geo.core.i18n import t
from geo.core.messages import Message

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input from a user file, with enough context to fix it.

    Parameters
    ----------
    message
        What is wrong: a catalogue :class:`~geo.core.messages.Message`, rendered in the page's
        language by :meth:`render`.
    file
        Name of the offending file (base name only, never a server path).
    column
        Offending column, if any.
    rows
        First offending rows (1-based data row numbers as a user sees them in a
        spreadsheet, codes/values, or Messages such as "feature 4"); at most five are shown.
    """

    def __init__(self, message: Message, *, file: str | None = None, column: str | None = None,
                 rows: Sequence[object] = ()) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.rows = list(rows)[:5]
        super().__init__(str(self))

    @property
    def key(self) -> str:
        """Catalogue key of the message (what tests and callers branch on)."""
        return self.message.key

    @classmethod
    def of(cls, key: str, /, *, file: str | None = None, column: str | None = None,
           rows: Sequence[object] = (), **params: Any) -> InputError:
        """``InputError.of("table.error.too_wide", file=name, columns=1200)``."""
        return cls(Message(key, params), file=file, column=column, rows=rows)

    def render(self, lang: str = "id") -> str:
        """The whole message (file, column, what is wrong, first rows) in ``lang``."""
        parts = []
        if self.file:
            parts.append(t("error.file", lang, file=self.file))
        if self.column:
            parts.append(t("error.column", lang, column=self.column))
        text = self.message.render(lang)
        text = f"{', '.join(parts)}: {text}" if parts else text
        if self.rows:
            shown = (r.render(lang) if isinstance(r, Message) else str(r) for r in self.rows)
            text += " " + t("error.first", lang, rows=", ".join(shown))
        return text

    def __str__(self) -> str:
        return self.render("id")
