// The digitnet explorer page.  It draws and asks; every number it shows comes from the digitnet
// server (the library): the 28×28 input from images.to_mnist, activations from Network.forward,
// costs, nudges, weight pictures and noise from digitnet.insight.  Nothing here recomputes them.
// Each module has one job and renders from the one state in state.js.

import { api, rows, unpack } from "./api.js";
import { $, element, percent, count } from "./format.js";
import { replaceInput, state, update } from "./state.js";
import { showError } from "./errors.js";
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
  const select = $("model");
  select.replaceChildren(...status.models.map((model) => {
    const option = element("option", null, model.name);
    option.value = model.id;
    return option;
  }));
  if (state.modelId) select.value = state.modelId;
  showDataNotice();
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

async function switchModel(modelId) {
  const model = unpackModel(await api(`/api/models/${modelId}/compact`));
  $("model").value = modelId;
  $("model-info").textContent = `${model.sizes.join("-")}, ${model.activation}, ${model.cost} cost, ` +
    `${count(model.parameters)} parameters; test accuracy ${percent(model.test_accuracy)}` +
    (model.history.length ? ` after ${model.history.length} epochs` : "");
  $("gallery").dataset.model = "";
  resetTests();
  update({ modelId, model, selected: null, hover: null });
  replaceInput({ kind: "drawing" });
  if (panelOpen("panel-look")) showGallery();
}

$("model").addEventListener("change", () => switchModel($("model").value).catch(showError));
connectTraining({ refreshStatus, switchModel, dataArrived: () => { resetTests(); if (panelOpen("panel-tests")) openTests(); } });

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
