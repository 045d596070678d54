"""Messages as data: a catalogue key and its parameters, rendered only at the edge.

The engine never writes sentences. A warning, a reason, a flag or an input error is a
:class:`Message` (``key`` in ``geo/resources/i18n/<lang>/*.json`` plus parameters); the page,
the command line and the exports render it in their language with :meth:`Message.render`.
Results keep messages (or their :meth:`Message.to_dict` form in JSON), so a scenario saved in
Indonesian reads in English too, and no text is ever parsed back.

Parameters are rendered by type: a nested :class:`Message` in the same language, a
:class:`Name` in that language, a :class:`Num` with its decimals in the language's number
style, ``int`` with thousands separators, ``float`` with one decimal; anything else as ``str``
(names, codes, free text a user typed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from geo.core.i18n import DEFAULT_LANG, format_number, lang_of, t

__all__ = ["Message", "Name", "Num", "render_all"]


@dataclass(frozen=True)
class Num:
    """A number parameter with its display precision (``trim`` drops trailing zero decimals)."""

    value: float | None
    decimals: int = 1
    trim: bool = False

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return format_number(self.value, self.decimals, lang, trim=self.trim)


@dataclass(frozen=True)
class Name:
    """A name that exists in each language (an indicator's label), rendered in the reader's.

    >>> Name("Cakupan ASI eksklusif", "Exclusive breastfeeding coverage").render("en")
    'Exclusive breastfeeding coverage'
    """

    id: str
    en: str

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return self.en if lang_of(lang) == "en" else self.id


@dataclass(frozen=True)
class Message:
    """A catalogue key with its parameters.

    >>> Message("lang.name").render("en")
    'English'
    """

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, /, **params: Any) -> Message:
        """``Message.of("scoring.engine.forced_in", reason="SK Bupati")``."""
        return cls(key, params)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The text in ``lang`` (Bahasa Indonesia by default)."""
        return t(self.key, lang, **{name: _render(value, lang) for name, value in self.params.items()})

    def to_dict(self) -> dict[str, Any]:
        """JSON form ``{"key": ..., "params": {...}}`` (numbers as numbers, nested messages as dicts)."""
        return {"key": self.key, "params": {name: _to_json(value) for name, value in self.params.items()}}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Message:
        """Inverse of :meth:`to_dict`."""
        return cls(str(doc["key"]), {name: _from_json(value)
                                     for name, value in dict(doc.get("params") or {}).items()})

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


def render_all(messages: Iterable[Message], lang: str = DEFAULT_LANG) -> list[str]:
    """Each message rendered in ``lang``."""
    return [message.render(lang) for message in messages]


def _render(value: Any, lang: str) -> str:
    if isinstance(value, Message | Num | Name):
        return value.render(lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_number(value, 0, lang)
    if isinstance(value, float):
        return format_number(value, 1, lang)
    if isinstance(value, list | tuple):
        return ", ".join(_render(item, lang) for item in value)
    return str(value)


def _to_json(value: Any) -> Any:
    if isinstance(value, Message):
        return {"$message": value.to_dict()}
    if isinstance(value, Num):
        return {"$num": [value.value, value.decimals, value.trim]}
    if isinstance(value, Name):
        return {"$name": [value.id, value.en]}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "$message" in value:
        return Message.from_dict(value["$message"])
    if isinstance(value, dict) and "$num" in value:
        number, decimals, trim = value["$num"]
        return Num(number, int(decimals), bool(trim))
    if isinstance(value, dict) and "$name" in value:
        return Name(*value["$name"])
    if isinstance(value, list):
        return tuple(_from_json(item) for item in value)
    return value
