// Compare networks: the same finished input read by a second network the server holds (a larger
// shipped one, one trained from the page), its answer in words beside the main one.

import { api } from "./api.js";
import { $, element, fmt } from "./format.js";
import { changed, state, subscribe } from "./state.js";
import { drawingAsPng } from "./drawing.js";
import { answerWords } from "./answer.js";
import { showError } from "./errors.js";

const select = $("compare-model");
const line = $("compare");
let shownFor = null;   // "generation/model" of the comparison on show

function fillChoices() {
  const models = (state.status?.models || []).filter((model) => model.id !== state.modelId);
  const chosen = select.value;
  select.replaceChildren(element("option", null, "no other network"),
    ...models.map((model) => Object.assign(element("option", null, `${model.name} (${model.sizes.join("-")})`), { value: model.id })));
  select.firstChild.value = "";
  select.value = models.some((model) => model.id === chosen) ? chosen : "";
  select.disabled = !models.length;
}

async function compare() {
  const other = select.value;
  const key = `${state.generation}/${other}/${state.modelId}`;
  if (!other || !state.prediction || !state.settled) {
    if (!other || !state.prediction) { line.textContent = ""; shownFor = null; }
    return;
  }
  if (key === shownFor) return;
  shownFor = key;
  const body = { model: other };
  if (state.input.kind === "drawing") body.png = drawingAsPng();
  else body.pixels = Array.from(state.input.pixels);
  try {
    const answer = await api("/api/predict", body);
    if (shownFor !== key) return;   // the input or the choice changed meanwhile
    const outputs = answer.activations[answer.activations.length - 1];
    const name = select.selectedOptions[0].textContent;
    line.textContent = `${name}: ${answerWords(answer)} (output ${answer.top} at ${fmt(outputs[answer.top])})`;
    line.dataset.state = answer.state;
  } catch (error) {
    showError(error);
  }
}

select.addEventListener("change", () => { shownFor = null; compare(); });
subscribe((_, changes) => {
  if (changed(changes, "status", "modelId")) fillChoices();
  if (changed(changes, "prediction", "settled", "modelId", "status")) compare();
});
