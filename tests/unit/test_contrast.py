"""WCAG 2.1 contrast (AA, normal text: at least 4.5:1) of the app's text colours.

Colours are read from assets/lokus.css (custom properties resolved); a rule without a
background is on white, a translucent background is laid over black (the darkest map colour
beneath it: the worst case). Bootstrap pairs the pages use are listed below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "layouts" / "assets" / "lokus.css"
AA = 4.5

#: Rules whose text sits on another rule's background.
ON = {".legend-count": ".map-legend"}

#: Bootstrap 5.3 (assets/bootstrap.min.css) pairs used by the layouts: (what, text, background).
BOOTSTRAP = [
    ("body text", "#212529", "#ffffff"),
    ("text-muted = rgba(33,37,41,.75)", "rgba(33,37,41,.75)", "#ffffff"),
    ("link", "#0d6efd", "#ffffff"),
    ("language switch (btn-outline-light on bg-dark)", "#f8f9fa", "#212529"),
    ("dataset title on the navbar", "#ffffff", "#212529"),
    ("warning badge, text-dark (SINTETIS)", "#212529", "#ffc107"),
    ("success badge / button", "#ffffff", "#198754"),
    ("danger badge", "#ffffff", "#dc3545"),
    ("secondary badge / button", "#ffffff", "#6c757d"),
    ("primary button", "#ffffff", "#0d6efd"),
]


def rgba(colour: str) -> tuple[float, float, float, float]:
    """``#rgb``, ``#rrggbb`` or ``rgb(a)(…)`` → (r, g, b in 0–255, alpha)."""
    colour = colour.strip().lower()
    if colour.startswith("#"):
        hex_ = colour[1:]
        if len(hex_) == 3:
            hex_ = "".join(c * 2 for c in hex_)
        return (int(hex_[0:2], 16), int(hex_[2:4], 16), int(hex_[4:6], 16), 1.0)
    parts = [float(p) for p in re.findall(r"[\d.]+", colour)]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def over(colour: str, base: tuple[float, float, float]) -> tuple[float, float, float]:
    """A (possibly translucent) colour laid over an opaque one."""
    r, g, b, a = rgba(colour)
    return (a * r + (1 - a) * base[0], a * g + (1 - a) * base[1], a * b + (1 - a) * base[2])


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (0–255 channels)."""
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(text: str, background: str, under: tuple[float, float, float] = (255, 255, 255)) -> float:
    """Contrast ratio (1–21) of text on a background; translucent colours are composited."""
    bg = over(background, under)
    fg = over(text, bg)
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def css_pairs() -> list[tuple[str, str, str, tuple[float, float, float]]]:
    """(selector, text, background, what lies under the background) from lokus.css."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules = {sel.strip(): dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", body))
             for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", text)}
    variables = {k: v.strip() for k, v in rules.get(":root", {}).items() if k.startswith("--")}

    def value(raw: str) -> str:
        raw = raw.replace("!important", "").strip()
        match = re.fullmatch(r"var\((--[\w-]+)\)", raw)
        return variables[match.group(1)] if match else raw

    def background(decls: dict) -> str | None:
        raw = decls.get("background-color") or decls.get("background")
        return value(raw) if raw and re.match(r"(#|rgb|var\()", raw.strip()) else None

    pairs = []
    for selector, decls in rules.items():
        if "color" not in decls or selector == ":root":
            continue
        host = rules.get(ON.get(selector, ""), decls)
        bg = background(decls) or background(host) or "#ffffff"
        under = (0.0, 0.0, 0.0) if rgba(bg)[3] < 1 else (255.0, 255.0, 255.0)
        pairs.append((selector, value(decls["color"]), bg, under))
    return pairs


@pytest.mark.parametrize(("text", "background", "expected"), [
    ("#777777", "#ffffff", 4.48),  # the classic near miss
    ("#767676", "#ffffff", 4.54),  # the lightest grey that passes on white
    ("#000000", "#ffffff", 21.0),
    ("#ffffff", "#ffffff", 1.0),
    ("#ffffff", "#0d6efd", 4.50),  # Bootstrap primary button
    ("#595959", "#ffffff", 7.0),
])
def test_contrast_function_matches_known_values(text, background, expected):
    assert contrast(text, background) == pytest.approx(expected, abs=0.01)
    assert contrast(background, text) == pytest.approx(expected, abs=0.01)  # symmetric


def test_translucent_colours_are_composited():
    # 50 % white on black = grey 127.5: 5.28:1 against black, fainter than opaque white
    assert contrast("rgba(255,255,255,.5)", "#000000") == pytest.approx(
        contrast("rgb(127.5,127.5,127.5)", "#000000"))
    assert contrast("rgba(255,255,255,.5)", "#000000") < contrast("#ffffff", "#000000")


def test_stylesheet_has_text_colours_to_check():
    selectors = [p[0] for p in css_pairs()]
    assert ".legend-count" in selectors and ".empty-state" in selectors
    assert ".navbar-subtitle" in selectors


@pytest.mark.parametrize(("selector", "text", "background", "under"), css_pairs(),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_stylesheet_text_is_readable(selector, text, background, under):
    ratio = contrast(text, background, under)
    assert ratio >= AA, f"{selector}: {text} on {background} = {ratio:.2f}:1 (< {AA})"


@pytest.mark.parametrize(("what", "text", "background"), BOOTSTRAP, ids=[b[0] for b in BOOTSTRAP])
def test_bootstrap_pairs_in_use_are_readable(what, text, background):
    ratio = contrast(text, background)
    assert ratio >= AA, f"{what}: {ratio:.2f}:1"


def test_focus_rings_stand_out():
    """WCAG 2.1 1.4.11: a focus indicator needs 3:1 against what surrounds it."""
    root = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", CSS.read_text(encoding="utf-8")))
    assert contrast(root["--lokus-focus"].strip(), "#ffffff") >= 3
    assert contrast(root["--lokus-focus-dark"].strip(), root["--lokus-navbar"].strip()) >= 3
