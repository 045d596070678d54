"""The one error type that user-facing input problems raise."""

from __future__ import annotations

from collections.abc import Sequence

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
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Sequence[object] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.column = column
        self.rows = list(rows)[:5]
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(f"Berkas '{self.file}'")
        if self.column:
            parts.append(f"kolom '{self.column}'")
        where = ", ".join(parts)
        text = f"{where}: {self.message}" if where else self.message
        if self.rows:
            text += " (pertama: " + ", ".join(str(r) for r in self.rows) + ")"
        return text
