"""The explorer's server under attack and under faults: request smuggling, other web pages, bad
framing, a token off loopback, stopping jobs, bounded state, and a fuzzer over every API body
(tests/api_fuzzing.py; scripts/fuzz_api.py runs it for longer).
"""

import base64
import http.client
import http.server
import json
import multiprocessing
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from api_fuzzing import call, fuzz, start_fuzz_server
from browser import explore_command
from conftest import start_explorer, write_mnist
from test_web_api import Client, wait_for

from digitnet import Network
from digitnet.models import load_bundled
from digitnet.web import server as web_server
from digitnet.web.explorer import Explorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from server_load import Trickle  # noqa: E402 - a mirror that sends a byte a second, shared with the benchmark

TRAIN = {"hidden": [8], "lr": 1.0, "epochs": 1, "batch_size": 10}


# ---------------------------------------------------------------------- raw HTTP on a socket
def exchange(server, data, timeout=10):
    """Send ``data`` on one connection; return every byte the server sends until it closes or goes quiet."""
    with socket.create_connection(server.server_address[:2], timeout=timeout) as connection:
        connection.sendall(data)
        reply = b""
        try:
            while chunk := connection.recv(65536):
                reply += chunk
        except TimeoutError:
            pass
    return reply


def responses(reply):
    """(status, JSON body or bytes) of each response in ``reply`` (bodies framed by Content-Length)."""
    found = []
    while reply:
        head, _, rest = reply.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        body, reply = rest[:length], rest[length:]
        found.append((int(head.split()[1]), json.loads(body) if b"application/json" in head else body))
    return found


