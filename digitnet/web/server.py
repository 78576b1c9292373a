"""The explorer's HTTP server: the standard library's ThreadingHTTPServer, a fixed route table, JSON.

Routes (the full reference, with the security model and the limits, is docs/http-api.md):

    GET  /  and every file under static/         the page (read once at start, held in memory)
    GET  /api/status                              networks, data, jobs
    GET  /api/models/<id>                         a network's shape, weights and biases
    GET  /api/models/<id>/compact                 the same and its views, as packed float32/int8 (the page's)
    GET  /api/models/<id>/views                   what its neurons look for (weight images, linear views)
    GET  /api/models/<id>/maximizing              inputs that excite each neuron most
    GET  /api/models/<id>/file                    the network as a model file (a download)
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

Every request's declared body is read whole before anything else is decided, so every answer
leaves the connection at the start of the next request; framing the server cannot trust
(chunked, several or malformed Content-Length, a body over the limit) is answered and the
connection closed.  Other web pages cannot drive the server: calls to /api/ that a browser marks
as sent by another site (``Sec-Fetch-Site``) or another origin (``Origin``) are refused, and a
POST needs a JSON body sent as ``application/json`` (which another origin cannot send without
a CORS preflight, never granted).  On a non-loopback address every /api/ call and the page
itself need the server's token.
"""

import gzip
import hashlib
import hmac
import http.server
import ipaddress
import json
import math
import os
import re
import secrets
import socket
import socketserver
import sys
import threading
from importlib import resources
from urllib.parse import parse_qs, urlsplit

