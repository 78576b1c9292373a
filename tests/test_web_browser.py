"""The explorer page in a real browser: Debian's Chromium, driven headless by Playwright from pytest.

Digits are drawn with mouse (and touch) movements on the canvas; every number the page shows
is compared with what the library computes for the very input the page sent.  Screenshots go
to pytest's temporary folder (scripts/screenshot_explorer.py takes the docs' picture).
"""

import base64
import contextlib
import importlib.util
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, explore_command
from conftest import start_explorer, write_mnist

from digitnet import data, insight
from digitnet.images import image_to_input
from digitnet.models import load_bundled
from digitnet.network import Network

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api", reason="the `playwright` Python package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (.ci/run installs it with apt-get)", allow_module_level=True)

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}

# Digits as pen strokes, in fractions of the canvas side.
SEVEN = [[(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]]
ONE = [[(0.5, 0.15), (0.5, 0.85)]]
ZERO = [[(0.5 + 0.22 * np.sin(t), 0.5 - 0.32 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]]


# ---------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory):
    return write_mnist(tmp_path_factory.mktemp("mnist"), train=(3000, 28), test=(100, 28))


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A browser tab on the explorer that records console errors, failed requests and every predict."""

    def __init__(self, browser, url, viewport=DESKTOP, has_touch=False, **context_options):
        self.context = browser.new_context(viewport=viewport, has_touch=has_touch, **context_options)
        self.page = self.context.new_page()
        self.problems = []
        self.predictions = []  # (request body, response body) of each POST /api/predict
        self.pending = set()  # requests under way (event streams excepted)
        self.page.on("request", lambda r: "/events" not in r.url and self.pending.add(r))
        self.page.on("requestfinished", lambda r: self.pending.discard(r))
        self.page.on("requestfailed", lambda r: self.pending.discard(r))
        self.page.on(
            "console", lambda m: m.type in ("error", "warning") and self.problems.append(f"console {m.type}: {m.text}")
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed request: {r.url} ({r.failure})"))
        self.page.on("response", self._response)
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready=true]")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url} {response.text()[:200]}")
        elif response.url.endswith("/api/predict"):
            self.predictions.append((json.loads(response.request.post_data), response.json()))

    def testid(self, name):
        return self.page.get_by_test_id(name)

    def draw(self, strokes):
        """Draw ``strokes`` with the mouse, many small moves per segment (as a hand would)."""
        box = self.testid("draw-canvas").bounding_box()
        at = lambda x, y: (box["x"] + x * box["width"], box["y"] + y * box["height"])  # noqa: E731
        for stroke in strokes:
            self.page.mouse.move(*at(*stroke[0]))
            self.page.mouse.down()
            for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
                for t in np.linspace(0, 1, 12)[1:]:
                    self.page.mouse.move(*at(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
            self.page.mouse.up()
        self.settle()

    def settle(self, quiet_ms=150, timeout_ms=20_000):
        """Wait until no request has been under way for ``quiet_ms`` and the page has drawn a frame."""
        quiet = waited = 0
        while quiet < quiet_ms:
            self.page.wait_for_timeout(25)
            quiet = 0 if self.pending else quiet + 25
            waited += 25
            assert waited < timeout_ms, f"requests still under way: {[r.url for r in self.pending]}"
        self.page.evaluate("() => new Promise(requestAnimationFrame)")

    def last_input(self):
        """The network input (784,) for the last prediction, computed by the library from what the page sent."""
        body, _ = self.predictions[-1]
        if "png" in body:
            return image_to_input(base64.b64decode(body["png"]))
        return np.array(body["pixels"], dtype=np.float32)

    def open_tab(self, name):
        self.page.get_by_role("tab", name=name).click()

    def close(self):
        self.context.close()


@pytest.fixture
def page(browser, server):
    tab = Page(browser, server.url)
    yield tab
    tab.close()


def shot(tab, tmp_path, name):
    path = tmp_path / f"{name}.png"
    tab.page.screenshot(path=str(path), full_page=True)
    return path


def fmt(x, digits=3):
    """The page's number format (JavaScript toFixed)."""
    return f"{x:.{digits}f}"


# ---------------------------------------------------------------------- drawing and the answer
@pytest.mark.parametrize("strokes, digit", [(SEVEN, 7), (ONE, 1), (ZERO, 0)], ids=["seven", "one", "zero"])
def test_a_drawn_digit_is_read(page, strokes, digit, tmp_path):
    page.draw(strokes)
    assert page.testid("answer").inner_text() == str(digit)
    net = load_bundled()
    assert net.predict(page.last_input()) == digit  # the library reads the page's drawing the same way
    shot(page, tmp_path, f"drawn-{digit}")
    assert page.problems == []


def test_predictions_update_while_drawing_not_only_on_release(page):
    box = page.testid("draw-canvas").bounding_box()
    page.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.15 * box["height"])
    page.page.mouse.down()
    for y in np.linspace(0.15, 0.85, 25):
        page.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + y * box["height"])
        page.page.wait_for_timeout(15)
    page.settle()
    during = len(page.predictions)
    assert page.testid("answer").inner_text() == "1"
    page.page.mouse.up()
    assert during >= 3, f"only {during} predictions while the pen was down"