def request(method, path, body=b"", headers=None, host="127.0.0.1"):
    """The bytes of one HTTP/1.1 request (a Content-Length is added when there is a body)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory):
    return write_mnist(tmp_path_factory.mktemp("mnist"), train=(300, 28), test=(50, 28))


def no_training_started(server):
    status = call(server, "GET", "/api/status")[1]
    return status["training"] is None and status["download"] is None


# ---------------------------------------------------------------------- request smuggling
SMUGGLED = request("POST", "/api/train", json.dumps(TRAIN).encode(), {"Content-Type": "application/json"})
SMUGGLING = {  # a request the server refuses, each carrying a whole /api/train request as its body
    "unknown route": ("POST", "/api/nothing", {"Content-Type": "text/plain"}),
    "wrong method": ("POST", "/api/status", {"Content-Type": "text/plain"}),
    "query string": ("POST", "/api/predict?x=1", {"Content-Type": "text/plain"}),
    "static page": ("POST", "/", {"Content-Type": "text/plain"}),
    "not JSON": ("POST", "/api/predict", {"Content-Type": "text/plain"}),
    "foreign origin": ("POST", "/api/predict", {"Content-Type": "application/json", "Origin": "http://evil.example"}),
    "cross-site": ("POST", "/api/predict", {"Content-Type": "text/plain", "Sec-Fetch-Site": "cross-site"}),
    "bad Host": ("POST", "/api/predict", {"Content-Type": "text/plain"}),
    "GET with a body": ("GET", "/api/status", {}),
    "HEAD with a body": ("HEAD", "/", {}),
    "OPTIONS": ("OPTIONS", "/api/train", {}),
}


@pytest.mark.parametrize("case", SMUGGLING)
def test_a_refused_request_never_lets_its_body_run_as_the_next_request(server, case):
    method, path, headers = SMUGGLING[case]
    host = "evil.example" if case == "bad Host" else "127.0.0.1"
    follow_up = request("GET", "/api/jobs/train-0", headers={"Connection": "close"})
    reply = exchange(server, request(method, path, SMUGGLED, headers, host=host) + follow_up)
    assert reply.startswith(b"HTTP/1.1 ") and b" 202 " not in reply
    if method != "HEAD":  # (a HEAD answer has a Content-Length but no body)
        answers = responses(reply)
        assert answers[0][0] == (200 if method == "GET" else answers[0][0]) and answers[0][0] != 202
        # the connection went on at the follow-up (the body read and discarded) or was closed: never at the body
        assert all(
            answer == {"error": "no job with id 'train-0' (finished jobs are kept up to 20)"}
            for status, answer in answers[1:]
        ), answers
    assert no_training_started(server)


def test_keep_alive_still_works_after_a_refused_request_with_a_body(server):
    reply = exchange(
        server,
        request("POST", "/api/status", b'{"a": 1}', {"Content-Type": "application/json"})
        + request("GET", "/api/status", headers={"Connection": "close"}),
    )
    (first, error), (second, status) = responses(reply)
    assert first == 405 and "answers GET" in error["error"]
    assert second == 200 and status["default_model"] == "default"


@pytest.mark.parametrize(
    "lengths",
    [
        ["2", "2"],
        ["2", "3"],
        ["2, 2"],
        ["+2"],
        ["-1"],
        ["0x2"],
        ["2 2"],
        ["\u00b2"],
        ["\u0662"],
        ["99999999999999999999"],
        [""],
    ],
)
def test_conflicting_or_malformed_content_length_is_refused_and_the_connection_closed(server, lengths):
    head = "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += "".join(f"Content-Length: {value}\r\n" for value in lengths) + "\r\n"
    reply = exchange(server, head.encode("utf-8") + b"{}" + request("GET", "/api/status"))
    answers = responses(reply)
    assert len(answers) == 1, answers  # closed: the bytes after the head were never read as a request
    assert (
        answers[0][0] in (400, 413) and "Content-Length" in answers[0][1]["error"] or "limit" in answers[0][1]["error"]
    )


def test_chunked_bodies_are_refused_and_the_connection_closed(server):
    head = (
        "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
    )
    answers = responses(exchange(server, head.encode() + b"2\r\n{}\r\n0\r\n\r\n" + request("GET", "/api/status")))
    assert [status for status, _ in answers] == [411]


def test_a_body_that_never_comes_is_not_waited_for_forever(server, monkeypatch):
    monkeypatch.setattr(web_server.Handler, "timeout", 0.5)
    head = request("POST", "/api/predict", headers={"Content-Type": "application/json", "Content-Length": "10"})
    answers = responses(exchange(server, head + b"{}", timeout=10))
    assert [status for status, _ in answers] == [408]


# ---------------------------------------------------------------------- other web pages
def test_state_changing_requests_from_another_origin_are_refused(server):
    for origin in ("http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1", "http://localhost"):
        for path in ("/api/train", "/api/download", "/api/jobs/train-1/stop", "/api/predict"):
            status, answer, _ = call(server, "POST", path, {}, {"Origin": origin})
            assert status == 403 and "another origin" in answer["error"], (origin, path)
    own = f"http://127.0.0.1:{server.server_address[1]}"
    status, answer, _ = call(
        server, "POST", "/api/predict", {"pixels": [0.5] * 784}, {"Origin": own, "Sec-Fetch-Site": "same-origin"}
    )
    assert status == 200 and answer["top"] in range(10)
    assert no_training_started(server)


def test_form_and_no_cors_posts_are_refused_for_their_content_type_even_without_origin(server):
    for content_type, body in (
        ("application/x-www-form-urlencoded", b"a=1"),
        ("multipart/form-data; boundary=x", b"--x--"),
        ("text/plain", b"{}"),
        ("text/plain;charset=UTF-8", b""),
    ):
        status, answer, _ = call(server, "POST", "/api/download", body, {"Content-Type": content_type})
        assert status == 415, content_type
    status, answer, _ = call(server, "POST", "/api/jobs/train-1/stop", b"")
    assert status == 400 and "empty" in answer["error"]
    reply = exchange(server, b"POST /api/download HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert [status for status, _ in responses(reply)] == [411]
    assert no_training_started(server)


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_api_gets_sent_by_another_site_are_refused_before_any_work(site, monkeypatch):
    server = start_explorer()
    calls = []
    monkeypatch.setattr(server.explorer, "maximizing", lambda model_id: calls.append(model_id) or {})
    try:
        for path in ("/api/models/default/maximizing", "/api/models/default", "/api/status"):
            status, answer, _ = call(server, "GET", path, headers={"Sec-Fetch-Site": site, "Sec-Fetch-Dest": "image"})
            assert status == 403 and "another site" in answer["error"]
        assert calls == []
        own = {"Sec-Fetch-Site": "same-origin"}
        assert call(server, "GET", "/api/models/default/maximizing", headers=own)[0] == 200
        assert call(server, "GET", "/", headers={"Sec-Fetch-Site": "cross-site"})[0] == 200  # a link to the page
    finally:
        server.close()


def test_identical_concurrent_computations_run_once(monkeypatch):
    server = start_explorer()
    calls = []
    original = server.explorer.maximizing

    def slow_maximizing(model_id):
        calls.append(model_id)
        time.sleep(0.5)
        return original(model_id)

    monkeypatch.setattr(server.explorer, "maximizing", slow_maximizing)
    try:
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda _: call(server, "GET", "/api/models/default/maximizing")[:2], range(6)))
        assert calls == ["default"]
        assert all(answer == answers[0] for answer in answers) and answers[0][0] == 200
    finally:
        server.close()


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1.evil.example", "[", "localhost:bad@evil.example", "", "127.0.0.1\u00e9"]
)
def test_only_its_own_host_names_are_answered(server, host):
    reply = exchange(server, f"GET /api/status HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    ((status, answer),) = responses(reply)
    assert status in (400, 403) and answer["error"]
    reply = exchange(
        server, b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"
    )
    assert responses(reply)[0][0] == 400


# ---------------------------------------------------------------------- a real browser on another site
ATTACK_PAGE = """<!doctype html><html><body>
<img src="{target}api/models/default/maximizing">
<form id="form" method="POST" action="{target}api/download" target="sink"><input name="a" value="1"></form>
<iframe name="sink"></iframe>
<script>
const smuggled = 'POST /api/train HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\n' +
  'Content-Length: {length}\\r\\n\\r\\n{train}';
