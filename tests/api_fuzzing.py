"""A fuzzer for the explorer's HTTP API: random variations of valid bodies sent to every POST route.

Each valid body is bent (fields dropped, added, replaced by odd values, numbers scaled past what a
float holds, wrapped in lists) and sometimes its bytes too (cut, flipped, nested 200,000 deep,
re-encoded).  A request passes when the server answers it with JSON: 2xx, or a 4xx carrying
``{"error": message}``.  A failure is a 5xx, an answer that is not JSON, an error without a
message, or no answer within 30 s.

Used by tests/test_web_security.py (5 s) and scripts/fuzz_api.py (as long as you like).
"""

import base64
import http.client
import io
import json
import random
import time

import numpy as np
from PIL import Image
from test_web_api import Client


def call(server, method, path, body=None, headers=None):
    """One request → (status, parsed JSON or bytes, response); a body that is not bytes is sent as JSON."""
    payload = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    all_headers = {"Content-Type": "application/json"} if body is not None else {}
    return Client(server).raw(method, path, payload, {**all_headers, **(headers or {})})


def valid_bodies():
    pixels = [round(v, 3) for v in np.random.default_rng(0).random(784).tolist()]
    small_png = base64.b64encode(_png_bytes()).decode()
    return {
        "/api/predict": [
            {"pixels": pixels},
            {"png": small_png, "connections": True},
            {"pixels": pixels, "model": "default"},
        ],
        "/api/cost": [{"pixels": pixels, "label": 3}],
        "/api/noise": [{"kind": "gaussian", "seed": 4}, {}],
        "/api/test-image": [{"position": 0, "mistakes": True}],
        "/api/train": [
            {"hidden": [8], "lr": 1.0, "epochs": 1, "batch_size": 10, "schedule": "step", "limit": 100, "seed": 1}
        ],
        "/api/download": [{}],
        "/api/jobs/train-1/stop": [{}],
    }


def _png_bytes():
    image = Image.new("L", (40, 40), 255)
    image.paste(0, (15, 5, 25, 35))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


ODD_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1,
    0.5,
    -0.0,
    1e308,
    -1e308,
    10**400,
    -(10**400),
    2**63,
    2**31,
    1e-320,
    "",
    "x" * 70,
    "default",
    "\u0000",
    "\ud800",
    "gaussian",
    [],
    {},
    [[]],
    [0.5] * 784,
    [0.5] * 785,
    [16] * 4,
    [256] * 5,
    {"a": 1},
    "A" * 1000,
    "iVBORw0KGgo=",
    "====",
    3.0,
    100,
    1000,
    60_000,
]


def mutate(rng, body):
    """A random variation of a valid body: fields dropped, added, replaced or wrapped; values bent."""
    body = json.loads(json.dumps(body))
    for _ in range(rng.randint(1, 3)):
        action = rng.random()
        if action < 0.35 and body:
            body[rng.choice(list(body))] = rng.choice(ODD_VALUES)
        elif action < 0.5 and body:
            del body[rng.choice(list(body))]
        elif action < 0.6:
            body[rng.choice(["model", "pixels", "png", "label", "kind", "seed", "hidden", "zzz", ""])] = rng.choice(
                ODD_VALUES
            )
        elif action < 0.75:
            key = rng.choice(list(body)) if body else "pixels"
            value = body.get(key)
            if isinstance(value, list) and value:
                value = list(value)
                value[rng.randrange(len(value))] = rng.choice(ODD_VALUES)
                body[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                body[key] = rng.choice([value * 10 ** rng.randint(1, 30), -value, value + 1, str(value)])
        elif action < 0.85:
            return rng.choice([[body], "text", 12, None, {"": body}])
        else:
            return body
    return body


def raw_variants(rng, encoded):
    """Bytes a JSON parser must survive: truncations, flips, deep nesting, odd encodings."""
    choice = rng.random()
    if choice < 0.3:
        return encoded[: rng.randrange(len(encoded) + 1)]
    if choice < 0.55:
        data = bytearray(encoded)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice < 0.7:
        depth = rng.randint(1, 200_000)
        return b"[" * depth + b"]" * rng.choice([0, depth])
    if choice < 0.85:
        return encoded.decode().encode(rng.choice(["utf-16", "utf-32", "latin-1"]), "replace")
    return rng.choice([b"NaN", b"Infinity", b"-Infinity", b'{"pixels": NaN}', b"1" * 5000, b'"\\ud800"', b"\x00"])


def start_fuzz_server(folder):
    """An explorer with no MNIST (training and test images check their bodies, then answer 409) and a mirror
    nobody listens on, so that a valid body starts nothing heavy."""
    from conftest import start_explorer

    return start_explorer(data_dir=folder, mirrors=("http://127.0.0.1:9/",))


def fuzz(server, seconds, seed=0, limit=None):
    """Random bodies to every POST route for ``seconds`` (or ``limit`` requests):
    {"requests", "statuses": {status: count}, "failures": [{"path", "body", "problem"}]}."""
    rng = random.Random(seed)
    bodies = valid_bodies()
    statuses, failures, sent = {}, [], 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and (limit is None or sent < limit):
        path = rng.choice(list(bodies))
        body = mutate(rng, rng.choice(bodies[path]))
        try:
            encoded = json.dumps(body).encode()
        except (UnicodeEncodeError, ValueError):
            encoded = b"{}"
        if rng.random() < 0.25:
            encoded = raw_variants(rng, encoded)
        sent += 1
        try:
            status, answer, response = call(server, "POST", path, encoded)
        except (OSError, http.client.HTTPException, ValueError) as error:
            failures.append({"path": path, "body": encoded[:300].decode("latin-1"), "problem": repr(error)})
            continue
        statuses[status] = statuses.get(status, 0) + 1
        problem = None
        if status >= 500 or response.getheader("Content-Type") != "application/json":
            problem = f"{status} {response.getheader('Content-Type')}: {str(answer)[:300]}"
        elif status >= 400 and not (set(answer) == {"error"} and answer["error"]):
            problem = f"{status} without a one-line error: {str(answer)[:300]}"
        if problem:
            failures.append({"path": path, "body": encoded[:300].decode("latin-1"), "problem": problem})
    return {"requests": sent, "statuses": {str(k): v for k, v in sorted(statuses.items())}, "failures": failures}