def test_every_panel_shows_the_librarys_numbers_for_the_same_input(page, tmp_path):
    net = load_bundled()
    page.draw(SEVEN)
    image = page.last_input()
    weighted_sums, activations = net.forward(image)
    outputs = activations[-1]

    # the answer and the ten output bars
    assert page.testid("answer").inner_text() == str(int(outputs.argmax()))
    values = page.testid("outputs").locator(".value").all_inner_texts()
    assert values == [fmt(a) for a in outputs]

    # the 28×28 input grid, read cell by cell with the keyboard
    grid = page.testid("input-grid")
    grid.focus()
    for key, (row, col) in [("ArrowDown", (15, 14)), ("ArrowRight", (15, 15)), ("ArrowUp", (14, 15))]:
        grid.press(key)
        readout = page.page.locator("#grid-readout").inner_text()
        assert readout == f"input neuron {28 * row + col} (row {row}, column {col}: {fmt(image[28 * row + col])})"

    # the network: a hidden neuron's bias, weighted sum and activation, chosen with the keyboard
    page.testid("network").focus()
    page.page.keyboard.press("ArrowDown")  # layer 1, neuron 0
    page.page.keyboard.press("ArrowDown")  # layer 1, neuron 1
    page.page.keyboard.press("ArrowRight")  # layer 2, neuron 1
    details = page.testid("neuron-details").inner_text()
    assert "Layer 2 neuron 1" in details
    assert f"bias b = {fmt(net.biases[1][1])}" in details
    assert f"z = w·a + b = {fmt(weighted_sums[1][1])}" in details
    assert f"σ(z) = {fmt(activations[2][1])}" in details

    # cost and nudges for the digit meant
    page.open_tab("Cost & nudges")
    page.page.get_by_role("radio", name="3").click()
    page.settle()
    breakdown = insight.cost_breakdown(net, image, 3)
    assert page.testid("cost-total").inner_text() == fmt(breakdown["cost"], 4)
    nudge_words = page.testid("nudges").locator("ol li .words").all_inner_texts()
    assert nudge_words == [n["words"] for n in insight.nudges(net, image[None], [3], top=10)["top"]]
    assert page.testid("nudges").locator("figure canvas").count() == 16
    shot(page, tmp_path, "cost")

    # what the neurons look for: every first-layer weight image, red where the weight is positive
    page.open_tab("What neurons look for")
    gallery = page.page.locator("#gallery")
    views_and_maximizing = 16 + 16 + 10 + 16 + 16 + 10
    gallery.locator("figure canvas").nth(views_and_maximizing - 1).wait_for()
    assert gallery.locator("figure canvas").count() == views_and_maximizing
    red = page.page.evaluate("""() => {
        const canvas = document.querySelector('#gallery figure canvas');
        const pixels = canvas.getContext('2d').getImageData(0, 0, 28, 28).data;
        return Array.from({length: 784}, (_, i) => pixels[4 * i] > pixels[4 * i + 2]);
    }""")
    weights = net.weights[0][0]
    clear = np.abs(weights) > 0.05 * np.abs(weights).max()
    assert np.array_equal(np.array(red)[clear], (weights > 0)[clear])
    shot(page, tmp_path, "gallery")
    assert page.problems == []


def test_the_noise_button_shows_the_networks_confident_answer(page, tmp_path):
    page.open_tab("Random image")
    page.testid("noise").click()
    page.settle()
    net = load_bundled()
    image = page.last_input()
    verdict = net.predict_or_reject(image)
    assert page.testid("answer").get_attribute("data-state") == verdict.state
    assert page.testid("answer").inner_text() == ("✗" if verdict.rejected else str(verdict.digit))
    text = page.testid("noise-answer").inner_text()
    said = "says it is not a digit" if verdict.rejected else f"says {int(net.feedforward(image).argmax())}"
    assert f"The network {said}" in text and "Of 1,000 such images" in text
    shot(page, tmp_path, "noise")
    assert page.problems == []


def test_stepping_through_test_images_and_the_mistakes(page, mnist_dir, tmp_path):
    net = load_bundled()
    _, (images, labels) = data.load_mnist(mnist_dir)
    page.open_tab("Test images")
    page.settle()
    assert "Test image 1 of 100 (MNIST test index 0): labelled" in page.page.locator("#test-info").inner_text()
    page.page.get_by_role("button", name="Next test image").click()
    page.settle()
    info = page.page.locator("#test-info").inner_text()
    assert info.startswith(
        f"Test image 2 of 100 (MNIST test index 1): labelled {labels[1]}; the network says {net.predict(images[1])}"
    )
    np.testing.assert_array_equal(page.last_input(), images[1])
    page.page.get_by_label("only the network's mistakes").check()
    page.settle()
    mistakes = np.flatnonzero(net.predict(images) != labels)
    assert page.page.locator("#test-count").inner_text() == f"of {len(mistakes)}"
    assert f"(MNIST test index {mistakes[0]})" in page.page.locator("#test-info").inner_text()
    shot(page, tmp_path, "test-images")
    assert page.problems == []


# ---------------------------------------------------------------------- training from the page
def chart_points(tab):
    return int(tab.testid("train-chart").get_attribute("data-points") or 0)


def test_training_from_the_page_streams_the_curve_and_explores_the_new_network(page, tmp_path):
    page.open_tab("Train")
    page.page.get_by_label("Hidden layers", exact=True).fill("8")
    page.page.get_by_label("Epochs", exact=True).fill("30")
    page.page.get_by_label("Batch size", exact=True).fill("1")
    page.page.get_by_label("Training images", exact=True).fill("3000")
    # every value the chart's point count takes, recorded by the page itself (polling could miss a fast run)
    page.page.evaluate("""() => {
        const chart = document.querySelector('[data-testid=train-chart]');
        window.chartPoints = [];
        new MutationObserver(() => window.chartPoints.push(+chart.dataset.points))
            .observe(chart, {attributes: true, attributeFilter: ['data-points']});
    }""")
    page.page.get_by_role("button", name="Train", exact=True).click()
    deadline = time.monotonic() + 120
    while "Done" not in page.testid("train-status").inner_text():
        assert not page.testid("train-status").inner_text().startswith("Training failed")
        assert time.monotonic() < deadline, "training from the page did not finish in 2 minutes"
        page.page.wait_for_timeout(20)
    seen = set(page.page.evaluate("() => window.chartPoints")) | {chart_points(page)}
    assert max(seen) == 30 and len(seen - {0, 30}) >= 2, f"the curve did not advance during training: {sorted(seen)}"
    page.page.wait_for_function("() => document.querySelector('#model').value.startsWith('net-')")
    assert page.page.locator("#model-info").inner_text().startswith("784-8-10")
    shot(page, tmp_path, "trained")
    page.draw(ONE)  # the new network answers drawings
    assert page.predictions[-1][0]["model"].startswith("net-")
    assert page.problems == []


