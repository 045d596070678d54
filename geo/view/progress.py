"""Where the planner is in the Aksi 1 → 2 → 3 day: the steps of the step bar, what each has
done and what it still misses, and whether the active scenario has unsaved changes.

Pure Python (no dash): the page gathers the facts (:class:`FlowFacts`) from its small stores
and the scenario database, :func:`flow_status` turns them into one :class:`StepStatus` per
step, each with catalogue messages (``flow.*`` keys) rendered at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.core.messages import Message

__all__ = ["STEPS", "FlowFacts", "StepStatus", "flow_status", "same_config", "slider_weights"]

#: The steps, in order (labels ``flow.step.<key>``): Aksi 1 situation analysis, scoring and
#: choosing, Aksi 2 plan, Aksi 3 rembuk with its Berita Acara, downloads.
STEPS = ("situasi", "skoring", "rencana", "rembuk", "unduh")
#: Config fields that are not a decision: notes are written by the engine, the preset only
#: names where the weights came from.
_NOT_DECISIONS = ("notes", "preset")


@dataclass(frozen=True)
class FlowFacts:
    """What the page knows about the planner's day.

    Attributes
    ----------
    n_villages, n_kecamatan
        Villages and kecamatan of the dataset.
    has_coverage, coverage_synthetic
        Whether the dataset has coverage indicators (the Aksi 2 plan targets them), and
        whether they are synthetic.
    n_chosen
        Villages in the current list; ``None`` = not scored yet.
    scenario, version
        Name and version of the active (saved) scenario; ``None`` = none active.
    unsaved
        The current settings differ from the active scenario's saved ones.
    n_plan
        Saved Aksi 2 plan items of the active scenario.
    meeting
        The rembuk was opened in presenter mode.
    berita_acara, export
        File names of the Berita Acara and of the last export downloaded (``None``: none yet).
    """

    n_villages: int
    n_kecamatan: int = 0
    has_coverage: bool = False
    coverage_synthetic: bool = False
    n_chosen: int | None = None
    scenario: str | None = None
    version: int | None = None
    unsaved: bool = False
    n_plan: int = 0
    meeting: bool = False
    berita_acara: str | None = None
    export: str | None = None


@dataclass(frozen=True)
class StepStatus:
    """One step of the bar: ``state`` is ``done`` (nothing missing), ``partial`` (something
    done, something missing) or ``todo``; ``current`` marks where the planner is."""

    key: str
    state: str
    current: bool
    done: tuple[Message, ...] = ()
    missing: tuple[Message, ...] = ()


def _step(key: str, current: str, done: list[Message], missing: list[Message]) -> StepStatus:
    state = "done" if done and not missing else "partial" if done else "todo"
    return StepStatus(key, state, key == current, tuple(done), tuple(missing))


def flow_status(facts: FlowFacts, current: str = STEPS[0]) -> list[StepStatus]:
    """One status per step of :data:`STEPS`, in order; ``current`` = the step shown now."""
    f = facts
    saved = f.scenario is not None
    no_scenario = Message.of("flow.missing.no_scenario")
    # 1. data
    done = [Message.of("flow.done.data", n=f.n_villages, kec=f.n_kecamatan)] if f.n_villages else []
    missing = [] if f.n_villages else [Message.of("flow.missing.no_data")]
    if not f.has_coverage:
        missing.append(Message.of("flow.missing.no_coverage"))
    elif f.coverage_synthetic:
        done.append(Message.of("flow.done.coverage_synthetic"))
    steps = [_step("situasi", current, done, missing)]
    # 2. scoring and choosing, saved as the active scenario
    if f.n_chosen is None:
        done, missing = [], [Message.of("flow.missing.not_scored")]
    else:
        done = [Message.of("flow.done.scored", n=f.n_chosen)]
        if saved:
            done.append(Message.of("flow.done.saved", name=f.scenario, version=f.version or 1))
        missing = ([Message.of("flow.missing.not_saved")] if not saved
                   else [Message.of("flow.missing.unsaved")] if f.unsaved else [])
    steps.append(_step("skoring", current, done, missing))
    # 3. Aksi 2 plan (saved with the scenario)
    done = [Message.of("flow.done.plan", n=f.n_plan)] if saved and f.n_plan else []
    missing = [no_scenario] if not saved else [] if f.n_plan else [Message.of("flow.missing.plan")]
    if not f.has_coverage:
        missing.append(Message.of("flow.missing.plan_no_coverage"))
    steps.append(_step("rencana", current, done, missing))
    # 4. rembuk: presented, Berita Acara made
    done = ([Message.of("flow.done.meeting")] if f.meeting else []) + (
        [Message.of("flow.done.berita_acara", file=f.berita_acara)] if f.berita_acara else [])
    missing = [] if f.berita_acara else [Message.of("flow.missing.berita_acara")]
    if not saved:
        missing.insert(0, no_scenario)
    steps.append(_step("rembuk", current, done, missing))
    # 5. downloads
    done = [Message.of("flow.done.export", file=f.export)] if f.export else []
    missing = [] if f.export else [Message.of("flow.missing.export")]
    steps.append(_step("unduh", current, done, missing))
    return steps


def slider_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights as the page's sliders hold them: whole percents, normalised to sum 1 (all
    zero: equal weights, like the page)."""
    percents = {k: float(round(100 * float(v))) for k, v in weights.items()}
    total = sum(percents.values())
    if not total:
        return {k: 1 / len(percents) for k in percents} if percents else {}
    return {k: v / total for k, v in percents.items()}


def _decisions(config: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in config.items() if k not in _NOT_DECISIONS}
    out["indicators"] = list(out.get("indicators") or [])
    out["weights"] = slider_weights(out.get("weights") or {})
    for key in ("force_in", "force_out"):
        out[key] = dict(out.get(key) or {})
    return out


def same_config(current: Mapping[str, Any] | None, saved: Mapping[str, Any] | None) -> bool:
    """Whether the page's settings (``current``, a ScoringConfig dict) are those saved.

    Weights are compared as the sliders show them (whole percents), so a scenario whose
    saved weights have more decimals (e.g. from AHP) is not "changed" just by loading it;
    notes and the preset's name are not decisions.
    """
    if current is None or saved is None:
        return current is saved
    a, b = _decisions(current), _decisions(saved)
    wa, wb = a.pop("weights"), b.pop("weights")
    if set(wa) != set(wb) or any(abs(wa[k] - wb[k]) > 1e-9 for k in wa):
        return False
    keys = set(a) | set(b)
    return all(a.get(k) == b.get(k) for k in keys)
