"""Benchmark: the explorer's prediction round trip on localhost, as one JSON object.

    python benchmarks/explore_latency.py [--requests 500] [--strokes 12] [--no-browser]

Starts `digitnet explore --no-browser --port 0` in its own process (the shipped network), then:

* ``http_png`` / ``http_pixels``: POST /api/predict over one keep-alive connection, with the
  drawing as the page sends it (a 140×140 PNG, turned into 28×28 by images.to_mnist on the
  server) and with 784 pixels; milliseconds from sending the request to having parsed the answer.
* ``server_parts``: the steps of that work for the PNG, timed one by one in this process.
* ``browser``: headless Chromium (/usr/bin/chromium, via Playwright) draws digits with mouse
  movements on the page; for every answer the page shows it records two latencies from the
  oldest draw event that answer covers (see digitnet/web/static/js/predict.js):
  ``round_trip``: from the page receiving the event to the new activations drawn (network view
  with its 28×28 input, answer, output bars, every panel that renders from the answer), the PNG
  encoding and the server's round trip included;
  ``to_frame``: from the event's time stamp to the start of the next animation frame, which adds
  the browser's own waits for a frame (pointer events are delivered once a frame, and drawing
  appears at the next one: between one and two frames, 17–33 ms at 60 Hz, however fast the rest);
  ``requests``: where each request's time went (``REQUEST_PARTS``): the rest of the round trip is
  the page's own work (the PNG before, drawing the answer after).

The target is a round trip under 20 ms at the 95th percentile.  With --out FILE the JSON is
also written to FILE (benchmarks/results/explore_latency.json).
"""

import argparse
import base64
import http.client
import io
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from machine import cpu_model  # benchmarks/machine.py
from PIL import Image, ImageDraw

import digitnet

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS, explore_command  # noqa: E402 (tests/browser.py)

TARGET_P95_MS = 20.0
WARM_UP = 20


def summary(milliseconds):
    values = np.asarray(milliseconds)
    return {
        "count": int(values.size),
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "max_ms": float(values.max()),
        "mean_ms": float(values.mean()),
    }


def drawn_seven_png(size=140):
    """A 7 drawn the way the page sends it: white ink on black, 140×140 PNG, base64."""
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).line([(35, 28), (105, 28), (63, 119)], fill=255, width=9)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def server_parts(count):
    """Milliseconds of each step of /api/predict's work for the drawn 7 (in this process, no HTTP):
    the picture read (``images.read_picture``), the drawing check, and the network's answer."""
    from digitnet.drawing_check import is_drawing
    from digitnet.images import read_picture
    from digitnet.models import load_bundled
    from digitnet.web.explorer import answer_state

    net, png = load_bundled(), base64.b64decode(drawn_seven_png())
    picture = read_picture(png)
    steps = {
        "read_picture": lambda: read_picture(png),
        "drawing_check": lambda: is_drawing(picture),
        "forward_and_verdict": lambda: (net.forward(picture.pixels), answer_state(net, picture.pixels, True)),
    }
    times = {name: [] for name in steps}
    for i in range(count + WARM_UP):
        for name, step in steps.items():
            started = time.perf_counter()
            step()
            if i >= WARM_UP:
                times[name].append(1000 * (time.perf_counter() - started))
    return {name: summary(values) for name, values in times.items()}


def start_server():
    process = subprocess.Popen(explore_command(), stdout=subprocess.PIPE, text=True)
    url = process.stdout.readline().split()[2]
    return process, url


def http_round_trips(url, body, count):
    host, port = url[len("http://") :].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    payload = json.dumps(body).encode()
    times = []
    for i in range(count + WARM_UP):
        started = time.perf_counter()
        connection.request("POST", "/api/predict", body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        elapsed = 1000 * (time.perf_counter() - started)
        assert response.status == 200 and "activations" in answer, answer
        if i >= WARM_UP:
            times.append(elapsed)
    connection.close()
    return summary(times)


# Where a request's time goes, from the browser's Resource Timing of each POST /api/predict:
# "before_sending" (fetch called → request sent: the browser's own work), "server" (request sent →
# first byte of the answer: reading, computing and sending it), "receiving" (→ last byte).
REQUEST_PARTS = """() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('/api/predict'))
    .map((e) => ({before_sending: e.requestStart - e.startTime, server: e.responseStart - e.requestStart,
                  receiving: e.responseEnd - e.responseStart}))"""


def browser_round_trips(url, strokes):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        page.wait_for_selector("body[data-ready=true]")
        page.evaluate("() => performance.setResourceTimingBufferSize(100000)")
        box = page.get_by_test_id("draw-canvas").bounding_box()
        rng = np.random.default_rng(0)
        for _ in range(strokes):
            page.get_by_test_id("clear").click()
            points = 0.15 + 0.7 * rng.random((4, 2))
            page.mouse.move(box["x"] + points[0, 0] * box["width"], box["y"] + points[0, 1] * box["height"])
            page.mouse.down()
            for start, end in zip(points, points[1:]):
                for t in np.linspace(0, 1, 16)[1:]:
                    x, y = start + (end - start) * t
                    page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
                    page.wait_for_timeout(8)  # about a pointer event per frame, as a hand makes them
            page.mouse.up()
            page.wait_for_timeout(100)
        durations = {
            name: page.evaluate(f"() => performance.getEntriesByName('{name}').map((e) => e.duration)")
            for name in ("predict-round-trip", "predict-to-frame")
        }
        requests = page.evaluate(REQUEST_PARTS)
        browser.close()
    return {
        "round_trip": summary(durations["predict-round-trip"][WARM_UP // 4 :]),
        "to_frame": summary(durations["predict-to-frame"][WARM_UP // 4 :]),
        "requests": {part: summary([r[part] for r in requests[WARM_UP // 4 :]]) for part in requests[0]},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="HTTP requests per kind of body")
    parser.add_argument("--strokes", type=int, default=12, help="strokes drawn in the browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the in-browser measurement")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args()
    process, url = start_server()
    try:
        pixels = np.random.default_rng(0).random(784).round(4).tolist()
        result = {
            "target_p95_ms": TARGET_P95_MS,
            "http_png": http_round_trips(url, {"png": drawn_seven_png()}, args.requests),
            "http_pixels": http_round_trips(url, {"pixels": pixels}, args.requests),
            "server_parts": server_parts(args.requests),
        }
        if not args.no_browser and Path(CHROMIUM).exists():
            result["browser"] = browser_round_trips(url, args.strokes)
        else:
            result["browser"] = None
        round_trips = [result["http_png"], result["http_pixels"]]
        if result["browser"]:
            round_trips.append(result["browser"]["round_trip"])
        result["round_trip_p95_under_target"] = max(r["p95_ms"] for r in round_trips) < TARGET_P95_MS
        result.update(
            python=platform.python_version(),
            numpy=np.__version__,
            digitnet=digitnet.__version__,
            machine=platform.machine(),
            cpu_model=cpu_model(),
            cpus=os.cpu_count(),
            load_average_1_5_15_min=[round(x, 2) for x in os.getloadavg()],
        )
        print(json.dumps(result, indent=2))
        if args.out:
            args.out.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