def test_training_can_be_stopped_from_the_page(page):
    page.open_tab("Train")
    page.page.get_by_label("Epochs", exact=True).fill("100")
    page.page.get_by_label("Batch size", exact=True).fill("1")
    page.page.get_by_label("Training images", exact=True).fill("3000")
    page.page.get_by_role("button", name="Train", exact=True).click()
    page.page.wait_for_function("() => +document.querySelector('[data-testid=train-chart]').dataset.points >= 1")
    page.page.get_by_role("button", name="Stop").click()
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=train-status]').textContent.startsWith('Stopped')"
    )
    assert page.page.get_by_role("button", name="Train", exact=True).is_enabled()
    assert page.problems == []


def test_without_data_the_page_explains_and_downloads_with_progress(browser, tmp_path, mnist_mirror):
    server = start_explorer(data_dir=tmp_path / "cache", mirrors=(mnist_mirror,))
    tab = Page(browser, server.url)
    try:
        tab.open_tab("Test images")
        assert "digitnet download" in tab.page.locator("#tests-missing").inner_text()
        tab.open_tab("Train")
        notice = tab.page.locator("#train-missing-text").inner_text()
        assert str(tmp_path / "cache") in notice and "digitnet download" in notice and "--data" in notice
        assert tab.page.get_by_role("button", name="Train", exact=True).is_disabled()
        shot(tab, tmp_path, "no-data")
        tab.page.get_by_role("button", name="Download MNIST").click()
        tab.page.wait_for_function(
            "() => document.querySelector('#download-status').textContent.startsWith('MNIST is ready')"
        )
        tab.page.locator("#train-missing").wait_for(state="hidden")
        assert tab.page.get_by_role("button", name="Train", exact=True).is_enabled()
        assert tab.problems == []
    finally:
        tab.close()
        server.close()


# ---------------------------------------------------------------------- normal use, phones, keyboards
def test_normal_use_leaves_the_console_clean(page):
    page.page.get_by_role("button", name="Clear").click()  # clear an empty canvas
    page.page.mouse.click(10, 10)  # a click outside the canvas
    page.draw(SEVEN)
    page.testid("clear").click()
    page.settle()
    assert page.testid("answer").inner_text() == ""
    assert page.testid("outputs").locator(".value").all_inner_texts() == ["–"] * 10
    page.page.get_by_role("button", name="Undo").click()  # undo with nothing to undo
    page.draw(ONE)
    page.page.get_by_role("button", name="Undo").click()  # back to an empty canvas
    page.settle()
    assert page.testid("answer").inner_text() == ""
    for name in ["Random image", "What neurons look for", "Test images", "Train", "Cost & nudges"]:
        page.open_tab(name)
        page.settle()
    page.open_tab("Random image")
    for _ in range(3):
        page.testid("noise").click()
        page.settle()
    page.draw(ZERO)
    page.open_tab("Cost & nudges")
    page.page.get_by_role("radio", name="0").click()
    page.settle()
    assert page.problems == []


def in_viewport(tab, testid):
    """Whether the element is wholly inside the browser's viewport (not scrolled away, not cut)."""
    box = tab.testid(testid).bounding_box()
    size = tab.page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 0.5
        and box["y"] + box["height"] <= size["height"] + 0.5
    )