Promise.allSettled([
  fetch("{target}api/status", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                                 body: smuggled}}),
  fetch("{target}api/nothing", {{method: "POST", mode: "no-cors", body: smuggled}}),
  fetch("{target}api/download", {{method: "POST", mode: "no-cors"}}),
  fetch("{target}api/train", {{method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}},
                                body: '{train}'}}),
]).then(() => {{ document.getElementById("form").submit(); }})
  .then(() => setTimeout(() => {{ document.title = "done"; }}, 1000));
</script></body></html>"""


@pytest.mark.browser
@pytest.mark.slow
def test_a_web_page_on_another_site_cannot_drive_the_server_in_chromium(tmp_path, mnist_dir, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    server = start_explorer(data_dir=mnist_dir)
    computed = []
    monkeypatch.setattr(server.explorer, "maximizing", lambda model_id: computed.append(model_id) or {})
    train = json.dumps(TRAIN)
    page = ATTACK_PAGE.format(target=server.url, train=train, length=len(train))
    (tmp_path / "index.html").write_text(page)

    class Site(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):
            pass

    attacker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)  # another origin: another port
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page()
            statuses = []
            tab.on("response", lambda response: server.url in response.url and statuses.append(response.status))
            tab.goto(f"http://localhost:{attacker.server_address[1]}/index.html")
            tab.wait_for_function("document.title === 'done'", timeout=20_000)
            browser.close()
        assert len(statuses) >= 5 and all(400 <= status < 500 for status in statuses), statuses
        assert computed == [] and no_training_started(server)
    finally:
        attacker.shutdown()
        attacker.server_close()
        server.close()


# ---------------------------------------------------------------------- a token off loopback
def test_a_server_with_a_token_needs_it_for_the_page_and_every_api_call():
    server = web_server.ExplorerServer(("127.0.0.1", 0), Explorer(load_bundled(), "shipped"), token="s3cret-token")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert server.url.endswith("/?token=s3cret-token")
        assert call(server, "GET", "/")[0] == 401
        assert call(server, "GET", "/?token=wrong")[0] == 401
        status, page, _ = call(server, "GET", "/?token=s3cret-token")
        assert status == 200 and b'<meta name="digitnet-token" content="s3cret-token">' in page
        assert call(server, "GET", "/js/main.js")[0] == 200  # the page's other files are not secret
        for headers in ({}, {"X-Digitnet-Token": "wrong"}, {"X-Digitnet-Token": "s3cret-token\u00e9"}):
            status, answer, _ = call(server, "GET", "/api/status", headers=headers)
            assert status == 401 and "X-Digitnet-Token" in answer["error"]
            assert call(server, "POST", "/api/predict", {"pixels": [0] * 784}, headers)[0] == 401
        assert call(server, "GET", "/api/status", headers={"X-Digitnet-Token": "s3cret-token"})[0] == 200
        right = {"X-Digitnet-Token": "s3cret-token"}
        assert call(server, "POST", "/api/predict", {"pixels": [0] * 784}, right)[0] == 200
    finally:
        server.close()


def test_make_server_off_loopback_makes_a_token_and_keeps_checking_the_host():
    server = web_server.make_server(load_bundled(), "shipped", host="0.0.0.0", port=0)
    try:
        assert server.token and len(server.token) >= 32 and f"?token={server.token}" in server.url
        threading.Thread(target=server.serve_forever, daemon=True).start()
        headers = {"X-Digitnet-Token": server.token}
        assert call(server, "GET", "/api/status", headers=headers)[0] == 200
        reply = exchange(
            server, request("GET", "/api/status", headers={**headers, "Connection": "close"}, host="evil.example")
        )
        assert responses(reply)[0][0] == 403
    finally:
        server.close()
    assert web_server.make_server(load_bundled(), "shipped", port=0).token is None


def test_explore_on_a_public_address_warns_and_prints_the_address_with_its_token(tmp_path):
    process = subprocess.Popen(
        explore_command("--host", "0.0.0.0", "--data", str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        url, token = re.fullmatch(
            r"digitnet explorer: (http://\S+/\?token=(\S+))  \(Ctrl-C stops it\)\n", line
        ).groups()
        port = int(re.search(r":(\d+)/", url).group(1))
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/status")
        assert connection.getresponse().status == 401
        connection.close()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=20)
        assert "WARNING" in err and "reachable from other computers" in err and token not in err
        assert process.returncode == 0
    finally:
        process.kill()


# ---------------------------------------------------------------------- jobs: stop, bounded, downloadable
@pytest.mark.slow
def test_stop_ends_training_mid_epoch_and_its_process(tmp_path):
    folder = write_mnist(tmp_path / "mnist", train=(6000, 28), test=(50, 28))
    server = start_explorer(data_dir=folder)
    try:
        status, job, _ = call(
            server, "POST", "/api/train", {"hidden": [256, 256, 256, 256], "lr": 0.1, "epochs": 100, "batch_size": 1}
        )
        assert status == 202
        deadline = time.monotonic() + 60
        while not call(server, "GET", f"/api/jobs/{job['id']}")[1]["progress"]["done"]:
            assert time.monotonic() < deadline, "training never started"
            time.sleep(0.02)
        children = multiprocessing.active_children()
        assert any(child.name == job["id"] for child in children)
        assert call(server, "POST", f"/api/jobs/{job['id']}/stop", {})[0] == 202
        final = wait_for(Client(server), job["id"], timeout=10)
        assert final["state"] == "stopped" and final["history"] == [] and final["model"] is None
        assert not any(child.name == job["id"] for child in multiprocessing.active_children())
    finally:
        server.close()


@pytest.mark.slow
def test_stop_ends_a_download_stuck_on_a_trickling_mirror_and_leaves_no_file(tmp_path):
    mirror = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    mirror.daemon_threads = True
    threading.Thread(target=mirror.serve_forever, daemon=True).start()
    folder = tmp_path / "cache"
    server = start_explorer(data_dir=folder, mirrors=(f"http://127.0.0.1:{mirror.server_address[1]}/",))
    try:
        status, job, _ = call(server, "POST", "/api/download", {})
        assert status == 202
        time.sleep(2)  # the child is now waiting on the mirror's slow bytes
        assert call(server, "GET", f"/api/jobs/{job['id']}")[1]["state"] == "running"
        assert call(server, "POST", f"/api/jobs/{job['id']}/stop", {})[0] == 202
        assert wait_for(Client(server), job["id"], timeout=10)["state"] == "stopped"
        assert not folder.exists() or list(folder.iterdir()) == []
    finally:
        server.close()
        mirror.shutdown()
        mirror.server_close()


def test_finished_jobs_are_bounded(monkeypatch):
    from digitnet.web import explorer as web_explorer

    monkeypatch.setattr(web_explorer, "MAX_JOBS", 3)
    explorer = Explorer(load_bundled(), "shipped", data_dir="/nonexistent")

    class Finished:
        running = False

        def __init__(self, number):
            self.id = f"job-{number}"

    for number in range(10):
        explorer._keep(Finished(number))
    assert [explorer.job(f"job-{n}").id for n in (7, 8, 9)] == ["job-7", "job-8", "job-9"]
    with pytest.raises(Exception, match="no job"):
        explorer.job("job-6")


def test_a_network_downloads_as_the_model_file_the_library_reads(server, tmp_path):
    status, content, response = call(server, "GET", "/api/models/default/file")
    assert status == 200 and response.getheader("Content-Type") == "application/octet-stream"
    assert response.getheader("Content-Disposition") == 'attachment; filename="default.npz"'
    (tmp_path / "got.npz").write_bytes(content)
    net, shipped = Network.load(tmp_path / "got.npz"), load_bundled()
    assert net.sizes == shipped.sizes and net.history == shipped.history
    for mine, theirs in zip(net.weights + net.biases, shipped.weights + shipped.biases):
        np.testing.assert_array_equal(mine, theirs)
    assert call(server, "GET", "/api/models/net-99/file")[0] == 404


# ---------------------------------------------------------------------- API errors that used to be 500s
def png_declaring(width, height):
    """A PNG whose header declares ``width``×``height`` pixels (with one tiny compressed row of data)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def test_former_internal_errors_are_4xx(server):
    bomb = base64.b64encode(png_declaring(30_000, 30_000)).decode()
    status, answer, _ = call(server, "POST", "/api/predict", {"png": bomb})
    assert status == 413 and "pixels" in answer["error"]
    status, answer, _ = call(server, "POST", "/api/train", {**TRAIN, "lr": 10**400})
    assert status == 400 and "'lr'" in answer["error"]
    status, answer, _ = call(server, "POST", "/api/train", {**TRAIN, "lr": -(10**400)})
    assert status == 400 and "'lr'" in answer["error"]