from .explorer import Explorer
from .sharing import SharedWork
from .validation import MAX_BODY_BYTES, ApiError

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
COMPRESS_AT = 1024  # bytes: larger GET answers are gzipped for browsers that accept it (not the
# answers to drawing, which are small, many, and on this computer)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
ID = r"([A-Za-z0-9_-]{1,64})"
ROUTES = [  # (method, path pattern, Handler method name, a computation: shared and slot-limited, see _call)
    ("GET", r"/api/status", "status", False),
    ("GET", rf"/api/models/{ID}", "model", True),
    ("GET", rf"/api/models/{ID}/compact", "compact", True),
    ("GET", rf"/api/models/{ID}/views", "views", True),
    ("GET", rf"/api/models/{ID}/maximizing", "maximizing", True),
    ("GET", rf"/api/models/{ID}/file", "model_file", True),
    ("POST", r"/api/predict", "predict", True),
    ("POST", r"/api/cost", "cost", True),
    ("POST", r"/api/noise", "noise", True),
    ("POST", r"/api/test-image", "test_image", True),
    ("POST", r"/api/train", "train", False),
    ("POST", r"/api/download", "download", False),
    ("GET", rf"/api/jobs/{ID}", "job", False),
    ("GET", rf"/api/jobs/{ID}/events", "job_events", False),
    ("POST", rf"/api/jobs/{ID}/stop", "stop_job", False),
]
TOKEN_HEADER = "X-Digitnet-Token"
EVENT_INTERVAL = 0.05  # seconds: at most 20 progress events a second per stream
KEEP_ALIVE = 15.0  # seconds between comments on a quiet event stream
LISTEN_BACKLOG = 128  # connections the kernel queues before the server accepts them (the default is 5)
MAX_CONNECTIONS = 256  # connections served at once; more get an immediate 503 and are closed
COMPUTE_SLOTS = max(2, os.cpu_count() or 1)  # computations run at once (one per processor: each may hold
# a decoded picture, ~32 MiB for 1024×1024); more wait their turn
REQUEST_TIMEOUT = 30  # seconds a silent connection may hold a thread
_BUSY = json.dumps({"error": "too many connections at once; try again in a moment"}).encode()
BUSY_REPLY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_BUSY), _BUSY)
)


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(value):
    """``value`` with every NaN or infinite float replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def encode_json(obj):
    """``obj`` as JSON bytes; a NaN or infinity (say, in a loaded model's history) becomes null."""
    try:
        return json.dumps(obj, allow_nan=False).encode()
    except ValueError:
        return json.dumps(_finite(obj), allow_nan=False).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    """One request: read its body, check who sends it, route it, answer with JSON (or a file, or events)."""

    protocol_version = "HTTP/1.1"  # keep-alive: a drawing sends many requests in a row
    server_version = "digitnet-explorer"
    timeout = REQUEST_TIMEOUT
    disable_nagle_algorithm = True  # send each answer at once (else headers and body wait ~40 ms for an ACK)

    # ------------------------------------------------------------------ plumbing
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        """Quiet: the command line prints the address; requests are not logged."""

    def _send(self, status, body, content_type, extra_headers=(), cache="no-store"):
        if self.command == "GET" and len(body) >= COMPRESS_AT and "gzip" in (self.headers.get("Accept-Encoding") or ""):
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

    def _json(self, status, obj):
        body = obj if isinstance(obj, bytes) else encode_json(obj)
        if self.command == "GET" and status == 200:  # the browser may keep it and ask again (304 if unchanged)
            return self._cached(body, "application/json", _etag(body))
        self._send(status, body, "application/json")

    def _cached(self, body, content_type, etag):
        """A page file or a GET answer; the browser keeps it and asks again with If-None-Match (304 when unchanged)."""
        if etag in (self.headers.get("If-None-Match") or ""):
            return self._send(304, b"", content_type, [("ETag", etag)], cache="no-cache")
        return self._send(200, body, content_type, [("ETag", etag)], cache="no-cache")

    def send_error(self, code, message=None, explain=None):
        """Every error, the server's own included (bad request line, unknown method), as JSON."""
        self.close_connection = True
        self._json(code, {"error": message or self.responses.get(code, ("error",))[0]})

    def _refuse(self, status, message):
        """An ApiError after which the connection is closed (its framing cannot be trusted)."""
        self.close_connection = True
        return ApiError(status, message)

    def _read_body(self):
        """The declared body (None if there is none), read whole whatever the route, so that every
        answer leaves the connection at the start of the next request."""
        if self.headers.get_all("Transfer-Encoding"):
            raise self._refuse(411, "send the body with a Content-Length, not chunked")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return None
        if len(lengths) > 1 or not re.fullmatch(r"[0-9]{1,10}", lengths[0].strip(" \t")):
            raise self._refuse(400, "bad Content-Length header (expected one decimal number)")
        length = int(lengths[0].strip(" \t"))
        if length > MAX_BODY_BYTES:
            raise self._refuse(413, f"request body of {length:,} bytes is over the {MAX_BODY_BYTES:,}-byte limit")
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            raise self._refuse(408, f"the request body did not arrive within {REQUEST_TIMEOUT} s") from None
        if len(raw) < length:
            raise ConnectionResetError("the client hung up mid-body")
        return raw

    def _check_host(self):
        """The request's Host (lower case) if this server answers to it; 400/403 otherwise."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            raise ApiError(400, "exactly one Host header is required")
        host = hosts[0].strip().lower()
        try:
            name = urlsplit("//" + host).hostname or ""
        except ValueError:
            raise ApiError(400, f"bad Host header {host[:100]!r}") from None
        if not self.server.answers_to(name, self.connection):
            raise ApiError(403, f"this server does not answer to the name {name[:100]!r} (Host header)")
        return host

    def _check_caller(self, host):
        """Refuse what another web page can make a browser send; check the token when one is required."""
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() not in ("same-origin", "none"):
            raise ApiError(403, f"refused: this request was sent by another site (Sec-Fetch-Site: {site[:40]})")
        origins = self.headers.get_all("Origin") or []
        if origins and (len(origins) > 1 or origins[0].strip().lower() != "http://" + host):
            raise ApiError(403, f"refused: this request comes from another origin ({origins[0][:100]!r})")
        if self.server.token is not None and not _same_secret(self.headers.get(TOKEN_HEADER), self.server.token):
            raise ApiError(
                401,
                f"this server needs its token in the {TOKEN_HEADER} header: open the page "
                "at the address `digitnet explore` printed",
            )

    def _json_body(self, raw):
        """A POST's JSON body: present, sent as application/json, valid JSON."""
        if raw is None:
            raise self._refuse(411, "a Content-Length header is required")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise ApiError(415, "the request body must be JSON (Content-Type: application/json)")
        if not raw:
            raise ApiError(400, "the request body is empty; send a JSON object ({} at least)")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as error:
            raise ApiError(400, f"the request body is not valid JSON ({error})") from None
        except RecursionError:
            raise ApiError(400, "the request body is nested too deeply") from None

    def _route(self, method, path):
        allowed = []
        for route_method, pattern, name, computes in ROUTES:
            match = re.fullmatch(pattern, path.path)
            if match:
                if route_method == method:
                    if path.query:
                        raise ApiError(400, "this API takes no query parameters")
                    return name, computes, match.groups()
                allowed.append(route_method)
        if path.path in self.server.static:
            allowed.append("GET")
        if allowed:
            raise ApiError(405, f"{path.path} answers {' and '.join(allowed)}, not {method}")
        raise ApiError(404, f"no such page or API route: {path.path}")

    def _static(self, path):
        if path.path == "/" and self.server.token is not None:
            given = parse_qs(path.query).get("token", [None])[0]
            if not _same_secret(given, self.server.token):
                raise ApiError(
                    401,
                    "this server needs its token: open the page at the address "
                    "`digitnet explore` printed (it ends with ?token=…)",
                )
        self._cached(*self.server.static[path.path])

    def _handle(self, method):
        try:
            raw = self._read_body()
            host = self._check_host()
            path = urlsplit(self.path)
            if method == "GET" and path.path in self.server.static:
                return self._static(path)
            name, computes, arguments = self._route(method, path)
            self._check_caller(host)
            body = self._json_body(raw) if method == "POST" else None
            answer = self._call(name, computes, body, raw, arguments)
            if answer is not None:
                self._json(*answer)
        except ApiError as error:
            self._json(error.status, {"error": error.message})
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception as error:  # noqa: BLE001 - a bug: answer 500 rather than drop the connection
            self.close_connection = True
            self._json(500, {"error": f"internal error: {type(error).__name__}: {error}"})

    def _call(self, name, computes, body, raw, arguments):
        """Run the route.  Computations are shared by identical requests arriving together and run at
        most COMPUTE_SLOTS at once; their JSON is encoded inside the slot (its size is part of the work)."""
        method = getattr(self, "api_" + name)
        if not computes:
            return method(body, *arguments)

        def compute():
            with self.server.compute_slots:
                status, answer = method(body, *arguments)
                return status, answer if isinstance(answer, tuple) else encode_json(answer)

        status, answer = self.server.shared.run((name, arguments, raw), compute)
        if isinstance(answer, tuple):  # a file: (name, bytes)
            file_name, content = answer
            self._send(
                status,
                content,
                "application/octet-stream",
                [("Content-Disposition", f'attachment; filename="{file_name}"')],
            )
            return None
        return status, answer

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

    def api_model_file(self, body, model_id):
        return 200, self.explorer.model_file(model_id)

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
        if body != {}:
            raise ApiError(400, "this route takes an empty JSON object")
        return 202, self.explorer.start_download()

    def api_job(self, body, job_id):
        return 200, self.explorer.job(job_id).snapshot()[1]

    def api_stop_job(self, body, job_id):
        if body != {}:
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
            send(f"data: {encode_json(state).decode()}\n\n")
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
    """A ThreadingHTTPServer carrying the Explorer, the page's files, the names it answers to and its token."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address, explorer, token=None):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Handler)
        self.explorer = explorer
        self.token = token
        self.stopping = threading.Event()
        self.shared = SharedWork()
        self.compute_slots = threading.BoundedSemaphore(COMPUTE_SLOTS)
        self._connections = threading.BoundedSemaphore(MAX_CONNECTIONS)
        static = _static_files(resources.files(__package__) / "static")
        if token is not None:  # the page reads its token from here and sends it with every /api/ call
            page, content_type = static["/"]
            meta = f'<meta name="digitnet-token" content="{token}">\n</head>'.encode()
            static["/"] = (page.replace(b"</head>", meta, 1), content_type)
        self.static = {url: (body, content_type, _etag(body)) for url, (body, content_type) in static.items()}
        self.loopback = _is_loopback(address[0])
        self.host_names = {"localhost", "127.0.0.1", "::1", address[0].lower()}
        if not self.loopback:
            self.host_names |= {socket.gethostname().lower(), socket.getfqdn().lower()}

    def answers_to(self, name, connection):
        """Whether a request naming ``name`` in its Host header is for this server (against DNS rebinding):
        a loopback name, the address it listens on, or, off loopback, this computer's name or the
        address the client connected to."""
        if name in self.host_names:
            return True
        if self.loopback:
            return False
        local = connection.getsockname()[0].lower()
        return name in (local, local.removeprefix("::ffff:"))

    def process_request(self, request, client_address):
        """Serve the connection in its own thread, or, past MAX_CONNECTIONS, answer 503 at once and close."""
        if not self._connections.acquire(blocking=False):
            try:
                request.sendall(BUSY_REPLY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request, client_address):
        """A client that hangs up mid-request is not an error worth a traceback; anything else is."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def server_bind(self):
        """Bind without HTTPServer's reverse DNS look-up of the host (slow, and pointless here)."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    @property
    def url(self):
        """The page's address (with ``?token=`` when the server needs its token)."""
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", "::"):
            host = socket.gethostname()
        query = f"?token={self.token}" if self.token is not None else ""
        return f"http://{'[' + host + ']' if ':' in host else host}:{port}/{query}"

    def close(self):
        """Stop serving, end the event streams and the background jobs."""
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self.explorer.close()


def _static_files(folder, prefix="/"):
    """URL path → (bytes, content type) for every page file under ``folder``; index.html is "/"."""
    files = {}
    for entry in folder.iterdir():
        suffix = entry.name[entry.name.rfind(".") :]
        if entry.is_dir():
            files.update(_static_files(entry, f"{prefix}{entry.name}/"))
        elif suffix in CONTENT_TYPES:
            files[prefix if entry.name == "index.html" else prefix + entry.name] = (
                entry.read_bytes(),
                CONTENT_TYPES[suffix],
            )
    return files


def _etag(body):
    return f'"{hashlib.sha256(body).hexdigest()[:20]}"'


def _is_loopback(host):
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _same_secret(given, secret):
    """Whether ``given`` (a header or query value, maybe None) is ``secret``, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode("utf-8", "surrogateescape"), secret.encode())


def make_server(net, name, host="127.0.0.1", port=8000, data_dir=None, mirrors=None, others=()):
    """An ExplorerServer for ``net`` bound to host:port (port 0 picks a free one); call serve_forever().

    On a non-loopback ``host`` the server makes a token (``server.token``, part of ``server.url``)
    that the page and every /api/ call must carry.  ``others``: (id, network) pairs served beside it,
    read-only, to compare with."""
    token = None if _is_loopback(host) else secrets.token_urlsafe(24)
    return ExplorerServer(
        (host, port), Explorer(net, name, data_dir=data_dir, mirrors=mirrors, others=others), token=token
    )
