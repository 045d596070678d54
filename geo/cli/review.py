"""``lokus review``: did last year's lokus work? (Aksi 8, *reviu kinerja tahunan*).

Reads last year's lokus list (``--previous FILE``, through
:func:`geo.decide.continuity.read_previous_list`; or ``--lokus KODE,KODE``), compares the change
of an outcome between the lokus year and a later year in the lokus and in comparable non-lokus
villages (:func:`geo.decide.review.review_dataset`: matched difference-in-differences with a
bootstrap interval) and prints the verdict, the numbers and the group sizes. Every line is a
``cli.review.*`` catalogue key.
"""

from __future__ import annotations

import argparse

from geo.cli.common import common_options, existing_file, print_quality, say, warn
from geo.core.errors import InputError
from geo.core.i18n import format_number, t
from geo.core.messages import render_all
from geo.core.settings import Settings
from geo.data.loading import load_inputs
from geo.data.model import Dataset
from geo.decide.continuity import read_previous_list
from geo.decide.review import ReviewResult, review_dataset
from geo.scoring.values import outcome_rate

__all__ = ["add_review", "cmd_review"]


def _lokus(args: argparse.Namespace, dataset: Dataset, lang: str) -> tuple[list[str], int | None]:
    """Last year's lokus codes and the list's year (None when unknown)."""
    if args.previous:
        previous = read_previous_list(existing_file(args.previous), dataset.villages,
                                      year=args.year_before, accept_fuzzy=args.accept_fuzzy)
        for line in render_all(previous.notes, lang):
            warn(line)
        if len(previous.quality_log):
            print_quality(previous.quality_log, lang)
        return list(previous.codes), previous.year
    if args.lokus:
        return [c.strip() for c in args.lokus.split(",") if c.strip()], None
    raise InputError.of("cli.review.error.no_list")


def _print(res: ReviewResult, lang: str) -> None:
    meta = res.meta
    say("cli.review.head", lang, indicator=meta["indicator"], before=str(meta["year_before"]),
        after=str(meta["year_after"]))
    print(res.verdict.render(lang))

    def num(value: float) -> str:
        return format_number(value, 2, lang)

    say("cli.review.effect", lang, effect=num(res.effect), low=num(res.ci_low), high=num(res.ci_high),
        naive=num(res.naive))
    say("cli.review.changes", lang, lokus=num(res.change_lokus), control=num(res.change_control))
    say("cli.review.groups", lang, lokus=res.n_lokus, matched=res.n_matched, control=res.n_control,
        missing=res.n_missing, draws=res.draws, bins=res.bins)
    for line in render_all(res.notes, lang):
        warn(line)


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """Print the matched difference-in-differences of last year's lokus."""
    lang = settings.lang
    dataset = load_inputs(args.boundaries, args.table, coverage=args.coverage, data_dir=settings.data_dir,
                          max_unzipped_mb=settings.max_unzipped_mb)
    lokus, list_year = _lokus(args, dataset, lang)
    after = args.year if args.year is not None else max(dataset.years)
    indicator = args.indicator or outcome_rate(dataset, [], after)
    if indicator is None:
        raise InputError.of("cli.review.error.no_indicator")
    before = args.year_before if args.year_before is not None else (
        list_year if list_year is not None and list_year < after else dataset.previous_year(indicator, after))
    if before is None:
        raise InputError.of("analytics.review.error.years", before="–", after=str(after))
    res = review_dataset(dataset, lokus, indicator, int(before), int(after), bins=args.bins, draws=args.draws,
                         seed=args.seed)
    _print(res, lang)
    return 0


def add_review(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus review``: difference-in-differences of last year's lokus."""
    def h(key: str) -> str:
        return t(f"cli.review.opt.{key}", lang)

    p = sub.add_parser("review", help=t("cli.review.help", lang), description=t("cli.review.help", lang),
                       parents=[common_options(lang)])
    p.add_argument("--boundaries", help=t("cli.opt.boundaries", lang))
    p.add_argument("--table", help=t("cli.score.opt.table", lang))
    p.add_argument("--coverage", help=t("cli.opt.coverage", lang))
    group = p.add_mutually_exclusive_group()
    group.add_argument("--previous", metavar="FILE", help=h("previous"))
    group.add_argument("--lokus", metavar="KODE,KODE", help=h("lokus"))
    p.add_argument("--accept-fuzzy", action="store_true", help=h("accept_fuzzy"))
    p.add_argument("--indicator", default=None, help=h("indicator"))
    p.add_argument("--year-before", type=int, default=None, help=h("year_before"))
    p.add_argument("--year", type=int, default=None, help=h("year"))
    p.add_argument("--bins", type=int, default=4, help=h("bins"))
    p.add_argument("--draws", type=int, default=2000, help=h("draws"))
    p.add_argument("--seed", type=int, default=0, help=h("seed"))
    p.set_defaults(func=cmd_review)
