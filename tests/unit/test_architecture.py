"""Guards of the shape of ``geo/`` (issue 14), read from the source with :mod:`ast`.

- small modules and functions (500 / 80 lines);
- no UI import, and imports only downhill between the wings
  (core < io < data < scoring < decide < store < export < view < cli);
- no Indonesian prose in code: text lives in the catalogue (``geo/resources/i18n``) and the
  data files, code holds keys and parameters;
- only ``geo/core/settings.py`` reads the environment;
- every literal key given to ``t``, ``Message``, ``Message.of`` or ``InputError.of`` exists.

Each test lists every violation as ``file:line`` so one run shows all the work left.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GEO = ROOT / "geo"
CATALOGUE = GEO / "resources" / "i18n"

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
WINGS = ("core", "io", "data", "scoring", "decide", "store", "export", "view", "cli")
UI_MODULES = frozenset({"dash", "dash_bootstrap_components", "dash_ag_grid", "plotly", "layouts",
                        "callbacks", "app"})
SETTINGS_MODULE = "geo/core/settings.py"

#: Indonesian function words and common verbs of messages: a sentence has them, a column name,
#: a header alias or a place name does not. Data vocabulary ("tahun", "desa", "kecamatan",
#: "sangat" as in "sangat_pendek", "baik" as a quality code) is deliberately absent.
INDONESIAN_WORDS = frozenset({
    "ada", "adalah", "agar", "akan", "antara", "atau", "bahwa", "banyak", "bawaan", "belum",
    "berisi", "beberapa", "bisa", "boleh", "bukan", "cetak", "dalam", "dan", "dapat", "dari",
    "dengan", "di", "dibaca", "dicatat", "diisi", "dikeluarkan", "dipaksa", "dipilih", "ditemukan",
    "gunakan", "hanya", "harus", "ini", "itu", "jika", "juga", "karena", "ke", "kosong", "lebih",
    "lewat", "maka", "masih", "melebihi", "memerlukan", "mendukung", "menjadi", "namun", "oleh",
    "pada", "pakai", "paling", "perlu", "pilih", "rusak", "satu", "sebagai", "sebelum", "sehingga",
    "sejak", "semua", "serta", "setelah", "setiap", "simpan", "sudah", "tanpa", "telah", "terlalu",
    "tersedia", "tersimpan", "tetap", "tetapi", "tidak", "tulis", "ulang", "untuk", "wajib", "yang",
})
_WORD = re.compile(r"[^\W\d_]+")


def report(violations: list[str], title: str) -> None:
    """Fail with every violation, one per line (no repr of the list)."""
    if violations:
        pytest.fail(f"{title}\n" + "\n".join(violations), pytrace=False)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def sources() -> tuple[Path, ...]:
    return tuple(sorted(GEO.rglob("*.py")))


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wing_of(path: Path) -> str | None:
    """``geo/scoring/mcda.py`` → ``scoring``; ``geo/__init__.py`` → None."""
    parts = path.relative_to(GEO).parts
    return parts[0] if len(parts) > 1 else None


# --------------------------------------------------------------------------- (a) size
def test_no_module_over_500_lines():
    long = [f"{rel(p)}: {n} lines" for p in sources()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    report(long, f"modules over {MAX_MODULE_LINES} lines:")


def test_no_function_over_80_lines():
    long = []
    for path in sources():
        functions = [n for n in ast.walk(tree(path)) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in sorted(functions, key=lambda n: n.lineno):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1  # from "def" to the last line
            if lines > MAX_FUNCTION_LINES:
                long.append(f"{rel(path)}:{node.lineno} {node.name}(): {lines} lines")
    report(long, f"functions over {MAX_FUNCTION_LINES} lines:")


# --------------------------------------------------------------------------- (b) imports
def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import, lazy and TYPE_CHECKING ones included."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # "from geo import scoring" imports the wing geo.scoring
            if name == "geo":
                for alias in node.names:
                    yield node.lineno, f"geo.{alias.name}"
            else:
                yield node.lineno, name


def test_geo_never_imports_the_user_interface():
    bad = [f"{rel(p)}:{line} imports {name}" for p in sources()
           for line, name in sorted(imported_modules(p)) if name.split(".")[0] in UI_MODULES]
    report(bad, "geo/ must stay free of the UI:")


def test_wings_import_only_downhill():
    bad = []
    for path in sources():
        own = wing_of(path)
        if own not in WINGS and path != GEO / "__init__.py":
            bad.append(f"{rel(path)} is in no wing ({', '.join(WINGS)})")
            continue
        for line, name in sorted(imported_modules(path)):
            parts = name.split(".")
            if parts[0] != "geo" or len(parts) < 2:
                continue
            target = parts[1]
            if target not in WINGS:
                bad.append(f"{rel(path)}:{line} imports {name}, which is in no wing")
            elif own is None:
                continue  # geo/__init__.py may re-export
            elif WINGS.index(target) > WINGS.index(own):
                bad.append(f"{rel(path)}:{line} ({own}) imports {name} ({target}, uphill)")
    report(bad, "imports must go downhill " + " < ".join(WINGS) + ":")


# --------------------------------------------------------------------------- (c) prose
def docstring_nodes(module: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                ids.add(id(body[0].value))
    return ids


def texts(module: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal that is not a docstring; an f-string counts as one
    text with its placeholders blanked."""
    skip = docstring_nodes(module)
    for node in ast.walk(module):
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                skip.add(id(part))
            yield node.lineno, "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def is_indonesian_prose(text: str) -> bool:
    """Two or more words, one of them an Indonesian function word. Keys, column names and
    single words (``"jumlah_balita"``, ``"scoring.flag.small_n"``, ``"Kecamatan"``) are not."""
    words = text.split()
    if len(words) < 2:
        return False
    return any(w.lower() in INDONESIAN_WORDS for word in words for w in _WORD.findall(word))


