"""The ``lokus`` command line: one module per command (check, score, eppgbm, export, import).

The settings come from the environment (:meth:`Settings.from_env`) and every command's
``--lang``, ``--data-dir``, ``--state-dir`` and ``--database-url`` override them; help and
output are in ``--lang`` (default ``id``). Bad input is one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from geo.cli.check import add_check
from geo.cli.common import Command, lang_in, settings_of
from geo.cli.eppgbm import add_eppgbm
from geo.cli.export import add_export
from geo.cli.importing import add_import
from geo.cli.review import add_review
from geo.cli.score import add_score
from geo.cli.user import add_user
from geo.core.errors import InputError
from geo.core.i18n import t
from geo.core.settings import Settings

__all__ = ["COMMANDS", "build_parser", "main"]

#: Each command module adds its own sub-parser (with ``set_defaults(func=...)``).
COMMANDS: list[Callable[[argparse._SubParsersAction, str], None]] = [add_check, add_score, add_eppgbm,
                                                                     add_export, add_import, add_user,
                                                                     add_review]


def build_parser(lang: str) -> argparse.ArgumentParser:
    """Argument parser with one sub-parser per command, its help in ``lang``."""
    parser = argparse.ArgumentParser(prog="lokus", description=t("cli.description", lang))
    sub = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub, lang)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``lokus`` console script; exit 2 with one line on bad input."""
    argv = sys.argv[1:] if argv is None else argv
    base = Settings.from_env()
    args = build_parser(lang_in(argv, base.lang)).parse_args(argv)
    settings = settings_of(args, base)
    func: Command = args.func
    try:
        return func(args, settings)
    except InputError as exc:
        print(f"lokus: {exc.render(settings.lang)}", file=sys.stderr)
        return 2
    except OSError as exc:
        print("lokus: " + t("cli.error.os", settings.lang, error=exc.strerror or exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
