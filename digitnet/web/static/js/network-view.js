// The network view: the 28×28 input (one canvas over the diagram's input column, hover or arrow
// keys for values), every neuron shaded by its activation, the faint shape of the strongest
// weights, this input's strongest connections when the pen lifts, a legend, and the details of
// the neuron chosen with the pointer or the arrow keys.  Drawn in a 640×420 coordinate space.

import { $, element, fmt } from "./format.js";
import { colourBar, NEGATIVE, paintDiverging, paintGrey, POSITIVE } from "./colour.js";
import { changed, state, subscribe, update } from "./state.js";

const net = $("net");
const grid = $("grid");
const NET_WIDTH = 640, NET_HEIGHT = 420;
const INPUT_ORIGIN = [16, 140], INPUT_SIDE = 140;   // where the 28×28 input sits
let positions = [];     // positions[layer][index] = [x, y, radius] (layer 0, the input, is the grid)
let shape = [];         // the faint shape: {weight, x1, y1, x2, y2}

// The grid canvas sits exactly over the diagram's input column.
Object.assign(grid.style, {
  left: `${(100 * INPUT_ORIGIN[0]) / NET_WIDTH}%`, top: `${(100 * INPUT_ORIGIN[1]) / NET_HEIGHT}%`,
  width: `${(100 * INPUT_SIDE) / NET_WIDTH}%`, height: `${(100 * INPUT_SIDE) / NET_HEIGHT}%`,
});

function neuronPositions(sizes) {
  const columns = sizes.length - 1;
  return sizes.map((n, layer) => {
    if (layer === 0) return [];
    const x = columns === 1 ? 500 : 250 + ((layer - 1) * 320) / (columns - 1);
    const spacing = Math.min(24, 380 / n);
    const radius = Math.max(1.5, Math.min(9, spacing * 0.4));
    return Array.from({ length: n }, (_, i) => [x, 210 + (i - (n - 1) / 2) * spacing, radius]);
  });
}

function topIndices(values, k) {
  return Array.from(values, (v, i) => [Math.abs(v), i]).sort((a, b) => b[0] - a[0]).slice(0, k).map((p) => p[1]);
}

// Where a connection from neuron ``from`` of layer ``layer − 1`` starts (a pixel for layer 1).
function lineStart(layer, from) {
  const [ix, iy] = INPUT_ORIGIN, cell = INPUT_SIDE / 28;
  return layer === 1 ? [ix + ((from % 28) + 0.5) * cell, iy + (Math.floor(from / 28) + 0.5) * cell]
    : positions[layer - 1][from];
}

// The network's shape, drawn faintly under every input: the strongest incoming weights of each
// neuron (3 pixels per first-layer neuron; enough per neuron of later layers for about 600 lines).
function buildShape() {
  const { sizes, weights } = state.model;
  positions = neuronPositions(sizes);
  shape = [];
  for (let layer = 1; layer < sizes.length; layer++) {
    const perNeuron = layer === 1 ? 3 : Math.max(2, Math.min(sizes[layer - 1], Math.ceil(600 / sizes[layer])));
    weights[layer - 1].forEach((row, to) => {
      for (const from of topIndices(row, perNeuron)) {
        const [x1, y1] = lineStart(layer, from);
        const [x2, y2] = positions[layer][to];
        shape.push({ weight: row[from], x1, y1, x2, y2 });
      }
    });
  }
  $("network-shape").textContent = sizes.join("-");
}

const shade = (value) => {
  const v = Math.round(28 + 227 * Math.min(1, Math.max(0, value)));
  return `rgb(${v},${v},${v})`;
};

function line(context, x1, y1, x2, y2) {
  context.beginPath();
  context.moveTo(x1, y1);
  context.lineTo(x2, y2);
  context.stroke();
}

// The faint shape, drawn once per network and size onto its own canvas, then copied each frame.
let shapeCache = null;
function shapeLayer(width, height) {
  if (shapeCache && shapeCache.width === width && shapeCache.height === height && shapeCache.shape === shape) {
    return shapeCache.canvas;
  }
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.setTransform(width / NET_WIDTH, 0, 0, height / NET_HEIGHT, 0, 0);
  context.lineWidth = 1;
  context.globalAlpha = 0.1;
  for (const c of shape) {
    context.strokeStyle = c.weight > 0 ? POSITIVE : NEGATIVE;
    line(context, c.x1, c.y1, c.x2, c.y2);
  }
  shapeCache = { width, height, shape, canvas };
  return canvas;
}

// The canvas's width on the page, kept by a ResizeObserver: reading it while drawing would make the
// browser lay the page out again after every answer.
let cssWidth = NET_WIDTH;
new ResizeObserver(([entry]) => {
  cssWidth = entry.contentRect.width || NET_WIDTH;
  redraw();
}).observe(net);

