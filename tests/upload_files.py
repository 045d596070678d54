"""Small upload files cut from the embedded Sumedang data (one kecamatan), for upload tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.conftest import DATA

SUMEDANG = DATA / "sumedang"
WADO = "32.11.01"  # Kecamatan Wado: 10 villages


def write_kecamatan(folder: Path, kode_kec: str = WADO) -> tuple[Path, Path]:
    """(GeoJSON of one kecamatan's villages, CSV table of the same villages)."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = json.loads((SUMEDANG / "sumedang_desa_kel_2025.geojson").read_text(encoding="utf-8"))
    doc["features"] = [f for f in doc["features"] if f["properties"]["kode_kec"] == kode_kec]
    geojson = folder / "batas_wado.geojson"
    geojson.write_text(json.dumps(doc), encoding="utf-8")
    table = pd.read_csv(SUMEDANG / "sumedang_stunting_posyandu_2019_2021.csv", dtype=str)
    csv = folder / "tabel_wado.csv"
    table[table["kode"].str.startswith(kode_kec + ".")].to_csv(csv, index=False)
    return geojson, csv
