"""Benchmark: the explorer's server under load, as one JSON object (also written to --out).

    python benchmarks/server_load.py [--source DIR] [--data DIR] [--seconds 10] [--png-seconds 30] [--out FILE]

Each part starts its own server, ``make_server`` from the digitnet in --source (default: this
checkout; give an older checkout to compare) in its own process, with the shipped network:

* ``burst``: 100 connections opened at the same moment, each sending GET /api/status; seconds
  from the burst's start until each answer is read, over 5 rounds.  Target: every answer within 1 s.
* ``predict_idle``: 20 clients, each a thread with one keep-alive connection, POST /api/predict
  (784 pixels, as a browser sends them: JSON, own Origin) back to back for --seconds: latency
  percentiles, requests a second, errors.
* ``predict_while_training``: the same while the page's default training job runs (POST
  /api/train with the server's ``train_defaults``: the default network on the full MNIST from
  --data).  Target: p99 ≤ 100 ms and no errors.
* ``stop_training``: seconds from POST /api/jobs/<id>/stop to the job reading "stopped"
  (polled every 10 ms), three times mid-epoch.  Target 0.5 s.
* ``stop_download``: the same for a download stuck on a mirror that sends a byte a second.
  Target 1 s.
* ``png_memory``: 50 clients sending 1024×1024 PNGs (a 7 drawn on white, ~5 KB) back to back
  for --png-seconds; the server process's resident memory sampled every 0.25 s (every 4th kept),
  and its peak (VmHWM) at the start, halfway and at the end: bounded means the second half adds
  nothing.

The clients run in this process, on the same machine: on a small machine they compete with the
server for the processors, so the figures are upper bounds on the server's own latency.
"""

import argparse
import base64
import http.client
import http.server
import io
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
from machine import cpu_model  # benchmarks/machine.py
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
BURST_CONNECTIONS, BURST_ROUNDS = 100, 5
PREDICT_CLIENTS, PNG_CLIENTS = 20, 50
TARGETS = {
    "burst_all_answered_within_s": 1.0,
    "predict_while_training_p99_ms": 100.0,
    "stop_training_s": 0.5,
    "stop_download_s": 1.0,
}
LAUNCH = """
import signal, sys
from digitnet.models import load_bundled
from digitnet.web.server import make_server
mirrors = tuple(sys.argv[2:]) or None
server = make_server(load_bundled(), "shipped", port=0, data_dir=sys.argv[1], mirrors=mirrors)
print(server.url, flush=True)
def interrupt(*_):
    raise KeyboardInterrupt
signal.signal(signal.SIGTERM, interrupt)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
finally:
    server.close()
"""