function draw() {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round(cssWidth * ratio);
  const height = Math.round((width * NET_HEIGHT) / NET_WIDTH);
  if (net.width !== width || net.height !== height) { net.width = width; net.height = height; }
  const context = net.getContext("2d");
  context.setTransform(width / NET_WIDTH, 0, 0, height / NET_HEIGHT, 0, 0);
  context.clearRect(0, 0, NET_WIDTH, NET_HEIGHT);
  const { prediction } = state;
  const { sizes } = state.model;
  const last = sizes.length - 1;

  context.drawImage(shapeLayer(width, height), 0, 0, NET_WIDTH, NET_HEIGHT);
  // this input's strongest connections: the largest terms w·a, red pushing the neuron up,
  // blue pushing it down, brighter the larger
  if (prediction && prediction.connections) {
    const largest = {};
    for (const c of prediction.connections) largest[c.layer] = Math.max(largest[c.layer] || 1e-12, Math.abs(c.contribution));
    context.lineWidth = 2;
    for (const c of [...prediction.connections].reverse()) {
      const [x1, y1] = lineStart(c.layer, c.from);
      const [x2, y2] = positions[c.layer][c.to];
      context.globalAlpha = 0.25 + (0.75 * Math.abs(c.contribution)) / largest[c.layer];
      context.strokeStyle = c.contribution > 0 ? POSITIVE : NEGATIVE;
      line(context, x1, y1, x2, y2);
    }
  }
  context.globalAlpha = 1;
  const { highlight } = state;   // a parameter pointed at from a panel (a nudge)
  const pointedAt = highlight ? `${highlight.layer}:${highlight.index.join(",")}` : "";
  if (net.dataset.highlight !== pointedAt) net.dataset.highlight = pointedAt;
  if (highlight && highlight.index.length === 2) {
    const [x1, y1] = lineStart(highlight.layer, highlight.index[1]);
    const [x2, y2] = positions[highlight.layer][highlight.index[0]];
    context.strokeStyle = "#ffd166";
    context.lineWidth = 4;
    line(context, x1, y1, x2, y2);
  }

  const [ix, iy] = INPUT_ORIGIN;
  context.font = "12px system-ui, sans-serif";
  context.textAlign = "center";
  context.fillStyle = "#a3aabb";
  context.fillText("784 inputs (28×28)", ix + INPUT_SIDE / 2, iy + INPUT_SIDE + 20);

  const chosen = state.hover || state.selected;
  for (let layer = 1; layer <= last; layer++) {
    const values = prediction ? prediction.activations[layer] : null;
    positions[layer].forEach(([x, y, r], i) => {
      context.beginPath();
      context.arc(x, y, r, 0, 2 * Math.PI);
      context.fillStyle = values ? shade(values[i]) : "#1b1f2a";
      context.fill();
      const winner = layer === last && prediction && i === prediction.top;
      const marked = (chosen && chosen.layer === layer && chosen.index === i)
        || (highlight && highlight.layer === layer && highlight.index[0] === i);
      context.strokeStyle = marked || winner ? "#ffd166" : "#8a93a8";
      context.lineWidth = marked || winner ? 3 : 1;
      context.stroke();
    });
    const column = positions[layer];
    context.fillStyle = "#a3aabb";
    context.textAlign = "center";
    context.fillText(layer === last ? `${sizes[layer]} outputs` : `${sizes[layer]} neurons`, column[0][0],
      Math.min(414, column[column.length - 1][1] + 26));
  }
  context.textAlign = "left";
  context.font = "14px system-ui, sans-serif";
  positions[last].forEach(([x, y, r], digit) => {
    context.fillStyle = prediction && digit === prediction.top ? "#ffd166" : "#e8eaf0";
    context.fillText(String(digit), x + r + 8, y + 5);
  });
  const label = `The network: every neuron shaded by its activation${prediction
    ? `; its most active output is ${prediction.top}` : ""}. Arrow keys choose a neuron.`;
  if (net.getAttribute("aria-label") !== label) net.setAttribute("aria-label", label);
}

let frame = null;
function redraw() {
  if (!state.model || frame !== null) return;
  frame = requestAnimationFrame(() => { frame = null; draw(); });
}

function buildLegend() {
  const legend = $("legend");
  legend.replaceChildren();
  const lines = element("span", "legend-lines");
  const pos = element("span", "swatch");
  pos.style.background = POSITIVE;
  const neg = element("span", "swatch");
  neg.style.background = NEGATIVE;
  lines.append(pos, " pushes the next neuron up (positive w·a)  ", neg, " pushes it down (negative)");
  const shading = element("span", "legend-shade", "neuron: ");
  shading.append(element("span", "shade-bar"), " activation 0 → 1");
  legend.append(lines, shading);
}

// ------------------------------------------------------------------ the input grid
let cursor = [14, 14];
function showCell(row, col) {
  const values = state.prediction ? state.prediction.activations[0] : null;
  const value = values ? values[28 * row + col] : 0;
  $("grid-readout").textContent = `input neuron ${28 * row + col} (row ${row}, column ${col}: ${fmt(value)})`;
  const tip = $("grid-tip");
  tip.textContent = fmt(value);
  const box = grid.getBoundingClientRect(), outer = net.getBoundingClientRect();
  tip.style.left = `${box.left - outer.left + ((col + 1) / 28) * box.width}px`;
  tip.style.top = `${box.top - outer.top + (row / 28) * box.height - 20}px`;
  tip.hidden = false;
}

