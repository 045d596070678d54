"""The view held in the page URL: parse, validate and write the query string.

A shared link (``?dataset=sumedang&year=2020&indicator=rasio_merah&kec=32.11.01&page=skoring
&scenario=3&step=2&lang=en``) must reopen the same view. Every value is checked against what
the dataset offers; anything unknown falls back to the default, never to an error, because a
link may be old, cut short or typed by hand. Pure Python (no dash): tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from geo.core.i18n import DEFAULT_LANG, lang_of

__all__ = ["KEYS", "MAX_STEP", "ViewChoices", "ViewState", "parse_query", "pick_dataset",
           "resolve_view", "scenario_of", "to_query", "with_lang"]

#: Query keys, in the order they are written.
KEYS = ("dataset", "year", "indicator", "kec", "page", "scenario", "step", "lang")
MAX_STEP = 5  # presenter mode: 0 = closed, 1..5 = step


@dataclass(frozen=True)
class ViewChoices:
    """What one dataset offers (the validation targets)."""

    years: Sequence[int]
    indicators: Sequence[str]
    kecamatan: Sequence[str]
    default_indicator: str
    pages: Sequence[str]


@dataclass(frozen=True)
class ViewState:
    """One view of the page; ``None`` = not chosen (all kecamatan, no scenario)."""

    dataset: str
    year: int
    indicator: str
    kecamatan: str | None = None
    page: str = ""
    scenario: int | None = None
    step: int = 0
    lang: str = DEFAULT_LANG


def parse_query(search: str | None) -> dict[str, str]:
    """``"?a=1&b=2"`` → ``{"a": "1", "b": "2"}``; the first value of a repeated key wins.

    >>> parse_query("?year=2020&year=2019&kec=")
    {'year': '2020', 'kec': ''}
    """
    out: dict[str, str] = {}
    for key, value in parse_qsl((search or "").lstrip("?"), keep_blank_values=True):
        out.setdefault(key, value)
    return out


def _int(text: str | None) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def scenario_of(args: Mapping[str, str]) -> int | None:
    """The scenario id of a query (a positive integer), else ``None``."""
    scenario = _int(args.get("scenario"))
    return scenario if scenario is not None and scenario > 0 else None


def pick_dataset(args: Mapping[str, str], available: Iterable[str], default: str) -> str:
    """The dataset named in the query when it exists, else ``default``."""
    wanted = args.get("dataset")
    return wanted if wanted in set(available) else default


def resolve_view(args: Mapping[str, str], dataset: str, choices: ViewChoices) -> ViewState:
    """Validate the query against the dataset's choices; unknown values → defaults.

    Defaults: the latest year, ``choices.default_indicator``, all kecamatan, the first page,
    no scenario, presenter closed, Bahasa Indonesia.
    """
    year = _int(args.get("year"))
    step = _int(args.get("step"))
    indicator, page = args.get("indicator"), args.get("page")
    return ViewState(
        dataset=dataset,
        year=year if year is not None and year in choices.years else max(choices.years),
        indicator=indicator if indicator is not None and indicator in choices.indicators
        else choices.default_indicator,
        kecamatan=args.get("kec") if args.get("kec") in choices.kecamatan else None,
        page=page if page is not None and page in choices.pages else choices.pages[0],
        scenario=scenario_of(args),
        step=step if step is not None and 0 <= step <= MAX_STEP else 0,
        lang=lang_of(args.get("lang")),
    )


def to_query(view: ViewState) -> str:
    """The query string of a view (``?`` included); empty choices are left out.

    >>> to_query(ViewState("sumedang", 2020, "merah", page="tabel"))
    '?dataset=sumedang&year=2020&indicator=merah&page=tabel&lang=id'
    """
    values = {"dataset": view.dataset, "year": view.year, "indicator": view.indicator,
              "kec": view.kecamatan, "page": view.page, "scenario": view.scenario,
              "step": view.step or None, "lang": view.lang}
    return "?" + urlencode([(k, values[k]) for k in KEYS if values[k] not in (None, "")])


def with_lang(search: str | None, lang: str) -> str:
    """The same query with only the language changed (for the language switch link).

    >>> with_lang("?year=2020&lang=id", "en")
    '?year=2020&lang=en'
    """
    args = parse_query(search)
    args["lang"] = lang_of(lang)
    return "?" + urlencode(args)
