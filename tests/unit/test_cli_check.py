"""`lokus check`: the join report on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from geo.cli.main import main
from tests.conftest import DATA, ROOT

TABLE = DATA / "sumedang" / "sumedang_stunting_posyandu_2019_2021.csv"


def test_json_report_of_the_embedded_data(capsys):
    assert main(["check", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["n_polygons"], doc["n_rows"], doc["n_matched"]) == (277, 810, 270)
    assert doc["n_table_unmatched"] == 0 and doc["n_polygons_without_data"] == 7
    assert doc["n_duplicates"] == 0
    assert [y["tahun"] for y in doc["per_year"]] == [2019, 2020, 2021]


def test_table_alone_joins_to_the_embedded_boundaries(tmp_path, capsys):
    # an Excel-style copy: undotted float codes, semicolons, one unknown code, one duplicate
    table = pd.read_csv(TABLE, dtype=str)
    table = table[table["tahun"] == "2021"].head(5).copy()
    table["kode"] = table["kode"].str.replace(".", "", regex=False) + ".0"
    extra = table.iloc[[0]].assign(kode="3211992001.0")  # valid form, no such village
    table = pd.concat([table, table.iloc[[1]], extra])
    path = tmp_path / "mine.csv"
    table.to_csv(path, sep=";", index=False)
    assert main(["check", "--table", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["n_rows"] == 7 and doc["n_matched"] == 5
    assert doc["n_table_unmatched"] == 1 and doc["n_duplicates"] == 1
    assert doc["n_polygons_without_data"] == 272


def test_unreadable_input_exits_2_with_one_line_and_no_traceback(tmp_path, capsys):
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table")
    assert main(["check", "--table", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rusak.csv" in err
    assert "Traceback" not in err
    assert main(["check", "--table", "tidak-ada.csv"]) == 2
    assert "tidak-ada.csv" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_runs_the_command_line_in_a_fresh_process(tmp_path):
    bad = tmp_path / "rusak.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table")
    run = subprocess.run([sys.executable, "-m", "geo.cli.main", "check", "--table", str(bad)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "rusak.csv" in run.stderr
    assert "Traceback" not in run.stderr


def test_mapping_file_overrides_column_detection(tmp_path, capsys):
    table = pd.read_csv(TABLE, dtype=str).rename(columns={"kode": "id_wilayah", "tahun": "periode_x"})
    path = tmp_path / "renamed.csv"
    table.to_csv(path, index=False)
    # without a mapping the year column is not found (villages would be matched by name
    # through the BPS code column): a clear one-line error
    assert main(["check", "--table", str(path)]) == 2
    assert "kolom tahun" in capsys.readouterr().err
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"table_columns": {"kode": "id_wilayah", "tahun": "periode_x"}}))
    assert main(["check", "--table", str(path), "--mapping", str(mapping), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_matched"] == 270
    mapping.write_text(json.dumps({"table_columns": {"kode": "tidak_ada"}}))
    assert main(["check", "--table", str(path), "--mapping", str(mapping)]) == 2
    assert "tidak_ada" in capsys.readouterr().err
