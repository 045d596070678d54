"""What every ``lokus`` command shares: the options that override the settings, the language
of the output and help, and one line per problem.

Every text a command prints or shows in ``--help`` is a ``cli.*`` catalogue key
(``geo/resources/i18n/<lang>/cli.json``), rendered in ``--lang`` (default ``id``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from geo.core.errors import InputError
from geo.core.i18n import DEFAULT_LANG, LANGS, t
from geo.core.quality import QualityLog
from geo.core.settings import Settings
from geo.export.quality import write_quality_report

__all__ = ["Command", "common_options", "existing_file", "lang_in", "print_quality", "quality_path", "say",
           "settings_of", "warn", "write_quality"]

#: A command's entry point: parsed arguments and the process settings → exit code.
Command = Callable[[argparse.Namespace, Settings], int]


def lang_in(argv: Sequence[str], default: str = DEFAULT_LANG) -> str:
    """The ``--lang`` value of a command line, read before parsing (the help is in it)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[len("--lang="):] in LANGS:
            return arg[len("--lang="):]
    return default


def common_options(lang: str) -> argparse.ArgumentParser:
    """Options of every command: language and the settings a command line may override."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--lang", choices=LANGS, default=None, help=t("cli.opt.lang", lang))
    parser.add_argument("--data-dir", metavar="PATH", help=t("cli.opt.data_dir", lang))
    parser.add_argument("--state-dir", metavar="PATH", help=t("cli.opt.state_dir", lang))
    parser.add_argument("--database-url", metavar="URL", help=t("cli.opt.database_url", lang))
    return parser


def settings_of(args: argparse.Namespace, base: Settings) -> Settings:
    """``base`` (from the environment) with the options given on the command line."""
    return base.override(lang=args.lang, data_dir=args.data_dir, state_dir=args.state_dir,
                         database_url=args.database_url)


def say(key: str, lang: str, /, *, err: bool = False, **params: Any) -> None:
    """Print one catalogue line (to stderr with ``err``)."""
    print(t(key, lang, **params), file=sys.stderr if err else sys.stdout)


def warn(text: str) -> None:
    """A warning line on stderr (``! ...``)."""
    print(f"! {text}", file=sys.stderr)


def existing_file(path: str | Path) -> Path:
    """``path`` when it is a file, else an :class:`InputError` naming it."""
    file = Path(path)
    if not file.is_file():
        raise InputError.of("cli.error.not_found", file=file.name)
    return file


def print_quality(log: QualityLog, lang: str = "id") -> None:
    """The quality log as text: rows used of read per file, then the counts by reason."""
    for line in log.summary_lines(lang):
        print(f"- {line}")


def quality_path(path: str | Path) -> Path:
    """``path`` when it ends in .csv or .xlsx (checked before any work is done)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError.of("cli.error.quality_suffix", file=path.name)
    return path


def write_quality(log: QualityLog, path: str | Path | None, *, quiet: bool = False,
                  lang: str = "id") -> Path | None:
    """Write the full *laporan kualitas data* (.csv or .xlsx) when a path is given."""
    if not path:
        return None
    written = write_quality_report(log, quality_path(path), lang)
    if not quiet:
        print(t("table.cli.quality_written", lang, n=len(log), path=written))
    return written
