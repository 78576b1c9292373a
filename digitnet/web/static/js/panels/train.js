// Train: a fresh network trained on the server with progress streamed to the page, the cost
// and accuracy curves growing as it learns (crisp at any pixel ratio, as wide as the panel), the
// network view following the network as it learns, and the MNIST download when the data is missing.

import { api, followEvents } from "../api.js";
import { $, fmt, percent } from "../format.js";
import { state, update } from "../state.js";
import { showError } from "../errors.js";

const TRY_BUTTONS = ["try-lr-high", "try-lr-diverging", "try-lr-low"];   // learning rates to try
const startedHere = new Set();   // training jobs this page started: explore their network when done
let trainingJob = null;
let exploredJob = null;
let hooks = { refreshStatus: async () => {}, switchModel: async () => {}, showLive: async () => {}, dataArrived: () => {} };
let returnTo = null;       // the network on show when this page started training (if training makes none)
let liveShown = 0;         // the last snapshot of the learning network drawn (see followLive)
let liveFetching = false;
export const connectTraining = (given) => { hooks = given; };

// "MNIST is not in FOLDER (missing …). …", with the folder and commands set as code.
export function showDataMissing(target, ending) {
  const data = state.status.data;
  const code = (text) => { const c = document.createElement("code"); c.textContent = text; return c; };
  target.replaceChildren("MNIST is not in ", code(data.folder), ` (missing ${data.missing.join(", ")}). ` +
    "Download it here, run ", code("digitnet download"), " in a terminal, or start the explorer with ",
    code("--data DIR"), " (or ", code("DIGITNET_DATA"), `) pointing at a folder that holds it.${ending}`);
}

export function showDataNotice() {
  const available = state.status.data.available;
  $("train-missing").hidden = available;
  $("train-start").disabled = !available || (state.status.training?.state === "running");
  for (const id of TRY_BUTTONS) $(id).disabled = $("train-start").disabled;
  if (!available) showDataMissing($("train-missing-text"), "");
}

export async function watchJob(job, onChange) {
  await onChange(job);
  if (job.state !== "running") return;
  try {
    await followEvents(`/api/jobs/${job.id}/events`, onChange);
  } catch (error) {
    showError(error);
  }
}

async function startTraining(lr = null) {
  if (lr !== null) $("train-lr").value = lr;
  const hidden = $("train-hidden").value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = {
    hidden, lr: +$("train-lr").value, epochs: +$("train-epochs").value, batch_size: +$("train-batch").value,
    schedule: $("train-schedule").value, limit: +$("train-limit").value,
  };
  try {
    const job = await api("/api/train", body);
    startedHere.add(job.id);
    returnTo = state.live ? returnTo : state.modelId;
    liveShown = 0;
    update({ live: job.id });   // follow it: the network view shows it as it learns
    chart.scrollIntoView({ block: "nearest" });   // and the curves it draws, beside it
    watchJob(job, showTraining);
  } catch (error) {
    showError(error);
  }
}

$("train-form").addEventListener("submit", (event) => { event.preventDefault(); startTraining(); });
for (const id of TRY_BUTTONS) {
  $(id).addEventListener("click", () => startTraining(+$(id).dataset.lr));
}
$("train-stop").addEventListener("click", async () => {
  if (!trainingJob) return;
  try { await api(`/api/jobs/${trainingJob.id}/stop`, {}); } catch (error) { showError(error); }
});

export async function showTraining(job) {
  trainingJob = job;
  const running = job.state === "running";
  $("train-start").disabled = running || !state.status.data.available;
  for (const id of TRY_BUTTONS) $(id).disabled = $("train-start").disabled;
  $("train-stop").disabled = !running;
  const { epochs } = job.settings;
  const progress = job.progress.total ? job.progress.done / job.progress.total : 0;
  const finished = job.history.length;
  $("train-progress").value = running ? (finished + (job.progress.epoch > finished ? progress : 0)) / epochs : finished / epochs;
  const last = job.history[finished - 1];
  const before = job.initial ? `; before training: test accuracy ${percent(job.initial.test_accuracy)}, test cost ${fmt(job.initial.test_cost, 4)}` : "";
  const lastText = last ? `; after epoch ${last.epoch}: test accuracy ${percent(last.test_accuracy)}, test cost ${fmt(last.test_cost, 4)}` : before;
  $("train-status").textContent = {
    running: `Training ${job.settings.sizes.join("-")} with learning rate ${job.settings.lr}: epoch ${Math.min(job.progress.epoch, epochs)} of ${epochs}${lastText}`,
    done: `Done: ${finished} epochs${lastText}. ${startedHere.has(job.id) ? "Now exploring the new network." : "The new network is in the Network list."}`,
    stopped: `Stopped after ${finished} complete epochs${lastText}.${job.model ? (startedHere.has(job.id) ? " Now exploring that network." : " That network is in the Network list.") : ""}`,
    failed: `Training failed: ${job.error}.${job.model ? (startedHere.has(job.id) ? " Now exploring the network of its last complete epoch." : "") : (state.live === job.id ? " Back to the network you were exploring." : "")}`,
  }[job.state];
  drawChart(job);
  if (running) followLive(job);
  if (!running && exploredJob !== job.id) {
    exploredJob = job.id;
    const following = state.live === job.id;
    if (job.model) await hooks.refreshStatus();   // the new network joins the list for every page …
    if (startedHere.has(job.id) && job.model) {   // … and the page that trained it shows it
      await hooks.switchModel(job.model, { keepInput: following });
    } else if (following) {
      await hooks.switchModel(state.modelId === job.id ? returnTo : state.modelId, { keepInput: true });
    }
  }
}

