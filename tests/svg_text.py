"""Text boxes of an SVG as Chromium lays it out: what a reader sees overlap or get cut."""

from dataclasses import dataclass

CHROMIUM = "/usr/bin/chromium"
_SCRIPT = """() => {
  const svg = document.querySelector('svg');
  const r = svg.getBoundingClientRect();
  const boxes = [];
  for (const el of svg.querySelectorAll('text')) {
    const text = el.textContent.trim();
    const style = getComputedStyle(el);
    if (!text || style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') continue;
    if (el.closest('[style*="display: none"], [display="none"]')) continue;
    const b = el.getBoundingClientRect();
    if (b.width === 0 || b.height === 0) continue;
    const group = el.closest('.annotation, .legend, .g-gtitle, .xtick, .ytick, .g-xtitle, .g-ytitle, .textpoint');
    boxes.push({text, x0: b.left - r.left, y0: b.top - r.top, x1: b.right - r.left, y1: b.bottom - r.top,
                kind: group ? group.getAttribute('class').split(' ')[0] : el.getAttribute('class') || ''});
  }
  return {width: r.width, height: r.height, boxes};
}"""


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str

    def overlaps(self, other: "Box", tolerance: float = 0.5) -> bool:
        return (min(self.x1, other.x1) - max(self.x0, other.x0) > tolerance
                and min(self.y1, other.y1) - max(self.y0, other.y0) > tolerance)


class SvgMeasurer:
    """One headless Chromium page that measures many SVGs."""

    def __init__(self, browser):
        self._page = browser.new_page()

    def measure(self, svg: str) -> tuple[float, float, list[Box]]:
        self._page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
        self._page.evaluate("document.fonts.ready")
        found = self._page.evaluate(_SCRIPT)
        return found["width"], found["height"], [Box(**b) for b in found["boxes"]]

    def close(self) -> None:
        self._page.close()


def problems(width: float, height: float, boxes: list[Box], *, ignore=()) -> list[str]:
    """Text cut by the canvas, and pairs of text boxes that overlap.

    ``ignore``: texts drawn across the plot on purpose (the example stamp)."""
    found = [f"cut: {b.text!r} {b.x0:.0f},{b.y0:.0f}–{b.x1:.0f},{b.y1:.0f}" for b in boxes
             if b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > width + 0.5 or b.y1 > height + 0.5]
    checked = [b for b in boxes if b.text not in ignore]
    for i, a in enumerate(checked):
        for b in checked[i + 1:]:
            if a.overlaps(b):
                found.append(f"overlap: {a.text!r} ({a.kind}) and {b.text!r} ({b.kind})")
    return found
