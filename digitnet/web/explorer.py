"""What the explorer page can ask for, as plain functions of checked requests (no HTTP here).

An ``Explorer`` holds the networks the page can look at, the MNIST data when there is some,
and the background jobs (training, downloading).  Networks are read-only once registered:
the shipped one, the one given with ``--model``, and each network trained from the page under
its own id, so several browsers can use one server without changing each other's state.
Every number the page shows comes from the library: ``Network.forward`` for the activations,
``images.read_picture`` and ``drawing_check.is_drawing`` for a drawing (the same code as
``digitnet predict --reject``) and ``digitnet.insight`` for costs, nudges, weight images and noise.
"""

import base64
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .. import data, insight
from ..data import download_mnist, load_mnist, missing_files, resolve_data_dir
from ..drawing_check import is_drawing
from ..errors import BlankImageError, DigitnetError, ImageError
from ..images import read_picture
from ..presets import DEFAULT_PRESET, PRESETS
from ..rejection import confidence, rejection_reason
from ..training import SCHEDULES
from .jobs import Job
from .training_job import SMALL_WORK_ENGINE, train_network
from .validation import ApiError, boolean, check_body, choice, integer, integers, number, pixels, png, text

MAX_TRAINED = 12  # networks trained from the page that are kept (oldest dropped first)
MAX_JOBS = 20  # finished jobs whose state is kept (oldest dropped first; running ones always kept)
TOP_NUDGES = 10
STRONGEST_CONNECTIONS = 40  # per layer: the largest terms w·a of the weighted sums, drawn on the page
NOISE_REPORT_COUNT = 1000  # random images (and test digits) behind the noise panel's figures
MAXIMIZING_START = 0.0  # activation maximization starts from MNIST's black background (grey stalls)

# Request schemas: field → (required, check).  "model" is a network id; absent means the default one.
MODEL = (False, text(64))
PREDICT = {"model": MODEL, "pixels": (False, pixels), "png": (False, png), "connections": (False, boolean)}
COST = {"model": MODEL, "pixels": (True, pixels), "label": (True, integer(0, 9))}
NOISE = {"model": MODEL, "kind": (False, choice(insight.NOISE_KINDS)), "seed": (False, integer(0, 2**31 - 1))}
TEST_IMAGE = {"model": MODEL, "position": (True, integer(0)), "mistakes": (False, boolean)}
TRAIN = {
    "hidden": (True, integers(0, 4, 1, 256)),  # hidden layer sizes; 784 inputs and 10 outputs
    "lr": (True, number(0, 100)),
    "epochs": (True, integer(1, 100)),
    "batch_size": (True, integer(1, 1000)),
    "schedule": (False, choice(SCHEDULES)),
    "limit": (False, integer(10, 60_000)),  # train on the first N training images
    "seed": (False, integer(0, 2**31 - 1)),
}


def _floats(array):
    """A NumPy array as nested lists of Python floats (JSON-ready)."""
    return np.asarray(array, dtype=np.float64).tolist()


def _packed_float32(array):
    """An array as ``{"shape", "float32"}``: its values as little-endian float32 bytes in base64."""
    array = np.asarray(array, dtype="<f4")
    return {"shape": list(array.shape), "float32": base64.b64encode(array.tobytes()).decode()}


def _packed_int8(array):
    """Signed values on one shared linear scale as ``{"shape", "scale", "int8"}``: value ≈ int8 / 127 · scale,
    where ``scale`` is the largest |value| (pictures of weights and nudges: 256 levels, a quarter of float32)."""
    array = np.asarray(array, dtype=np.float64)
    scale = float(np.abs(array).max()) if array.size else 0.0
    levels = np.zeros(array.shape) if scale == 0 else np.rint(127 * array / scale)
    return {
        "shape": list(array.shape),
        "scale": scale,
        "int8": base64.b64encode(levels.astype(np.int8).tobytes()).decode(),
    }


def _packed_uint8(array):
    """Values in [0, 1] (pictures of inputs) as ``{"shape", "uint8"}``: value ≈ uint8 / 255."""
    array = np.clip(np.asarray(array, dtype=np.float64), 0, 1)
    return {
        "shape": list(array.shape),
        "uint8": base64.b64encode(np.rint(255 * array).astype(np.uint8).tobytes()).decode(),
    }


