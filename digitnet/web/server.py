"""The explorer's HTTP server: the standard library's ThreadingHTTPServer, a fixed route table, JSON.

Routes (documented in the README):

    GET  /  and every file under static/         the page (read once at start, held in memory)
    GET  /api/status                              networks, data, jobs
    GET  /api/models/<id>                         a network's shape, weights and biases
    GET  /api/models/<id>/compact                 the same and its views, as packed float32/int8 (the page's)
    GET  /api/models/<id>/views                   what its neurons look for (weight images, linear views)
    GET  /api/models/<id>/maximizing              inputs that excite each neuron most
    POST /api/predict    {"pixels": [784] | "png": base64, "model"?}
    POST /api/cost       {"pixels": [784], "label": 0-9, "model"?}
    POST /api/noise      {"kind"?, "seed"?, "model"?}
    POST /api/test-image {"position", "mistakes"?, "model"?}
    POST /api/train      {"hidden", "lr", "epochs", "batch_size", "schedule"?, "limit"?, "seed"?}
    POST /api/download   {}
    GET  /api/jobs/<id>           a job's progress;   GET /api/jobs/<id>/events   the same, streamed
    POST /api/jobs/<id>/stop      {}

No route reads a path from the request: the page's files are read once, from the package, at
start.  Errors are JSON ``{"error": message}`` with a 4xx status (5xx only for a bug).
"""

import gzip
import hashlib
import http.server
import ipaddress
import json
import re
import socket
import socketserver
import sys
import threading
from importlib import resources
from urllib.parse import urlsplit

from .explorer import Explorer
from .validation import MAX_BODY_BYTES, ApiError

CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
COMPRESS_AT = 1024          # bytes: larger answers are gzipped for browsers that accept it
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                               "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ID = r"([A-Za-z0-9_-]{1,64})"
ROUTES = [  # (method, path pattern, Handler method name, takes a JSON body)
    ("GET", r"/api/status", "status", False),
    ("GET", rf"/api/models/{ID}", "model", False),
    ("GET", rf"/api/models/{ID}/compact", "compact", False),
    ("GET", rf"/api/models/{ID}/views", "views", False),
    ("GET", rf"/api/models/{ID}/maximizing", "maximizing", False),
    ("POST", r"/api/predict", "predict", True),
    ("POST", r"/api/cost", "cost", True),
    ("POST", r"/api/noise", "noise", True),
    ("POST", r"/api/test-image", "test_image", True),
    ("POST", r"/api/train", "train", True),
    ("POST", r"/api/download", "download", True),
    ("GET", rf"/api/jobs/{ID}", "job", False),
    ("GET", rf"/api/jobs/{ID}/events", "job_events", False),
    ("POST", rf"/api/jobs/{ID}/stop", "stop_job", True),
]
EVENT_INTERVAL = 0.05      # seconds: at most 20 progress events a second per stream
KEEP_ALIVE = 15.0          # seconds between comments on a quiet event stream


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: route it, check it, answer with JSON (or a static file, or an event stream)."""

    protocol_version = "HTTP/1.1"   # keep-alive: a drawing sends many requests in a row
    server_version = "digitnet-explorer"
    timeout = 60                    # seconds a silent connection may hold a thread
    disable_nagle_algorithm = True  # send each answer at once (else headers and body wait ~40 ms for an ACK)

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        """Quiet: the command line prints the address; requests are not logged."""

    def _send(self, status, body, content_type, extra_headers=(), cache="no-store"):
        if len(body) >= COMPRESS_AT and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            extra_headers = (*extra_headers, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        for name, value in (*SECURITY_HEADERS.items(), *extra_headers):
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj, extra_headers=()):
        body = json.dumps(obj, allow_nan=False).encode()
        if self.command == "GET" and status == 200:   # the browser may keep it and ask again (304 if unchanged)
            return self._cached(body, "application/json", _etag(body))
        self._send(status, body, "application/json", extra_headers)

    def send_error(self, code, message=None, explain=None):
        """Every error, the server's own included (bad request line, unknown method), as JSON."""
        self.close_connection = True
        self._json(code, {"error": message or self.responses.get(code, ("error",))[0]})

    def _check_host(self):
        allowed = self.server.allowed_hosts
        if allowed is None:
            return
        host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        if host not in allowed:
            raise ApiError(403, f"this server answers only to {', '.join(sorted(allowed))} (got Host {host!r})")

    def _body(self):
        """The request's JSON body (an empty body is ``{}``), refusing wrong types and sizes."""
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "send the body with a Content-Length, not chunked")
        length = self.headers.get("Content-Length")
        if length is None:
            raise ApiError(411, "a Content-Length header is required")
        if not length.isdigit():
            raise ApiError(400, "bad Content-Length header")
        if int(length) > MAX_BODY_BYTES:
            raise ApiError(413, f"request body of {int(length):,} bytes is over the {MAX_BODY_BYTES:,}-byte limit")
        raw = self.rfile.read(int(length))
        if not raw:
            return {}
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(415, "the request body must be JSON (Content-Type: application/json)")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, f"the request body is not valid JSON ({error})") from None
        except RecursionError:
            raise ApiError(400, "the request body is nested too deeply") from None

    def _route(self, method):
        path = urlsplit(self.path)
        allowed = []
        for route_method, pattern, name, takes_body in ROUTES:
            match = re.fullmatch(pattern, path.path)
            if match:
                if route_method == method:
                    if path.query:
                        raise ApiError(400, "this API takes no query parameters")
                    return name, takes_body, match.groups()
                allowed.append(route_method)
        if path.path in self.server.static:
            allowed.append("GET")
        if allowed:
            raise ApiError(405, f"{path.path} answers {' and '.join(allowed)}, not {method}")
        raise ApiError(404, f"no such page or API route: {path.path}")

    def _handle(self, method):
        try:
            self._check_host()
            if method == "GET" and urlsplit(self.path).path in self.server.static:
                return self._cached(*self.server.static[urlsplit(self.path).path])
            name, takes_body, arguments = self._route(method)
            body = self._body() if takes_body else None
            answer = getattr(self, "api_" + name)(body, *arguments)
            if answer is not None:
                self._json(answer[0], answer[1])
        except ApiError as error:
            self.close_connection = self.close_connection or error.status in (411, 413)
            self._json(error.status, {"error": error.message})
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # noqa: BLE001 - a bug: answer 500 rather than drop the connection
            self.close_connection = True
            self._json(500, {"error": f"internal error: {type(error).__name__}: {error}"})

    def _cached(self, body, content_type, etag):
        """A page file or a GET answer; the browser keeps it and asks again with If-None-Match (304 when unchanged)."""
        if etag in (self.headers.get("If-None-Match") or ""):
            return self._send(304, b"", content_type, [("ETag", etag)], cache="no-cache")
        return self._send(200, body, content_type, [("ETag", etag)], cache="no-cache")

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def _not_allowed(self):
        self._handle(self.command)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _not_allowed

    # ------------------------------------------------------------------ the API
    @property
    def explorer(self):
        return self.server.explorer

    def api_status(self, body):
        return 200, self.explorer.status()

    def api_model(self, body, model_id):
        return 200, self.explorer.describe(model_id)

    def api_compact(self, body, model_id):
        return 200, self.explorer.compact(model_id)

    def api_views(self, body, model_id):
        return 200, self.explorer.views(model_id)

    def api_maximizing(self, body, model_id):
        return 200, self.explorer.maximizing(model_id)

    def api_predict(self, body):
        return 200, self.explorer.predict(body)

    def api_cost(self, body):
        return 200, self.explorer.cost(body)

    def api_noise(self, body):
        return 200, self.explorer.noise(body)

    def api_test_image(self, body):
        return 200, self.explorer.test_image(body)

    def api_train(self, body):
        return 202, self.explorer.start_training(body)

    def api_download(self, body):
        if body:
            raise ApiError(400, "this route takes an empty JSON object")
        return 202, self.explorer.start_download()

    def api_job(self, body, job_id):
        return 200, self.explorer.job(job_id).snapshot()[1]

    def api_stop_job(self, body, job_id):
        if body:
            raise ApiError(400, "this route takes an empty JSON object")
        job = self.explorer.job(job_id)
        job.stop()
        return 202, job.snapshot()[1]

    def api_job_events(self, body, job_id):
        """Server-Sent Events: the job's snapshot on every change, until it ends (then the stream ends).

        Sent with chunked transfer encoding, so the end of the stream is an ordinary end of a response.
        """
        job = self.explorer.job(job_id)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        # no-cache, not no-store: Chromium reports a no-store stream read to its end as aborted
        # (microsoft/playwright#42742), which would look like a failed request.
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()

        def send(text):
            data = text.encode()
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        version, state = job.snapshot()
        stopping = self.server.stopping
        while not stopping.is_set():
            send(f"data: {json.dumps(state, allow_nan=False)}\n\n")
            if state["state"] != "running":
                break
            stopping.wait(EVENT_INTERVAL)
            previous = version
            version, state = job.wait_for_change(version, KEEP_ALIVE)
            if version == previous:
                send(": still running\n\n")
        self.wfile.write(b"0\r\n\r\n")
        return None