def test_the_page_works_on_a_phone_sized_touch_screen_with_the_answer_in_view(browser, server, tmp_path):
    tab = Page(browser, server.url, viewport=PHONE, has_touch=True)
    try:
        assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        box = tab.testid("draw-canvas").bounding_box()
        assert box["width"] >= 0.45 * PHONE["width"]
        cdp = tab.context.new_cdp_session(tab.page)
        x = box["x"] + 0.5 * box["width"]
        points = [(x, box["y"] + y * box["height"]) for y in np.linspace(0.15, 0.85, 20)]
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
        )
        for px, py in points[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": px, "y": py}]})
        tab.settle()
        # while the finger is still down: the drawing and the answer are both on screen
        assert tab.testid("answer").inner_text() == "1"
        assert in_viewport(tab, "draw-canvas") and in_viewport(tab, "answer") and in_viewport(tab, "outputs")
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        tab.settle()
        assert tab.testid("answer").inner_text() == "1"
        assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        shot(tab, tmp_path, "phone")
        assert tab.problems == []
    finally:
        tab.close()


def test_the_controls_work_from_the_keyboard(page):
    keyboard = page.page.keyboard
    page.page.get_by_role("tab", name="Cost & nudges").focus()
    keyboard.press("ArrowRight")  # → What neurons look for
    keyboard.press("ArrowRight")  # → Random image
    assert page.page.get_by_role("tab", name="Random image").get_attribute("aria-selected") == "true"
    page.testid("noise").focus()
    keyboard.press("Enter")
    page.settle()
    assert page.testid("answer").get_attribute("data-state") in ("sure", "unsure", "rejected")
    page.testid("clear").focus()
    keyboard.press("Space")
    page.settle()
    assert page.testid("answer").inner_text() == ""
    # every control can be reached with Tab
    reached = set()
    page.page.locator("body").focus()
    for _ in range(40):
        keyboard.press("Tab")
        reached.add(page.page.evaluate("() => document.activeElement.dataset.testid || document.activeElement.id"))
    assert {"clear", "undo", "model", "input-grid", "network", "tab-noise"} <= reached
    assert page.problems == []


def test_a_network_trained_in_one_browser_does_not_take_over_another(browser, mnist_dir):
    server = start_explorer(data_dir=mnist_dir)
    trainer, watcher = Page(browser, server.url), Page(browser, server.url)
    try:
        watcher.draw(SEVEN)
        trainer.open_tab("Train")
        trainer.page.get_by_label("Hidden layers", exact=True).fill("8")
        trainer.page.get_by_label("Epochs", exact=True).fill("2")
        trainer.page.get_by_role("button", name="Train", exact=True).click()
        trainer.page.wait_for_function("() => document.querySelector('#model').value.startsWith('net-')")
        latecomer = Page(browser, server.url)
        watcher.draw(ONE)
        assert watcher.predictions[-1][0]["model"] == "default"
        assert latecomer.page.locator("#model").input_value() == "default"
        assert latecomer.page.locator("#model option").count() == 1 + 1  # but the new network is offered
        assert watcher.problems == trainer.problems == latecomer.problems == []
        latecomer.close()
    finally:
        trainer.close()
        watcher.close()
        server.close()


# ---------------------------------------------------------------------- the lesson's defects, one test each
SLOW_NOISE = """() => {   // answers from /api/noise and /api/test-image reach the page 1.5 s late
    const original = window.fetch;
    window.fetch = async (url, options) => {
        const response = await original(url, options);
        if (/api\\/(noise|test-image)/.test(String(url))) await new Promise((r) => setTimeout(r, 1500));
        return response;
    };
}"""


def test_a_late_random_image_never_replaces_what_the_person_draws(browser, server):
    tab = Page(browser, server.url)
    try:
        tab.page.evaluate(SLOW_NOISE)
        tab.open_tab("Random image")
        button = tab.testid("noise")
        button.click()
        assert button.is_disabled() and button.get_attribute("aria-busy") == "true"  # progress shown, no queueing
        tab.draw(ONE)  # the person starts drawing while the reply is on its way
        tab.page.wait_for_timeout(1800)
        tab.settle()
        assert tab.testid("answer").inner_text() == "1"
        assert "png" in tab.predictions[-1][0]  # the last answer is for the drawing, not the noise
        assert tab.page.locator("#draw-hint").is_hidden()
        assert tab.testid("noise-answer").count() == 0  # and no noise caption
        assert button.is_enabled()
        assert tab.problems == []
    finally:
        tab.close()


def test_numbers_of_an_old_input_go_when_the_input_changes(page):
    page.draw(SEVEN)
    page.page.get_by_role("radio", name="8").click()
    page.settle()
    assert page.testid("cost-total").count() == 1
    page.testid("clear").click()
    assert page.page.locator("[role=radio][aria-checked=true]").count() == 0  # "you meant 8" is gone
    page.draw(SEVEN)
    assert page.page.locator("[role=radio][aria-checked=true]").count() == 0
    assert page.testid("cost-total").count() == 0
    # a test image's caption and label go when the person draws over it
    page.open_tab("Test images")
    page.settle()
    assert page.page.locator("#test-info").inner_text().startswith("Test image 1")
    assert page.page.locator("[role=radio][aria-checked=true]").count() == 1  # its label
    page.draw(ONE)
    assert page.page.locator("#test-info").inner_text() == ""
    assert page.page.locator("[role=radio][aria-checked=true]").count() == 0
    # and a random image's caption
    page.open_tab("Random image")
    page.testid("noise").click()
    page.settle()
    assert page.testid("noise-answer").count() == 1
    page.draw(ONE)
    assert page.testid("noise-answer").count() == 0
    assert page.problems == []


def test_the_cost_is_asked_once_per_finished_drawing_not_per_pointer_move(page):
    costs = []
    page.page.on("request", lambda r: r.url.endswith("/api/cost") and costs.append(r))
    page.draw(SEVEN)
    page.page.get_by_role("radio", name="7").click()
    page.settle()
    assert len(costs) == 1
    page.draw([[(0.3, 0.5), (0.6, 0.5)]])  # one more stroke (a crossed 7): many moves, one new cost
    assert len(costs) == 2 and page.testid("cost-total").count() == 1
    assert page.problems == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_core_loop_is_on_one_screen_while_drawing(browser, server, viewport):
    tab = Page(browser, server.url, viewport=viewport)
    try:
        box = tab.testid("draw-canvas").bounding_box()
        tab.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.15 * box["height"])
        tab.page.mouse.down()
        for y in np.linspace(0.15, 0.85, 15):
            tab.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + y * box["height"])
        tab.settle()
        assert tab.testid("answer").inner_text() == "1"
        assert in_viewport(tab, "draw-canvas") and in_viewport(tab, "answer")
        if viewport is DESKTOP:
            assert in_viewport(tab, "network") and in_viewport(tab, "outputs")
        tab.page.mouse.up()
        tab.settle()
        if viewport is DESKTOP:  # a panel's effect stays beside the network: scroll the panel, the network stays
            tab.open_tab("Cost & nudges")
            tab.page.get_by_role("radio", name="7").click()
            tab.settle()
            tab.page.locator("[data-testid=nudges] ol li").last.scroll_into_view_if_needed()
            tab.page.locator("[data-testid=nudges] ol li").last.hover()
            assert in_viewport(tab, "network") and in_viewport(tab, "answer")
            assert tab.testid("network").get_attribute("data-highlight") != ""  # the nudge is pointed at
        # the 28×28 input is drawn once
        assert tab.page.locator("canvas[data-testid=input-grid]").count() == 1
        assert tab.problems == []
    finally:
        tab.close()


X_MARK = [[(0.25, 0.25), (0.75, 0.75)], [(0.75, 0.25), (0.25, 0.75)]]
SCRIBBLE = [[(0.5 + 0.35 * np.sin(7 * t), 0.5 + 0.35 * np.cos(5 * t)) for t in np.linspace(0, 2 * np.pi, 60)]]


