"""One settings object: read from the environment once, overridden by command-line options;
the command line speaks the language of ``--lang``; one table of export formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.cli.main import build_parser, main
from geo.core.settings import Settings, embedded_data_dir
from geo.export import FORMATS, format_for_suffix, page_buttons


def test_settings_from_env_and_overrides() -> None:
    default = Settings.from_env({})
    assert default == Settings()
    assert default.data_dir == embedded_data_dir()
    assert (default.data_dir / "sumedang" / "dataset.json").is_file()
    assert (default.database_url, default.port, default.lang, default.max_upload_mb) == ("", 8050, "id", 200)
    env = Settings.from_env({"DATABASE_URL": " postgresql://db/lokus ", "LOKUS_STATE_DIR": "/srv/lokus",
                             "LOKUS_MAX_UPLOAD_MB": "5", "LOKUS_MAX_UNZIPPED_MB": "abc", "PORT": "9000",
                             "LOKUS_LANG": "en", "HOST": "0.0.0.0"})
    assert env.database_url == "postgresql://db/lokus" and env.state_dir == Path("/srv/lokus")
    assert env.max_upload_bytes == 5 * 1024 * 1024 and env.max_unzipped_mb == 1000  # a typo keeps the default
    assert (env.port, env.lang, env.host) == (9000, "en", "0.0.0.0")
    assert Settings.from_env({"LOKUS_LANG": "fr"}).lang == "id"
    given = env.override(state_dir="elsewhere", database_url=None, lang=None)
    assert given.state_dir == Path("elsewhere")
    assert given.database_url == env.database_url and given.lang == "en"
    with pytest.raises(AttributeError):
        given.port = 1  # type: ignore[misc]  # frozen


def test_help_and_errors_follow_lang(capsys) -> None:
    help_id = build_parser("id").format_help()
    help_en = build_parser("en").format_help()
    assert "desa lokus stunting" in help_id and "stunting priority villages" in help_en
    with pytest.raises(SystemExit):
        main(["check", "--lang", "en", "--help"])
    assert "join report" in capsys.readouterr().out.lower()
    assert main(["check", "--lang", "en", "--table", "tidak-ada.csv"]) == 2
    assert main(["export", "--lang", "en", "--format", "docx", "--out", "x.csv"]) == 2
    err = capsys.readouterr().err
    assert "tidak-ada.csv" in err and "--format 'docx' is unknown" in err


def test_environment_is_read_by_the_command_line_only(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("LOKUS_DATA_DIR", str(tmp_path / "kosong"))
    assert main(["check", "--json"]) == 2  # the data folder of the environment has no dataset
    assert "dataset.json" in capsys.readouterr().err
    assert main(["check", "--json", "--data-dir", str(embedded_data_dir())]) == 0  # the option wins


def test_one_table_of_formats() -> None:
    assert list(FORMATS) == ["xlsx", "csv", "pdf", "gpkg", "geojson", "shp", "json"]
    assert format_for_suffix(".ZIP") == format_for_suffix(".shp") == "shp"
    assert format_for_suffix(".docx") is None
    buttons = {button: (fmt, options) for button, fmt, options in page_buttons()}
    assert buttons["csv_semicolon"] == ("csv", {"sep": ";"}) and buttons["pdf"] == ("pdf", {})
    assert all(f.mimetype and f.suffix for f in FORMATS.values())