// The network as it learns: each new snapshot the job announces (``live``, a few a second) is
// fetched and drawn, one fetch at a time, the newest after it; not once the person has chosen
// another network.
async function followLive(job) {
  if (state.live !== job.id || !job.live || job.live.snapshot <= liveShown || liveFetching) return;
  liveFetching = true;
  liveShown = job.live.snapshot;
  try {
    await hooks.showLive(job.id, job.live);
  } catch (error) {
    showError(error);
  } finally {
    liveFetching = false;
  }
  if (trainingJob?.id === job.id && trainingJob.state === "running") followLive(trainingJob);
}

// ------------------------------------------------------------------ the chart
const chart = $("chart");
let chartJob = null;

function sizeChart() {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(280, Math.round(chart.getBoundingClientRect().width || 640));
  const height = Math.round(Math.min(300, Math.max(200, width * 0.45)));
  chart.style.height = `${height}px`;
  if (chart.width !== Math.round(width * ratio) || chart.height !== Math.round(height * ratio)) {
    chart.width = Math.round(width * ratio);
    chart.height = Math.round(height * ratio);
  }
  const context = chart.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return [context, width, height];
}

function drawPlaceholder() {
  const [context, width, height] = sizeChart();
  context.clearRect(0, 0, width, height);
  context.fillStyle = "#a3aabb";
  context.font = "14px system-ui, sans-serif";
  context.textAlign = "center";
  context.fillText("The cost and accuracy curves grow here as a network trains.", width / 2, height / 2);
}

// The curves, from before the first step: the cost of each mini-batch measured as training met it
// (``batch_costs``: about a hundred an epoch, each the cost of the mini-batch the next step
// trains on, at the weights it starts from), their running average (smoothed over about a tenth
// of an epoch), and after each epoch the average cost over all the training images and over the
// test images; epoch 0 is the untrained network (the job's ``initial``).  Test accuracy has its own
// axis, zoomed to where it is.
const SMOOTHING = 0.1;   // epochs: the running average's time constant

