"""Write the SINTETIS (synthetic) intervention-coverage table for the Sumedang demo.

The embedded Sumedang data has real screening counts but no real coverage table, so
this script makes a seeded, reproducible one for demonstration only. It is
**SINTETIS**: every value is invented. Running it twice writes identical bytes.

Model, per village v, kecamatan k, year t and indicator j (percent)::

    quality_v = kec_k + noise_v − 0.6 · z(screening rate_v)
    value_vtj = 100 · logistic(a_j + b_j · quality_v + 0.15 · (t − 2019) + e_vtj)

so villages with more children flagged "merah" tend to have lower coverage (the
demo tells a story), kecamatan share a common effect, coverage rises slowly over
the years, and about 3 % of cells are left empty so the missing-value policy
matters. ``se_kehamilan_tidak_diinginkan`` is higher-worse, so its sign is flipped.
Kelurahan (no screening data) get their kecamatan's mean screening rate.

Usage::

    python scripts/make_synthetic_coverage.py [--out data/sumedang/cakupan_sintetis_2019_2021.csv]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "data" / "sumedang"
OUT = FOLDER / "cakupan_sintetis_2019_2021.csv"
SEED = 20240611
YEARS = (2019, 2020, 2021)
MISSING_SHARE = 0.03

#: indicator id → (intercept a on the logit scale, loading b on village quality)
INDICATORS: dict[str, tuple[float, float]] = {
    "sp_pmt_bumil_kek": (1.2, 0.9),
    "sp_ttd_bumil": (1.0, 0.8),
    "sp_asi_eksklusif": (0.6, 0.7),
    "sp_mpasi": (1.1, 0.7),
    "sp_pantau_tumbuh": (1.8, 0.8),
    "sp_imunisasi": (2.0, 0.6),
    "se_air_minum": (1.3, 1.0),
    "se_sanitasi": (0.8, 1.1),
    "se_kehamilan_tidak_diinginkan": (-2.0, -0.6),
    "se_pendampingan_krs": (0.2, 0.9),
    "sc_anc4": (1.7, 0.8),
    "sc_timbang_bulanan": (1.5, 0.9),
    "sc_ukur_pb_tb": (0.9, 0.9),
    "sc_akta_lahir": (1.4, 0.5),
}


def screening_rate(folder: Path, codes: pd.Series, kec: pd.Series) -> np.ndarray:
    """Mean 2019–2021 'merah' share per village; kelurahan get their kecamatan mean."""
    table = pd.read_csv(folder / "sumedang_stunting_posyandu_2019_2021.csv", dtype={"kode": str})
    colours = ["anak_0_23_merah_terindikasi_stunting", "anak_0_23_kuning_risiko_stunting",
               "anak_0_23_hijau_normal"]
    counted = table[colours].sum(axis=1, min_count=1)
    sums = pd.DataFrame({"kode": table["kode"], "merah": table[colours[0]], "n": counted})
    agg = sums.groupby("kode")[["merah", "n"]].sum()
    rate = (agg["merah"] / agg["n"].where(agg["n"] > 0)).reindex(codes.to_numpy())
    frame = pd.DataFrame({"rate": rate.to_numpy(), "kec": kec.to_numpy()})
    filled = frame["rate"].fillna(frame.groupby("kec")["rate"].transform("mean"))
    return filled.fillna(frame["rate"].mean()).to_numpy()


def generate(folder: Path = FOLDER, seed: int = SEED) -> pd.DataFrame:
    """The synthetic table: kode, nama_desa, tahun, keterangan, one column per indicator."""
    geo = json.loads((folder / "sumedang_desa_kel_2025.geojson").read_text(encoding="utf-8"))
    props = pd.DataFrame([f["properties"] for f in geo["features"]])
    props = props.sort_values("kode").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    m = len(props)
    rate = screening_rate(folder, props["kode"], props["kode_kec"])
    z = (rate - rate.mean()) / rate.std()
    kec_codes, kec_idx = np.unique(props["kode_kec"].to_numpy(), return_inverse=True)
    kec_effect = rng.normal(0.0, 0.5, size=len(kec_codes))
    quality = kec_effect[kec_idx] + rng.normal(0.0, 0.5, size=m) - 0.6 * z
    rows = []
    for t, year in enumerate(YEARS):
        frame = pd.DataFrame({"kode": props["kode"], "nama_desa": props["nama"], "tahun": year,
                              "keterangan": "SINTETIS - bukan data nyata"})
        for cid, (a, b) in INDICATORS.items():
            trend = 0.15 * t * (1 if b > 0 else -1)
            logit = a + b * quality + trend + rng.normal(0.0, 0.35, size=m)
            value = np.round(100.0 / (1.0 + np.exp(-logit)), 1)
            value[rng.random(m) < MISSING_SHARE] = np.nan
            frame[cid] = value
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    """Write the CSV (UTF-8, ``\\n`` line ends, one decimal, empty = missing)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    generate().to_csv(args.out, index=False, float_format="%.1f", lineterminator="\n",
                      encoding="utf-8")
    print(f"SINTETIS: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
