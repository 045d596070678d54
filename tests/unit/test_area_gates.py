"""The gates of area-scoped access (issue 12): the registry and the scenario store refuse a
dataset or scenario outside the request's area exactly as one that does not exist; on SQLite
and (marked pg) PostgreSQL."""

from __future__ import annotations

import pytest

from geo.core.errors import InputError
from geo.scoring.presets import preset_config
from geo.store.model import ScenarioNotFoundError, chosen_from_result
from geo.store.scenarios import Store
from geo.view.registry import Registry
from tests.conftest_db import db_url, empty_store, pg_database, store  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def registry(data_dir) -> Registry:
    return Registry(data_dir)


def gated(registry: Registry, area_sees: set[str]) -> Registry:
    """The registry's folders behind a gate that lets only the wilayahs in ``area_sees`` through."""
    return Registry(registry.data_dir, gate=lambda wilayah: wilayah in area_sees)


def test_registry_wilayah_and_gate(registry):
    assert registry.wilayah("sumedang") == "32.11"  # computed from the 277 village codes
    inside, outside = gated(registry, {"32.11"}), gated(registry, {"32.04"})
    assert inside.visible_ids() == ["sumedang"] and inside.first_visible() == "sumedang"
    assert inside.get("sumedang").id == "sumedang" and inside.title("sumedang")
    assert outside.visible_ids() == [] and outside.first_visible() is None
    assert outside.ids() == ["sumedang"]  # names stay reserved for every area
    for ask in (lambda: outside.get("sumedang"), lambda: outside.get(None),
                lambda: outside.geometry("sumedang"), lambda: outside.title("sumedang")):
        with pytest.raises(InputError) as refused:
            ask()
        with pytest.raises(InputError) as missing:
            outside.title("tidak-ada")
        assert refused.value.key == missing.value.key == "data.error.not_found"


def test_store_gate_refuses_as_not_found(store, registry):  # noqa: F811
    result = registry.score("sumedang", preset_config(registry.get("sumedang"), "prevalensi_kasus", 2021)
                            .to_dict())
    sid = store.save_new("Lokus", "sumedang", result.config, chosen_from_result(result), author="a").id
    store.gate = lambda dataset_id: dataset_id != "sumedang"
    assert store.find("sumedang") == []
    for ask in (lambda: store.get(sid), lambda: store.audit(sid), lambda: store.plan(sid),
                lambda: store.export_json(sid), lambda: store.rename(sid, "X", author="b"),
                lambda: store.duplicate(sid, "Y", author="b"), lambda: store.delete(sid, author="b"),
                lambda: store.set_notes(sid, "n", author="b"), lambda: store.compare(sid, sid)):
        with pytest.raises(ScenarioNotFoundError) as refused:
            ask()
        assert str(refused.value) == str(ScenarioNotFoundError.of("store.error.not_found", id=str(sid)))
    with pytest.raises(InputError) as new:
        store.save_new("Baru", "sumedang", result.config, chosen_from_result(result), author="b")
    assert new.value.key == "data.error.not_found"
    store.gate = None  # nothing was changed behind the gate
    assert store.get(sid).name == "Lokus" and store.get(sid).version == 1 and store.count() == 1
    store.delete(sid, author="a")
    assert len(store.deletions()) == 1
    store.gate = lambda dataset_id: dataset_id != "sumedang"
    assert store.deletions() == [] and store.deletions("sumedang") == []


def test_a_store_without_gate_sees_everything(tmp_path):
    plain = Store(f"sqlite:///{tmp_path}/t.db", data_dir=tmp_path)
    try:
        plain.upgrade()
        assert plain.gate is None and plain.find("sumedang") == []
    finally:
        plain.close()
