// Cost & nudges: the digit the person meant, the cost of this one example (the ten (a − y)²),
// beside the average cost over many, and the biggest nudges of −∇C, each pointed at in the
// network view on hover or focus.  Asked for once per finished input and label, never while drawing.

import { api, rows, unpack } from "../api.js";
import { colourBar, figure, paintDiverging } from "../colour.js";
import { $, element, fmt, count } from "../format.js";
import { changed, keptRecord, state, subscribe, update } from "../state.js";
import { onOpen, panelOpen } from "../tabs.js";
import { showError } from "../errors.js";

const buttons = [];
for (let digit = 0; digit < 10; digit++) {
  const button = element("button", null, String(digit));
  button.type = "button";
  button.setAttribute("role", "radio");
  button.setAttribute("aria-checked", "false");
  button.tabIndex = digit === 0 ? 0 : -1;
  button.addEventListener("click", () => update({ label: digit }));
  button.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const next = (digit + step + 10) % 10;
    buttons[next].focus();
    update({ label: next });
  });
  buttons.push(button);
  $("labels").append(button);
}

let shownKey = null;    // what the panel shows: "generation/label/model"
let asked = null;

function message(text) {
  shownKey = null;
  const body = $("cost-body");
  if (body.textContent !== text) body.replaceChildren(element("p", "dim", text));
}

function renderLabel() {
  buttons.forEach((button, d) => {
    button.setAttribute("aria-checked", String(d === state.label));
    button.tabIndex = d === (state.label ?? 0) ? 0 : -1;
  });
}

async function render() {
  if (!panelOpen("panel-cost")) return;
  if (!state.prediction) return message("Draw a digit and choose what you meant.");
  if (state.label === null) return message("Choose the digit you meant to see the cost and the nudges.");
  if (!state.settled) return message("Finish the stroke: the cost is worked out for the finished drawing.");
  const key = `${state.generation}/${state.label}/${state.modelId}`;
  if (key === shownKey || key === asked) return;
  asked = key;
  try {
    const answer = await api("/api/cost", { model: state.modelId, pixels: state.prediction.activations[0], label: state.label });
    if (asked !== key || key !== `${state.generation}/${state.label}/${state.modelId}`) return;   // stale
    shownKey = key;
    show(answer);
  } catch (error) {
    showError(error);
  } finally {
    if (asked === key) asked = null;
  }
}

function describe(nudge) {
  const [to, from] = nudge.index;
  const last = state.model.sizes.length - 1;
  const target = nudge.layer === last ? `output ${to}` : `neuron ${to} of layer ${nudge.layer}`;
  if (from === undefined) return `the bias of ${target}`;
  const source = nudge.layer === 1 ? `pixel (row ${Math.floor(from / 28)}, column ${from % 28})` : `neuron ${from} of layer ${nudge.layer - 1}`;
  return `the weight from ${source} to ${target}`;
}

function show({ breakdown, nudges, first_layer_nudges: packed }) {
  const body = $("cost-body");
  body.replaceChildren();
  const left = element("div");
  left.dataset.testid = "cost-breakdown";
  left.tabIndex = 0;   // it scrolls sideways on narrow screens: reachable with the keyboard
  left.setAttribute("role", "region");
  left.setAttribute("aria-label", "The cost of this one example");
  left.append(element("h3", null, "The cost of this one example"));
  const table = element("table");
  table.innerHTML = "<thead><tr><th>digit</th><th>output a</th><th>wanted y</th><th>(a − y)²</th><th><span class=\"visually-hidden\">share of the cost</span></th></tr></thead>";
  const tbody = element("tbody");
  const largest = Math.max(...breakdown.squared_differences, 1e-9);
  breakdown.outputs.forEach((a, digit) => {
    const row = element("tr", digit === breakdown.label ? "wanted" : "");
    for (const text of [digit, fmt(a), fmt(breakdown.wanted[digit], 0), fmt(breakdown.squared_differences[digit], 4)]) {
      row.append(element("td", null, String(text)));
    }
    const bar = element("span");
    bar.style.width = `${(100 * breakdown.squared_differences[digit]) / largest}%`;
    const cell = element("td", "sq");
    cell.append(bar);
    row.append(cell);
    tbody.append(row);
  });
  const foot = element("tfoot");
  foot.innerHTML = '<tr><td colspan="3">cost C = Σ (a − y)²</td><td data-testid="cost-total"></td><td></td></tr>';
  foot.querySelector("[data-testid=cost-total]").textContent = fmt(breakdown.cost, 4);
  table.append(tbody, foot);
  left.append(table);
  const verdict = breakdown.digit === breakdown.label ? "The network agrees with you."
    : `The network's top output is ${breakdown.digit}; you meant ${breakdown.label}.`;
  left.append(element("p", "small dim", `${verdict} The cost is small when the outputs are close to what you wanted and large when they are far.`));
  const kept = keptRecord(state.model);
  const many = element("p", "many");
  many.dataset.testid = "average-cost";
  many.textContent = kept && kept.test_cost !== null
    ? `The cost of many examples: averaged over the 10,000 MNIST test images this network's cost is ${fmt(kept.test_cost, 4)} (recorded after epoch ${kept.epoch} of its training, whose weights it holds). Training lowers that average, not any one example's cost.`
    : "The cost of many examples is the average of this over all of them; training lowers that average, not any one example's cost.";
  left.append(many);

  const right = element("div", "nudges");
  right.dataset.testid = "nudges";
  right.append(element("h3", null, "The biggest nudges of −∇C"),
    element("p", "small dim", `Backpropagation says how to change each of the ${count(nudges.parameters)} weights and biases to lower this cost. The ten biggest changes (point at one to see it in the network):`));
  const list = element("ol");
  for (const nudge of nudges.top) {
    const item = element("li");
    item.append(element("span", "words", nudge.words), element("span", "dim small", ` — ${describe(nudge)}`));
    item.tabIndex = 0;
    item.title = `now ${fmt(nudge.value)}, nudge ${fmt(nudge.nudge, 4)}`;
    const point = () => update({ highlight: { layer: nudge.layer, index: nudge.index } });
    const leave = () => update({ highlight: null });
    item.addEventListener("pointerenter", point);
    item.addEventListener("focus", point);
    item.addEventListener("pointerleave", leave);
    item.addEventListener("blur", leave);
    list.append(item);
  }
  right.append(list);
  const heatmaps = unpack(packed);
  right.append(element("h3", null, "−∇C for the first layer's weights, as pictures"),
    element("p", "small dim", "Each hidden neuron's 784 weight nudges, all on one scale: red means increase, blue decrease, white no change."),
    colourBar(heatmaps.scale, "nudge"));
  const images = element("div", "images");
  rows(heatmaps).forEach((values, j) => images.append(figure((c) => paintDiverging(c, values, heatmaps.scale), `neuron ${j}`)));
  right.append(images);
  body.append(left, right);
}

onOpen("tab-cost", render);
subscribe((_, changes) => {
  if (changed(changes, "label")) renderLabel();
  if (changed(changes, "prediction", "label", "settled", "model")) render();
});
