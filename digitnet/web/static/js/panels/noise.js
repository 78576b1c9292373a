// Random images: feed noise and see the network answer anyway, with what it says about 1,000
// such images next to 1,000 real test digits (histograms of the largest output).

import { api } from "../api.js";
import { paintGrey } from "../colour.js";
import { $, element, fmt, percent, count } from "../format.js";
import { changed, replaceInput, state, subscribe, update } from "../state.js";
import { requestPrediction } from "../predict.js";
import { answerWords } from "../answer.js";
import { showError } from "../errors.js";

const button = $("noise");

button.addEventListener("click", async () => {
  if (state.busy.noise) return;
  const generation = state.generation;
  update({ busy: { ...state.busy, noise: true } });
  try {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const answer = await api("/api/noise", { model: state.modelId, kind: $("noise-kind").value, seed });
    if (generation !== state.generation) return;   // the person drew (or loaded something) meanwhile
    replaceInput({ kind: "image", pixels: answer.pixels, source: "noise", caption: `random ${answer.kind} noise` },
      { noise: answer });
    requestPrediction(performance.now());
  } catch (error) {
    showError(error);
  } finally {
    update({ busy: { ...state.busy, noise: false } });
  }
});

// Two histograms of the largest output: for the noise images and for real digits.
function histogram(report) {
  const canvas = element("canvas");
  canvas.width = 320;
  canvas.height = 150;
  canvas.className = "histogram";
  canvas.dataset.testid = "noise-histogram";
  const context = canvas.getContext("2d");
  const series = [["top_activation_histogram_noise", "#f3a481", "noise"], ["top_activation_histogram_digits", "#90c4dd", "test digits"]]
    .filter(([key]) => report[key]);
  const total = report.count;
  const peak = Math.max(...series.flatMap(([key]) => report[key])) / total || 1;
  const [left, bottom, width, height] = [30, 125, 280, 100];
  context.font = "11px system-ui, sans-serif";
  context.fillStyle = "#a3aabb";
  context.textAlign = "center";
  for (let bin = 0; bin < 10; bin++) {
    series.forEach(([key, colour], s) => {
      const share = report[key][bin] / total;
      const barWidth = width / 10 / series.length - 2;
      context.fillStyle = colour;
      context.fillRect(left + (bin * width) / 10 + s * (barWidth + 1), bottom - (share / peak) * height, barWidth, (share / peak) * height);
    });
  }
  context.fillStyle = "#a3aabb";
  for (let tick = 0; tick <= 10; tick += 5) context.fillText((tick / 10).toFixed(1), left + (tick * width) / 10, bottom + 13);
  context.fillText("largest output", left + width / 2, bottom + 24);
  context.textAlign = "left";
  series.forEach(([, colour, label], s) => {
    context.fillStyle = colour;
    context.fillRect(left + 4, 6 + 14 * s, 10, 10);
    context.fillStyle = "#e8eaf0";
    context.fillText(label, left + 18, 15 + 14 * s);
  });
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `histogram of the largest output for ${count(total)} noise images` +
    (series.length > 1 ? " and as many test digits" : ""));
  return canvas;
}

function renderBusy() {
  button.disabled = !!state.busy.noise;
  button.setAttribute("aria-busy", String(!!state.busy.noise));
  button.textContent = state.busy.noise ? "Feeding…" : "Feed a random image";
}

function render() {
  const body = $("noise-body");
  const { noise, prediction } = state;
  if (!noise || !prediction) {   // the noise caption belongs to the noise image only
    if (body.childElementCount) body.replaceChildren();
    return;
  }
  const outputs = prediction.activations[prediction.activations.length - 1];
  const { report } = noise;
  const favourite = report.answers.indexOf(Math.max(...report.answers));
  const picture = element("canvas");
  paintGrey(picture, noise.pixels);
  picture.setAttribute("role", "img");
  picture.setAttribute("aria-label", `the random image (${noise.kind} noise)`);
  const text = element("div");
  text.dataset.testid = "noise-answer";
  const said = prediction.state === "rejected" ? "says it is not a digit" : `says ${prediction.top}`;
  for (const line of [
    `The network ${said} (“${answerWords(prediction)}”), its output ${prediction.top} at ${fmt(outputs[prediction.top])}, for this ${noise.kind} noise.`,
    `Of ${count(report.count)} such images it answered ${favourite} for ${percent(report.shares[favourite])}; ` +
      `its largest output averaged ${fmt(report.mean_top_activation_noise)} on noise` +
      (report.mean_top_activation_digits === null ? "." : ` and ${fmt(report.mean_top_activation_digits)} on real test digits.`),
    "It was trained only on digits and its cost never rewarded “none of these”, so some output is always the largest. " +
      "digitnet can say “not a digit” only with a rejector fitted (digitnet calibrate-reject), which looks at how typical the image is.",
  ]) text.append(element("p", null, line));
  body.replaceChildren(picture, text, histogram(report));
}

subscribe((_, changes) => {
  if (changed(changes, "busy")) renderBusy();
  if (changed(changes, "noise", "prediction")) render();
});
