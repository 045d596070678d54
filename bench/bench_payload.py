"""Benchmark: what a browser downloads on a first visit, per update, and server time (issue 13).

Run: ``.venv/bin/python bench/bench_payload.py [--national PATH] [--repeat 20]``.

The app runs in-process (``create_app`` + the Flask test client, ``Accept-Encoding: gzip``,
or ``--encoding "gzip, deflate, br"`` for what Chromium sends). :class:`Visit` replays what
the Dash renderer asks for: the page, its CSS/JS, ``/_dash-dependencies``, ``/_dash-layout``,
then every callback the first render fires (in dependency order, with the values of the
components, and those that the answers trigger in turn). Two datasets: the embedded
Sumedang (277 villages) and West Java (province 32 of the national file: 5,957 villages
with a seeded synthetic table, labelled SINTETIS), built like ``bench_map.py`` builds the
national one. Figures are measured here, never asserted in tests.

Limits of the replay (checked against Chromium's own requests for Sumedang: 31 callback
requests here, 33 in Chromium, 27.0 vs 27.8 KB): clientside callbacks are not run, Patch
answers are not applied to the values the replay keeps, and the lazily loaded JS chunks
counted are those Chromium fetched for this page (:data:`LAZY_CHUNKS`). Server time is the
in-process time of each request (callback, JSON, compression); on a shared machine it grows
with the load average printed above the table.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench.bench_map import NATIONAL, synthetic_national  # noqa: E402
from geo.data.library import user_datasets_dir  # noqa: E402
from layouts import ids  # noqa: E402

UPDATE = "/_dash-update-component"
#: Chunks the renderer loads after the page (Graph, Dropdown, Upload, Slider, AG Grid, plotly).
LAZY_CHUNKS = ("/_dash-component-suites/dash/dcc/async-graph.js",
               "/_dash-component-suites/dash/dcc/async-dropdown.js",
               "/_dash-component-suites/dash/dcc/async-upload.js",
               "/_dash-component-suites/dash/dcc/async-slider.js",
               "/_dash-component-suites/dash_ag_grid/async-community.js",
               "/_dash-component-suites/plotly/package_data/plotly.min.js")
WEST_JAVA = "32"  # province code (kode_prov)


@dataclass
class Transfer:
    """One request: path, body bytes before and after compression, server milliseconds."""

    path: str
    raw: int
    sent: int
    ms: float
    status: int = 200
    up: int = 0  # request body bytes (the browser's upload)


def decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        return brotli.decompress(body)
    return body


def id_key(component_id) -> str:
    """Dash's string form of a component id (dict ids: sorted compact JSON)."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def as_id(component: str | dict) -> str | dict:
    """A component id as the layout holds it (``_dash-dependencies`` writes dict ids as JSON)."""
    return json.loads(component) if isinstance(component, str) and component.startswith("{") else component


def parse_dep(text: str) -> tuple:
    """``"id.prop"`` → (id, prop)."""
    component, prop = text.rsplit(".", 1)
    return as_id(component), prop


def outputs_of(spec: dict) -> list[tuple]:
    out = spec["output"]
    if out.startswith(".."):
        return [parse_dep(part) for part in out[2:-2].split("...")]
    return [parse_dep(out)]


