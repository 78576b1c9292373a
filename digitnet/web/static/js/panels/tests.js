// Test images: step through MNIST's test images (or only the network's mistakes), each loaded
// into the network view with its label chosen in the cost panel.  Positions are counted from 1
// on the page; the caption also gives MNIST's own index (from 0).

import { api } from "../api.js";
import { $, count } from "../format.js";
import { changed, replaceInput, state, subscribe, update } from "../state.js";
import { onOpen } from "../tabs.js";
import { requestPrediction } from "../predict.js";
import { showError } from "../errors.js";
import { showDataMissing } from "./train.js";

let position = 0;       // from 0
let total = null;       // how many images the current list holds
let loadedFor = null;   // the network and list the panel last loaded for

export function resetTests() { loadedFor = null; }

function open() {
  const available = state.status && state.status.data.available;
  $("tests-missing").hidden = available;
  $("tests-body").hidden = !available;
  if (!available) return showDataMissing($("tests-missing"), " Then the 10,000 test images appear here.");
  const key = `${state.modelId}/${$("test-mistakes").checked}`;
  if (loadedFor !== key) load(0);
}

async function load(wanted) {
  if (state.busy.test) return;
  const generation = state.generation;
  const mistakes = $("test-mistakes").checked;
  update({ busy: { ...state.busy, test: true } });
  try {
    const answer = await api("/api/test-image", { model: state.modelId, position: Math.max(0, wanted), mistakes });
    loadedFor = `${state.modelId}/${mistakes}`;
    total = answer.count;
    $("test-count").textContent = `of ${count(answer.count)}`;
    $("test-position").max = answer.count;
    if (!answer.count) {
      $("test-info").textContent = "The network makes no mistakes on the test images.";
      return;
    }
    position = answer.position;
    $("test-position").value = position + 1;
    if (generation !== state.generation) return;   // the person drew meanwhile: keep the drawing
    replaceInput({ kind: "image", pixels: answer.pixels, source: "test", label: answer.label,
      caption: `test image ${position + 1} (labelled ${answer.label})` }, { test: answer });
    requestPrediction(performance.now());
  } catch (error) {
    showError(error);
  } finally {
    update({ busy: { ...state.busy, test: false } });
  }
}

function step(delta) {
  const n = total || 1;
  load((position + delta + n) % n);
}

function renderBusy() {
  const busy = !!state.busy.test;
  for (const id of ["test-prev", "test-next"]) $(id).disabled = busy;
  $("tests-body").setAttribute("aria-busy", String(busy));
}

function render() {
  const { test, prediction } = state;
  const info = $("test-info");
  if (!test) {   // the caption belongs to the test image only
    if (!state.busy.test && info.textContent.startsWith("Test image")) info.textContent = "";
    return;
  }
  if (!prediction) return;
  const right = prediction.top === test.label;
  info.textContent = `Test image ${test.position + 1} of ${count(test.count)} (MNIST test index ${test.index}): ` +
    `labelled ${test.label}; the network says ${prediction.top} ${right ? "✓" : "✗"}`;
}

$("test-prev").addEventListener("click", () => step(-1));
$("test-next").addEventListener("click", () => step(1));
$("test-position").addEventListener("change", () => {
  const field = $("test-position");
  const wanted = Math.round(+field.value);
  const n = total || 1;
  if (!Number.isFinite(wanted) || wanted < 1 || wanted > n) {
    $("test-info").textContent = `Choose an image from 1 to ${count(n)}.`;
    field.value = position + 1;
    return;
  }
  load(wanted - 1);
});
$("test-mistakes").addEventListener("change", () => load(0));
onOpen("tab-tests", open);
export const openTests = open;
subscribe((_, changes) => {
  if (changed(changes, "busy")) renderBusy();
  if (changed(changes, "test", "prediction", "busy")) render();
});
