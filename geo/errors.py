"""The one error type that user-facing input problems raise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo.i18n import t

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input from a user file, with enough context to fix it.

    Parameters
    ----------
    message
        What is wrong, in Bahasa Indonesia, one sentence.
    file
        Name of the offending file (base name only, never a server path).
    column
        Offending column, if any.
    rows
        First offending rows (1-based data row numbers as a user sees them in a
        spreadsheet, or codes/values); at most five are shown.
    key, values
        Catalogue key (and placeholders) of the message, when it has one: then
        :meth:`render` gives it in English too. Without a key only the frame (file,
        column, rows) is translated.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[object] = (),
        key: str | None = None,
        values: Mapping[str, object] | None = None,
    ) -> None:
        self.message = message
        self.key = key
        self.values = dict(values or {})
        self.file = file
        self.column = column
        self.rows = list(rows)[:5]
        super().__init__(str(self))

    @classmethod
    def of(cls, key: str, lang: str = "id", *, file: str | None = None, column: str | None = None,
           rows: Sequence[object] = (), **values: object) -> InputError:
        """An error whose message comes from the catalogue (so it can be shown in English)."""
        return cls(t(key, lang, **values), file=file, column=column, rows=rows, key=key,
                   values=values)

    def render(self, lang: str = "id") -> str:
        """The message for a page in ``lang``."""
        parts = []
        if self.file:
            parts.append(t("error.file", lang, file=self.file))
        if self.column:
            parts.append(t("error.column", lang, column=self.column))
        message = t(self.key, lang, **self.values) if self.key else self.message
        text = f"{', '.join(parts)}: {message}" if parts else message
        if self.rows:
            text += " " + t("error.first", lang, rows=", ".join(str(r) for r in self.rows))
        return text

    def __str__(self) -> str:
        return self.render("id")