def test_the_answer_says_how_sure_it_is(page):
    net = load_bundled()
    words = {"sure": "It's {a} {d}", "unsure": "Probably {a} {d}, not sure", "rejected": "Not a digit"}
    states = []
    for strokes in (SEVEN, [[(0.5, 0.5)]], X_MARK, SCRIBBLE):  # a digit, a tap, an X, a scribble
        page.testid("clear").click()
        page.draw(strokes)
        verdict = net.predict_or_reject(page.last_input())  # the library's verdict for what the page sent
        state = page.testid("answer").get_attribute("data-state")
        assert state == verdict.state and page.predictions[-1][1]["state"] == verdict.state
        d = verdict.digit
        assert page.testid("answer-words").inner_text() == words[state].format(a="an" if d == 8 else "a", d=d)
        why = page.page.evaluate(
            "async (p) => (await import('/js/answer.js')).answerWhy(p)", page.predictions[-1][1]
        )  # the reason or the confidence, in words, before the outputs
        assert page.page.locator("#confidence").inner_text().startswith(why + "its most active output")
        states.append(state)
    assert states[0] == "sure"  # the drawn 7
    assert set(states[1:]) - {"sure"}, states  # not every non-digit is read as a sure digit
    words = page.page.evaluate("""async () => {
        const { answerWords } = await import('/js/answer.js');
        return [answerWords({state: 'sure', digit: 8}), answerWords({state: 'unsure', digit: 8}),
                answerWords({state: 'rejected', digit: null})];
    }""")
    assert words == ["It's an 8", "Probably an 8, not sure", "Not a digit"]
    why = page.page.evaluate("""async () => {
        const { answerWhy } = await import('/js/answer.js');
        return [answerWhy({state: 'sure'}), answerWhy({state: 'unsure', confidence: 0.861}),
                answerWhy({state: 'rejected', reason: 'digit check'}),
                answerWhy({state: 'rejected', reason: 'not a drawing'})];
    }""")
    assert why == [
        "",
        "its confidence (top output's share of the ten) is only 0.86; ",
        "the digit check does not see one digit in it; ",
        "it looks like a photograph or a texture, not a drawing; ",
    ]
    assert page.problems == []


def test_a_network_with_a_rejector_says_not_a_digit(browser, mnist_dir):
    from digitnet.rejection import fit_rejector

    (images, labels), _ = data.load_mnist(mnist_dir)
    net = load_bundled()
    net.rejector = fit_rejector(images[:2500], labels[:2500], images[2500:])
    server = start_explorer(net=net, data_dir=mnist_dir)
    tab = Page(browser, server.url)
    try:
        tab.open_tab("Random image")
        tab.testid("noise").click()
        tab.settle()
        assert net.predict_or_reject(tab.last_input()).rejected  # the library rejects this noise …
        assert tab.testid("answer").get_attribute("data-state") == "rejected"  # … and the page says so
        assert tab.testid("answer-words").inner_text() == "Not a digit"
        assert tab.predictions[-1][1]["digit"] is None
        assert tab.problems == []
    finally:
        tab.close()
        server.close()


def test_the_live_region_announces_only_the_settled_answer(page):
    page.page.evaluate("""() => {
        window.announced = [];
        const region = document.querySelector('[data-testid=announce]');
        new MutationObserver(() => window.announced.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true});
    }""")
    page.draw(SEVEN)
    announced = [text for text in page.page.evaluate("() => window.announced") if text]
    assert announced == ["It's a 7."]
    assert page.testid("announce").get_attribute("aria-live") == "polite"


def rgb(text):
    return [int(v) for v in text[text.index("(") + 1 : text.index(")")].split(",")[:3]]


