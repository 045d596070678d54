"""Local Moran hotspots on a synthetic 10×10 grid of boxes."""

from __future__ import annotations

import warnings

import esda
import geopandas as gpd
import numpy as np
import pytest
from libpysal.weights import Queen
from shapely.geometry import box

from geo.scoring.hotspots import local_moran


def _grid(extra_island: bool = False) -> gpd.GeoSeries:
    cells = [box(c, r, c + 1, r + 1) for r in range(10) for c in range(10)]
    index = [f"32.11.{r:02d}.{2001 + c}" for r in range(10) for c in range(10)]
    if extra_island:
        cells.append(box(50, 50, 51, 51))
        index.append("32.11.99.2001")
    return gpd.GeoSeries(cells, index=index)


def _planted(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 1, 100)
    block = [r * 10 + c for r in range(3, 6) for c in range(3, 6)]
    y[block] += 5.0
    return y


def test_planted_cluster_is_high_high() -> None:
    g = _grid()
    res = local_moran(_planted(), g, permutations=999, seed=1)
    centre = g.index[4 * 10 + 4]
    assert res.quadrant[centre] == "HH"
    assert res.significant[centre]
    assert res.cluster[centre] == "Tinggi-Tinggi"
    block = [g.index[r * 10 + c] for r in range(3, 6) for c in range(3, 6)]
    assert (res.cluster[block] == "Tinggi-Tinggi").sum() >= 7
    # still found with FDR
    assert local_moran(_planted(), g, seed=1, fdr=True).cluster[centre] == "Tinggi-Tinggi"


def test_random_field_has_few_fdr_discoveries() -> None:
    rng = np.random.default_rng(2024)
    res = local_moran(rng.normal(size=100), _grid(), seed=3, fdr=True)
    assert res.significant.sum() <= 3
    plain = local_moran(rng.normal(size=100), _grid(), seed=3)
    assert plain.significant.sum() <= 15  # ≈ 5 expected at α = 0.05


def test_agrees_with_esda() -> None:
    g = _grid()
    y = _planted(5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = Queen.from_iterable(list(g), ids=list(range(100)))
    w.transform = "r"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        ref = esda.Moran_Local(y, w, permutations=999, seed=7)
    res = local_moran(y, g, seed=7, fdr=True)
    quad = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
    assert res.quadrant.tolist() == [quad[q] for q in ref.q]
    np.testing.assert_allclose(res.I.to_numpy(), ref.Is)
    # and the statistic by hand: Queen neighbours of cell (r, c) are the ≤ 8 cells around it,
    # I_i = (n − 1) z_i L_i / Σ z², L_i = mean of neighbours' z
    z = y - y.mean()
    lag = np.empty(100)
    for i in range(100):
        r, c = divmod(i, 10)
        nb = [rr * 10 + cc for rr in range(r - 1, r + 2) for cc in range(c - 1, c + 2)
              if (rr, cc) != (r, c) and 0 <= rr < 10 and 0 <= cc < 10]
        lag[i] = z[nb].mean()
    np.testing.assert_allclose(res.I.to_numpy(), 99 * z * lag / (z**2).sum())
    np.testing.assert_allclose(res.p_sim.to_numpy(), ref.p_sim)
    assert res.threshold == pytest.approx(esda.fdr(ref.p_sim, 0.05))
    np.testing.assert_array_equal(res.significant.to_numpy(), ref.p_sim <= res.threshold)


def test_neighbours_islands_and_missing_values() -> None:
    g = _grid(extra_island=True)
    y = np.append(_planted(), 100.0)
    y[55] = np.nan  # row 5, col 5
    res = local_moran(y, g, seed=1)
    # Queen on a grid: corner 3, edge 5, interior 8; cells touching the NaN cell lose one
    assert res.n_neighbours[g.index[0]] == 3
    assert res.n_neighbours[g.index[5]] == 5
    assert res.n_neighbours[g.index[22]] == 8
    assert res.n_neighbours[g.index[44]] == 7
    assert res.cluster[g.index[55]] == "Tidak ada data"
    island = g.index[100]
    assert res.island[island] and res.n_neighbours[island] == 0
    assert res.cluster[island] == "Tanpa tetangga" and not res.significant[island]
    assert np.isnan(res.I[island]) and np.isnan(res.I[g.index[55]])
    assert list(res.cluster.index) == list(g.index)
