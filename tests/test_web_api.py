"""The explorer's JSON API: answers that match the library, and a clear 4xx for every bad request."""

import base64
import fnmatch
import gzip
import http.client
import http.server
import io
import json
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import tomllib
from browser import explore_command
from conftest import start_explorer, write_mnist
from PIL import Image, ImageDraw

from digitnet import data, insight
from digitnet.images import image_to_input
from digitnet.models import load_bundled
from digitnet.web import server as web_server
from digitnet.web.validation import MAX_BODY_BYTES, MAX_PNG_BYTES, MAX_PNG_SIDE

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------- a server in a thread
class Client:
    """A few lines of http.client: one request → (status, parsed JSON or bytes, headers)."""

    def __init__(self, server):
        self.host, self.port = server.server_address[:2]

    def raw(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        connection.close()
        if response.getheader("Content-Type", "").startswith("application/json") and not response.getheader(
            "Content-Encoding"
        ):
            content = json.loads(content)
        return response.status, content, response

    def get(self, path):
        return self.raw("GET", path)[:2]

    def post(self, path, body, content_type="application/json"):
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.raw("POST", path, payload, {"Content-Type": content_type})[:2]


@pytest.fixture(scope="module")
def mnist_dir(tmp_path_factory):
    return write_mnist(tmp_path_factory.mktemp("mnist"), train=(300, 28), test=(100, 28))


@pytest.fixture(scope="module")
def client(server):
    return Client(server)


@pytest.fixture
def empty_data_server(tmp_path):
    server = start_explorer(data_dir=tmp_path / "nothing-here")
    yield server
    server.close()


def drawn_seven_png(size=140, background=255, ink=0):
    """A hand-built picture of a 7 (dark ink on white paper unless told otherwise), as PNG bytes."""
    image = Image.new("L", (size, size), background)
    pen = ImageDraw.Draw(image)
    pen.line(
        [(0.25 * size, 0.2 * size), (0.75 * size, 0.2 * size), (0.45 * size, 0.85 * size)],
        fill=ink,
        width=int(0.07 * size),
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def b64(content):
    return base64.b64encode(content).decode()


# ---------------------------------------------------------------------- answers match the library
def test_status_lists_the_shipped_network_and_the_data(client, mnist_dir):
    status, answer = client.get("/api/status")
    assert status == 200
    assert answer["default_model"] == "default"
    shipped = answer["models"][0]
    assert shipped["sizes"] == [784, 16, 16, 10] and shipped["read_only"]
    assert shipped["test_accuracy"] == load_bundled().history[-1]["test_accuracy"]
    assert answer["data"] == {"available": True, "folder": str(mnist_dir), "missing": []}
    assert answer["noise_kinds"] == list(insight.NOISE_KINDS)


def test_bundled_model_is_the_videos_recipe_on_redrawn_digits_with_seed_2_and_reads_digits():
    """The explorer's network: the video's network and recipe with preset 3b1b-drawn's gentle moves."""
    from digitnet.presets import PRESETS

    net = load_bundled()
    assert net.sizes == [784, 16, 16, 10] and net.activation == "sigmoid" and net.cost_name == "quadratic"
    assert {
        key: net.recipe[key]
        for key in (
            "epochs",
            "batch_size",
            "lr",
            "schedule",
            "seed",
            "init",
            "engine",
            "optimizer",
            "augment",
            "epochs_trained",
        )
    } == {
        "epochs": 30,
        "batch_size": 10,
        "lr": 1.0,
        "schedule": "step",
        "seed": 2,  # the seed of seven that reads the most validation drawings (docs/training.md)
        "init": "lecun",
        "engine": "reference",
        "optimizer": "sgd",
        "augment": PRESETS["3b1b-drawn"].recipe.augment.as_dict(),
        "epochs_trained": 30,
    }
    assert net.recipe["augment"]["shear"] > 0 and net.recipe["validation"] == 10000
    assert len(net.history) == 30 and net.history[-1]["test_accuracy"] > 0.94
    assert net.predict(image_to_input(drawn_seven_png())) == 7


def test_bundled_model_scores_on_real_mnist_what_its_history_says(real_mnist):
    _, (images, labels) = real_mnist
    net = load_bundled()
    scores = net.evaluate(images, labels, engine="reference")
    assert scores["accuracy"] == net.history[-1]["test_accuracy"] == 0.9503
    assert scores["cost"] == pytest.approx(net.history[-1]["test_cost"], rel=1e-5)


def test_predict_pixels_gives_every_layer_exactly_as_network_forward(client):
    pixels = np.random.default_rng(1).random(784).astype(np.float32)
    status, answer = client.post("/api/predict", {"pixels": pixels.tolist()})
    assert status == 200
    weighted_sums, activations = load_bundled().forward(pixels)
    assert len(answer["activations"]) == 4 and len(answer["weighted_sums"]) == 3
    for sent, library in zip(answer["activations"] + answer["weighted_sums"], activations + weighted_sums):
        np.testing.assert_array_equal(np.array(sent, dtype=np.float32), library)
    verdict = load_bundled().predict_or_reject(pixels)  # the library's verdict for the same input
    assert answer["top"] == int(activations[-1].argmax())
    assert answer["state"] == verdict.state and answer["digit"] == verdict.digit
    # uniform noise: the shipped network's rejector calls it "not a digit", though the outputs still pick one
    assert answer["state"] == "rejected" and answer["digit"] is None and answer["reason"] == "unusual"
    assert "connections" not in answer
    status, answer = client.post("/api/predict", {"pixels": pixels.tolist(), "connections": True})
    assert answer["connections"] == insight.layer_activations(load_bundled(), pixels, connections=40)["connections"]


@pytest.mark.parametrize("background, ink", [(255, 0), (0, 255)])
def test_predict_png_uses_the_same_preprocessing_as_digitnet_predict(client, background, ink):
    png = drawn_seven_png(background=background, ink=ink)
    status, answer = client.post("/api/predict", {"png": b64(png)})
    assert status == 200
    expected = image_to_input(png)
    np.testing.assert_array_equal(np.array(answer["activations"][0], dtype=np.float32), expected)
    np.testing.assert_array_equal(
        np.array(answer["activations"][-1], dtype=np.float32), load_bundled().feedforward(expected)
    )
    assert answer["digit"] == 7


AGREEMENT_PICTURES = {  # a digit, a scribble the density model refuses, a photograph only the drawing check refuses
    "digit": "drawn_digits/digit-7-0.png",
    "scribble": "evaluation/non_digits/mark-scribble-4.png",
    "photo": "evaluation/non_digits/photo-1.jpg",
}


@pytest.mark.parametrize("kind", AGREEMENT_PICTURES)
def test_the_pages_answer_for_a_picture_is_digitnet_predict_reject(client, kind, tmp_path, capsys):
    from conftest import run_cli

    picture = tmp_path / f"{kind}.png"  # the page sends PNGs: the same pixels as a PNG
    with Image.open(Path(__file__).parent / "data" / AGREEMENT_PICTURES[kind]) as image:
        image.save(picture)
    status, out, _ = run_cli(capsys, "predict", "3b1b", "--reject", "--json", picture)
    said = json.loads(out)
    status, answer = client.post("/api/predict", {"png": b64(picture.read_bytes())})
    assert status == 200
    assert (answer["state"], answer["digit"], answer["reason"]) == (said["state"], said["digit"], said["reason"])
    assert answer["confidence"] == pytest.approx(said["confidence"], abs=1e-6)
    np.testing.assert_allclose(answer["activations"][-1], said["outputs"], atol=1e-6)
    state, density_rejects, drawing = {  # each picture tests what it is chosen for
        "digit": ("sure", False, True),
        "scribble": ("rejected", True, True),
        "photo": ("rejected", False, False),
    }[kind]
    assert said["state"] == state and said["drawing"] == drawing
    assert load_bundled().rejector.rejects(image_to_input(picture)) == density_rejects
    assert said["reason"] == {"digit": None, "scribble": "unusual", "photo": "not a drawing"}[kind]


def test_cost_and_nudges_come_from_insight(client):
    net = load_bundled()
    pixels = image_to_input(drawn_seven_png())
    status, answer = client.post("/api/cost", {"pixels": pixels.tolist(), "label": 1})
    assert status == 200
    expected = insight.cost_breakdown(net, pixels, 1)
    assert answer["breakdown"]["label"] == 1 and answer["breakdown"]["digit"] == 7
    np.testing.assert_allclose(answer["breakdown"]["squared_differences"], expected["squared_differences"])
    assert answer["breakdown"]["cost"] == pytest.approx(float(net.example_costs(pixels[None], [1])[0]), rel=1e-6)
    top = insight.nudges(net, pixels[None], [1], top=10)["top"]
    assert [n["name"] for n in answer["nudges"]["top"]] == [n["name"] for n in top]
    assert answer["nudges"]["parameters"] == 13002
    heatmaps = unpack(answer["first_layer_nudges"])
    assert heatmaps.shape == (16, 28, 28)
    downhill = -net.backprop(pixels[None], [1]).weights[0]
    assert answer["first_layer_nudges"]["scale"] == pytest.approx(np.abs(downhill).max(), rel=1e-5)
    # one shared linear scale, 127 levels each side: every value within half a level
    np.testing.assert_allclose(heatmaps.reshape(16, 784), downhill, atol=0.5 / 127 * np.abs(downhill).max() * 1.0001)


def unpack(packed):
    """A packed array of the compact payloads (float32, int8 on a shared scale, uint8 in [0, 1]) as floats."""
    for kind, decode in [
        ("float32", lambda a: a),
        ("int8", lambda a: a / 127 * packed["scale"]),
        ("uint8", lambda a: a / 255),
    ]:
        if kind in packed:
            raw = np.frombuffer(base64.b64decode(packed[kind]), dtype={"float32": "<f4"}.get(kind, kind))
            return decode(raw.astype(np.float64)).reshape(packed["shape"])
    raise AssertionError(f"not a packed array: {sorted(packed)}")


def test_a_network_kept_from_its_best_epoch_shows_that_epochs_test_accuracy():
    """Early stopping keeps the best epoch's weights: the page shows that epoch's accuracy, as
    `digitnet models` does, not the last epoch's."""
    from digitnet.models import describe, load_shipped
    from digitnet.web.explorer import Explorer

    shipped = Explorer(load_bundled(), "shipped", others=[("big", load_shipped("big"))])
    listed = {model["id"]: model for model in shipped.models()}
    assert listed["big"]["test_accuracy"] == describe("big")["test_accuracy"]
    big = load_shipped("big")
    kept = len(big.history) - 1  # as if training had stopped with the epoch before the last the best
    big.recipe = {**big.recipe, "best_epoch": kept}
    assert big.history[kept - 1]["test_accuracy"] != big.history[-1]["test_accuracy"]  # the case in point
    explorer = Explorer(load_bundled(), "shipped", others=[("big", big)])
    listed = {model["id"]: model for model in explorer.models()}
    assert listed["big"]["test_accuracy"] == big.history[kept - 1]["test_accuracy"]
    compact = explorer.compact("big")
    assert compact["kept_epoch"] == kept
    assert compact["test_accuracy"] == big.history[kept - 1]["test_accuracy"]
    assert explorer.compact("default")["kept_epoch"] == len(load_bundled().history)


def test_model_description_and_views_match_the_network(client):
    net = load_bundled()
    status, model = client.get("/api/models/default")
    assert status == 200 and model["parameters"] == 13002
    for sent, library in zip(model["weights"] + model["biases"], net.weights + net.biases):
        np.testing.assert_array_equal(np.array(sent, dtype=np.float32), library)
    status, views = client.get("/api/models/default/views")
    assert status == 200
    np.testing.assert_array_equal(np.array(views["first_layer"], dtype=np.float32), insight.first_layer_images(net))
    assert sorted(views["deeper"]) == ["2", "3"]
    np.testing.assert_allclose(views["deeper"]["3"], insight.linear_views(net, 3))


def test_the_compact_description_packs_the_same_network_and_views(client):
    net = load_bundled()
    status, model = client.get("/api/models/default/compact")
    assert status == 200 and model["parameters"] == 13002 and model["sizes"] == [784, 16, 16, 10]
    for sent, library in zip(model["weights"] + model["biases"], net.weights + net.biases):
        np.testing.assert_array_equal(unpack(sent), library)  # float32: exact
    assert sorted(model["views"]) == ["1", "2", "3"]
    for layer in (1, 2, 3):
        view = insight.linear_views(net, layer)
        scale = np.abs(view).max()
        assert model["views"][str(layer)]["scale"] == pytest.approx(scale)
        np.testing.assert_allclose(unpack(model["views"][str(layer)]), view, atol=0.5 / 127 * scale * 1.0001)
    status, body, response = client.raw("GET", "/api/models/default/compact", headers={"Accept-Encoding": "gzip"})
    assert response.getheader("Content-Encoding") == "gzip" and len(body) < 150_000


def test_maximizing_images_are_insights_activation_maximization_from_black(client):
    net = load_bundled()
    status, answer = client.get("/api/models/default/maximizing")
    assert status == 200
    assert [len(answer[str(layer)]["activations"]) for layer in (1, 2, 3)] == [16, 16, 10]
    images = insight.activation_maximizations(net, 3, range(10), start=0.0)
    np.testing.assert_allclose(unpack(answer["3"]["images"]), images, atol=0.5 / 255 + 1e-9)
    reached = net.forward(images.reshape(10, 784))[1][3].diagonal()  # what each image does to its own neuron
    np.testing.assert_allclose(answer["3"]["activations"], reached, rtol=1e-5)
    assert min(answer["3"]["activations"]) > 0.9  # from black, every output neuron is excited


def test_noise_is_insights_noise_with_a_report(client):
    status, answer = client.post("/api/noise", {"kind": "gaussian", "seed": 12})
    assert status == 200
    np.testing.assert_array_equal(
        np.array(answer["pixels"], dtype=np.float32), insight.noise_images("gaussian", 1, 12)[0]
    )
    assert answer["report"]["count"] == 1000 and sum(answer["report"]["answers"]) == 1000
    assert answer["report"]["mean_top_activation_digits"] is not None  # the data is there: compared with digits


def test_test_images_step_through_all_and_through_the_mistakes(client, mnist_dir):
    _, (images, labels) = data.load_mnist(mnist_dir)
    status, answer = client.post("/api/test-image", {"position": 3})
    assert status == 200 and answer["count"] == 100 and answer["index"] == 3 and answer["label"] == labels[3]
    np.testing.assert_array_equal(np.array(answer["pixels"], dtype=np.float32), images[3])
    mistakes = np.flatnonzero(load_bundled().predict(images) != labels)
    status, answer = client.post("/api/test-image", {"position": 1, "mistakes": True})
    assert status == 200 and answer["count"] == len(mistakes) and answer["index"] == mistakes[1]


def page_files():
    """URL path → file of every page file under digitnet/web/static (index.html is "/")."""
    folder = ROOT / "digitnet/web/static"
    return {("/" + str(f.relative_to(folder))).removesuffix("index.html"): f for f in folder.rglob("*") if f.is_file()}


def test_static_files_are_the_folder_with_a_strict_content_policy_and_revalidation(client):
    files = page_files()
    assert {"/", "/style.css", "/favicon.svg", "/js/main.js"} <= set(files)
    for path, file in files.items():
        status, body, response = client.raw("GET", path)
        assert status == 200 and response.getheader("Content-Type") == web_server.CONTENT_TYPES[file.suffix]
        assert body == file.read_bytes()
        assert "default-src 'self'" in response.getheader("Content-Security-Policy")
        assert response.getheader("Cache-Control") == "no-cache"
        status, body, _ = client.raw("GET", path, headers={"If-None-Match": response.getheader("ETag")})
        assert status == 304 and body == b""
    status, body, response = client.raw("GET", "/js/main.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == files["/js/main.js"].read_bytes()
    page = (ROOT / "digitnet/web/static/index.html").read_text()
    for hook in ("draw-canvas", "clear", "answer", "outputs", "noise"):
        assert f'data-testid="{hook}"' in page
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere


def test_package_data_ships_the_model_and_every_page_file():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = [path.name for path in (ROOT / "digitnet/models").iterdir() if path.suffix in (".npz", ".json")]
    assert "3b1b.npz" in shipped
    for name in shipped:  # every shipped network (and its drawing check) goes into the package
        assert any(fnmatch.fnmatch(name, pattern) for pattern in package_data["digitnet.models"]), name
    assert package_data["digitnet.web"] == ["static/**/*"]  # the folder, whatever files it holds
    # mind the wheel: every shipped network with its "not a digit" model stays small
    assert sum((ROOT / "digitnet/models" / name).stat().st_size for name in shipped) < 5_000_000


def test_many_browsers_at_once_each_get_their_own_answer(client):
    net = load_bundled()
    images = np.random.default_rng(2).random((24, 784)).astype(np.float32)

    def ask(image):
        return client.post("/api/predict", {"pixels": image.tolist()})[1]["activations"][-1]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(ask, images))
    expected = [net.feedforward(image) for image in images]  # one at a time, as the server computes them
    np.testing.assert_array_equal(np.array(answers, dtype=np.float32), expected)


# ---------------------------------------------------------------------- training and downloading
def wait_for(client, job_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = client.get(f"/api/jobs/{job_id}")
        if job["state"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


@pytest.mark.slow
def test_training_streams_progress_and_registers_a_new_network(tmp_path):
    mnist_dir = write_mnist(tmp_path / "mnist", train=(3000, 28), test=(50, 28))  # epochs long enough to watch
    server = start_explorer(data_dir=mnist_dir)
    client = Client(server)
    try:
        status, job = client.post(
            "/api/train", {"hidden": [8], "lr": 1.0, "epochs": 4, "batch_size": 1, "limit": 2000, "seed": 3}
        )
        assert status == 202 and job["state"] == "running" and job["settings"]["sizes"] == [784, 8, 10]
        connection = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
        connection.request("GET", f"/api/jobs/{job['id']}/events")
        response = connection.getresponse()
        assert response.getheader("Content-Type") == "text/event-stream"
        events = [json.loads(line[6:]) for line in response.read().decode().splitlines() if line.startswith("data: ")]
        connection.close()
        epochs_seen = [len(event["history"]) for event in events]
        assert epochs_seen == sorted(epochs_seen) and epochs_seen[-1] == 4 and len(set(epochs_seen)) > 1
        final = events[-1]
        assert final["state"] == "done" and final["model"].startswith("net-")
        status, model = client.get(f"/api/models/{final['model']}")
        assert model["sizes"] == [784, 8, 10] and len(model["history"]) == 4
        assert model["history"] == final["history"]
        # the same recipe through the library gives the same network: nothing re-implemented
        from digitnet import Network, load_mnist

        (images, labels), test = load_mnist(mnist_dir)
        twin = Network([784, 8, 10], seed=3)
        twin.fit(images[:2000], labels[:2000], epochs=4, batch_size=1, lr=1.0, schedule="step", seed=3, test=test)
        for sent, library in zip(model["weights"], twin.weights):
            np.testing.assert_array_equal(np.array(sent, dtype=np.float32), library)
        # the curve's epoch 0 is the untrained network; between epochs, a sample's cost as the weights change
        untrained = Network([784, 8, 10], seed=3)
        assert final["initial"]["test_cost"] == pytest.approx(untrained.evaluate(*test)["cost"], rel=1e-6)
        assert final["initial"]["train_cost"] == pytest.approx(
            untrained.evaluate(images[:2000], labels[:2000])["cost"], rel=1e-6
        )
        at = [point[0] for point in final["batch_costs"]]
        assert at == sorted(at) and at[0] == 0 and len(at) > 20
        first_batch = np.random.default_rng(3).permutation(2000)[:1]  # the seeded order's first mini-batch
        assert final["batch_costs"][0][1] == pytest.approx(untrained.cost(images[first_batch], labels[first_batch]))
        # while it trained, the job's id named the network as it was, a few times a second
        assert final["live"]["snapshot"] >= 4 and final["live"]["epochs"] == 4
        status, live = client.get(f"/api/models/{job['id']}/compact")  # the last one: the trained network
        assert status == 200 and live["history"] == model["history"]
        status, answer = client.post("/api/predict", {"model": job["id"], "pixels": [0.5] * 784})
        assert status == 200 and np.allclose(answer["activations"][-1], twin.feedforward(np.full(784, 0.5)))
        # and it can be kept: downloaded as the model file the library writes
        status, content, response = client.raw("GET", f"/api/models/{final['model']}/file")
        assert status == 200 and "attachment" in response.getheader("Content-Disposition")
        (tmp_path / "kept.npz").write_bytes(content)
        kept = Network.load(tmp_path / "kept.npz")
        assert kept.history == model["history"]
        for mine, library in zip(kept.weights + kept.biases, twin.weights + twin.biases):
            np.testing.assert_array_equal(mine, library)
        # the shipped network is untouched and still the default
        assert client.get("/api/status")[1]["default_model"] == "default"
    finally:
        server.close()


def test_the_training_jobs_mini_batch_costs_are_the_costs_its_steps_compute():
    """CostWatch measures, before each step it reports, the cost of the mini-batch that step trains
    on at the weights it starts from: the same as a step-by-step run of SGD computes, and training
    goes exactly as without it."""
    from digitnet import Network
    from digitnet.engines import get_engine
    from digitnet.web.training_job import CostWatch

    rng = np.random.default_rng(5)
    images, labels = rng.random((60, 784)), rng.integers(0, 10, 60)
    order, batch_size, lr = rng.permutation(60), 6, 2.0
    watched, plain, by_hand = (Network([784, 5, 10], seed=1) for _ in range(3))
    measured = []
    CostWatch(get_engine("reference"), lambda done, total, cost: measured.append((done, total, cost))).train_epoch(
        watched, images, labels, order, batch_size, lr
    )
    get_engine("reference").train_epoch(plain, images, labels, order, batch_size, lr)
    expected = []
    for start in range(0, 60, batch_size):  # plain SGD, one step at a time: C of the batch, then the step
        batch = order[start : start + batch_size]
        expected.append((start, 60, by_hand.cost(images[batch], labels[batch])))
        by_hand.gradient_step(by_hand.backprop(images[batch], labels[batch]), lr)
    assert [(d, t) for d, t, _ in measured] == [(d, t) for d, t, _ in expected]
    np.testing.assert_allclose([c for *_, c in measured], [c for *_, c in expected], rtol=1e-12)
    for mine, theirs in zip(watched.weights + watched.biases, plain.weights + plain.biases):
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.slow
def test_one_training_job_at_a_time_and_stop_keeps_complete_epochs(tmp_path):
    folder = write_mnist(tmp_path / "mnist", train=(3000, 28), test=(50, 28))
    server = start_explorer(data_dir=folder)
    client = Client(server)
    try:
        settings = {"hidden": [16, 16], "lr": 1.0, "epochs": 100, "batch_size": 1}
        status, job = client.post("/api/train", settings)
        assert status == 202
        status, error = client.post("/api/train", settings)
        assert status == 409 and "already" in error["error"]
        deadline = time.monotonic() + 60
        while not client.get(f"/api/jobs/{job['id']}")[1]["history"]:
            assert time.monotonic() < deadline, "no epoch finished in a minute"
            time.sleep(0.02)
        status, _ = client.post(f"/api/jobs/{job['id']}/stop", {})
        assert status == 202
        final = wait_for(client, job["id"])
        assert final["state"] == "stopped" and 1 <= len(final["history"]) < 100
        assert final["model"] and client.get(f"/api/models/{final['model']}")[0] == 200
    finally:
        server.close()


def test_download_reports_progress_and_makes_the_data_available(tmp_path, mnist_mirror):
    server = start_explorer(data_dir=tmp_path / "cache", mirrors=(mnist_mirror,))
    client = Client(server)
    try:
        assert client.get("/api/status")[1]["data"]["available"] is False
        status, job = client.post("/api/download", {})
        assert status == 202 and job["kind"] == "download"
        final = wait_for(client, job["id"])
        assert final["state"] == "done" and final["done"] == final["total"] > 0
        assert client.get("/api/status")[1]["data"]["available"] is True
        assert client.post("/api/download", {})[0] == 409  # nothing left to fetch
    finally:
        server.close()


def test_a_failed_download_says_why(tmp_path):
    server = start_explorer(data_dir=tmp_path / "cache", mirrors=("http://127.0.0.1:9/",))  # port 9: nothing listens
    client = Client(server)
    try:
        final = wait_for(client, client.post("/api/download", {})[1]["id"])
        assert final["state"] == "failed" and "could not download" in final["error"]
    finally:
        server.close()


# ---------------------------------------------------------------------- every bad request: JSON 4xx
PIXELS = [0.0] * 784
BAD_BODIES = [
    ("/api/predict", {}, 400, "exactly one of"),
    ("/api/predict", {"pixels": PIXELS, "png": "AAAA"}, 400, "exactly one of"),
    ("/api/predict", {"pixels": PIXELS[:783]}, 400, "exactly 784"),
    ("/api/predict", {"pixels": PIXELS + [0.0]}, 400, "exactly 784"),
    ("/api/predict", {"pixels": "0" * 784}, 400, "list of 784"),
    ("/api/predict", {"pixels": [0.5] * 783 + ["0.5"]}, 400, "only numbers"),
    ("/api/predict", {"pixels": [0.5] * 783 + [True]}, 400, "only numbers"),
    ("/api/predict", {"pixels": [0.5] * 783 + [None]}, 400, "only numbers"),
    ("/api/predict", {"pixels": [0.5] * 783 + [[0.5]]}, 400, "only numbers"),
    ("/api/predict", {"pixels": [0.5] * 783 + [1.0001]}, 400, "in [0, 1]"),
    ("/api/predict", {"pixels": [-0.01] + [0.5] * 783}, 400, "in [0, 1]"),
    ("/api/predict", {"pixels": [1e300] + [0.5] * 783}, 400, "in [0, 1]"),
    ("/api/predict", {"pixels": [float("inf")] + [0.5] * 783}, 400, "Infinity is not a number"),
    ("/api/predict", {"pixels": [10**400] + [0.5] * 783}, 400, "in [0, 1]"),
    ("/api/predict", {"pixels": PIXELS, "colour": "red"}, 400, "unknown field 'colour'"),
    ("/api/predict", {"pixels": PIXELS, "model": "nope"}, 404, "no network"),
    ("/api/predict", {"pixels": PIXELS, "model": 3}, 400, "'model' must be a string"),
    ("/api/predict", {"pixels": PIXELS, "connections": 1}, 400, "true or false"),
    ("/api/predict", [0.5] * 784, 400, "JSON object"),
    ("/api/predict", {"png": 12}, 400, "base64-encoded PNG"),
    ("/api/predict", {"png": "not base64!"}, 400, "not valid base64"),
    ("/api/predict", {"png": b64(b"GIF89a not really a png")}, 400, "not a PNG"),
    ("/api/cost", {"pixels": PIXELS}, 400, "missing field 'label'"),
    ("/api/cost", {"pixels": PIXELS, "label": 10}, 400, "between 0 and 9"),
    ("/api/cost", {"pixels": PIXELS, "label": True}, 400, "integer"),
    ("/api/cost", {"pixels": PIXELS, "label": 1.5}, 400, "integer"),
    ("/api/noise", {"kind": "pink"}, 400, "'kind' must be one of"),
    ("/api/noise", {"seed": -1}, 400, "between 0"),
    ("/api/test-image", {}, 400, "missing field 'position'"),
    ("/api/test-image", {"position": 100}, 400, "below 100"),
    ("/api/test-image", {"position": -1}, 400, "'position' must be 0 or more"),
    ("/api/test-image", {"position": 0, "mistakes": "yes"}, 400, "true or false"),
    (
        "/api/train",
        {"hidden": [16], "lr": 0, "epochs": 1, "batch_size": 10},
        400,
        "'lr' must be a number greater than 0",
    ),
    ("/api/train", {"hidden": [16], "lr": 1, "epochs": 0, "batch_size": 10}, 400, "'epochs' must be between"),
    ("/api/train", {"hidden": [16], "lr": 1, "epochs": 1, "batch_size": "10"}, 400, "'batch_size' must be an integer"),
    ("/api/train", {"hidden": [16, 0], "lr": 1, "epochs": 1, "batch_size": 10}, 400, "between 1 and 256"),
    ("/api/train", {"hidden": [8] * 5, "lr": 1, "epochs": 1, "batch_size": 10}, 400, "list of 0 to 4"),
    ("/api/train", {"hidden": [16], "lr": 1, "epochs": 1, "batch_size": 10, "momentum": 0.9}, 400, "unknown field"),
    ("/api/train", {"hidden": [16], "lr": 1, "epochs": 1, "batch_size": 10, "schedule": "wild"}, 400, "one of"),
    ("/api/train", {"hidden": [16], "lr": 1, "epochs": 1, "batch_size": 10, "limit": 5}, 400, "'limit'"),
    ("/api/download", {"now": True}, 400, "empty JSON object"),
    ("/api/jobs/train-999/stop", {}, 404, "no job"),
]


@pytest.mark.parametrize("path, body, status, message", BAD_BODIES, ids=[f"{p} {m}" for p, _, _, m in BAD_BODIES])
def test_bad_bodies_get_a_json_error(client, path, body, status, message):
    answer_status, answer = client.post(path, body)
    assert answer_status == status
    assert set(answer) == {"error"} and message in answer["error"]


def png_of(width, height, noise=False):
    pixels = (
        np.random.default_rng(0).integers(0, 256, (height, width), dtype=np.uint8)
        if noise
        else np.zeros((height, width), np.uint8)
    )
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "PNG", compress_level=0)
    return buffer.getvalue()


def test_a_png_too_wide_or_too_heavy_is_refused(client):
    status, answer = client.post("/api/predict", {"png": b64(png_of(MAX_PNG_SIDE + 1, 8))})
    assert status == 413 and "on a side" in answer["error"]
    heavy = png_of(600, 600, noise=True)
    assert len(heavy) > MAX_PNG_BYTES
    status, answer = client.post("/api/predict", {"png": b64(heavy)})
    assert status == 413 and f"{MAX_PNG_BYTES:,} bytes" in answer["error"]
    jpeg = io.BytesIO()
    Image.new("L", (20, 20)).save(jpeg, "JPEG")
    status, answer = client.post("/api/predict", {"png": b64(jpeg.getvalue())})
    assert status == 400 and "JPEG" in answer["error"]


def test_a_blank_png_is_not_a_digit_as_digitnet_predict_reject_says(client, tmp_path, capsys):
    from conftest import run_cli

    picture = tmp_path / "blank.png"
    picture.write_bytes(png_of(50, 50))
    status, out, _ = run_cli(capsys, "predict", "3b1b", "--reject", "--json", picture)
    said = json.loads(out)
    status, answer = client.post("/api/predict", {"png": b64(picture.read_bytes())})
    assert status == 200
    assert (answer["state"], answer["digit"], answer["reason"]) == (said["state"], said["digit"], said["reason"])
    assert answer["reason"] == "blank" and answer["digit"] is None
    assert answer["activations"][0] == [0.0] * 784  # the input the network saw: nothing


def test_malformed_requests_get_a_json_error(client):
    cases = [
        (dict(body=b"{not json", headers={"Content-Type": "application/json"}), 400, "not valid JSON"),
        (dict(body=b'{"pixels": NaN}', headers={"Content-Type": "application/json"}), 400, "not valid JSON"),
        (dict(body=b"\xff\xfe", headers={"Content-Type": "application/json"}), 400, "not valid JSON"),
        (dict(body=b"{}", headers={"Content-Type": "text/plain"}), 415, "must be JSON"),
        (dict(body=b"[" * 100_000, headers={"Content-Type": "application/json"}), 400, "nested too deeply"),
        (dict(body=b"{}", headers={"Content-Type": "application/json", "Content-Length": "x"}), 400, "Content-Length"),
    ]
    for request, status, message in cases:
        answer_status, answer, _ = client.raw("POST", "/api/predict", **request)
        assert answer_status == status and message in answer["error"], request


def send_raw(server, head, body=b""):
    """Bytes straight onto a socket (for requests http.client would not send); return status and JSON."""
    with socket.create_connection(server.server_address[:2], timeout=10) as connection:
        connection.sendall(head.encode() + body)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    head, _, content = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(content)


def test_body_size_limits_and_lengths_are_enforced(server):
    status, answer = send_raw(
        server,
        f"POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        f"application/json\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\n",
    )
    assert status == 413 and "limit" in answer["error"]
    status, answer = send_raw(
        server,
        "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
    )
    assert status == 411
    status, answer = send_raw(
        server,
        "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        "application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"2\r\n{}\r\n0\r\n\r\n",
    )
    assert status == 411 and "chunked" in answer["error"]
    status, answer = send_raw(server, "GET /a b c HTTP/1.1\r\n\r\n")
    assert status == 400 and answer["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/digitnet/models/3b1b.npz",
        "/../pyproject.toml",
        "/static/../server.py",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/app.js/../../../../etc/passwd",
        "/index.html",
        "/api",
        "/api/models/../../etc",
        "/api/models/default/weights",
    ],
)
def test_no_route_reads_a_path_from_the_request(client, path):
    status, answer = client.get(path)
    assert status == 404 and "no such page" in answer["error"]


def test_wrong_methods_queries_and_hosts_are_refused(client, server):
    status, answer = client.get("/api/predict")
    assert status == 405 and "answers POST" in answer["error"]
    status, answer, response = client.raw("DELETE", "/api/status")
    assert status == 405 and "application/json" in response.getheader("Content-Type")
    status, answer = client.post("/", {})
    assert status == 405
    status, answer = client.get("/api/status?debug=1")
    assert status == 400 and "query" in answer["error"]
    status, answer, _ = client.raw("GET", "/api/status", headers={"Host": "evil.example:8000"})
    assert status == 403 and "evil.example" in answer["error"]
    status, answer = client.get("/api/jobs/train-12345")
    assert status == 404 and "no job" in answer["error"]


def test_without_data_the_data_routes_say_how_to_get_it(empty_data_server):
    client = Client(empty_data_server)
    status, answer = client.post("/api/test-image", {"position": 0})
    assert status == 409 and "digitnet download" in answer["error"]
    status, answer = client.post("/api/train", {"hidden": [16], "lr": 1, "epochs": 1, "batch_size": 10})
    assert status == 409 and "--data" in answer["error"]
    status, answer = client.post("/api/noise", {"kind": "uniform"})
    assert status == 200 and answer["report"]["mean_top_activation_digits"] is None
    status, answer = client.post("/api/predict", {"pixels": PIXELS})
    assert status == 200  # drawing needs no data


# ---------------------------------------------------------------------- the command
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_explore_serves_prints_the_address_and_stops_cleanly_on_ctrl_c_or_kill(tmp_path, stop_signal):
    process = subprocess.Popen(
        explore_command("--data", str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("digitnet explorer: http://127.0.0.1:") and "Ctrl-C" in line
        url = line.split()[2]
        host, port = url[len("http://") :].rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0 and "stopped" in out and "Traceback" not in err
    finally:
        process.kill()


def test_explore_model_serves_that_network(tmp_path):
    from digitnet import Network

    model = tmp_path / "small.npz"
    Network([784, 5, 10], seed=1).save(model)
    process = subprocess.Popen(
        explore_command("--model", str(model)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        url = process.stdout.readline().split()[2]
        host, port = url[len("http://") :].rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/api/status")
        models = json.loads(connection.getresponse().read())["models"]
        connection.close()
        assert models[0] == {
            "id": "default",
            "name": str(model),
            "sizes": [784, 5, 10],
            "read_only": True,
            "test_accuracy": None,
        }
        # the shipped networks are served beside it, read-only, for the page's side-by-side comparison
        assert [(m["id"], m["sizes"], m["read_only"]) for m in models[1:]] == [
            ("3b1b", [784, 16, 16, 10], True),
            ("big", [784, 512, 512, 10], True),
        ]
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
        assert process.returncode == 0
    finally:
        process.kill()


def test_explore_reports_a_bad_model_or_a_busy_port_in_one_line(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    result = subprocess.run(
        explore_command("--model", str(bad)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "not a digitnet model file" in result.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            explore_command("--port", str(port)),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
    assert result.returncode == 1 and "already in use" in result.stderr and result.stderr.count("\n") == 1


def test_a_client_that_hangs_up_mid_request_leaves_no_traceback(server, client, capsys):
    """A browser tab closed while sending is routine: the server goes on, and prints nothing about it."""
    for request in (
        b"GET / HTTP/1.1\r\nHost: 127",
        b"POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"pix',
    ):
        connection = socket.create_connection(server.server_address[:2])
        connection.sendall(request)
        time.sleep(0.05)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.close()  # with linger 0: a reset, not a polite close
    time.sleep(0.3)
    assert "Traceback" not in capsys.readouterr().err
    assert client.get("/api/status")[0] == 200