@dataclass
class Visit:
    """One browser tab: component values, pending callbacks, and every transfer it made."""

    client: object
    encoding: str
    props: dict = field(default_factory=dict)  # (id key, prop) -> value
    ids: dict = field(default_factory=dict)  # id key -> id
    transfers: list[Transfer] = field(default_factory=list)
    deps: list[dict] = field(default_factory=list)

    # ------------------------------------------------------------------ requests
    def request(self, path: str, body: dict | None = None) -> tuple[Transfer, bytes]:
        headers = {"Accept-Encoding": self.encoding, "Origin": "http://localhost"}
        t0 = time.perf_counter()
        up = b"" if body is None else json.dumps(body).encode()
        if body is None:
            response = self.client.get(path, headers=headers)
        else:
            response = self.client.post(path, data=up, content_type="application/json", headers=headers)
        ms = 1000 * (time.perf_counter() - t0)
        data = decoded(response.get_data(), response.headers.get("Content-Encoding"))
        transfer = Transfer(path, len(data), len(response.get_data()), ms, response.status_code, len(up))
        self.transfers.append(transfer)
        return transfer, data

    def first_page(self, query: str = "") -> None:
        """The page (``query``: its ``?…``), its assets, the dependencies, the layout and the
        first callbacks (and those that a dcc.Location fires when it reads the address)."""
        _t, html = self.request(f"/{query}")
        links = re.findall(rb'(?:href|src)="(/(?:assets|_dash-component-suites)/[^"?]+)', html)
        for path in [*(p.decode() for p in links), *LAZY_CHUNKS]:
            self.request(path)
        self.deps = [d for d in json.loads(self.request("/_dash-dependencies")[1])
                     if not d.get("clientside_function")]
        layout = json.loads(self.request(f"/_dash-layout{query}")[1])  # as assets/lokus.js asks
        added = self.add_components(layout)
        located = self.locate(layout, query)
        first = [d for d in self.deps if not d.get("prevent_initial_call") and self.shown(d, added)]
        self.run([*first, *(s for s, _h in self.triggered(located, set()) if s not in first)],
                 changed=[])

    def locate(self, node, query: str) -> list[str]:
        """Give every dcc.Location the page's address; the prop ids so set."""
        if isinstance(node, list):
            return [pid for child in node for pid in self.locate(child, query)]
        if not isinstance(node, dict) or "props" not in node:
            return []
        found = [pid for value in node["props"].values() for pid in self.locate(value, query)]
        if node.get("type") == "Location":
            key = id_key(node["props"]["id"])
            address = {"pathname": "/", "search": query, "hash": "", "href": f"http://localhost/{query}"}
            for prop, value in address.items():
                self.props[(key, prop)] = value
                found.append(f"{key}.{prop}")
        return found

    def shown(self, spec: dict, added: set[str]) -> bool:
        """Whether a callback fires when the components ``added`` appear: one of its
        outputs (of its inputs, for a callback without outputs) is among them."""
        deps = [(d["id"], d["property"]) for d in spec["inputs"]  # a list of ALL changes
                if spec.get("no_output") or isinstance(as_id(d["id"]), dict)] + outputs_of(spec)
        return any(id_key(i) in added for dep in deps for i in self.resolve(dep))

    # ------------------------------------------------------------------ components
    def add_components(self, node) -> set[str]:
        """Record the values of every component in ``node``; the id keys seen."""
        seen: set[str] = set()
        if isinstance(node, list):
            for child in node:
                seen |= self.add_components(child)
        elif isinstance(node, dict) and "props" in node and "type" in node:
            props = node["props"]
            if "id" in props:
                key = id_key(props["id"])
                self.ids[key] = props["id"]
                seen.add(key)
                for prop, value in props.items():
                    self.props[(key, prop)] = value
            for value in props.values():
                seen |= self.add_components(value)
        return seen

    def resolve(self, dep: tuple, match: dict | None = None) -> list:
        """Concrete ids of a dependency (wildcards: every matching id present)."""
        component = as_id(dep[0])
        if not isinstance(component, dict):
            return [component] if component in self.ids else []
        found = []
        for candidate in self.ids.values():
            if not isinstance(candidate, dict) or candidate.keys() != component.keys():
                continue
            if all(v == candidate[k] or (v == ["ALL"]) or (v == ["MATCH"] and (match is None or
                   match.get(k) == candidate[k])) for k, v in component.items()):
                found.append(candidate)
        return found

    def entries(self, deps: list[dict], match: dict | None, values: bool = True) -> list:
        """The request's list for ``deps``: id, property and (inputs, state) value."""
        out = []
        for dep in deps:
            pair = (dep["id"], dep["property"])
            items = [{"id": i, "property": dep["property"]} for i in self.resolve(pair, match)]
            if values:
                for item in items:
                    item["value"] = self.props.get((id_key(item["id"]), dep["property"]))
            wild = isinstance(as_id(dep["id"]), dict) and ["ALL"] in as_id(dep["id"]).values()
            out.append(items if wild else (items[0] if items else None))
        return out

    # ------------------------------------------------------------------ callbacks
    def run(self, pending: list[dict], changed: list[str], limit: int = 400) -> list[Transfer]:
        """Fire ``pending`` and whatever their answers trigger; the transfers made."""
        start = len(self.transfers)
        queue = [(spec, list(changed)) for spec in pending]
        while queue and limit:
            limit -= 1
            ready = next((q for q in queue if not self.waits(q[0], queue)), queue[0])
            queue.remove(ready)
            for spec, prop_ids in self.fire(*ready):
                entry = next((q for q in queue if q[0] is spec), None)
                if entry is None:
                    queue.append((spec, prop_ids))
                else:
                    entry[1].extend(prop_ids)
        return self.transfers[start:]

    def waits(self, spec: dict, queue: list) -> bool:
        """Whether an input of ``spec`` is an output of another queued callback (the
        renderer runs that one first)."""
        blocked = {(id_key(i), p) for other, _c in queue if other is not spec
                   for d, p in outputs_of(other) for i in self.resolve((d, p))}
        return any((id_key(item["id"]), item["property"]) in blocked
                   for entry in self.entries(spec["inputs"], None)
                   for item in (entry if isinstance(entry, list) else [entry]) if item)

    def fire(self, spec: dict, changed: list[str]) -> list[tuple[dict, list[str]]]:
        """POST one callback; record its answer; the callbacks it triggers."""
        outputs = self.entries([{"id": d, "property": p} for d, p in outputs_of(spec)], None,
                               values=False)
        inputs, state = self.entries(spec["inputs"], None), self.entries(spec.get("state", []), None)
        if (not spec.get("no_output") and None in outputs) or None in inputs or None in state:
            return []  # a component it needs is not on the page: the renderer does not call it
        body = {"output": spec["output"], "outputs": outputs if spec["output"].startswith("..")
                else outputs[0], "inputs": inputs, "state": state, "changedPropIds": changed}
        transfer, data = self.request(UPDATE, body)
        if not data or transfer.status != 200:
            return []  # 204: PreventUpdate
        answer = json.loads(data).get("response", {})
        triggered, new = [], set()
        for key, values in answer.items():
            for prop, value in values.items():
                if not (isinstance(value, dict) and "__dash_patch_update" in value):
                    self.props[(key, prop)] = value
                    new |= self.add_components(value)
                triggered.append(f"{key}.{prop}")
        return self.triggered(triggered, new, source=spec)

    def triggered(self, prop_ids: list[str], new: set[str],
                  source: dict | None = None) -> list[tuple[dict, list[str]]]:
        """Callbacks with one of ``prop_ids`` as input, or first shown by ``new`` components
        (a callback's own outputs never trigger it again: Dash's circular callbacks)."""
        out = []
        for spec in self.deps:
            if spec is source:
                continue
            hits = [pid for pid in prop_ids for d in spec["inputs"]
                    for i in self.resolve((d["id"], d["property"]))
                    if pid == f"{id_key(i)}.{d['property']}"]
            fresh = not spec.get("prevent_initial_call") and self.shown(spec, new)
            if hits or fresh:
                out.append((spec, hits))
        return out

    def change(self, component: str, prop: str, value) -> list[Transfer]:
        """What the user does: set a value; the callbacks it fires (and theirs)."""
        self.props[(component, prop)] = value
        return self.run([s for s, _h in self.triggered([f"{component}.{prop}"], set())],
                        changed=[f"{component}.{prop}"])