def test_no_indonesian_prose_in_code():
    found = [f"{rel(p)}:{line} {text[:70]!r}" for p in sources()
             for line, text in sorted(texts(tree(p))) if is_indonesian_prose(text)]
    report(found, f"{len(found)} Indonesian sentences in geo/ code; move them to the catalogue "
                  "(geo/resources/i18n) as keys:")


def test_prose_detector():
    assert is_indonesian_prose("GeoPackage tidak bisa dibaca")
    assert is_indonesian_prose("Kolom {} tidak ada")
    assert not is_indonesian_prose("jumlah_balita")
    assert not is_indonesian_prose("Kecamatan")
    assert not is_indonesian_prose("scoring.flag.small_n")
    assert not is_indonesian_prose("Kode Kemendagri")
    assert not is_indonesian_prose("Could not read the file")


# --------------------------------------------------------------------------- (d) environment
def test_only_settings_reads_the_environment():
    bad = []
    for path in sources():
        if rel(path) == SETTINGS_MODULE:
            continue
        for node in ast.walk(tree(path)):
            hit = (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")
                   and isinstance(node.value, ast.Name) and node.value.id == "os") or (
                isinstance(node, ast.ImportFrom) and node.module == "os"
                and any(a.name in ("environ", "getenv", "environb") for a in node.names))
            if hit:
                bad.append(f"{rel(path)}:{node.lineno}")
    report(bad, f"only {SETTINGS_MODULE} reads the environment:")


# --------------------------------------------------------------------------- (e) keys
@cache
def catalogue_keys(lang: str) -> frozenset[str]:
    keys: set[str] = set()
    for path in (CATALOGUE / lang).glob("*.json"):
        keys |= json.loads(path.read_text(encoding="utf-8")).keys()
    return frozenset(keys)


def message_names(module: ast.Module) -> dict[str, str]:
    """Local name → what it is (``t``, ``Message``, ``InputError``) from the geo.core imports."""
    wanted = {("geo.core.i18n", "t"): "t", ("geo.core.messages", "Message"): "Message",
              ("geo.core.errors", "InputError"): "InputError"}
    names = {}
    for node in ast.walk(module):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if (kind := wanted.get((node.module or "", alias.name))) is not None:
                    names[alias.asname or alias.name] = kind
    return names


def literal_keys(path: Path) -> Iterator[tuple[int, str]]:
    extra = {"t": "t"} if rel(path) == "geo/core/i18n.py" else {}  # t is defined there, not imported
    yield from keys_in(tree(path), extra)


def keys_in(module: ast.Module, extra: dict[str, str] | None = None) -> Iterator[tuple[int, str]]:
    """(line, key) of every ``t("k")``, ``Message("k")``, ``Message.of("k")``, ``InputError.of("k")``."""
    names = message_names(module) | (extra or {})
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        kind = None
        if isinstance(func, ast.Name) and names.get(func.id) in ("t", "Message"):
            kind = names[func.id]
        elif isinstance(func, ast.Attribute) and func.attr == "of" and isinstance(func.value, ast.Name) \
                and names.get(func.value.id) in ("Message", "InputError"):
            kind = names[func.value.id]
        if kind is None:
            continue
        first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "key"), None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, first.value


def test_every_literal_key_is_in_the_catalogue():
    missing = [f"{rel(p)}:{line} {key!r} ({lang})" for p in sources()
               for line, key in sorted(literal_keys(p))
               for lang in ("id", "en") if key not in catalogue_keys(lang)]
    report(missing, "keys missing from geo/resources/i18n:")


def test_key_scan_sees_the_calls():
    """Guards the guard: the scan follows imports and aliases, and finds the keys in use."""
    sample = ast.parse("from geo.core.errors import InputError\nfrom geo.core.i18n import t as tr\n"
                       "from geo.core.messages import Message\n"
                       "InputError.of('a.b', file='x')\ntr('c.d', 'en')\nMessage('e.f')\n"
                       "Message.of('g.h', n=1)\nt('not.imported')\nMessage.of(key)\nMessage(key='i.j')\n")
    assert [key for _, key in keys_in(sample)] == ["a.b", "c.d", "e.f", "g.h", "i.j"]
    assert sum(1 for p in sources() for _ in literal_keys(p)) > 100