def answer_state(net, image, drawing=None):
    """How sure the answer for one input (784,) is, by the library's rule (``Network.predict_or_reject``,
    as ``digitnet predict --reject`` asks it): ("sure" | "unsure" | "rejected", the digit or None when
    rejected, which check refused it or None, the answer's confidence).  ``drawing``: the drawing
    check's answer for the picture it came from (None: no picture)."""
    verdict = net.predict_or_reject(image, engine=SMALL_WORK_ENGINE, drawings=drawing)
    return verdict.state, verdict.digit, rejection_reason(net, verdict, drawing), float(confidence(verdict.outputs))


class Explorer:
    """The server's state: networks by id, the data folder, the current training and download jobs."""

    def __init__(self, net, name, data_dir=None, mirrors=None, others=()):
        self.data_dir = resolve_data_dir(data_dir)
        self._mirrors = mirrors
        self._lock = threading.Lock()  # guards the registry of networks and the caches
        self._data_lock = threading.Lock()  # guards loading MNIST (about a second)
        self._models = OrderedDict()
        self._trained = 0
        self.default_model = self._add(net, name, read_only=True, trained=False)
        for other_name, other in others:  # read-only networks to compare with (e.g. the shipped ones)
            self._add(other, other_name, read_only=True, trained=False, model_id=other_name)
        self._mnist = None
        self._mistakes = {}  # model id → indices of the test images it gets wrong
        self._maximizing = {}  # model id → activation-maximization images (slow: computed once)
        self._jobs = OrderedDict()
        self._training = self._download = None
        self._live = (None, None)  # (training job id, the network as it is now): the page watches it learn

    # ------------------------------------------------------------------ networks
    def _add(self, net, name, read_only, trained, model_id="default"):
        with self._lock:
            if trained:
                self._trained += 1
                model_id = f"net-{self._trained}"
            self._models[model_id] = {"net": net, "name": name, "read_only": read_only}
            trained_ids = [k for k in self._models if k.startswith("net-")]
            for old in trained_ids[:-MAX_TRAINED]:
                del self._models[old]
                self._mistakes.pop(old, None)
                self._maximizing.pop(old, None)
        return model_id

    def network(self, model_id=None):
        """The network registered as ``model_id`` (the default one if None); 404 if unknown."""
        with self._lock:
            entry = self._models.get(model_id or self.default_model)
            live_id, live = self._live
        if entry is None and model_id == live_id:
            return live
        if entry is None:
            raise ApiError(404, f"no network with id {model_id!r} (it may have been dropped; reload the page)")
        return entry["net"]

    def _registered(self, model_id):
        """Whether ``model_id`` names a registered network (not a training job's changing one): only
        those have their slow results kept."""
        with self._lock:
            return (model_id or self.default_model) in self._models

    def models(self):
        """Every registered network: id, name, layer sizes, test accuracy, read-only."""
        with self._lock:
            items = list(self._models.items())
        return [
            {
                "id": model_id,
                "name": entry["name"],
                "sizes": entry["net"].sizes,
                "read_only": entry["read_only"],
                "test_accuracy": _test_accuracy(entry["net"]),
            }
            for model_id, entry in items
        ]

    def describe(self, model_id):
        """A network's shape, recipe, history and every weight and bias (for drawing connections)."""
        net = self.network(model_id)
        return {
            **_summary(net, model_id),
            "weights": [_floats(W) for W in net.weights],
            "biases": [_floats(b) for b in net.biases],
        }

    def views(self, model_id):
        """What the hidden neurons look for: first-layer weight images and the deeper layers' views."""
        net = self.network(model_id)
        return {
            "first_layer": _floats(insight.first_layer_images(net)),
            "deeper": {str(layer): _floats(insight.linear_views(net, layer)) for layer in range(2, net.num_layers + 1)},
        }

    def compact(self, model_id):
        """What the page needs to draw a network, compactly: its description with the weights and
        biases as float32 (``_packed_float32``) and, per layer, what its neurons look for on one shared
        linear scale (``_packed_int8``: the first layer's weights, the deeper layers' linear views)."""
        net = self.network(model_id)
        return {
            **_summary(net, model_id),
            "rejector": net.rejector is not None,
            "weights": [_packed_float32(W) for W in net.weights],
            "biases": [_packed_float32(b) for b in net.biases],
            "views": {
                str(layer): _packed_int8(insight.linear_views(net, layer)) for layer in range(1, net.num_layers + 1)
            },
        }

    def maximizing(self, model_id):
        """For every neuron past the input, an input that excites it (activation maximization from
        black), by layer: the images (``_packed_uint8``) and the activation each one reaches."""
        net = self.network(model_id)
        with self._lock:
            cached = self._maximizing.get(model_id)
        if cached is None:
            cached = {}
            for layer in range(1, net.num_layers + 1):
                images = insight.activation_maximizations(net, layer, range(net.sizes[layer]), start=MAXIMIZING_START)
                reached = net.forward(images.reshape(len(images), 784))[1][layer]
                cached[str(layer)] = {"images": _packed_uint8(images), "activations": _floats(reached.diagonal())}
            if self._registered(model_id):
                with self._lock:
                    self._maximizing[model_id] = cached
        return cached

    # ------------------------------------------------------------------ looking at one input
    def predict(self, body):
        """Every layer's weighted sums and activations for 784 pixels or a drawing sent as PNG;
        with ``connections``, also each layer's strongest connections for it (the largest terms w·a)."""
        if isinstance(body, dict) and ("pixels" in body) == ("png" in body):
            raise ApiError(400, "send exactly one of 'pixels' (784 numbers in [0, 1]) or 'png' (base64)")
        request = check_body(body, PREDICT)
        net = self.network(request.get("model"))
        drawing = None  # pixels are already the network's input: no picture to check
        no_digit = None  # a PNG with no digit to read: the BlankImageError's reason
        if "png" in request:
            try:
                picture = read_picture(request["png"])
            except BlankImageError as error:  # not a digit, as `digitnet predict --reject` answers; the input is all 0
                image, no_digit = np.zeros(784, np.float32), error.reason
            except ImageError as error:
                raise ApiError(422, str(error)) from None
            else:
                image, drawing = picture.pixels, is_drawing(picture)
        else:
            image = request["pixels"]
        weighted_sums, activations = net.forward(image)
        state, digit, reason, sureness = answer_state(net, image, drawing)
        if no_digit:
            state, digit, reason = "rejected", None, no_digit
        answer = {
            "digit": digit,
            "top": int(activations[-1].argmax()),
            "state": state,
            "reason": reason,
            "confidence": sureness,
            "weighted_sums": [_floats(z) for z in weighted_sums],
            "activations": [_floats(a) for a in activations],
        }
        if request.get("connections"):  # a few milliseconds more: the page asks when the pen lifts
            answer["connections"] = insight.layer_activations(net, image, STRONGEST_CONNECTIONS)["connections"]
        return answer

    def cost(self, body):
        """The cost breakdown of one example and the top nudges of −∇C for it."""
        request = check_body(body, COST)
        net = self.network(request.get("model"))
        image, label = request["pixels"], request["label"]
        downhill = insight.negative_gradient(net, image[None, :], [label])
        return {
            "breakdown": _jsonable(insight.cost_breakdown(net, image, label)),
            "nudges": _jsonable(insight.nudges(net, image[None, :], [label], top=TOP_NUDGES)),
            "first_layer_nudges": _packed_int8(downhill.weights[0].reshape(-1, 28, 28)),
        }

    def noise(self, body):
        """A random image of ``kind`` for the page to feed in, and what the network says about 1,000 more."""
        request = check_body(body, NOISE)
        net = self.network(request.get("model"))
        kind, seed = request.get("kind", insight.NOISE_KINDS[0]), request.get("seed", 0)
        digits = None
        if self._mnist is not None or not missing_files(self.data_dir):
            digits = self.mnist()[1][0][:NOISE_REPORT_COUNT]
        report = insight.noise_report(net, kind, NOISE_REPORT_COUNT, seed=seed, digits=digits, engine=SMALL_WORK_ENGINE)
        return {"kind": kind, "seed": seed, "pixels": _floats(insight.noise_images(kind, 1, seed)[0]), "report": report}

    # ------------------------------------------------------------------ MNIST
    def data_status(self):
        missing = missing_files(self.data_dir)
        return {"available": not missing, "folder": str(self.data_dir), "missing": missing}

    def mnist(self):
        """((train_images, train_labels), (test_images, test_labels)), loaded once; 409 if absent or unreadable."""
        with self._data_lock:  # not self._lock: predictions must not wait while the data loads
            if self._mnist is None:
                self._require_data()
                try:
                    self._mnist = load_mnist(self.data_dir)
                except DigitnetError as error:
                    raise ApiError(409, f"the MNIST files cannot be used: {error}") from None
            return self._mnist

    def _require_data(self):
        """409 unless the data folder holds the four MNIST files."""
        missing = missing_files(self.data_dir)
        if missing:
            raise ApiError(
                409,
                f"MNIST is not in {self.data_dir} (missing {', '.join(missing)}): "
                "download it from the Train panel, run `digitnet download`, "
                "or start with --data DIR",
            )

    def test_image(self, body):
        """One MNIST test image by position, among all of them or among the network's mistakes."""
        request = check_body(body, TEST_IMAGE)
        model_id = request.get("model") or self.default_model
        net = self.network(model_id)
        _, (images, labels) = self.mnist()
        if request.get("mistakes"):
            with self._lock:
                indices = self._mistakes.get(model_id)
            if indices is None:
                indices = np.flatnonzero(net.predict(images, engine=SMALL_WORK_ENGINE) != labels)
                if self._registered(model_id):
                    with self._lock:
                        self._mistakes[model_id] = indices
        else:
            indices = np.arange(len(images))
        position = request["position"]
        if len(indices) and position >= len(indices):
            raise ApiError(400, f"'position' must be below {len(indices)}")
        result = {"count": int(len(indices)), "position": position}
        if len(indices):
            index = int(indices[position])
            result.update(index=index, label=int(labels[index]), pixels=_floats(images[index]))
        return result

    # ------------------------------------------------------------------ jobs
    def start_training(self, body):
        """Start training a fresh network in a child process (one training job at a time); 409 if busy.

        A few times a second the child sends the network as it is: until the next one, the job's id
        names it (``network(job id)``), so the page can draw it and read drawings with it as it
        learns.  After each complete epoch the child sends the network back; when the job ends,
        however it ends (done, stopped, failed), the last complete epoch's network is registered."""
        request = check_body(body, TRAIN)
        preset = PRESETS[DEFAULT_PRESET]
        settings = {
            "sizes": [784, *request["hidden"], 10],
            "lr": request["lr"],
            "epochs": request["epochs"],
            "batch_size": request["batch_size"],
            "schedule": request.get("schedule", preset.recipe.schedule),
            "limit": request.get("limit"),
            "seed": request.get("seed", 0),
        }
        recipe = preset.recipe.replace(
            **{key: settings[key] for key in ("lr", "epochs", "batch_size", "schedule", "seed")}
        )
        self._require_data()  # refuse at once (409) when there is no data
        learned = []  # the last complete epoch's network

        def receive(job, report):
            if "network" in report:
                learned[:] = [report.pop("network")]
                report["history"] = [*job.state["history"], report.pop("record")]
                report["live"] = self._show_live(job, learned[0], len(learned[0].history))
            if "snapshot" in report:
                report["live"] = self._show_live(job, report.pop("snapshot"), report.pop("at"))
            job.update(**report)

        def finish(job):
            if learned:
                job.update(model=self._add(learned[0], _trained_name(learned[0]), read_only=True, trained=True))

        with self._lock:
            if self._training is not None and self._training.running:
                raise ApiError(409, "a network is already being trained on this server; stop it or wait")
            job = Job(
                "train",
                train_network,
                (str(self.data_dir), preset.network, recipe, settings),
                receive=receive,
                finish=finish,
                settings=settings,
                history=[],
                progress={"epoch": 1, "done": 0, "total": 0},
                batch_costs=[],
                live=None,
                model=None,
            )
            self._training = self._keep(job)
        return job.start().snapshot()[1]

    def _show_live(self, job, net, epochs):
        """Make ``net`` (the training job's network as it is now, ``epochs`` done as a fraction) the
        one ``job.id`` names, and say so for the job's snapshot: ``{"snapshot": count, "epochs"}``."""
        with self._lock:
            self._live = (job.id, net)
        previous = job.state.get("live") or {"snapshot": 0}
        return {"snapshot": previous["snapshot"] + 1, "epochs": epochs}

    def start_download(self):
        """Download MNIST into the data folder in a child process, reporting bytes as they come."""
        with self._lock:
            if self._download is not None and self._download.running:
                raise ApiError(409, "MNIST is already being downloaded")
            if not missing_files(self.data_dir):
                raise ApiError(409, f"MNIST is already in {self.data_dir}")
            job = Job(
                "download",
                download_data,
                (str(self.data_dir), self._mirrors, data.FILES),
                folder=str(self.data_dir),
                file=None,
                done=0,
                total=None,
            )
            self._download = self._keep(job)
        return job.start().snapshot()[1]

    def _keep(self, job):
        """Register ``job`` (under self._lock), dropping the oldest finished jobs beyond MAX_JOBS."""
        self._jobs[job.id] = job
        finished = [job_id for job_id, kept in self._jobs.items() if not kept.running]
        for job_id in finished[: max(0, len(self._jobs) - MAX_JOBS)]:
            del self._jobs[job_id]
        return job

    def job(self, job_id):
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise ApiError(404, f"no job with id {job_id!r} (finished jobs are kept up to {MAX_JOBS})")
        return job

    def model_file(self, model_id):
        """A network as a model file, the one ``Network.save`` writes: (file name, bytes)."""
        net = self.network(model_id)
        with tempfile.TemporaryDirectory(prefix="digitnet-") as folder:
            path = Path(folder) / f"{model_id}.npz"
            net.save(path)
            return path.name, path.read_bytes()

    def status(self):
        """What the page needs at start: the networks, the data, and any job under way."""
        return {
            "models": self.models(),
            "default_model": self.default_model,
            "data": self.data_status(),
            "training": self._training.snapshot()[1] if self._training else None,
            "download": self._download.snapshot()[1] if self._download else None,
            "train_defaults": {
                "hidden": PRESETS[DEFAULT_PRESET].network["sizes"][1:-1],
                **{k: getattr(PRESETS[DEFAULT_PRESET].recipe, k) for k in ("lr", "epochs", "batch_size", "schedule")},
            },
            "schedules": list(SCHEDULES),
            "noise_kinds": list(insight.NOISE_KINDS),
            "limits": {"trained_networks": MAX_TRAINED, "finished_jobs": MAX_JOBS},
        }

    def close(self, timeout=5):
        """Stop every job and wait for them (used when the server shuts down)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.stop()
        for job in jobs:
            job.join(timeout)


def download_data(folder, mirrors, files, report):
    """In the download job's child process: fetch the missing MNIST files into ``folder``.

    ``files`` is the server's table of file names and checksums (``data.FILES``), so the child
    checks against exactly what the server would."""
    data.FILES = files
    options = {} if mirrors is None else {"mirrors": mirrors}
    download_mnist(
        folder, on_progress=lambda name, done, total: report.progress(file=name, done=done, total=total), **options
    )


def _trained_name(net):
    """A trained network's name on the page: its sizes, epochs and test accuracy."""
    epochs = len(net.history)
    return f"{'-'.join(map(str, net.sizes))} · {epochs} epoch{'s' if epochs > 1 else ''} · {_test_accuracy(net):.1%}"


def _summary(net, model_id):
    """A network's id, shape, parameter count, recipe, history, the epoch whose weights it holds
    (``kept_epoch``) and that epoch's test accuracy."""
    kept = _kept_record(net)
    return {
        "id": model_id,
        **net.config(),
        "parameters": net.num_parameters,
        "recipe": net.recipe,
        "history": net.history,
        "kept_epoch": kept["epoch"] if kept else None,
        "test_accuracy": _test_accuracy(net),
    }


def _kept_record(net):
    """The history record of the epoch whose weights ``net`` holds: the best epoch when early stopping
    put its weights back (``recipe["best_epoch"]``), else the last one; None without a history."""
    best = (net.recipe or {}).get("best_epoch")
    if best is not None:
        return next((record for record in net.history if record.get("epoch") == best), None)
    return net.history[-1] if net.history else None


def _test_accuracy(net):
    kept = _kept_record(net)
    return kept.get("test_accuracy") if kept else None


def _jsonable(value):
    """Insight results (dicts, lists, NumPy arrays and scalars) as plain JSON data."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