class Server:
    """``make_server`` from ``source`` in a process of its own; closed (SIGTERM) on exit."""

    def __init__(self, source, data, mirrors=()):
        environment = {**os.environ, "PYTHONPATH": str(source)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, str(data), *mirrors],
            cwd=source,
            env=environment,
            stdout=subprocess.PIPE,
            text=True,
        )
        url = self.process.stdout.readline().strip()
        self.host, port = url[len("http://") :].split("/")[0].rsplit(":", 1)
        self.port = int(port)
        self.origin = f"http://{self.host}:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def connection(self):
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, method, path, body=None, connection=None, parse=True):
        """(status, JSON answer) through ``connection`` or a new one (without ``parse``, the answer is
        parsed only when it is an error: the clients' own work is kept small)."""
        own = connection is None
        connection = connection or self.connection()
        headers = {"Origin": self.origin, "Sec-Fetch-Site": "same-origin"}
        payload = None
        if body is not None:
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if own:
            connection.close()
        return response.status, json.loads(answer) if parse or response.status != 200 else None

    def memory(self):
        """The server process's resident and peak resident memory, MiB (Linux /proc)."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return {name: int(fields[key].split()[0]) / 1024 for name, key in (("rss_mib", "VmRSS"), ("peak_mib", "VmHWM"))}


def percentiles(milliseconds):
    values = np.asarray(milliseconds, dtype=float)
    if values.size == 0:
        return {"count": 0}
    return {
        "count": int(values.size),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p99_ms": round(float(np.percentile(values, 99)), 2),
        "max_ms": round(float(values.max()), 2),
    }


def burst_round(server):
    """BURST_CONNECTIONS connections at once, each GET /api/status: seconds until each answer, and errors."""
    request = (f"GET /api/status HTTP/1.1\r\nHost: {server.host}:{server.port}\r\nConnection: close\r\n\r\n").encode()
    barrier = threading.Barrier(BURST_CONNECTIONS + 1)
    times, errors = [], []

    def one():
        barrier.wait()
        started = time.perf_counter()
        try:
            with socket.create_connection((server.host, server.port), timeout=30) as connection:
                connection.sendall(request)
                reply = b""
                while chunk := connection.recv(65536):
                    reply += chunk
            if not reply.startswith(b"HTTP/1.1 200"):
                errors.append(reply[:40].decode("latin-1"))
            times.append(time.perf_counter() - started)
        except OSError as error:
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=one) for _ in range(BURST_CONNECTIONS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    return {
        "answered": len(times) - len(errors),
        "error_count": len(errors),
        "errors": errors[:5],
        "slowest_s": round(max(times), 3) if times else None,
        "median_s": round(float(np.median(times)), 3) if times else None,
    }


def burst(server):
    rounds = []
    for _ in range(BURST_ROUNDS):
        rounds.append(burst_round(server))
        time.sleep(0.5)
    return {
        "connections": BURST_CONNECTIONS,
        "rounds": rounds,
        "all_answered_within_target": all(
            r["error_count"] == 0
            and r["answered"] == BURST_CONNECTIONS
            and r["slowest_s"] <= TARGETS["burst_all_answered_within_s"]
            for r in rounds
        ),
    }


def hammer(server, clients, seconds, body):
    """``clients`` threads POSTing ``body`` to /api/predict back to back: latencies, rate, errors."""
    stop = time.perf_counter() + seconds
    payload = json.dumps(body).encode()
    latencies, errors = [], []
    lock = threading.Lock()

    def client():
        connection = server.connection()
        mine, my_errors = [], []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, answer = server.call("POST", "/api/predict", payload, connection, parse=False)
                if status != 200:
                    my_errors.append(f"{status}: {answer.get('error')}")
            except (OSError, http.client.HTTPException, ValueError) as error:
                my_errors.append(f"{type(error).__name__}: {error}")
                connection.close()
                connection = server.connection()
            mine.append(1000 * (time.perf_counter() - started))
        connection.close()
        with lock:
            latencies.extend(mine)
            errors.extend(my_errors)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "latency": percentiles(latencies),
        "error_count": len(errors),
        "errors": sorted(set(errors))[:5],
    }


def wait_until(server, job_id, condition, timeout=600, interval=0.01):
    """Poll the job until ``condition(job)``; (job, seconds waited)."""
    started = time.perf_counter()
    while True:
        job = server.call("GET", f"/api/jobs/{job_id}")[1]
        if condition(job) or time.perf_counter() - started > timeout:
            return job, time.perf_counter() - started
        time.sleep(interval)


def start_default_training(server):
    defaults = server.call("GET", "/api/status")[1]["train_defaults"]
    body = {key: defaults[key] for key in ("hidden", "lr", "epochs", "batch_size", "schedule")}
    status, job = server.call("POST", "/api/train", body)
    if status != 202:
        raise SystemExit(f"could not start training: {status} {job}")
    job, _ = wait_until(server, job["id"], lambda job: job.get("progress", {}).get("done") or job["state"] != "running")
    return body, job


def stop_seconds(server, job_id):
    started = time.perf_counter()
    server.call("POST", f"/api/jobs/{job_id}/stop", {})
    job, _ = wait_until(server, job_id, lambda job: job["state"] != "running", timeout=30)
    return round(time.perf_counter() - started, 3), job["state"]


class Trickle(http.server.BaseHTTPRequestHandler):
    """A mirror that sends its headers, then one byte a second."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "10000000")
        self.end_headers()
        try:
            while True:
                self.wfile.write(b"\x1f")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    def log_message(self, *args):
        pass


def stop_download(source, scratch):
    mirror = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    mirror.daemon_threads = True
    threading.Thread(target=mirror.serve_forever, daemon=True).start()
    runs = []
    try:
        for attempt in range(3):
            folder = scratch / f"download-{attempt}"
            with Server(source, folder, [f"http://127.0.0.1:{mirror.server_address[1]}/"]) as server:
                status, job = server.call("POST", "/api/download", {})
                time.sleep(2)  # the download is now waiting on the mirror
                seconds, state = stop_seconds(server, job["id"])
                left = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
                runs.append({"seconds": seconds, "state": state, "files_left": left})
    finally:
        mirror.shutdown()
        mirror.server_close()
    return {
        "runs": runs,
        "within_target": all(r["state"] == "stopped" and r["seconds"] <= TARGETS["stop_download_s"] for r in runs),
    }