def test_a_model_whose_history_holds_nan_is_served_as_json_null():
    net = Network([784, 5, 10], seed=1)
    net.history = [{"epoch": 1, "test_accuracy": float("nan"), "test_cost": float("inf")}]
    server = start_explorer(net)
    try:
        for path in ("/api/status", "/api/models/default"):
            status, answer, _ = call(server, "GET", path)
            assert status == 200, answer
        assert answer["history"] == [{"epoch": 1, "test_accuracy": None, "test_cost": None}]
    finally:
        server.close()


def test_unusable_mnist_files_are_a_409_not_a_500(tmp_path):
    folder = write_mnist(tmp_path / "mnist", gz=False)
    images = folder / "t10k-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[:-100])  # truncated
    server = start_explorer(data_dir=folder)
    try:
        status, answer, _ = call(server, "POST", "/api/test-image", {"position": 0})
        assert status == 409 and "cannot be used" in answer["error"]
    finally:
        server.close()


# ---------------------------------------------------------------------- load: every connection answered
def test_many_simultaneous_connections_are_all_answered(server):
    """More connections at once than the standard library's listen queue of 5 (the backlog is 128)."""
    count = 150
    sockets = [socket.create_connection(server.server_address[:2], timeout=30) for _ in range(count)]
    try:
        for connection in sockets:
            connection.sendall(request("GET", "/api/status", headers={"Connection": "close"}))
        statuses = []
        for connection in sockets:
            reply = b""
            while chunk := connection.recv(65536):
                reply += chunk
            statuses.append(responses(reply)[0][0])
    finally:
        for connection in sockets:
            connection.close()
    assert statuses == [200] * count