grid.addEventListener("pointermove", (event) => {
  const box = grid.getBoundingClientRect();
  const col = Math.min(27, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * 28)));
  const row = Math.min(27, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * 28)));
  cursor = [row, col];
  showCell(row, col);
});
grid.addEventListener("pointerleave", () => { $("grid-tip").hidden = true; });
grid.addEventListener("blur", () => { $("grid-tip").hidden = true; });
grid.addEventListener("keydown", (event) => {
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (!moves[event.key]) return;
  event.preventDefault();
  cursor = cursor.map((v, i) => Math.min(27, Math.max(0, v + moves[event.key][i])));
  showCell(...cursor);
});

// ------------------------------------------------------------------ choosing a neuron
function neuronAt(event) {
  const box = net.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * NET_WIDTH;
  const y = ((event.clientY - box.top) / box.height) * NET_HEIGHT;
  for (let layer = 1; layer < positions.length; layer++) {
    for (let index = 0; index < positions[layer].length; index++) {
      const [cx, cy, r] = positions[layer][index];
      if ((x - cx) ** 2 + (y - cy) ** 2 <= (r + 3) ** 2) return { layer, index };
    }
  }
  return null;
}

export const selectNeuron = (target) => update({ selected: target });

net.addEventListener("pointermove", (event) => {
  const target = neuronAt(event);
  net.style.cursor = target ? "pointer" : "default";
  if (target?.layer !== state.hover?.layer || target?.index !== state.hover?.index) update({ hover: target });
});
net.addEventListener("pointerleave", () => update({ hover: null }));
net.addEventListener("click", (event) => {
  const target = neuronAt(event);
  if (target) selectNeuron(target);
});
net.addEventListener("keydown", (event) => {
  if (!state.model) return;
  const last = state.model.sizes.length - 1;
  let { layer, index } = state.selected || { layer: 1, index: -1 };
  if (event.key === "ArrowDown") index++;
  else if (event.key === "ArrowUp") index--;
  else if (event.key === "ArrowRight") layer = Math.min(last, layer + 1);
  else if (event.key === "ArrowLeft") layer = Math.max(1, layer - 1);
  else if (event.key === "Escape" && state.selected) { event.preventDefault(); selectNeuron(null); return; }
  else return;
  event.preventDefault();
  selectNeuron({ layer, index: Math.min(state.model.sizes[layer] - 1, Math.max(0, index)) });
});

function showNeuron() {
  const chosen = state.hover || state.selected;
  const box = $("neuron-text");
  const picture = $("neuron-image");
  if (!chosen || !state.model) {
    if (box.dataset.layer === "") return;   // the hint is on show already: touch nothing
    box.replaceChildren();
    picture.hidden = true;
    box.append(element("p", "dim small", "Hover, tap or use the arrow keys on the network to see a neuron's weights, bias, weighted sum and activation."));
    box.dataset.layer = box.dataset.index = "";
    return;
  }
  box.replaceChildren();
  const { layer, index } = chosen;
  const { model, prediction } = state;
  const last = layer === model.sizes.length - 1;
  const view = model.views[String(layer)];
  picture.hidden = false;
  paintDiverging(picture, view.rows[index], view.scale);
  const z = prediction ? prediction.weighted_sums[layer - 1][index] : null;
  const a = prediction ? prediction.activations[layer][index] : null;
  const squash = last ? model.output : model.activation;
  const what = layer === 1 ? "its 784 weights as a 28×28 picture"
    : "its weights carried back to the pixels (what it looks for, roughly)";
  const lines = [
    [`${last ? "Output" : `Layer ${layer}`} neuron ${index}${last ? ` (digit ${index})` : ""}`, "strong"],
    [`Picture: ${what}.`, "small dim"],
    [`bias b = ${fmt(model.biases[layer - 1][index])}`, "mono"],
    [`weighted sum z = w·a + b = ${fmt(z)}`, "mono"],
    [`activation a = ${squash === "sigmoid" ? "σ" : squash}(z) = ${fmt(a)}`, "mono"],
  ];
  for (const [text, style] of lines) box.append(element("p", style, text));
  box.append(colourBar(view.scale, layer === 1 ? "weight" : "carried-back weight"));
  box.dataset.layer = layer;
  box.dataset.index = index;
}

subscribe((_, changes) => {
  if (changed(changes, "model")) { buildShape(); buildLegend(); }
  if (changed(changes, "prediction", "model")) {
    paintGrey(grid, state.prediction ? state.prediction.activations[0] : new Float32Array(784));
  }
  if (changed(changes, "prediction", "model")) draw();   // at once: the answer's latency includes the drawing
  else if (changed(changes, "hover", "selected", "highlight")) redraw();
  if (changed(changes, "prediction", "model", "hover", "selected")) showNeuron();
});