# ---------------------------------------------------------------------------- measuring
def west_java(folder: Path, national: Path) -> None:
    """A dataset folder: the villages of West Java cut from the national file, with a seeded
    synthetic count table (:func:`bench_map.synthetic_national`), titled SINTETIS."""
    villages = pyogrio.read_dataframe(national, where=f"kode_prov = '{WEST_JAVA}'")
    gpkg = folder / "jawa_barat.gpkg"
    pyogrio.write_dataframe(villages, gpkg, layer="desa")
    synthetic_national(folder, gpkg)
    meta = json.loads((folder / "dataset.json").read_text())
    meta["title"] = f"Jawa Barat {len(villages):,} desa (tabel SINTETIS)".replace(",", ".")
    (folder / "dataset.json").write_text(json.dumps(meta))


def kb(transfers: list[Transfer], attr: str = "sent") -> float:
    return round(sum(getattr(t, attr) for t in transfers) / 1e3, 1)


def is_asset(t: Transfer) -> bool:
    return t.path.startswith(("/assets/", "/_dash-component-suites/"))


def updates(visit: Visit, component: str, prop: str, values: list, repeat: int) -> tuple[list, list]:
    """Alternate ``component.prop`` between ``values`` ``repeat`` times: (KB, server ms) each."""
    sizes, times, ups = [], [], []
    for i in range(repeat):
        made = visit.change(component, prop, values[i % len(values)])
        sizes.append(kb(made))
        ups.append(kb(made, "up"))
        times.append(sum(t.ms for t in made))
    return sizes, times, ups