class ExplorerServer(http.server.ThreadingHTTPServer):
    """A ThreadingHTTPServer carrying the Explorer, the page's files and the allowed Host names."""

    daemon_threads = True

    def __init__(self, address, explorer):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.explorer = explorer
        self.stopping = threading.Event()
        self.static = _static_files(resources.files(__package__) / "static")
        self.allowed_hosts = _loopback_names(address[0])

    def handle_error(self, request, client_address):
        """A client that hangs up mid-request is not an error worth a traceback; anything else is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def server_bind(self):
        """Bind without HTTPServer's reverse DNS look-up of the host (slow, and pointless here)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/"

    def close(self):
        """Stop serving, end the event streams and the background jobs."""
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self.explorer.close()


def _static_files(folder, prefix="/"):
    """URL path → (bytes, content type, ETag) for every page file under ``folder``; index.html is "/"."""
    files = {}
    for entry in folder.iterdir():
        if entry.is_dir():
            files.update(_static_files(entry, f"{prefix}{entry.name}/"))
        elif entry.name[entry.name.rfind("."):] in CONTENT_TYPES:
            body = entry.read_bytes()
            url = prefix if entry.name == "index.html" else prefix + entry.name
            files[url] = (body, CONTENT_TYPES[entry.name[entry.name.rfind("."):]], _etag(body))
    return files


def _etag(body):
    return f'"{hashlib.sha256(body).hexdigest()[:20]}"'


def _loopback_names(host):
    """Host names a loopback-bound server answers to (guards against DNS rebinding); None = any."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    return {"localhost", "127.0.0.1", "::1", host} if loopback else None


def make_server(net, name, host="127.0.0.1", port=8000, data_dir=None, mirrors=None):
    """An ExplorerServer for ``net`` bound to host:port (port 0 picks a free one); call serve_forever()."""
    return ExplorerServer((host, port), Explorer(net, name, data_dir=data_dir, mirrors=mirrors))