def test_computations_run_at_most_compute_slots_at_once(monkeypatch):
    server = start_explorer()
    running, most = [], []
    lock = threading.Lock()

    def slow_predict(body):
        with lock:
            running.append(1)
            most.append(len(running))
        time.sleep(0.2)
        with lock:
            running.pop()
        return {"digit": 0}

    monkeypatch.setattr(server.explorer, "predict", slow_predict)
    try:
        bodies = [{"pixels": [i / 100] * 784} for i in range(3 * web_server.COMPUTE_SLOTS)]  # all different
        with ThreadPoolExecutor(len(bodies)) as pool:
            statuses = [answer[0] for answer in pool.map(lambda b: call(server, "POST", "/api/predict", b), bodies)]
        assert statuses == [200] * len(bodies)
        assert max(most) == web_server.COMPUTE_SLOTS
    finally:
        server.close()


def test_connections_past_the_limit_get_an_immediate_503(monkeypatch):
    server = start_explorer()
    server._connections = threading.BoundedSemaphore(2)
    idle = [socket.create_connection(server.server_address[:2], timeout=10) for _ in range(2)]
    try:
        time.sleep(0.2)  # both accepted and waiting for a request
        ((status, answer),) = responses(exchange(server, request("GET", "/api/status")))
        assert status == 503 and "too many connections" in answer["error"]
    finally:
        for connection in idle:
            connection.close()
        server.close()


# ---------------------------------------------------------------------- fuzzing every API body
def test_fuzzing_every_api_body_gives_no_5xx_no_traceback_and_bounded_memory(tmp_path, capfd):
    server = start_fuzz_server(tmp_path / "none")
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    try:
        results = fuzz(server, seconds=5, seed=20261130, limit=3000)
    finally:
        server.close()
    peak_growth_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert results["failures"] == []
    statuses = results["statuses"]
    assert results["requests"] >= 300 and statuses.get("400", 0) > results["requests"] // 3, statuses
    assert statuses.get("200", 0) > 0  # mostly refused, some answered
    assert "Traceback" not in capfd.readouterr().err
    assert peak_growth_mib < 200, f"the process's peak memory grew by {peak_growth_mib:.0f} MiB"