def measure(label: str, encoding: str, repeat: int, national: Path | None = None) -> dict:
    """First page and the two updates of one dataset: the embedded one, or (``national``
    given) West Java, saved as a user dataset and opened by its address."""
    with tempfile.TemporaryDirectory() as state:
        query = ""
        if national is not None:
            folder = user_datasets_dir(state) / "jawa_barat"
            folder.mkdir(parents=True)
            west_java(folder, national)
            query = "?dataset=jawa_barat"
        t0 = time.perf_counter()
        app = create_app(database_url=f"sqlite:///{state}/bench.db", state_dir=state)
        start_s = time.perf_counter() - t0
        visit = Visit(app.server.test_client(), encoding)
        visit.first_page(query)
        shown = visit.props.get((ids.STORE_DATASET, "data"))
        if national is not None and shown != "jawa_barat":
            raise SystemExit(f"the page showed {shown!r}, not West Java")
        return {"dataset": label, "app start s": round(start_s, 1), **figures(visit, query, repeat)}


def figures(visit: Visit, query: str, repeat: int) -> dict:
    """The table's figures from a visit that has loaded its first page."""
    page = [t for t in visit.transfers if not is_asset(t)]
    assets = [t for t in visit.transfers if is_asset(t)]
    calls = [t for t in page if t.path == UPDATE]
    layout = next(t for t in page if t.path.startswith("/_dash-layout"))
    again = statistics.median(visit.request(f"/_dash-layout{query}")[0].ms for _ in range(3))
    indicators = [o["value"] for o in visit.props[(ids.FILTER_INDICATOR, "options")][:2]]
    top_n = visit.props[(ids.SCORE_TOP_N, "value")] or 10
    ind_kb, ind_ms, ind_up = updates(visit, ids.FILTER_INDICATOR, "value", indicators[::-1], repeat)
    # every value new: a scoring configuration seen before is answered from the result cache
    score_kb, score_ms, score_up = updates(visit, ids.SCORE_TOP_N, "value",
                                           [top_n + 1 + i for i in range(repeat)], repeat)
    _kb, cached_ms, _up = updates(visit, ids.SCORE_TOP_N, "value", [top_n + 1, top_n + 2], repeat)
    return {
        "first page KB raw (no assets)": kb(page, "raw"),
        "first page KB sent (no assets)": kb(page),
        "  of which /_dash-layout KB raw / sent": f"{kb([layout], 'raw')} / {kb([layout])}",
        "  of which HTML KB sent": kb([t for t in page if not t.path.startswith("/_")]),
        f"  of which {len(calls)} callbacks KB sent": kb(calls),
        "assets KB raw / sent (cached after)": f"{kb(assets, 'raw')} / {kb(assets)}",
        "first page + assets MB sent": round((kb(page) + kb(assets)) / 1e3, 2),
        "layout server ms (first / later visits)": f"{round(layout.ms)} / {round(again)}",
        "indicator update KB sent (max)": max(ind_kb),
        "  its requests KB (browser upload, max)": max(ind_up),
        f"indicator update server ms (median of {repeat})": round(statistics.median(ind_ms)),
        "scoring update KB sent (max)": max(score_kb),
        "  its requests KB (browser upload, max) ": max(score_up),
        f"scoring update server ms (median of {repeat}, new configs)": round(statistics.median(score_ms)),
        f"  same, config scored before (median of {repeat})": round(statistics.median(cached_ms)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--national", default=str(NATIONAL))
    parser.add_argument("--encoding", default="gzip", help="the browser's Accept-Encoding")
    parser.add_argument("--repeat", type=int, default=20, help="updates timed per kind")
    args = parser.parse_args()
    rows = [measure("Sumedang (embedded, 277)", args.encoding, args.repeat)]
    national = Path(args.national)
    if national.exists():
        rows.append(measure("Jawa Barat (5,957, SINTETIS table)", args.encoding, args.repeat, national))
    else:
        print(f"national file not found ({national}); West Java skipped", file=sys.stderr)
    print(f"Accept-Encoding: {args.encoding}; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores (server times grow with other work on the machine)")
    print(pd.DataFrame(rows).set_index("dataset").T.to_string())


if __name__ == "__main__":
    main()