def relative_luminance(colour):
    channels = [c / 255 for c in colour]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    high, low = sorted([relative_luminance(a), relative_luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_one_colour_convention_with_a_legend_and_a_visible_drawing_edge(page):
    import matplotlib

    colours = matplotlib.colormaps["RdBu_r"]
    legend = page.testid("legend")
    assert "pushes the next neuron up" in legend.inner_text() and "down" in legend.inner_text()
    up, down = [rgb(s.evaluate("e => getComputedStyle(e).backgroundColor")) for s in legend.locator(".swatch").all()]
    assert up[0] > up[2] and down[2] > down[0]  # red up (positive), blue down (negative), as digitnet's figures
    # a weight picture's pixels are RdBu_r on the layer's shared linear scale
    page.open_tab("What neurons look for")
    page.page.locator("#gallery figure canvas").nth(15).wait_for()
    net = load_bundled()
    scale = np.abs(net.weights[0]).max()
    drawn = np.array(
        page.page.evaluate("""() => {
        const canvas = document.querySelectorAll('#gallery figure canvas')[3];
        return Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data);
    }""")
    ).reshape(784, 4)[:, :3]
    expected = np.round(255 * np.array(colours(0.5 + 0.5 * net.weights[0][3] / scale))[:, :3])
    assert np.abs(drawn - expected).max() <= 6  # 8-bit packing and interpolation
    bar_scale = float(page.page.locator("#gallery .colour-bar").first.get_attribute("data-scale"))
    assert bar_scale == pytest.approx(scale, rel=1e-6)
    # the drawing area's edge: at least 3:1 against the black canvas and against the card around it
    canvas = page.testid("draw-canvas")
    edge = rgb(canvas.evaluate("e => getComputedStyle(e).borderTopColor"))
    card = rgb(page.page.locator(".draw").evaluate("e => getComputedStyle(e).backgroundColor"))
    assert contrast(edge, [0, 0, 0]) >= 3 and contrast(edge, card) >= 3
    assert page.problems == []


def test_what_neurons_look_for_is_honest(page):
    net = load_bundled()
    page.open_tab("What neurons look for")
    page.page.locator(".reached").nth(41).wait_for()
    text = page.testid("panel-look").inner_text()
    assert "did not learn tidy edges and loops" in text
    assert "W·" not in text and "insight" not in text  # no formulas or module names in captions
    assert page.page.locator("#gallery .colour-bar").count() == 3  # one shared scale per layer
    reached = page.page.locator(".reached").all_inner_texts()
    outputs_reached = [t.split("= ")[1] for t in reached[-10:]]
    images = insight.activation_maximizations(net, 3, range(10), start=0.0)
    reached = net.forward(images.reshape(10, 784))[1][3].diagonal()
    assert outputs_reached == [fmt(a) for a in reached]
    assert min(reached) > 0.9  # starting from black, every output is excited
    assert page.problems == []


def test_small_things(page, server):
    # Esc clears, as the tooltip says
    page.draw(SEVEN)
    page.page.keyboard.press("Escape")
    assert page.testid("answer").inner_text() == ""
    # the test-image field counts from 1, like the caption; a position out of range is explained, not an API error
    page.open_tab("Test images")
    page.settle()
    field = page.page.locator("#test-position")
    assert field.input_value() == "1"
    field.fill("20000")
    field.press("Enter")
    page.settle()
    assert page.page.locator("#test-info").inner_text() == "Choose an image from 1 to 100."
    # the noise panel draws its histograms
    page.open_tab("Random image")
    page.testid("noise").click()
    page.settle()
    assert page.testid("noise-histogram").count() == 1
    # one number format: no exponents anywhere
    page.draw(SEVEN)
    page.open_tab("Cost & nudges")
    page.page.get_by_role("radio", name="7").click()
    page.settle()
    assert "e-" not in page.page.locator("main").inner_text()
    assert page.problems == []


@contextlib.contextmanager
def explorer_process(mnist_dir, **environment):
    """`digitnet explore` in its own process (as a person runs it), yielding (process, URL)."""
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), **environment}
    process = subprocess.Popen(
        explore_command("--data", str(mnist_dir)),
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    try:
        yield process, process.stdout.readline().split()[2]
    finally:
        process.terminate()
        process.wait(10)


def test_a_stopped_server_is_named_and_not_asked_again(browser, mnist_dir):
    with explorer_process(mnist_dir) as (process, url):
        tab = Page(browser, url)
        process.terminate()
        process.wait(10)
        requests = []
        tab.page.on("request", lambda r: "/api/" in r.url and requests.append(r.url))
        tab.draw(SEVEN)
        tab.page.wait_for_selector("#stopped:not([hidden])")
        assert "digitnet server stopped" in tab.page.locator("#stopped").inner_text()
        assert "Failed to fetch" not in tab.page.locator("body").inner_text()
        asked = len(requests)
        tab.draw(ONE)
        assert len(requests) == asked <= 2  # after the first failure (two may be under way) the page stops asking
        tab.close()


def test_the_page_is_light_and_cached(browser, server):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    transfers = []
    page.on(
        "requestfinished", lambda r: transfers.append(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"])
    )
    loads = []
    for load in (page.goto, lambda _: page.reload()):
        transfers.clear()
        load(server.url)
        page.wait_for_selector("body[data-ready=true]")
        page.wait_for_timeout(300)
        loads.append(sum(transfers))
    context.close()
    assert loads[0] <= 300_000, f"the first load transferred {loads[0]:,} bytes"
    assert loads[1] < loads[0] / 2, f"a reload transferred {loads[1]:,} bytes (the page's files were not revalidated)"


def test_every_panel_answers_at_once_on_a_fresh_install(browser, mnist_dir, tmp_path):
    """An empty compiler cache (a fresh install): the first answer of every panel within 2 s."""
    with explorer_process(mnist_dir, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache")) as (_, url):
        tab = Page(browser, url)
        seconds = {}

        def timed(name, action, done):
            start = time.monotonic()
            action()
            tab.page.wait_for_function(done, timeout=30_000)
            seconds[name] = time.monotonic() - start

        box = tab.testid("draw-canvas").bounding_box()

        def pen_down_and_move():
            tab.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.2 * box["height"])
            tab.page.mouse.down()
            tab.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"], steps=3)

        timed("drawing", pen_down_and_move, "() => document.querySelector('[data-testid=answer]').textContent !== ''")
        tab.page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.8 * box["height"], steps=3)
        tab.page.mouse.up()
        tab.settle()
        timed(
            "cost",
            lambda: tab.page.get_by_role("radio", name="1").click(),
            "() => document.querySelector('[data-testid=cost-total]')",
        )
        tab.open_tab("Random image")
        timed(
            "random image",
            lambda: tab.testid("noise").click(),
            "() => document.querySelector('[data-testid=noise-answer]')",
        )
        timed(
            "test images",
            lambda: tab.open_tab("Test images"),
            "() => document.querySelector('#test-info').textContent.startsWith('Test image')",
        )
        timed(
            "mistakes",
            lambda: tab.page.get_by_label("only the network's mistakes").check(),
            "() => document.querySelector('#test-count').textContent !== 'of 100'",
        )
        timed(
            "what neurons look for",
            lambda: tab.open_tab("What neurons look for"),
            "() => document.querySelectorAll('#gallery .reached').length === 42",
        )
        timed("lesson", lambda: tab.open_tab("Lesson"), "() => document.querySelector('[data-testid=lesson-step] h3')")
        assert max(seconds.values()) < 2, seconds
        assert tab.problems == []
        tab.close()


def test_the_lesson_steps_have_addresses_and_the_librarys_numbers(browser, server):
    net = load_bundled()
    tab = Page(browser, server.url + "#lesson/3")  # a step is a link
    try:
        step = tab.testid("lesson-step")
        assert tab.page.get_by_role("tab", name="Lesson").get_attribute("aria-selected") == "true"
        assert step.get_attribute("data-step") == "3" and "Weighted sum and bias" in step.inner_text()
        assert f"Layer 1 neuron 0 has bias {fmt(net.biases[0][0])}" in step.inner_text()
        tab.draw(SEVEN)
        weighted_sums, activations = net.forward(tab.last_input())
        assert f"its weighted sum is z = {fmt(weighted_sums[0][0])}" in step.inner_text()
        tab.page.locator("#lesson-next").click()
        tab.page.wait_for_function("() => location.hash === '#lesson/4'")
        assert "σ(z) = " + fmt(activations[1][0]) in step.inner_text()
        tab.page.goto(server.url + "#lesson/5")
        tab.page.wait_for_selector("body[data-ready=true]")
        assert f"{net.num_parameters:,} weights and biases" in tab.testid("lesson-step").inner_text()
        tab.page.goto(server.url + "#lesson/7")
        tab.page.wait_for_selector("body[data-ready=true]")
        assert fmt(net.history[-1]["test_cost"], 4) in tab.testid("lesson-step").inner_text()
        tab.page.get_by_role("button", name="Show me").click()  # a step acts on the live page
        assert tab.page.get_by_role("tab", name="Cost & nudges").get_attribute("aria-selected") == "true"
        assert tab.problems == []
    finally:
        tab.close()


def test_the_training_chart_is_crisp_titled_and_zoomed(browser, server):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=true]")
        page.get_by_role("tab", name="Train").click()
        page.get_by_label("Hidden layers", exact=True).fill("8")
        page.get_by_label("Epochs", exact=True).fill("3")
        page.get_by_label("Training images", exact=True).fill("3000")
        for knob in ["hidden", "lr", "epochs", "batch", "schedule", "limit"]:
            help_id = page.locator(f"#train-{knob}").get_attribute("aria-describedby")
            assert help_id and len(page.locator(f"#{help_id}").inner_text()) > 20  # each knob explained in a line
        page.get_by_role("button", name="Train", exact=True).click()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=train-status]').textContent.startsWith('Done')", timeout=120_000
        )
        chart = page.get_by_test_id("train-chart")
        css_width = chart.evaluate("e => e.getBoundingClientRect().width")
        assert chart.evaluate("e => e.width") == round(2 * css_width)  # one canvas pixel per device pixel
        panel_width = page.get_by_test_id("panel-train").evaluate("e => e.getBoundingClientRect().width")
        assert css_width > 0.9 * panel_width - 40  # as wide as its panel, not 640 px
        assert float(chart.get_attribute("data-accuracy-from")) > 0  # accuracy on its own, zoomed axis
        assert chart.get_attribute("data-epoch-zero") == "true"  # the cost before the first step
        assert int(chart.get_attribute("data-batches")) >= 30  # and as the weights change
        assert page.get_by_role("button", name="lr 10 (too big)").is_enabled()
    finally:
        context.close()


