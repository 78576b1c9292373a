// The digitnet explorer page.  It draws and asks; every number it shows comes from the digitnet
// server (the library): the 28×28 input from images.to_mnist, activations from Network.forward,
// costs, nudges, weight pictures and noise from digitnet.insight.  Nothing here recomputes them.
// Each module has one job and renders from the one state in state.js.

import { api, rows, unpack } from "./api.js";
import { $, element, fmt, percent, count } from "./format.js";
import { replaceInput, state, update } from "./state.js";
import { showError } from "./errors.js";
import { requestPrediction } from "./predict.js";
import "./drawing.js";
import "./answer.js";
import "./network-view.js";
import "./compare.js";
import "./save.js";
import { panelOpen } from "./tabs.js";
import "./panels/cost.js";
import { showGallery } from "./panels/look.js";
import "./panels/noise.js";
import { openTests, resetTests } from "./panels/tests.js";
import { connectTraining, showDataNotice, showDownload, showTraining, watchJob } from "./panels/train.js";
import { startLesson } from "./panels/lesson.js";

async function refreshStatus() {
  const status = await api("/api/status");
  update({ status });
  fillModelChoices(state.modelId);
  showDataNotice();
}

// The Network list: the networks the server holds, and the one learning now while it is on show.
let liveChoice = null;   // {id, name}
function fillModelChoices(chosen) {
  const choices = [...state.status.models, ...(liveChoice && liveChoice.id === chosen ? [liveChoice] : [])];
  $("model").replaceChildren(...choices.map((model) => Object.assign(element("option", null, model.name), { value: model.id })));
  if (chosen) $("model").value = chosen;
}

// A network as the page keeps it: the compact description unpacked (weights as rows of
// Float32Array, biases, and per layer the pictures of what its neurons look for with their scale).
function unpackModel(compact) {
  const views = {};
  for (const [layer, packed] of Object.entries(compact.views)) {
    const view = unpack(packed);
    views[layer] = { rows: rows(view), scale: view.scale };
  }
  return { ...compact, weights: compact.weights.map((w) => rows(unpack(w))),
    biases: compact.biases.map((b) => unpack(b).values), views };
}

function describeModel(model) {
  $("model-info").textContent = `${model.sizes.join("-")}, ${model.activation}, ${model.cost} cost, ` +
    `${count(model.parameters)} parameters; ` + (model.live
      ? `learning now: ${fmt(model.live.epochs, 2)} epochs done`
      : `test accuracy ${percent(model.test_accuracy)}` + (!model.history.length ? ""
        : model.kept_epoch === model.history.length ? ` after ${model.history.length} epochs`
        : ` with the weights of epoch ${model.kept_epoch} of ${model.history.length} (the best on validation)`));
}

// Explore another network.  ``keepInput``: the same input stays and is read by the new network
// (going from a network as it learns to the one it became); otherwise the page starts afresh.
async function switchModel(modelId, { keepInput = false } = {}) {
  const model = unpackModel(await api(`/api/models/${modelId}/compact`));
  describeModel(model);
  $("gallery").dataset.model = "";
  resetTests();
  fillModelChoices(modelId);
  if (keepInput) {
    update({ modelId, model, live: null });
    requestPrediction(performance.now(), { measured: false });
  } else {
    update({ modelId, model, live: null, selected: null, hover: null });
    replaceInput({ kind: "drawing" });
  }
  if (panelOpen("panel-look")) showGallery();
}

// The network a training job has now (the job's id names it while it learns), with its
// ``live`` snapshot: drawn, and the input on show read by it again, the input itself untouched.
async function showLive(jobId, live) {
  const model = { ...unpackModel(await api(`/api/models/${jobId}/compact`)), live };
  if (state.live !== jobId) return;   // the person chose another network meanwhile
  describeModel(model);
  liveChoice = { id: jobId, name: `the network learning now (${model.sizes.join("-")})` };
  fillModelChoices(jobId);
  update({ modelId: jobId, model });
  requestPrediction(performance.now(), { measured: false });
}

$("model").addEventListener("change", () => switchModel($("model").value).catch(showError));
connectTraining({ refreshStatus, switchModel, showLive, dataArrived: () => { resetTests(); if (panelOpen("panel-tests")) openTests(); } });

async function start() {
  try {
    await refreshStatus();
    const { status } = state;
    $("noise-kind").replaceChildren(...status.noise_kinds.map((kind) => element("option", null, kind)));
    $("train-schedule").replaceChildren(...status.schedules.map((schedule) => element("option", null, schedule)));
    const defaults = status.train_defaults;
    $("train-hidden").value = defaults.hidden.join(",");
    $("train-lr").value = defaults.lr;
    $("train-epochs").value = defaults.epochs;
    $("train-batch").value = defaults.batch_size;
    $("train-schedule").value = defaults.schedule;
    await switchModel(status.default_model);
    if (status.training) watchJob(status.training, showTraining);
    if (status.download && status.download.state === "running") watchJob(status.download, showDownload);
    startLesson();
    document.body.dataset.ready = "true";
  } catch (error) {
    showError(error);
  }
}

start();
