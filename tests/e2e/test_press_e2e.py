"""The press view as the prorektor screenshots it: at each common screen, with and without the sidebar, no text
overlaps or is cut, the headline numbers read from across a room, and presentation mode is one screen."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_exception, wait_for_app_run

VIEWPORTS = [(1200, 675), (1280, 720), (1440, 900), (1920, 1080)]

# Every visible text fragment (one box per line) and every chart image in the main area, and any fragment that
# an ancestor with hidden overflow cuts off.
_LAYOUT = """() => {
  const main = document.querySelector('[data-testid=stMain]');
  const texts = [], cut = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(), n = 0; node; node = walker.nextNode(), n++) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      texts.push({id: n, text: node.textContent.trim(), x0: r.left, y0: r.top, x1: r.right,
                  y1: r.bottom});
      for (let a = el; a && a !== main; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const box = a.getBoundingClientRect();
        if (r.left < box.left - 1 || r.right > box.right + 1 || (style.overflowY !== 'visible'
            && a.scrollHeight <= a.clientHeight + 1 && (r.top < box.top - 1 || r.bottom > box.bottom + 1))) {
          cut.push(node.textContent.trim().slice(0, 40));
        }
      }
    }
  }
  const images = [...main.querySelectorAll('img.press-chart')].filter(i => i.checkVisibility()).map(i => {
    const r = i.getBoundingClientRect();
    return {alt: i.alt, complete: i.complete && i.naturalWidth > 0, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
  });
  const value = document.querySelector('.press-value');
  return {texts, cut, images, scroll: [main.scrollHeight, main.clientHeight], width: innerWidth,
          valueSize: parseFloat(getComputedStyle(value).fontSize)};
}"""


def _overlap(a, b, tolerance=1.0) -> bool:
    return (min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > tolerance
            and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > tolerance)


def _layout(browser, url: str, width: int, height: int) -> dict:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(url)
    wait_for_app_run(page, timeout=120_000)  # a fresh server draws the press images first (seconds on a busy box)
    assert_no_exception(page)
    expect(page.locator(".press-value")).to_have_count(5)
    expect(page.locator("img.press-chart:visible")).to_have_count(3)
    page.wait_for_function("[...document.querySelectorAll('img.press-chart')].every(i => i.complete)")
    found = page.evaluate(_LAYOUT)
    found["sidebar"] = page.get_by_test_id("stSidebar").is_visible()
    context.close()
    return found


def _problems(found: dict) -> list[str]:
    texts, images = found["texts"], found["images"]
    problems = [f"cut by its box: {t!r}" for t in found["cut"]]
    problems += [f"off the screen: {t['text'][:40]!r}" for t in texts if t["x0"] < -1 or t["x1"] > found["width"] + 1]
    for i, a in enumerate(texts):
        problems += [f"{a['text'][:40]!r} overlaps {b['text'][:40]!r}" for b in texts[i + 1:]
                     if a["id"] != b["id"] and _overlap(a, b)]
        problems += [f"{a['text'][:40]!r} lies on the chart {img['alt'][:30]!r}" for img in images if _overlap(a, img)]
    for i, a in enumerate(images):
        assert a["complete"], f"chart image not drawn: {a['alt']}"
        problems += [f"chart off the screen: {a['alt'][:30]!r}" for _ in [1] if a["x1"] > found["width"] + 1]
        problems += [f"charts overlap: {a['alt'][:30]!r}" for b in images[i + 1:] if _overlap(a, b)]
    return problems


@pytest.mark.parametrize("width, height", VIEWPORTS)
def test_presentation_mode_is_one_clean_screen(server, browser, width, height):
    """No sidebar, no scroll, no overlapping or cut text, three whole charts; numbers ≥ 64 px at 1920 wide."""
    found = _layout(browser, f"{server}/press?present=1", width, height)
    assert not found["sidebar"]
    assert _problems(found) == []
    scroll, client = found["scroll"]
    assert scroll <= client, f"the page scrolls: {scroll} px of content in {client} px"
    assert all(img["y1"] <= height + 1 for img in found["images"]), "a chart runs below the screen"
    if width == 1920:
        assert found["valueSize"] >= 64


@pytest.mark.parametrize("width, height", VIEWPORTS)
def test_the_press_view_with_its_sidebar_is_clean_in_english(server, browser, width, height):
    """With the sidebar (it may scroll): nothing overlaps or is cut, every label and chart in English."""
    found = _layout(browser, f"{server}/press?lang=en", width, height)
    assert found["sidebar"]
    assert _problems(found) == []
    shown = " ".join(t["text"] for t in found["texts"]) + " ".join(i["alt"] for i in found["images"])
    assert "Source: International Office, Mid Sweden University" in shown
    assert not re.search(r"Källa|Mittuniversitetet|Utresande|mål |Förbrukning", shown), "Swedish on an English page"
    assert re.search(r"\d%", shown) and not re.search(r"\d %", shown), "English percentages have no space"
    if width == 1920:
        assert found["valueSize"] >= 64


def test_the_normal_press_view_keeps_the_sidebar_and_links_to_presentation_mode(server, page):
    page.goto(f"{server}/press?lang=en")
    wait_for_app_run(page, timeout=120_000)
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    page.get_by_role("button", name="Presentation mode (no sidebar)").click()
    expect(page).to_have_url(re.compile(r"present=1"))
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_text("The mobility plan in figures")).to_be_visible()