def train_from_the_page(tab, hidden, epochs, batch_size, limit):
    tab.open_tab("Train")
    tab.page.get_by_label("Hidden layers", exact=True).fill(hidden)
    tab.page.get_by_label("Epochs", exact=True).fill(str(epochs))
    tab.page.get_by_label("Batch size", exact=True).fill(str(batch_size))
    tab.page.get_by_label("Training images", exact=True).fill(str(limit))
    tab.page.get_by_role("button", name="Train", exact=True).click()


def wait_until_trained(tab, timeout_s=120):
    tab.page.wait_for_function(
        "() => /^(Done|Training failed)/.test(document.querySelector('[data-testid=train-status]').textContent)",
        timeout=timeout_s * 1000,
    )
    assert tab.testid("train-status").inner_text().startswith("Done")


def test_the_training_chart_plots_the_true_cost_from_before_the_first_step(browser, mnist_dir):
    server = start_explorer(data_dir=mnist_dir)
    tab = Page(browser, server.url)
    try:
        train_from_the_page(tab, "8", epochs=2, batch_size=10, limit=3000)
        wait_until_trained(tab)
        job = tab.page.evaluate("() => fetch('/api/status').then((r) => r.json()).then((s) => s.training)")
        chart = tab.testid("train-chart")
        # the first point: the untrained network's cost on the first mini-batch training takes (the seeded order)
        (images, labels), _ = data.load_mnist(mnist_dir)
        untrained = Network([784, 8, 10], seed=0)
        first_batch = np.random.default_rng(0).permutation(3000)[:10]
        assert float(chart.get_attribute("data-first-batch-at")) == 0
        assert float(chart.get_attribute("data-first-batch-cost")) == pytest.approx(
            untrained.cost(images[first_batch], labels[first_batch]), rel=1e-5
        )
        # and the average over all the training images, before training (epoch 0) and after each epoch
        assert chart.get_attribute("data-epoch-zero") == "true" and chart_points(tab) == 2
        assert job["initial"]["train_cost"] == pytest.approx(untrained.cost(images[:3000], labels[:3000]), rel=1e-6)
        # per mini-batch: about a hundred an epoch, in order, all plotted
        at = [point[0] for point in job["batch_costs"]]
        assert at == sorted(at) and len(at) >= 150 and at[0] == 0
        assert int(chart.get_attribute("data-batches")) == len(at)
        assert "before training" in chart.get_attribute("aria-label")
        assert tab.problems == []
    finally:
        tab.close()
        server.close()


HASH = [  # "#": not a digit
    [(0.35, 0.15), (0.35, 0.85)],
    [(0.65, 0.15), (0.65, 0.85)],
    [(0.15, 0.35), (0.85, 0.35)],
    [(0.15, 0.65), (0.85, 0.65)],
]


def test_the_pages_not_a_digit_agrees_with_digitnet_predict_reject(page, tmp_path, capsys):
    """For what is drawn on the page (a photograph cannot be: tests/test_web_api.py sends one)."""
    from conftest import run_cli

    states = []
    for name, strokes in (("seven", SEVEN), ("hash", HASH)):
        page.page.get_by_role("button", name="Clear").click()
        page.draw(strokes)
        body, answer = page.predictions[-1]
        picture = tmp_path / f"{name}.png"  # the very picture the page sent
        picture.write_bytes(base64.b64decode(body["png"]))
        status, out, _ = run_cli(capsys, "predict", "3b1b", "--reject", "--json", picture)
        said = json.loads(out)
        assert page.testid("answer").get_attribute("data-state") == answer["state"] == said["state"]
        assert answer["digit"] == said["digit"]
        states.append(said["state"])
    assert states == ["sure", "rejected"]
    assert page.problems == []


NETWORK_VIEW_HASH = """() => {   // a fingerprint of what the network view shows (its pixels)
    const data = document.querySelector('#net').toDataURL();
    let hash = 0;
    for (let i = 0; i < data.length; i++) hash = (hash * 31 + data.charCodeAt(i)) | 0;
    return hash;
}"""


