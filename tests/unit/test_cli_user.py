"""``lokus user add|list|disable|passwd`` (geo/cli/user.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from geo.cli import user as user_cli
from geo.cli.main import main
from geo.store.accounts import AccountStore, SignInRefused
from geo.store.scenarios import Store

PASSWORD = "kata-sandi-panjang"


@pytest.fixture(autouse=True)
def own_database(monkeypatch):
    """The commands use the SQLite file in ``--state-dir``, not a DATABASE_URL of the test run
    (CI points it at a PostgreSQL cluster shared by every test)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)


def run(capsys, tmp_path: Path, *args: str, stdin: str | None = None,
        monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["user", *args, "--state-dir", str(tmp_path)])
    out, err = capsys.readouterr()
    return code, out, err


def accounts(tmp_path: Path) -> tuple[Store, AccountStore]:
    store = Store(None, data_dir=tmp_path)
    return store, AccountStore(store.engine)


def test_add_list_disable_passwd(tmp_path, capsys, monkeypatch):
    code, out, _ = run(capsys, tmp_path, "add", "Admin", "--role", "admin", "--wilayah", "32.11",
                       "--display-name", "Admin Bappeda", "--password-stdin", stdin=PASSWORD + "\n",
                       monkeypatch=monkeypatch)
    assert code == 0 and "admin" in out and "32.11" in out
    code, out, _ = run(capsys, tmp_path, "list", "--lang", "en")
    assert code == 0
    assert out.split("\t")[:5] == ["admin", "admin", "32.11", "active", "Admin Bappeda"] and "never" in out
    store, acc = accounts(tmp_path)
    with store:
        assert acc.sign_in("admin", PASSWORD, address="cli").role.value == "admin"
    code, out, _ = run(capsys, tmp_path, "list")
    assert "belum pernah" not in out  # the sign-in is listed
    code, _, _ = run(capsys, tmp_path, "passwd", "admin", "--password-stdin", stdin="sandi-baru-sekali\n",
                     monkeypatch=monkeypatch)
    assert code == 0
    code, out, _ = run(capsys, tmp_path, "disable", "admin")
    assert code == 0 and "dinonaktifkan" in out
    store, acc = accounts(tmp_path)
    with store:
        assert not acc.get("admin").active
        acc.set_active("admin", True)
        assert acc.sign_in("admin", "sandi-baru-sekali", address="cli").name == "admin"
        with pytest.raises(SignInRefused):
            acc.sign_in("admin", PASSWORD, address="cli")


def test_prompt_asks_twice(tmp_path, capsys, monkeypatch):
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(user_cli.getpass, "getpass", lambda prompt: next(answers))
    code, _, _ = run(capsys, tmp_path, "add", "budi", "--role", "analis", "--wilayah", "3211")
    assert code == 0
    answers = iter([PASSWORD, PASSWORD + "x"])
    code, _, err = run(capsys, tmp_path, "add", "siti", "--role", "analis", "--wilayah", "32.11")
    assert code == 2 and "tidak sama" in err
    store, acc = accounts(tmp_path)
    with store:
        assert [i.account.name for i in acc.list()] == ["budi"] and acc.get("budi").area == "32.11"


@pytest.mark.parametrize(("args", "stdin", "words"), [
    (["add", "budi", "--role", "analis", "--wilayah", "3x", "--password-stdin"], PASSWORD, "kode wilayah"),
    (["add", "budi santoso", "--role", "analis", "--wilayah", "32", "--password-stdin"], PASSWORD,
     "nama akun"),
    (["add", "budi", "--role", "analis", "--wilayah", "32", "--password-stdin"], "pendek", "terlalu pendek"),
    (["disable", "nobody"], "", "tidak ada"),
    (["passwd", "nobody", "--password-stdin"], PASSWORD, "tidak ada"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, stdin, words):
    code, _, err = run(capsys, tmp_path, *args, stdin=stdin + "\n", monkeypatch=monkeypatch)
    assert code == 2 and words in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unknown_role_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["user", "add", "budi", "--role", "boss", "--wilayah", "32", "--state-dir", str(tmp_path)])
    assert exit_.value.code == 2
    assert "boss" in capsys.readouterr().err


def test_empty_list_says_how_local_use_works(tmp_path, capsys):
    code, out, _ = run(capsys, tmp_path, "list")
    assert code == 0 and "pengguna lokal" in out
