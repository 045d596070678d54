"""``lokus user add|list|disable|passwd``: the accounts of the dashboard (issue 12).

The first admin of a server is made here: ``lokus user add admin --role admin --wilayah 32.11``.
Passwords come from a prompt (asked twice, never echoed) or, for scripts, one line of
standard input (``--password-stdin``); never from an option, which would land in the shell
history and the process list.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime

from geo.cli.common import common_options, say
from geo.core.access import ROLES, check_area, check_name
from geo.core.errors import InputError
from geo.core.i18n import format_date, t
from geo.core.settings import Settings
from geo.store.accounts import AccountStore
from geo.store.scenarios import Store

__all__ = ["add_user", "read_password"]


def read_password(from_stdin: bool, lang: str, *, prompt: Callable[[str], str] | None = None) -> str:
    """The new password: one line of stdin, or typed twice at a prompt (both must agree)."""
    prompt = prompt or getpass.getpass
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = prompt(t("account.cli.prompt.password", lang))
        again = prompt(t("account.cli.prompt.again", lang))
    except EOFError:  # no terminal and no --password-stdin
        raise InputError.of("account.error.no_password") from None
    if again != first:
        raise InputError.of("account.error.password_mismatch")
    return first


def _accounts(settings: Settings) -> tuple[Store, AccountStore]:
    store = Store(settings.database_url, data_dir=settings.state_dir)
    store.upgrade()
    return store, AccountStore(store.engine)


def _area(area: str, lang: str) -> str:
    return area or t("account.whole_area", lang)


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.lang
    store, accounts = _accounts(settings)
    with store:
        check_name(args.name), check_area(args.wilayah)  # before asking for a password
        password = read_password(args.password_stdin, lang)
        account = accounts.add(args.name, role=args.role, area=args.wilayah, password=password,
                               display_name=args.display_name or "")
    say("account.cli.added", lang, name=account.name, role=t(f"account.role.{account.role}", lang),
        area=_area(account.area, lang))
    return 0


def _when(value: datetime | None, lang: str) -> str:
    return t("account.cli.never", lang) if value is None else f"{format_date(value.date(), lang)} " \
        f"{value:%H:%M} UTC"


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    lang = settings.lang
    store, accounts = _accounts(settings)
    with store:
        rows = accounts.list()
    if not rows:
        say("account.cli.none", lang)
    for info in rows:
        a = info.account
        say("account.cli.row", lang, name=a.name, role=a.role.value, area=_area(a.area, lang),
            status=t("account.cli.active" if a.active else "account.cli.inactive", lang),
            display_name=a.display_name or "-", created=_when(info.created_at, lang),
            last=_when(info.last_login_at, lang))
    return 0


def cmd_disable(args: argparse.Namespace, settings: Settings) -> int:
    store, accounts = _accounts(settings)
    with store:
        account = accounts.set_active(args.name, False)
    say("account.cli.disabled", settings.lang, name=account.name)
    return 0


def cmd_passwd(args: argparse.Namespace, settings: Settings) -> int:
    store, accounts = _accounts(settings)
    with store:
        if accounts.get(args.name) is None:
            raise InputError.of("account.error.unknown", name=args.name)
        account = accounts.set_password(args.name, read_password(args.password_stdin, settings.lang))
    say("account.cli.passwd_changed", settings.lang, name=account.name)
    return 0


def add_user(sub: argparse._SubParsersAction, lang: str) -> None:
    """``lokus user add NAME --role ROLE --wilayah CODE`` and ``list``, ``disable``, ``passwd``."""
    def h(key: str) -> str:
        return t(f"account.cli.{key}", lang)

    cmd = sub.add_parser("user", help=h("help"), description=h("help"))
    actions = cmd.add_subparsers(dest="action", required=True)
    common = common_options(lang)
    add = actions.add_parser("add", help=h("add.help"), description=h("add.help"), parents=[common])
    add.add_argument("name", help=h("opt.name"))
    add.add_argument("--role", required=True, choices=ROLES, help=h("opt.role"))
    add.add_argument("--wilayah", required=True, metavar="CODE", help=h("opt.wilayah"))
    add.add_argument("--display-name", help=h("opt.display_name"))
    add.add_argument("--password-stdin", action="store_true", help=h("opt.password_stdin"))
    add.set_defaults(func=cmd_add)
    listing = actions.add_parser("list", help=h("list.help"), description=h("list.help"), parents=[common])
    listing.set_defaults(func=cmd_list)
    disable = actions.add_parser("disable", help=h("disable.help"), description=h("disable.help"),
                                 parents=[common])
    disable.add_argument("name", help=h("opt.name"))
    disable.set_defaults(func=cmd_disable)
    passwd = actions.add_parser("passwd", help=h("passwd.help"), description=h("passwd.help"),
                                parents=[common])
    passwd.add_argument("name", help=h("opt.name"))
    passwd.add_argument("--password-stdin", action="store_true", help=h("opt.password_stdin"))
    passwd.set_defaults(func=cmd_passwd)