def digit_png(side=1024):
    """A 1024×1024 PNG of a 7 drawn in black on white, base64 (as a photo of paper might be, but clean)."""
    image = Image.new("L", (side, side), 255)
    ImageDraw.Draw(image).line(
        [(side * 0.25, side * 0.2), (side * 0.75, side * 0.2), (side * 0.45, side * 0.85)], fill=0, width=side // 14
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def png_memory(source, data, seconds):
    png = digit_png()
    with Server(source, data) as server:
        server.call("POST", "/api/predict", {"png": png})  # everything imported and warmed up once
        before = server.memory()
        samples, halfway = [], {}
        done = threading.Event()

        def sample():
            started = time.perf_counter()
            while not done.is_set():
                samples.append(round(server.memory()["rss_mib"], 1))
                if not halfway and time.perf_counter() - started >= seconds / 2:
                    halfway.update(server.memory())
                time.sleep(0.25)

        sampler = threading.Thread(target=sample)
        sampler.start()
        load = hammer(server, PNG_CLIENTS, seconds, {"png": png})
        done.set()
        sampler.join()
        after = server.memory()
    return {
        "png_bytes": len(base64.b64decode(png)),
        "side": 1024,
        "clients": PNG_CLIENTS,
        "load": load,
        "memory_before_mib": before,
        "memory_halfway_mib": halfway,
        "memory_after_mib": after,
        "rss_samples_mib": samples[::4],
    }


def machine():
    return {"cpu": cpu_model(), "cpus": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT, help="the digitnet checkout whose server is measured")
    parser.add_argument(
        "--data",
        type=Path,
        default=os.environ.get("DIGITNET_DATA"),
        help="a folder holding MNIST (default: $DIGITNET_DATA)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="length of each predict phase")
    parser.add_argument("--png-seconds", type=float, default=30, help="length of the PNG phase")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--parts", default="burst,predict,stop,download,png", help="which parts to run")
    args = parser.parse_args()
    if args.data is None:
        parser.error("give --data DIR (a folder holding MNIST) or set DIGITNET_DATA")
    parts = set(args.parts.split(","))
    commit = (
        subprocess.run(
            ["git", "-C", str(args.source), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or None
    )
    result = {
        "source": str(args.source),
        "commit": commit,
        "targets": TARGETS,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
    }
    pixels = {"pixels": np.random.default_rng(0).random(784).round(4).tolist()}
    scratch = Path(__import__("tempfile").mkdtemp(prefix="server-load-"))
    if parts & {"burst", "predict", "stop"}:
        with Server(args.source, args.data) as server:
            if "burst" in parts:
                result["burst"] = burst(server)
            if "predict" in parts:
                hammer(server, PREDICT_CLIENTS, 1, pixels)  # warm-up
                result["predict_idle"] = hammer(server, PREDICT_CLIENTS, args.seconds, pixels)
                body, job = start_default_training(server)
                result["predict_while_training"] = {
                    "training": body,
                    **hammer(server, PREDICT_CLIENTS, args.seconds, pixels),
                }
                job = server.call("GET", f"/api/jobs/{job['id']}")[1]
                result["predict_while_training"]["training_progress_at_end"] = {
                    "epochs_done": len(job["history"]),
                    "progress": job["progress"],
                    "state": job["state"],
                }
                under = result["predict_while_training"]
                result["predict_while_training"]["within_target"] = (
                    under["error_count"] == 0
                    and job["state"] == "running"
                    and under["latency"]["p99_ms"] <= TARGETS["predict_while_training_p99_ms"]
                )
                stop_seconds(server, job["id"])
            if "stop" in parts:
                runs = []
                for _ in range(3):
                    _, job = start_default_training(server)
                    time.sleep(1)
                    seconds, state = stop_seconds(server, job["id"])
                    runs.append({"seconds": seconds, "state": state})
                result["stop_training"] = {
                    "runs": runs,
                    "within_target": all(
                        r["state"] == "stopped" and r["seconds"] <= TARGETS["stop_training_s"] for r in runs
                    ),
                }
    if "download" in parts:
        result["stop_download"] = stop_download(args.source, scratch)
    if "png" in parts:
        result["png_memory"] = png_memory(args.source, args.data, args.png_seconds)
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