def test_the_network_view_and_the_answer_follow_the_network_as_it_learns(browser, mnist_dir):
    server = start_explorer(data_dir=mnist_dir)
    tab = Page(browser, server.url)
    try:
        tab.draw(SEVEN)
        train_from_the_page(tab, "32,32", epochs=4, batch_size=1, limit=3000)
        views, answers = set(), set()
        deadline = time.monotonic() + 120
        while not tab.testid("train-status").inner_text().startswith(("Done", "Training failed")):
            assert time.monotonic() < deadline, "training from the page did not finish in 2 minutes"
            model, info = tab.page.evaluate(  # read together: training may end between two reads
                "() => [document.querySelector('#model').value, document.querySelector('#model-info').innerText]"
            )
            if model.startswith("train-"):  # the network as it learns is on show
                assert "learning now" in info and "784-32-32-10" in info
                views.add(tab.page.evaluate(NETWORK_VIEW_HASH))
            tab.page.wait_for_timeout(100)
        live = [(body, answer) for body, answer in tab.predictions if body["model"].startswith("train-")]
        answers = {tuple(answer["activations"][-1]) for _, answer in live}
        assert len(views) >= 2, "the network view did not change while the network learned"
        assert len(answers) >= 2, "the drawing was not read again by the network as it learned"
        assert all("png" in body for body, _ in live)  # the drawing itself, kept while the network changed
        # at the end the page explores the trained network, still with the drawing
        tab.page.wait_for_function("() => document.querySelector('#model').value.startsWith('net-')")
        tab.settle()
        assert tab.predictions[-1][0]["model"].startswith("net-") and "png" in tab.predictions[-1][0]
        assert tab.testid("answer").get_attribute("data-state") in ("sure", "unsure", "rejected")
        assert tab.problems == []
    finally:
        tab.close()
        server.close()


def axe_script():
    """axe-core's script from the `axe-playwright-python` package (installed for the accessibility check)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None:
        pytest.skip("axe-core is not installed (pip install axe-playwright-python): accessibility not checked")
    return (Path(list(spec.submodule_search_locations)[0]) / "axe.min.js").read_text()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_panel_is_clean_for_axe(browser, server, viewport):
    axe = axe_script()
    tab = Page(browser, server.url, viewport=viewport, bypass_csp=True)  # axe is injected as an inline script
    try:
        tab.draw(SEVEN)
        for name in ["Cost & nudges", "Lesson", "What neurons look for", "Random image", "Test images", "Train"]:
            tab.open_tab(name)
            if name == "Cost & nudges":
                tab.page.get_by_role("radio", name="7").click()
            if name == "Random image":
                tab.testid("noise").click()
            tab.settle()
            tab.page.add_script_tag(content=axe)
            violations = tab.page.evaluate(
                "async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.nodes[0].html}`)"
            )
            assert violations == [], f"{name}: {violations}"
        assert tab.problems == []
    finally:
        tab.close()


def test_two_networks_read_the_same_drawing_side_by_side(browser, mnist_dir):
    server = start_explorer(data_dir=mnist_dir)
    try:
        job = server.explorer.start_training({"hidden": [8], "lr": 1.0, "epochs": 1, "batch_size": 10, "limit": 500})
        deadline = time.monotonic() + 60
        while server.explorer.job(job["id"]).snapshot()[1]["model"] is None:
            assert time.monotonic() < deadline, "the second network did not train in a minute"
            time.sleep(0.1)
        other = server.explorer.network("net-1")
        tab = Page(browser, server.url)
        tab.page.locator("#compare-model").select_option("net-1")
        tab.draw(SEVEN)
        tab.page.wait_for_function("() => document.querySelector('[data-testid=compare]').textContent !== ''")
        outputs = other.feedforward(tab.last_input())  # the library's reading of the same drawing by net-1
        text = tab.testid("compare").inner_text()
        assert text.startswith("784-8-10") and f"(output {outputs.argmax()} at {fmt(outputs.max())})" in text
        assert tab.testid("answer").inner_text() == "7"  # the main answer is still the shipped network's
        tab.testid("clear").click()
        assert tab.testid("compare").inner_text() == ""  # and the comparison belongs to the drawing
        assert tab.problems == []
        tab.close()
        phone = Page(browser, server.url, viewport=PHONE)  # long network names do not widen a phone's page
        assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        phone.close()
    finally:
        server.close()


def test_a_network_kept_from_its_best_epoch_is_described_by_that_epoch(browser, mnist_dir):
    from digitnet.models import load_shipped

    big = load_shipped("big")
    kept = len(big.history) - 1  # as if training had stopped with the epoch before the last the best
    big.recipe = {**big.recipe, "best_epoch": kept}
    server = start_explorer(data_dir=mnist_dir, others=[("big", big)])
    tab = Page(browser, server.url)
    try:
        tab.page.locator("#model").select_option("big")
        tab.page.wait_for_function("() => document.querySelector('#model-info').textContent.startsWith('784-512')")
        info = tab.page.locator("#model-info").inner_text()
        assert f"test accuracy {100 * big.history[kept - 1]['test_accuracy']:.2f}%" in info
        assert f"weights of epoch {kept} of " in info
        assert tab.problems == []
    finally:
        tab.close()
        server.close()


def test_a_network_trained_here_can_be_saved_as_a_model_file(browser, mnist_dir, tmp_path):
    from digitnet import Network

    server = start_explorer(data_dir=mnist_dir)
    try:
        job = server.explorer.start_training({"hidden": [8], "lr": 1.0, "epochs": 1, "batch_size": 10, "limit": 500})
        deadline = time.monotonic() + 60
        while server.explorer.job(job["id"]).snapshot()[1]["model"] is None:
            assert time.monotonic() < deadline, "the network did not train in a minute"
            time.sleep(0.1)
        tab = Page(browser, server.url, accept_downloads=True)
        assert tab.testid("save-model").is_hidden()  # the shipped network is a file already
        tab.page.locator("#model").select_option("net-1")
        tab.page.wait_for_function("() => document.querySelector('#model-info').textContent.startsWith('784-8-10')")
        with tab.page.expect_download() as waiting:
            tab.testid("save-model").click()
        path = tmp_path / waiting.value.suggested_filename
        waiting.value.save_as(path)
        saved, trained = Network.load(path), server.explorer.network("net-1")
        assert path.suffix == ".npz" and saved.sizes == [784, 8, 10] and saved.history == trained.history
        for mine, served in zip(saved.weights + saved.biases, trained.weights + trained.biases):
            np.testing.assert_array_equal(mine, served)
        assert tab.problems == []
        tab.close()
    finally:
        server.close()