function drawChart(job) {
  chartJob = job;
  const [context, width, height] = sizeChart();
  const pad = { left: 58, right: 62, top: 14, bottom: 42 };
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  context.clearRect(0, 0, width, height);
  const epochs = job.settings.epochs;
  const records = [...(job.initial ? [{ epoch: 0, ...job.initial }] : []), ...job.history];
  const batches = (job.batch_costs || []).filter(([, cost]) => cost !== null && Number.isFinite(cost));
  const costs = [...records.flatMap((r) => [r.test_cost, r.train_cost]), ...batches.map((b) => b[1])]
    .filter((c) => c !== null && c !== undefined && Number.isFinite(c));
  const maxCost = Math.max(0.05, ...costs) * 1.1;
  // accuracy from epoch 1 on (the untrained network's, about 10%, is in the status line instead)
  const accuracies = job.history.map((r) => r.test_accuracy).filter((a) => a !== null && a !== undefined);
  // accuracy gets its own axis, zoomed to where the values are (in steps of 5%)
  const lowAccuracy = accuracies.length ? Math.max(0, Math.min(0.9, Math.floor(Math.min(...accuracies) * 20 - 1) / 20)) : 0;
  const x = (epoch) => pad.left + (plotW * epoch) / epochs;
  const yCost = (c) => pad.top + plotH * (1 - Math.min(c, maxCost) / maxCost);
  const yAccuracy = (a) => pad.top + plotH * (1 - (a - lowAccuracy) / (1 - lowAccuracy));
  context.strokeStyle = "#2a3040";
  context.fillStyle = "#a3aabb";
  context.font = "12px system-ui, sans-serif";
  context.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + (plotH * i) / 4;
    context.beginPath(); context.moveTo(pad.left, y); context.lineTo(width - pad.right, y); context.stroke();
    context.textAlign = "right"; context.fillText(fmt(maxCost * (1 - i / 4), 2), pad.left - 6, y + 4);
    context.textAlign = "left"; context.fillText(`${(100 * (1 - ((1 - lowAccuracy) * i) / 4)).toFixed(1)}%`, width - pad.right + 6, y + 4);
  }
  context.textAlign = "center";
  const step = Math.max(1, Math.ceil(epochs / 10));
  for (let e = 0; e <= epochs; e += step) context.fillText(String(e), x(e), height - pad.bottom + 15);
  context.fillText("epoch (0 = before training)", pad.left + plotW / 2, height - 8);
  context.save();
  context.translate(14, pad.top + plotH / 2);
  context.rotate(-Math.PI / 2);
  context.fillText("cost", 0, 0);
  context.restore();
  context.save();
  context.translate(width - 10, pad.top + plotH / 2);
  context.rotate(Math.PI / 2);
  context.fillText("test accuracy", 0, 0);
  context.restore();

  // each mini-batch's cost as a faint dot, and their running average (exponential, by epochs)
  context.fillStyle = "rgba(243, 164, 129, 0.35)";
  for (const [at, cost] of batches) context.fillRect(x(at) - 1, yCost(cost) - 1, 2, 2);
  if (batches.length) {
    let smooth = batches[0][1];
    context.strokeStyle = "#f3a481";
    context.lineWidth = 1.5;
    context.beginPath();
    batches.forEach(([at, cost], i) => {
      if (i) smooth += (1 - Math.exp(-(at - batches[i - 1][0]) / SMOOTHING)) * (cost - smooth);
      if (i) context.lineTo(x(at), yCost(smooth)); else context.moveTo(x(at), yCost(smooth));
    });
    context.stroke();
  }
  const series = [["test_cost", yCost, "#d6604d"], ["train_cost", yCost, "#ffd9c4"], ["test_accuracy", yAccuracy, "#90c4dd"]];
  for (const [key, y, colour] of series) {
    const points = (key === "test_accuracy" ? job.history : records)
      .filter((r) => r[key] !== null && r[key] !== undefined).map((r) => [x(r.epoch), y(r[key])]);
    context.strokeStyle = context.fillStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    points.forEach(([px, py], i) => (i ? context.lineTo(px, py) : context.moveTo(px, py)));
    context.stroke();
    for (const [px, py] of points) { context.beginPath(); context.arc(px, py, 3, 0, 2 * Math.PI); context.fill(); }
  }
  if (job.state === "running" && job.progress.total) {
    const at = x(job.history.length + job.progress.done / job.progress.total);
    context.strokeStyle = "#ffd166";
    context.setLineDash([4, 4]);
    context.beginPath(); context.moveTo(at, pad.top); context.lineTo(at, height - pad.bottom); context.stroke();
    context.setLineDash([]);
  }
  chart.dataset.points = job.history.length;
  chart.dataset.epochZero = String(!!job.initial);
  chart.dataset.batches = batches.length;
  chart.dataset.firstBatchAt = batches.length ? batches[0][0] : "";
  chart.dataset.firstBatchCost = batches.length ? batches[0][1] : "";
  chart.dataset.accuracyFrom = lowAccuracy;
  chart.setAttribute("aria-label", chartWords(job, records, batches));
}

// The chart in words, for those who do not see it.
function chartWords(job, records, batches) {
  if (!records.length) return "The cost curves start here when training starts.";
  const first = records[0], last = records[records.length - 1];
  const batch = batches.length ? `; the last mini-batch measured cost ${fmt(batches[batches.length - 1][1], 4)}` : "";
  return `Average training cost ${fmt(first.train_cost, 4)} before training` +
    (last !== first ? `, ${fmt(last.train_cost, 4)} after epoch ${last.epoch}` : "") + batch + ".";
}

window.addEventListener("resize", () => (chartJob ? drawChart(chartJob) : drawPlaceholder()));
drawPlaceholder();

// ------------------------------------------------------------------ downloading MNIST
$("download").addEventListener("click", async () => {
  try {
    watchJob(await api("/api/download", {}), showDownload);
  } catch (error) {
    showError(error);
  }
});

export async function showDownload(job) {
  const bar = $("download-progress");
  bar.hidden = job.state !== "running";
  $("download").disabled = job.state === "running";
  if (job.total) bar.value = job.done / job.total;
  $("download-status").textContent = {
    running: job.file ? `${job.file}: ${(job.done / 1e6).toFixed(1)} MB${job.total ? ` of ${(job.total / 1e6).toFixed(1)} MB` : ""}` : "Starting…",
    done: `MNIST is ready in ${job.folder}.`,
    stopped: "Download stopped.",
    failed: `Download failed: ${job.error}`,
  }[job.state];
  if (job.state === "done") {
    await hooks.refreshStatus();
    hooks.dataArrived();
  }
}
