"""Take the explorer's picture for the docs: a drawn 7 with its cost for 7 and a hidden neuron chosen.

    python scripts/screenshot_explorer.py [docs/images/explorer.png] [--width 1440 --height 900]

Serves the shipped network on a free loopback port (MNIST from DIGITNET_DATA when it is there),
drives Debian's Chromium (/usr/bin/chromium) headless through Playwright as the browser tests do,
and writes a 256-colour PNG of the window.
"""

import argparse
import io
import sys
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from digitnet.models import load_bundled
from digitnet.web.server import make_server

CHROMIUM = "/usr/bin/chromium"
SEVEN = [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)]


def draw(page, points, steps=12):
    box = page.get_by_test_id("draw-canvas").bounding_box()
    at = lambda x, y: (box["x"] + x * box["width"], box["y"] + y * box["height"])  # noqa: E731
    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for i in range(1, steps + 1):
            page.mouse.move(*at(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps))
    page.mouse.up()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/images/explorer.png")
    parser.add_argument("--width", type=int, default=1440)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args(argv)
    server = make_server(load_bundled(), "shipped", port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(server.url)
            page.wait_for_selector("body[data-ready=true]")
            draw(page, SEVEN)
            page.get_by_role("radio", name="7").click()
            page.get_by_test_id("cost-total").wait_for()
            page.get_by_test_id("network").focus()
            for key in ["ArrowDown"] * 4 + ["ArrowRight"]:
                page.keyboard.press(key)
            page.evaluate("() => document.activeElement.blur()")
            page.wait_for_timeout(300)
            picture = Image.open(io.BytesIO(page.screenshot()))
            browser.close()
    finally:
        server.close()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    picture.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(args.out, optimize=True)
    print(f"wrote {args.out} ({picture.width}×{picture.height})")


if __name__ == "__main__":
    sys.exit(main())
