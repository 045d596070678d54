"""Local Moran's I (LISA) hotspots of a village indicator.

Queen contiguity (shared edge or vertex), row-standardised, and
``esda.Moran_Local`` with conditional permutation inference. With
:math:`z_i = y_i - \\bar y` and the spatial lag :math:`L_i = \\sum_j w_{ij} z_j`
(row-standardised :math:`w`):

.. math::

    I_i = (n - 1)\\,\\frac{z_i L_i}{\\sum_k z_k^2}

Quadrant: HH (:math:`z_i > 0, L_i > 0`), LH (:math:`z_i \\le 0, L_i > 0`),
LL (:math:`z_i \\le 0, L_i \\le 0`), HL (:math:`z_i > 0, L_i \\le 0`) — the same
convention as esda's ``q``. ``p_sim`` is esda's one-sided ("directed")
conditional-permutation pseudo p-value, (1 + number of permuted I_i at least as
extreme, on the side of the observed I_i)/(permutations + 1), as in GeoDa. A
village is *significant* when ``p_sim`` ≤ α, or, with ``fdr=True``, ≤ the
Benjamini–Hochberg threshold from ``esda.fdr`` (which falls back to Bonferroni
α/n when nothing passes).

Missing values: villages with NaN are dropped before the weights are built (they
neither get a statistic nor count as anyone's neighbour) and are labelled
"Tidak ada data". Islands (no neighbour among the remaining villages) are also
left out of the statistic (they have no spatial lag), labelled "Tanpa tetangga"
and never significant.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from functools import lru_cache

import esda
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.weights import Queen, W
from numpy.typing import ArrayLike

from geo.core.errors import InputError
from geo.core.i18n import t

__all__ = ["CLUSTER_LABELS", "HotspotResult", "local_moran"]

#: Quadrant code → cluster label: a value of the ``lisa`` column (the Indonesian word is the
#: code; pages and exports show it through the catalogue).
CLUSTER_LABELS = {
    "HH": "Tinggi-Tinggi",
    "LL": "Rendah-Rendah",
    "HL": "Tinggi-Rendah",
    "LH": "Rendah-Tinggi",
}
NOT_SIGNIFICANT = t("scoring.engine.term.tidak_signifikan")
ISLAND = t("scoring.engine.term.tanpa_tetangga")
NO_DATA = t("scoring.engine.term.tidak_ada_data")


@dataclass(frozen=True)
class HotspotResult:
    """Local Moran results, indexed like the input geometry.

    Attributes
    ----------
    I, p_sim
        Local statistic and pseudo p-value (NaN for islands and missing values).
    quadrant
        "HH", "LL", "HL", "LH" (None where not computed).
    significant
        Bool; always False for islands and missing values.
    cluster
        Indonesian label: "Tinggi-Tinggi" … or "Tidak signifikan", "Tanpa tetangga",
        "Tidak ada data".
    n_neighbours
        Queen neighbours among villages with data.
    island
        No neighbour among villages with data.
    threshold
        p-value threshold applied (α, or the FDR threshold).
    """

    I: pd.Series  # noqa: E741 - the statistic's standard name
    p_sim: pd.Series
    quadrant: pd.Series
    significant: pd.Series
    cluster: pd.Series
    n_neighbours: pd.Series
    island: pd.Series
    threshold: float


@lru_cache(maxsize=4)
def _queen_graph(wkb_digest: str, wkb: tuple[bytes, ...]) -> dict[int, list[int]]:
    """Queen neighbours of every polygon, by position (cached: a dataset's boundaries do not
    change between scoring runs, and building the graph is most of the LISA's time)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; handled by the callers
        w = Queen.from_iterable(list(shapely.from_wkb(list(wkb))), ids=list(range(len(wkb))))
    return {i: list(w.neighbors[i]) for i in range(len(wkb))}


def _subgraph(geoms: gpd.GeoSeries, positions: np.ndarray) -> W:
    """Queen weights among ``geoms.iloc[positions]`` (ids 0..k-1): contiguity is a property of
    each pair, so it is the whole map's graph restricted to them."""
    shapes = geoms.to_numpy().copy()
    shapes[shapely.is_missing(shapes)] = shapely.Polygon()  # no vertex, no neighbour
    wkb = tuple(shapely.to_wkb(shapes))
    full = _queen_graph(hashlib.sha1(b"".join(wkb)).hexdigest(), wkb)  # a cache key, not security
    new_id = np.full(len(geoms), -1)
    new_id[positions] = np.arange(len(positions))
    neighbours = {k: [int(new_id[j]) for j in full[int(p)] if new_id[j] >= 0]
                  for k, p in enumerate(positions)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return W(neighbours, ids=list(range(len(positions))))


def _moran(w: W, y: np.ndarray, permutations: int,
           seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(I, pseudo p, quadrant code)`` of villages that all have a value and a neighbour."""
    w.transform = "r"
    with warnings.catch_warnings():
        # esda 2.x warns that its default alternative will change; Moran_Local
        # does not expose the argument, and we document the current ('directed') one.
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        lisa = esda.Moran_Local(y, w, transformation="r", permutations=permutations, seed=seed, n_jobs=1)
    z = y - y.mean()
    lag = w.sparse @ z
    quad = np.select([(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)],
                     ["HH", "LH", "LL"], "HL")
    return lisa.Is, lisa.p_sim, quad


def local_moran(
    values: ArrayLike,
    geometry: gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
    fdr: bool = False,
) -> HotspotResult:
    """Local Moran's I with Queen contiguity; see the module docstring.

    Parameters
    ----------
    values
        One value per geometry (same order).
    geometry
        Village polygons (GeoSeries, or a GeoDataFrame's active geometry).
    permutations, seed
        Conditional permutations and their seed (results are reproducible).
    alpha
        Significance level.
    fdr
        Use the Benjamini–Hochberg threshold (``esda.fdr``) instead of α.
    """
    geoms = geometry.geometry if isinstance(geometry, gpd.GeoDataFrame) else geometry
    y_all = np.asarray(values, dtype=float)
    if y_all.shape != (len(geoms),):
        raise ValueError("values must have one entry per geometry")
    if permutations < 1:
        raise InputError.of("scoring.error.permutations")
    if not 0 < alpha < 1:
        raise InputError.of("scoring.error.alpha")
    index = geoms.index
    m = len(y_all)
    valid = ~np.isnan(y_all) & ~geoms.isna().to_numpy() & ~geoms.is_empty.to_numpy()
    n_nb = np.zeros(m, dtype=np.int64)
    I = np.full(m, np.nan)  # noqa: E741
    p = np.full(m, np.nan)
    quad = np.full(m, None, dtype=object)
    used = np.zeros(m, dtype=bool)
    threshold = alpha

    pos_valid = np.flatnonzero(valid)
    if pos_valid.size:
        w_valid = _subgraph(geoms, pos_valid)
        card = np.array([w_valid.cardinalities[i] for i in range(pos_valid.size)])
        n_nb[pos_valid] = card
        keep = pos_valid[card > 0]
        used[keep] = True
        if keep.size >= 3:
            I[keep], p[keep], quad[keep] = _moran(_subgraph(geoms, keep), y_all[keep], permutations, seed)
            if fdr:
                threshold = float(esda.fdr(p[keep], alpha))
        else:
            used[:] = False

    significant = used & (p <= threshold)
    cluster = np.where(
        ~valid, NO_DATA,
        np.where(n_nb == 0, ISLAND,
                 np.where(significant,
                          pd.Series(quad).map(CLUSTER_LABELS).fillna(NOT_SIGNIFICANT).to_numpy(),
                          NOT_SIGNIFICANT)),
    )

    def s(a: np.ndarray, name: str) -> pd.Series:
        return pd.Series(a, index=index, name=name)

    return HotspotResult(
        I=s(I, "I"), p_sim=s(p, "p_sim"), quadrant=s(quad, "kuadran"),
        significant=s(significant, "signifikan"), cluster=s(cluster, "klaster"),
        n_neighbours=s(n_nb, "jumlah_tetangga"), island=s(valid & (n_nb == 0), "pulau"),
        threshold=threshold,
    )
