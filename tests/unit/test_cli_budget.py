"""``lokus score --budget --costs`` and ``lokus review``: printed results, exit 2 on bad rules."""

from __future__ import annotations

import argparse
import re

import numpy as np
import pandas as pd
import pytest

from geo.cli.budget import rupiah
from geo.cli.main import main


@pytest.fixture(scope="module")
def cost_file(tmp_path_factory, sumedang_villages):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("biaya") / "biaya.csv"
    frame = pd.DataFrame({"kode_desa": sumedang_villages["kode"],
                          "biaya": rng.integers(50, 300, len(sumedang_villages)) * 1_000_000})
    frame.loc[5, "biaya"] = None  # one village without a cost: listed, never imputed
    frame.to_csv(path, index=False)
    return path


def amount(text: str) -> int:
    return int(text.replace(".", ""))


def test_budget_choice_is_printed_with_cost_money_left_and_top_n_comparison(tmp_path, capsys, cost_file):
    rc = main(["score", "--top", "10", "--draws", "20", "--max-per-kecamatan", "2",
               "--out", str(tmp_path / "o.csv"), "--budget", "1.500.000.000", "--costs", str(cost_file),
               "--alternatives", "2"])
    assert rc == 0
    out = capsys.readouterr().out
    head = re.search(r"Pilihan dengan anggaran Rp 1\.500\.000\.000 \(total skor prioritas\): (\d+) desa", out)
    assert head is not None
    rows = re.findall(r"^  \d+\. .+\((32\.11\.\d\d\.\d{4})\), .+: Rp ([\d.]+); ", out, re.M)
    assert len(rows) == int(head.group(1)) > 10
    total = re.search(r"Biaya Rp ([\d.]+); sisa anggaran Rp ([\d.]+);", out)
    assert sum(amount(c) for _, c in rows) == amount(total.group(1)) <= 1_500_000_000
    assert amount(total.group(1)) + amount(total.group(2)) == 1_500_000_000
    kec = pd.Series([code[:8] for code, _ in rows])
    assert kec.value_counts().max() <= 2  # the ranking's quota holds for the budget list too
    assert "Dibanding top-10:" in out and "  bertambah (" in out and "  berkurang (" in out
    assert len(re.findall(r"^Alternatif \d \((99|98|100)", out, re.M)) == 2
    assert "1 desa tanpa biaya tidak ikut dipilih" in out


def test_unit_cost_without_file_and_children_objective(tmp_path, capsys):
    rc = main(["score", "--top", "5", "--draws", "20", "--out", str(tmp_path / "o.csv"), "--lang", "en",
               "--budget", "100000000", "--unit-cost", "1000000", "--budget-objective", "children",
               "--alternatives", "0"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "(stunted children reached)" in out
    total = re.search(r"Cost Rp ([\d,]+); money left Rp ([\d,]+); stunted children reached ([\d,]+)", out)
    cost, children = int(total.group(1).replace(",", "")), int(total.group(3).replace(",", ""))
    assert cost == children * 1_000_000 <= 100_000_000  # cost = unit cost × children, so ≈ all of it
    assert cost >= 90_000_000


def test_bad_budget_rules_exit_2_naming_the_rule(tmp_path, capsys, cost_file):
    out = str(tmp_path / "o.csv")
    assert main(["score", "--draws", "20", "--out", out, "--budget", "1000"]) == 2
    assert "--budget memerlukan --costs" in capsys.readouterr().err
    rc = main(["score", "--draws", "20", "--out", out, "--budget", "1000", "--costs", str(cost_file),
               "--force-in", "32.11.01.2001=SK Bupati"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "desa yang dipaksa masuk berbiaya Rp" in err and "melebihi anggaran Rp 1.000" in err


def test_rupiah_parser():
    assert rupiah("1.500.000.000") == 1.5e9 and rupiah("250000000") == 2.5e8 and rupiah("1,5") == 1.5
    with pytest.raises(argparse.ArgumentTypeError):
        rupiah("satu juta")


def test_review_prints_the_verdict_and_group_sizes(tmp_path, capsys, sumedang_villages):
    codes = list(sumedang_villages["kode"][::9])
    rc = main(["review", "--lokus", ",".join(codes), "--year-before", "2019", "--year", "2020",
               "--draws", "300", "--lang", "en"])
    assert rc == 0
    out = capsys.readouterr().out
    assert out.startswith("Lokus review: rasio_merah, 2019 → 2020")
    num = r"-?[\d.]+"
    assert re.search(rf"Difference-in-differences \(matched\): {num} points \(95%: {num} to {num}\)", out)
    groups = re.search(r"Lokus villages (\d+) \(matched (\d+)\); non-lokus villages (\d+); "
                       r"without both years (\d+)", out)
    assert sum(int(groups.group(i)) for i in (1, 3, 4)) == len(sumedang_villages)
    # from a file of last year's list, the year of the list is the lokus year
    listed = tmp_path / "lokus_2020.csv"
    pd.DataFrame({"kode": codes, "tahun": 2020}).to_csv(listed, index=False)
    assert main(["review", "--previous", str(listed), "--draws", "200"]) == 0
    assert capsys.readouterr().out.startswith("Reviu lokus: rasio_merah, 2020 → 2021")


def test_review_without_a_list_exits_2(capsys):
    assert main(["review"]) == 2
    assert "--previous FILE" in capsys.readouterr().err
