// The digitnet explorer page. It draws and asks; every number it shows comes from the digitnet
// server (the library): the 28×28 input from images.to_mnist, activations from Network.forward,
// costs, nudges, weight images and noise from digitnet.insight. Nothing here recomputes them.
"use strict";

const $ = (id) => document.getElementById(id);
const STROKE_WIDTH = 0.065;   // pen width as a fraction of the canvas side
const SEND_SIZE = 140;        // the drawing is sent to the server as a PNG this many pixels square
const INPUT_ORIGIN = [16, 150], INPUT_SIDE = 120;   // where the 28×28 input sits in the network view
const inputCanvas = document.createElement("canvas");  // scratch 28×28 canvas for drawing an input scaled up

const state = {
  status: null,
  modelId: null,
  model: null,        // GET /api/models/<id>
  views: null,        // GET /api/models/<id>/views
  strokes: [],        // each stroke: [[x, y], …] in [0, 1]
  stroke: null,       // the stroke being drawn
  input: { kind: "drawing" },   // or { kind: "image", pixels, source, label }
  generation: 0,      // bumped when the input is replaced, so late answers are dropped
  prediction: null,   // POST /api/predict
  label: null,        // the digit the person meant
  selected: null,     // pinned neuron {layer, index}
  hover: null,        // neuron under the pointer
  noise: null,        // POST /api/noise: the random image on show and its report
  test: null,         // POST /api/test-image: the test image on show
  testsLoaded: false, // whether the test-image panel has loaded an image for this network
  exploredJob: null,  // the training job whose network this page last switched to
};

// ------------------------------------------------------------------ talking to the server
class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  const answer = await response.json();
  if (!response.ok) throw new ApiError(answer.error || response.statusText, response.status);
  return answer;
}

let toastTimer = null;
function showError(error) {
  const toast = $("toast");
  toast.textContent = error.message || String(error);
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 6000);
}

const fmt = (x, digits = 3) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));
const small = (x) => (x !== 0 && Math.abs(x) < 0.001 ? Number(x).toExponential(2) : fmt(x, 4));
const percent = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(2)}%`);

// ------------------------------------------------------------------ pictures of numbers
// A 28×28 grey image (values in [0, 1]) or a heatmap (blue positive, red negative) on a canvas.
function flat(values) { return Array.isArray(values[0]) ? values.flat() : values; }

function paintGrey(canvas, values, side = 28) {
  const pixels = flat(values);
  if (canvas.width !== side || canvas.height !== side) canvas.width = canvas.height = side;
  const context = canvas.getContext("2d");
  const image = context.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

// ``scale`` is the value drawn at full colour (default: this image's largest |value|).
function paintHeat(canvas, values, width = 28, height = 28, scale = null) {
  const numbers = flat(values);
  scale = scale || Math.max(1e-12, ...numbers.map(Math.abs));
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i++) {
    const t = numbers[i] / scale;
    const [r, g, b] = t >= 0 ? [88, 196, 221] : [252, 98, 85];
    const k = Math.sqrt(Math.abs(t));
    image.data.set([r * k, g * k, b * k, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

function figure(values, caption, heat = true, scale = null) {
  const box = document.createElement("figure");
  const canvas = document.createElement("canvas");
  if (heat) paintHeat(canvas, values, 28, 28, scale);
  else paintGrey(canvas, values);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption);
  const text = document.createElement("figcaption");
  text.textContent = caption;
  box.append(canvas, text);
  return box;
}

// ------------------------------------------------------------------ drawing
const drawCanvas = $("draw");

function paintStrokes(context, size, background, ink) {
  context.fillStyle = background;
  context.fillRect(0, 0, size, size);
  context.strokeStyle = context.fillStyle = ink;
  context.lineCap = context.lineJoin = "round";
  context.lineWidth = STROKE_WIDTH * size;
  for (const stroke of state.strokes) {
    if (stroke.length === 1) {
      context.beginPath();
      context.arc(stroke[0][0] * size, stroke[0][1] * size, context.lineWidth / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.beginPath();
    context.moveTo(stroke[0][0] * size, stroke[0][1] * size);
    for (const [x, y] of stroke.slice(1)) context.lineTo(x * size, y * size);
    context.stroke();
  }
}

function redrawCanvas() {
  const side = Math.round(drawCanvas.getBoundingClientRect().width * (window.devicePixelRatio || 1)) || 280;
  if (drawCanvas.width !== side) drawCanvas.width = drawCanvas.height = side;
  const context = drawCanvas.getContext("2d");
  paintStrokes(context, side, "#000", "#fff");
  if (state.input.kind === "image" && !state.strokes.length) {   // the image on show, dimmed under the hint
    paintGrey(inputCanvas, state.input.pixels);
    context.imageSmoothingEnabled = false;
    context.globalAlpha = 0.4;
    context.drawImage(inputCanvas, 0, 0, side, side);
    context.globalAlpha = 1;
  }
  const hint = $("draw-hint");
  hint.hidden = state.strokes.length > 0;
  hint.classList.toggle("over-image", state.input.kind === "image");
  hint.textContent = state.input.kind === "drawing" ? "Draw a digit here" : `Showing ${state.input.source}. Draw to replace it.`;
}

function drawingAsPng() {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = SEND_SIZE;
  paintStrokes(canvas.getContext("2d"), SEND_SIZE, "#000", "#fff");
  return canvas.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
}

function pointOf(event) {
  const box = drawCanvas.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
}

function startDrawingInput() {
  if (state.input.kind !== "drawing") {
    state.input = { kind: "drawing" };
    state.strokes = [];
    state.generation++;
  }
}

drawCanvas.addEventListener("pointerdown", (event) => {
  if (event.pointerType === "mouse" && event.button !== 0) return;
  event.preventDefault();
  drawCanvas.setPointerCapture(event.pointerId);
  startDrawingInput();
  state.stroke = [pointOf(event)];
  state.strokes.push(state.stroke);
  redrawCanvas();
  requestPrediction(event.timeStamp);
});
drawCanvas.addEventListener("pointermove", (event) => {
  if (!state.stroke) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of events.length ? events : [event]) state.stroke.push(pointOf(e));
  redrawCanvas();
  requestPrediction(event.timeStamp);
});
for (const type of ["pointerup", "pointercancel"]) {
  drawCanvas.addEventListener(type, (event) => {
    if (!state.stroke) return;
    state.stroke = null;
    requestPrediction(event.timeStamp);   // now with the strongest connections
  });
}

function clearInput() {
  state.strokes = [];
  state.stroke = null;
  state.input = { kind: "drawing" };
  state.generation++;
  state.prediction = null;
  redrawCanvas();
  showPrediction();
}

function undo() {
  if (state.input.kind !== "drawing" || !state.strokes.length) return;
  state.strokes.pop();
  redrawCanvas();
  if (state.strokes.length) requestPrediction(performance.now());
  else clearInput();
}

$("clear").addEventListener("click", clearInput);
$("undo").addEventListener("click", undo);
document.addEventListener("keydown", (event) => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement?.tagName || "");
  if (!typing && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
  }
});
window.addEventListener("resize", redrawCanvas);

// Load a 28×28 image (a test image, noise) into the network view in place of the drawing.
function showImage(pixels, source, label = null) {
  state.strokes = [];
  state.stroke = null;
  state.input = { kind: "image", pixels, source, label };
  state.generation++;
  redrawCanvas();
  if (label !== null) chooseLabel(label, false);
  requestPrediction(performance.now());
}

// ------------------------------------------------------------------ predictions while drawing
// At most two requests are under way at once; each answer newer than the one on screen is
// shown, older ones are dropped.  For every answer shown, two latencies are recorded from the
// oldest draw event it covers (performance.measure):
//   "predict-round-trip"  from the page receiving the event to the new activations drawn
//                         (input grid, network, output bars), the server's round trip included;
//   "predict-to-frame"    from the event's own time stamp to the start of the next animation
//                         frame, which adds the browser's wait for a frame (up to 1/60 s each way).
const MAX_IN_FLIGHT = 2;
let inFlight = 0;
let sent = 0;              // requests sent so far (each one's sequence number)
let shown = 0;             // the sequence number of the answer on screen
let pending = null;        // {event, received}: times of the oldest draw event not yet sent
const unanswered = new Map();   // sequence number → {event, received} of the oldest event it covers

function requestPrediction(eventTime) {
  if (pending === null) pending = { event: eventTime, received: performance.now() };
  if (inFlight < MAX_IN_FLIGHT) sendPrediction();
}

async function sendPrediction() {
  const generation = state.generation;
  // The strongest connections cost the server a few milliseconds: ask for them only when the
  // pen is up, so that the activations follow the pen as fast as they can.
  const body = { model: state.modelId, connections: !state.stroke };
  if (state.input.kind === "drawing") {
    if (!state.strokes.length) { pending = null; return; }
    body.png = drawingAsPng();
  } else {
    body.pixels = state.input.pixels;
  }
  const sequence = ++sent;
  unanswered.set(sequence, pending);
  pending = null;
  inFlight++;
  try {
    const prediction = await api("/api/predict", body);
    if (sequence > shown && generation === state.generation && body.model === state.modelId) {
      shown = sequence;
      const covered = [...unanswered].filter(([s]) => s <= sequence).map(([, times]) => times);
      for (const s of [...unanswered.keys()]) if (s <= sequence) unanswered.delete(s);
      state.prediction = prediction;
      showPrediction();
      const received = Math.min(...covered.map((t) => t.received));
      const event = Math.min(...covered.map((t) => t.event));
      performance.measure("predict-round-trip", { start: received, end: performance.now() });
      requestAnimationFrame(() => performance.measure("predict-to-frame", { start: event, end: performance.now() }));
    } else {
      unanswered.delete(sequence);
    }
  } catch (error) {
    unanswered.delete(sequence);
    showError(error);
  } finally {
    inFlight--;
    if (pending !== null && inFlight < MAX_IN_FLIGHT) sendPrediction();
  }
}

function showPrediction() {
  const prediction = state.prediction;
  const input = prediction ? prediction.activations[0] : new Array(784).fill(0);
  paintGrey($("grid"), input);
  if (state.model) drawNetwork();
  updateOutputs();
  showNeuron();
  updateCost();
  updateNoiseNote();
  updateTestNote();
}

// ------------------------------------------------------------------ the 28×28 input grid
const grid = $("grid");
let gridCursor = [14, 14];

function showCell(row, col, atPointer) {
  const values = state.prediction ? state.prediction.activations[0] : null;
  const value = values ? values[28 * row + col] : 0;
  const text = `row ${row}, column ${col}: ${fmt(value)}`;
  $("grid-readout").textContent = `input neuron ${28 * row + col} (${text})`;
  const tip = $("grid-tip");
  if (atPointer) {
    tip.textContent = fmt(value);
    tip.style.left = `${((col + 1) / 28) * 100}%`;
    tip.style.top = `${(row / 28) * 100}%`;
    tip.hidden = false;
  } else {
    tip.hidden = true;
  }
}

grid.addEventListener("pointermove", (event) => {
  const box = grid.getBoundingClientRect();
  const col = Math.min(27, Math.max(0, Math.floor(((event.clientX - box.left) / box.width) * 28)));
  const row = Math.min(27, Math.max(0, Math.floor(((event.clientY - box.top) / box.height) * 28)));
  gridCursor = [row, col];
  showCell(row, col, true);
});
grid.addEventListener("pointerleave", () => { $("grid-tip").hidden = true; });
grid.addEventListener("keydown", (event) => {
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (!moves[event.key]) return;
  event.preventDefault();
  gridCursor = gridCursor.map((v, i) => Math.min(27, Math.max(0, v + moves[event.key][i])));
  showCell(...gridCursor, true);
});
grid.addEventListener("blur", () => { $("grid-tip").hidden = true; });

// ------------------------------------------------------------------ the network view
// Drawn on one canvas (a few hundred lines and circles: about a millisecond a frame), in a
// 640×420 coordinate space scaled to the element's size.
const net = $("net");
const NET_WIDTH = 640, NET_HEIGHT = 420;
let positions = [];     // positions[layer][index] = [x, y, radius] (layer 0, the input, is an image)
let connections = [];   // the faint shape: {weight, x1, y1, x2, y2}

// Neuron centres and radii: layers spread from x = 230 to 570, each column centred on y = 210.
function neuronPositions(sizes) {
  const columns = sizes.length - 1;
  return sizes.map((n, layer) => {
    if (layer === 0) return [];
    const x = columns === 1 ? 500 : 230 + ((layer - 1) * 340) / (columns - 1);
    const spacing = Math.min(24, 380 / n);
    const radius = Math.max(1.5, Math.min(9, spacing * 0.4));
    return Array.from({ length: n }, (_, i) => [x, 210 + (i - (n - 1) / 2) * spacing, radius]);
  });
}

function topIndices(values, k) {
  return values.map((v, i) => [Math.abs(v), i]).sort((a, b) => b[0] - a[0]).slice(0, k).map((p) => p[1]);
}

// Where a connection from neuron ``from`` of layer ``layer - 1`` starts (a pixel for layer 1).
function lineStart(layer, from) {
  const [ix, iy] = INPUT_ORIGIN, cell = INPUT_SIDE / 28;
  return layer === 1 ? [ix + (from % 28 + 0.5) * cell, iy + (Math.floor(from / 28) + 0.5) * cell]
    : positions[layer - 1][from];
}

// The network's shape, drawn faintly under every input: the strongest incoming weights of each
// neuron (3 pixels per first-layer neuron; enough per neuron of later layers for about 600 lines).
function buildNetwork() {
  const { sizes, weights } = state.model;
  positions = neuronPositions(sizes);
  connections = [];
  for (let layer = 1; layer < sizes.length; layer++) {
    const W = weights[layer - 1];   // (n_out, n_in)
    const perNeuron = layer === 1 ? 3 : Math.max(2, Math.min(sizes[layer - 1], Math.ceil(600 / sizes[layer])));
    W.forEach((row, to) => {
      for (const from of topIndices(row, perNeuron)) {
        const [x1, y1] = lineStart(layer, from);
        const [x2, y2] = positions[layer][to];
        connections.push({ weight: row[from], x1, y1, x2, y2 });
      }
    });
  }
  updateNetwork();
}

let networkFrame = null;
function updateNetwork() {
  if (!state.model || networkFrame !== null) return;
  networkFrame = requestAnimationFrame(() => {
    networkFrame = null;
    drawNetwork();
  });
}

function shade(value) {
  const v = Math.round(28 + 227 * Math.min(1, Math.max(0, value)));
  return `rgb(${v},${v},${v})`;
}

function drawNetwork() {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.round((net.getBoundingClientRect().width || NET_WIDTH) * ratio);
  const height = Math.round((width * NET_HEIGHT) / NET_WIDTH);
  if (net.width !== width || net.height !== height) { net.width = width; net.height = height; }
  const context = net.getContext("2d");
  context.setTransform(width / NET_WIDTH, 0, 0, height / NET_HEIGHT, 0, 0);
  context.clearRect(0, 0, NET_WIDTH, NET_HEIGHT);
  const prediction = state.prediction;
  const { sizes } = state.model;
  const last = sizes.length - 1;

  // the network's shape: each neuron's strongest incoming weights, faint
  context.lineWidth = 1;
  context.globalAlpha = prediction ? 0.05 : 0.1;
  for (const c of connections) {
    context.strokeStyle = c.weight > 0 ? "#58c4dd" : "#fc6255";
    context.beginPath();
    context.moveTo(c.x1, c.y1);
    context.lineTo(c.x2, c.y2);
    context.stroke();
  }
  // this input's strongest connections (insight.layer_activations): the largest terms w·a,
  // blue pushing the neuron up, red pushing it down, brighter the larger
  if (prediction && prediction.connections) {
    const largest = {};
    for (const c of prediction.connections) largest[c.layer] = Math.max(largest[c.layer] || 1e-12, Math.abs(c.contribution));
    context.lineWidth = 2;
    for (const c of [...prediction.connections].reverse()) {
      const [x1, y1] = lineStart(c.layer, c.from);
      const [x2, y2] = positions[c.layer][c.to];
      context.globalAlpha = 0.25 + 0.75 * Math.abs(c.contribution) / largest[c.layer];
      context.strokeStyle = c.contribution > 0 ? "#58c4dd" : "#fc6255";
      context.beginPath();
      context.moveTo(x1, y1);
      context.lineTo(x2, y2);
      context.stroke();
    }
  }
  context.globalAlpha = 1;

  // the input: the 784 pixels the network receives
  const [ix, iy] = INPUT_ORIGIN;
  paintGrey(inputCanvas, prediction ? prediction.activations[0] : new Array(784).fill(0));
  context.imageSmoothingEnabled = false;
  context.drawImage(inputCanvas, ix, iy, INPUT_SIDE, INPUT_SIDE);
  context.strokeStyle = "#6b7488";
  context.lineWidth = 1;
  context.strokeRect(ix - 0.5, iy - 0.5, INPUT_SIDE + 1, INPUT_SIDE + 1);
  context.font = "12px system-ui, sans-serif";
  context.textAlign = "center";
  context.fillStyle = "#a3aabb";
  context.fillText("784 inputs", ix + INPUT_SIDE / 2, iy + INPUT_SIDE + 22);

  // the neurons, shaded by activation; the answer and the chosen neuron ringed
  const shown = state.hover || state.selected;
  for (let layer = 1; layer <= last; layer++) {
    const values = prediction ? prediction.activations[layer] : null;
    const scale = values ? Math.max(1, ...values) : 1;
    positions[layer].forEach(([x, y, r], i) => {
      context.beginPath();
      context.arc(x, y, r, 0, 2 * Math.PI);
      context.fillStyle = values ? shade(values[i] / scale) : "#1b1f2a";
      context.fill();
      const winner = layer === last && prediction && i === prediction.digit;
      const chosen = shown && shown.layer === layer && shown.index === i;
      context.strokeStyle = chosen || winner ? "#ffd166" : "#6b7488";
      context.lineWidth = chosen || winner ? 3 : 1;
      context.stroke();
    });
    const column = positions[layer];
    const bottom = column[column.length - 1][1];
    context.fillStyle = "#a3aabb";
    context.textAlign = "center";
    context.fillText(layer === last ? `${sizes[layer]} outputs` : `${sizes[layer]}`, column[0][0], Math.min(412, bottom + 26));
  }
  context.textAlign = "left";
  context.font = "14px system-ui, sans-serif";
  positions[last].forEach(([x, y, r], digit) => {
    const winner = prediction && digit === prediction.digit;
    context.fillStyle = winner ? "#ffd166" : "#e8eaf0";
    context.fillText(String(digit), x + r + 8, y + 5);
  });
  net.setAttribute("aria-label", `The network: every neuron shaded by its activation${prediction
    ? `; it answers ${prediction.digit}` : ""}. Arrow keys choose a neuron.`);
}

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

function selectNeuron(target, pin) {
  if (pin) state.selected = target;
  else state.hover = target;
  updateNetwork();
  showNeuron();
}

net.addEventListener("pointermove", (event) => {
  const target = neuronAt(event);
  net.style.cursor = target ? "pointer" : "default";
  const hover = state.hover;
  if (target?.layer !== hover?.layer || target?.index !== hover?.index) selectNeuron(target, false);
});
net.addEventListener("pointerleave", () => selectNeuron(null, false));
net.addEventListener("click", (event) => {
  const target = neuronAt(event);
  if (target) selectNeuron(target, true);
});
net.addEventListener("keydown", (event) => {
  if (!state.model) return;
  const last = state.model.sizes.length - 1;
  let { layer, index } = state.selected || { layer: 1, index: -1 };
  if (event.key === "ArrowDown") index++;
  else if (event.key === "ArrowUp") index--;
  else if (event.key === "ArrowRight") layer = Math.min(last, layer + 1);
  else if (event.key === "ArrowLeft") layer = Math.max(1, layer - 1);
  else if (event.key === "Escape") { selectNeuron(null, true); return; }
  else return;
  event.preventDefault();
  selectNeuron({ layer, index: Math.min(state.model.sizes[layer] - 1, Math.max(0, index)) }, true);
});
window.addEventListener("resize", updateNetwork);

function neuronImage(layer, index) {
  if (!state.views) return null;
  if (layer === 1) return state.views.first_layer[index];
  const deeper = state.views.deeper[String(layer)];
  return deeper ? deeper[index] : null;
}

function showNeuron() {
  const shown = state.hover || state.selected;
  const box = $("neuron-text");
  const canvas = $("neuron-image");
  if (!shown || !state.model) {
    if (box.dataset.layer !== "") {
      canvas.hidden = true;
      box.innerHTML = "<p class='dim small'>Hover, tap or use the arrow keys on the network to see a neuron's weights, bias, weighted sum and activation.</p>";
      box.dataset.layer = box.dataset.index = "";
    }
    return;
  }
  const { layer, index } = shown;
  const last = layer === state.model.sizes.length - 1;
  const image = neuronImage(layer, index);
  canvas.hidden = false;
  if (image) paintHeat(canvas, image);
  else paintHeat(canvas, state.model.weights[layer - 1][index], state.model.sizes[layer - 1], 1);
  const prediction = state.prediction;
  const z = prediction ? prediction.weighted_sums[layer - 1][index] : null;
  const a = prediction ? prediction.activations[layer][index] : null;
  const squash = last ? state.model.output : state.model.activation;
  const what = layer === 1 ? "its 784 weights as a 28×28 image"
    : image ? "what it looks for in the pixels (its view, from digitnet.insight)"
      : `its ${state.model.sizes[layer - 1]} incoming weights`;
  box.replaceChildren();
  const lines = [
    [`${last ? "Output" : `Layer ${layer}`} neuron ${index}${last ? ` (digit ${index})` : ""}`, "strong"],
    [`Picture: ${what}; blue positive, red negative.`, "small dim"],
    [`bias b = ${fmt(state.model.biases[layer - 1][index])}`, "mono"],
    [`weighted sum z = w·a + b = ${fmt(z)}`, "mono"],
    [`activation a = ${squash === "sigmoid" ? "σ" : squash}(z) = ${fmt(a)}`, "mono"],
  ];
  for (const [text, style] of lines) {
    const p = document.createElement("p");
    p.className = style;
    p.textContent = text;
    box.append(p);
  }
  box.dataset.layer = layer;
  box.dataset.index = index;
}

// ------------------------------------------------------------------ the ten outputs
const outputList = $("outputs");
function buildOutputs() {
  outputList.replaceChildren();
  for (let digit = 0; digit < 10; digit++) {
    const item = document.createElement("li");
    item.innerHTML = `<span class="digit">${digit}</span><span class="bar"><span class="fill"></span></span><span class="value">–</span>`;
    outputList.append(item);
  }
}

function updateOutputs() {
  const prediction = state.prediction;
  const outputs = prediction ? prediction.activations[prediction.activations.length - 1] : null;
  $("answer").textContent = prediction ? String(prediction.digit) : "";
  $("confidence").textContent = prediction
    ? `output neuron ${prediction.digit} is the most active: ${fmt(outputs[prediction.digit])}`
    : "Nothing to read yet.";
  [...outputList.children].forEach((item, digit) => {
    const value = outputs ? outputs[digit] : 0;
    item.classList.toggle("top", !!prediction && digit === prediction.digit);
    item.querySelector(".fill").style.transform = `scaleX(${Math.min(1, Math.max(0, value))})`;
    item.querySelector(".value").textContent = outputs ? fmt(value) : "–";
    item.setAttribute("aria-label", `digit ${digit}: ${outputs ? fmt(value) : "no value"}`);
  });
}

// ------------------------------------------------------------------ tabs
const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab) {
  for (const other of tabs) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  if (tab.id === "tab-look") showGallery();
  if (tab.id === "tab-tests") openTests();
  if (tab.id === "tab-cost") updateCost();
}
tabs.forEach((tab, i) => {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    target.focus();
    selectTab(target);
  });
});
const panelOpen = (id) => !$(id).hidden;

// ------------------------------------------------------------------ cost and nudges
const labelButtons = [];
function buildLabels() {
  const group = $("labels");
  for (let digit = 0; digit < 10; digit++) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = digit;
    button.setAttribute("role", "radio");
    button.setAttribute("aria-checked", "false");
    button.tabIndex = digit === 0 ? 0 : -1;
    button.addEventListener("click", () => chooseLabel(digit, true));
    button.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
      if (!step) return;
      event.preventDefault();
      const next = (digit + step + 10) % 10;
      labelButtons[next].focus();
      chooseLabel(next, true);
    });
    labelButtons.push(button);
    group.append(button);
  }
}

function chooseLabel(digit, update) {
  state.label = digit;
  labelButtons.forEach((button, d) => {
    button.setAttribute("aria-checked", String(d === digit));
    button.tabIndex = d === digit ? 0 : -1;
  });
  if (update) updateCost();
}

let costRequest = 0;
function costMessage(text) {
  const body = $("cost-body");
  if (body.textContent !== text) {
    body.replaceChildren();
    const p = document.createElement("p");
    p.className = "dim";
    p.textContent = text;
    body.append(p);
  }
}

async function updateCost() {
  if (!panelOpen("panel-cost")) return;
  if (!state.prediction) return costMessage("Draw a digit and choose what you meant.");
  if (state.label === null) return costMessage("Choose the digit you meant to see the cost and the nudges.");
  const ticket = ++costRequest;
  try {
    const answer = await api("/api/cost", { model: state.modelId, pixels: state.prediction.activations[0], label: state.label });
    if (ticket === costRequest) showCost(answer);
  } catch (error) {
    showError(error);
  }
}

function showCost({ breakdown, nudges, first_layer_nudges: heatmaps }) {
  const body = $("cost-body");
  body.replaceChildren();
  const table = document.createElement("div");
  table.dataset.testid = "cost-breakdown";
  const maxSquare = Math.max(...breakdown.squared_differences, 1e-9);
  const rows = breakdown.outputs.map((a, digit) => `
    <tr class="${digit === breakdown.label ? "wanted" : ""}"><td>${digit}</td><td>${fmt(a)}</td>
    <td>${fmt(breakdown.wanted[digit], 0)}</td><td>${small(breakdown.squared_differences[digit])}</td>
    <td class="sq"><span data-width="${(100 * breakdown.squared_differences[digit]) / maxSquare}"></span></td></tr>`).join("");
  table.innerHTML = `<h3>The cost of this example</h3>
    <table><thead><tr><th>digit</th><th>output a</th><th>wanted y</th><th>(a − y)²</th><th></th></tr></thead>
    <tbody>${rows}</tbody>
    <tfoot><tr><td colspan="3">cost C = Σ (a − y)²</td><td data-testid="cost-total">${small(breakdown.cost)}</td><td></td></tr></tfoot></table>
    <p class="small dim">${breakdown.digit === breakdown.label ? "The network agrees with you." : `The network says ${breakdown.digit}, you meant ${breakdown.label}.`} The cost is small when the outputs are close to what you wanted and large when they are far from it; training lowers its average over all the examples.</p>`;
  table.querySelectorAll("[data-width]").forEach((bar) => { bar.style.width = `${bar.dataset.width}%`; });
  const right = document.createElement("div");
  right.className = "nudges";
  right.dataset.testid = "nudges";
  right.innerHTML = `<h3>The top nudges of −∇C</h3>
    <p class="small dim">Backpropagation says how to change each of the ${nudges.parameters.toLocaleString()} weights and biases to lower this cost. The biggest nudges:</p>`;
  const list = document.createElement("ol");
  for (const nudge of nudges.top) {
    const item = document.createElement("li");
    item.textContent = nudge.words;
    item.title = `${nudge.name}: value ${fmt(nudge.value)}, nudge ${fmt(nudge.nudge, 5)}`;
    list.append(item);
  }
  right.append(list);
  const heading = document.createElement("h3");
  heading.textContent = "−∇C for the first layer's weights, as images";
  const note = document.createElement("p");
  note.className = "small dim";
  note.textContent = "Each hidden neuron's 784 weight nudges, all on one colour scale: blue means increase, red decrease, black no change.";
  const images = document.createElement("div");
  images.className = "images";
  const scale = Math.max(1e-12, ...heatmaps.flat(2).map(Math.abs));
  heatmaps.forEach((values, j) => images.append(figure(values, `neuron ${j}`, true, scale)));
  right.append(heading, note, images);
  body.append(table, right);
}

// ------------------------------------------------------------------ what the neurons look for
function gallerySection(title, images, layer, captions) {
  const gallery = $("gallery");
  const heading = document.createElement("h3");
  heading.textContent = title;
  const row = document.createElement("div");
  row.className = "images";
  images.forEach((values, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "plain";
    button.title = `Show layer ${layer} neuron ${index} in the network view`;
    button.append(figure(values, captions(index), captions.heat !== false));
    button.addEventListener("click", () => selectNeuron({ layer, index }, true));
    row.append(button);
  });
  gallery.append(heading, row);
}

async function showGallery() {
  const gallery = $("gallery");
  if (!state.views || gallery.dataset.model === state.modelId) return;
  const modelId = state.modelId;
  gallery.dataset.model = modelId;
  gallery.replaceChildren();
  const last = state.model.sizes.length - 1;
  const name = (layer) => (layer === last ? "the output layer" : `hidden layer ${layer}`);
  const caption = (layer) => (index) => (layer === last ? `digit ${index}` : `neuron ${index}`);
  gallerySection(`${last === 1 ? "The output layer" : "First hidden layer"}: each neuron's 784 weights`,
    state.views.first_layer, 1, caption(1));
  for (const [layer, images] of Object.entries(state.views.deeper)) {
    gallerySection(`${name(+layer)[0].toUpperCase()}${name(+layer).slice(1)}: its weights carried back to the pixels ` +
      "(W·…·W₁, as if the layers below were linear)", images, +layer, caption(+layer));
  }
  try {
    const maximizing = await api(`/api/models/${modelId}/maximizing`);
    if (gallery.dataset.model !== modelId) return;
    const note = document.createElement("p");
    note.className = "small dim";
    note.textContent = "Below, for each neuron, an input that excites it strongly: gradient ascent on the pixels " +
      "from a grey start (activation maximization). Brighter pixels are ink.";
    gallery.append(note);
    for (const [layer, images] of Object.entries(maximizing)) {
      const captions = caption(+layer);
      captions.heat = false;
      gallerySection(`What excites ${name(+layer)} most`, images, +layer, captions);
    }
  } catch (error) {
    showError(error);
  }
}

// ------------------------------------------------------------------ random images
$("noise").addEventListener("click", async () => {
  try {
    const seed = Math.floor(Math.random() * 2 ** 31);
    const answer = await api("/api/noise", { model: state.modelId, kind: $("noise-kind").value, seed });
    state.noise = answer;
    showImage(answer.pixels, `random ${answer.kind} noise`);
  } catch (error) {
    showError(error);
  }
});

function updateNoiseNote() {
  const body = $("noise-body");
  const noise = state.noise;
  if (!noise || state.input.kind !== "image" || !state.input.source.startsWith("random") || !state.prediction) return;
  const outputs = state.prediction.activations[state.prediction.activations.length - 1];
  const { report } = noise;
  const favourite = report.answers.indexOf(Math.max(...report.answers));
  body.replaceChildren();
  const canvas = document.createElement("canvas");
  paintGrey(canvas, noise.pixels);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `the random image (${noise.kind} noise)`);
  const text = document.createElement("div");
  text.dataset.testid = "noise-answer";
  const lines = [
    `The network says ${state.prediction.digit}, with output ${fmt(outputs[state.prediction.digit])}, for this ${noise.kind} noise (seed ${noise.seed}).`,
    `Of ${report.count.toLocaleString("en")} such images it answered ${favourite} for ${percent(report.shares[favourite])}; ` +
      `its largest output averaged ${fmt(report.mean_top_activation_noise)} on noise` +
      (report.mean_top_activation_digits === null ? "." : ` and ${fmt(report.mean_top_activation_digits)} on real test digits.`),
    "It was trained only on digits, and its cost never rewarded an answer like “none of these”, " +
      "so it has no way to say it does not know: some output is always the largest.",
  ];
  for (const line of lines) {
    const p = document.createElement("p");
    p.textContent = line;
    text.append(p);
  }
  body.append(canvas, text);
}

// ------------------------------------------------------------------ test images
let testPosition = 0;
async function openTests() {
  const available = state.status && state.status.data.available;
  $("tests-missing").hidden = available;
  $("tests-body").hidden = !available;
  if (!available) {
    showDataMissing($("tests-missing"), " Then the 10,000 test images appear here.");
    return;
  }
  if (!state.testsLoaded) {
    state.testsLoaded = true;
    loadTest(0);
  }
}

async function loadTest(position) {
  try {
    const answer = await api("/api/test-image", { model: state.modelId, position: Math.max(0, position), mistakes: $("test-mistakes").checked });
    $("test-count").textContent = `of ${answer.count.toLocaleString()}`;
    $("test-position").max = answer.count;
    if (!answer.count) {
      $("test-info").textContent = "The network makes no mistakes on the test images.";
      return;
    }
    testPosition = answer.position;
    $("test-position").value = testPosition + 1;
    state.test = answer;
    showImage(answer.pixels, `test image #${answer.index}`, answer.label);
  } catch (error) {
    showError(error);
  }
}

function updateTestNote() {
  if (!state.test || !state.prediction || state.input.source !== `test image #${state.test.index}`) return;
  const right = state.prediction.digit === state.test.label;
  $("test-info").textContent = `Test image #${state.test.index}: labelled ${state.test.label}; the network says ${state.prediction.digit} ${right ? "✓" : "✗"}`;
}

function stepTest(delta) {
  const count = +$("test-position").max || 1;
  loadTest((testPosition + delta + count) % count);
}
$("test-prev").addEventListener("click", () => stepTest(-1));
$("test-next").addEventListener("click", () => stepTest(1));
$("test-position").addEventListener("change", () => loadTest(Math.max(0, (+$("test-position").value || 1) - 1)));
$("test-mistakes").addEventListener("change", () => loadTest(0));

// ------------------------------------------------------------------ training and downloading
// "MNIST is not in FOLDER (missing …). …", with the folder and commands set as code.
function showDataMissing(element, ending) {
  const data = state.status.data;
  const code = (text) => { const c = document.createElement("code"); c.textContent = text; return c; };
  element.replaceChildren("MNIST is not in ", code(data.folder), ` (missing ${data.missing.join(", ")}). ` +
    "Download it here, run ", code("digitnet download"), " in a terminal, or start the explorer with ",
    code("--data DIR"), " (or ", code("DIGITNET_DATA"), `) pointing at a folder that holds it.${ending}`);
}

function showDataNotice() {
  const available = state.status.data.available;
  $("train-missing").hidden = available;
  $("train-start").disabled = !available || (state.status.training && state.status.training.state === "running");
  if (!available) showDataMissing($("train-missing-text"), "");
}

// Follow a job's Server-Sent Events until the server ends the stream (when the job ends).
// Read with fetch rather than EventSource, which would reconnect when the stream ends.
async function watchJob(job, onChange) {
  await onChange(job);
  if (job.state !== "running") return;
  try {
    const response = await fetch(`/api/jobs/${job.id}/events`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const events = buffer.split("\n\n");
      buffer = events.pop();
      for (const event of events) {
        const data = event.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
        if (data) await onChange(JSON.parse(data));
      }
    }
  } catch (error) {
    showError(error);
  }
}

$("train-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const hidden = $("train-hidden").value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  const body = {
    hidden, lr: +$("train-lr").value, epochs: +$("train-epochs").value, batch_size: +$("train-batch").value,
    schedule: $("train-schedule").value, limit: +$("train-limit").value,
  };
  try {
    const job = await api("/api/train", body);
    startedHere.add(job.id);
    watchJob(job, showTraining);
  } catch (error) {
    showError(error);
  }
});

let trainingJob = null;
const startedHere = new Set();   // training jobs this page started: explore their network when done
$("train-stop").addEventListener("click", async () => {
  if (!trainingJob) return;
  try { await api(`/api/jobs/${trainingJob.id}/stop`, {}); } catch (error) { showError(error); }
});

async function showTraining(job) {
  trainingJob = job;
  const running = job.state === "running";
  $("train-start").disabled = running || !state.status.data.available;
  $("train-stop").disabled = !running;
  const { epochs } = job.settings;
  const progress = job.progress.total ? job.progress.done / job.progress.total : 0;
  const finished = job.history.length;
  $("train-progress").value = running ? (finished + (job.progress.epoch > finished ? progress : 0)) / epochs : finished / epochs;
  const last = job.history[finished - 1];
  const lastText = last ? `; after epoch ${last.epoch}: test accuracy ${percent(last.test_accuracy)}, test cost ${fmt(last.test_cost, 4)}` : "";
  $("train-status").textContent = {
    running: `Training ${job.settings.sizes.join("-")}: epoch ${Math.min(job.progress.epoch, epochs)} of ${epochs}${lastText}`,
    done: `Done: ${finished} epochs${lastText}. ${startedHere.has(job.id) ? "Now exploring the new network." : "The new network is in the Network list."}`,
    stopped: `Stopped after ${finished} complete epochs${lastText}.${job.model ? (startedHere.has(job.id) ? " Now exploring that network." : " That network is in the Network list.") : ""}`,
    failed: `Training failed: ${job.error}`,
  }[job.state];
  drawChart(job);
  if (!running && job.model && state.exploredJob !== job.id) {
    state.exploredJob = job.id;
    await refreshStatus();   // the new network joins the list for every page …
    if (startedHere.has(job.id)) await switchModel(job.model);   // … and the page that trained it shows it
  }
}

function drawChartPlaceholder() {
  const canvas = $("chart");
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#a3aabb";
  context.font = "14px system-ui, sans-serif";
  context.textAlign = "center";
  context.fillText("The cost and accuracy curves grow here, epoch by epoch, as a network trains.",
    canvas.width / 2, canvas.height / 2);
}

function drawChart(job) {
  const canvas = $("chart");
  const context = canvas.getContext("2d");
  const { width, height } = canvas;
  const pad = { left: 48, right: 48, top: 16, bottom: 30 };
  context.clearRect(0, 0, width, height);
  const epochs = job.settings.epochs;
  const history = job.history;
  const costs = history.flatMap((r) => [r.test_cost, r.train_cost]).filter((c) => c !== null);
  const maxCost = Math.max(0.1, ...costs) * 1.1;
  const x = (epoch) => pad.left + ((width - pad.left - pad.right) * epoch) / epochs;
  const yCost = (c) => height - pad.bottom - ((height - pad.top - pad.bottom) * c) / maxCost;
  const yAccuracy = (a) => height - pad.bottom - (height - pad.top - pad.bottom) * a;
  context.strokeStyle = "#2a3040";
  context.fillStyle = "#a3aabb";
  context.font = "12px system-ui, sans-serif";
  context.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + ((height - pad.top - pad.bottom) * i) / 4;
    context.beginPath(); context.moveTo(pad.left, y); context.lineTo(width - pad.right, y); context.stroke();
    context.textAlign = "right"; context.fillText(fmt(maxCost * (1 - i / 4), 2), pad.left - 6, y + 4);
    context.textAlign = "left"; context.fillText(`${100 - 25 * i}%`, width - pad.right + 6, y + 4);
  }
  context.textAlign = "center";
  context.fillText("epoch", width / 2, height - 6);
  for (let e = 0; e <= epochs; e += Math.max(1, Math.ceil(epochs / 10))) context.fillText(e, x(e), height - pad.bottom + 14);
  const series = [["test_cost", yCost, "#fc6255"], ["train_cost", yCost, "#c58b83"], ["test_accuracy", yAccuracy, "#58c4dd"]];
  for (const [key, y, colour] of series) {
    const points = history.filter((r) => r[key] !== null).map((r) => [x(r.epoch - history[0].epoch + 1), y(r[key])]);
    context.strokeStyle = context.fillStyle = colour;
    context.lineWidth = 2;
    context.beginPath();
    points.forEach(([px, py], i) => (i ? context.lineTo(px, py) : context.moveTo(px, py)));
    context.stroke();
    for (const [px, py] of points) { context.beginPath(); context.arc(px, py, 3, 0, 2 * Math.PI); context.fill(); }
  }
  if (job.state === "running" && job.progress.total) {
    const at = x(history.length + job.progress.done / job.progress.total);
    context.strokeStyle = "#ffd166";
    context.setLineDash([4, 4]);
    context.beginPath(); context.moveTo(at, pad.top); context.lineTo(at, height - pad.bottom); context.stroke();
    context.setLineDash([]);
  }
  canvas.dataset.points = history.length;
}

$("download").addEventListener("click", async () => {
  try {
    const job = await api("/api/download", {});
    watchJob(job, showDownload);
  } catch (error) {
    showError(error);
  }
});

async function showDownload(job) {
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
    await refreshStatus();
    state.testsLoaded = false;
    if (panelOpen("panel-tests")) openTests();
  }
}

// ------------------------------------------------------------------ networks
async function refreshStatus() {
  state.status = await api("/api/status");
  const select = $("model");
  select.replaceChildren();
  for (const model of state.status.models) {
    const option = document.createElement("option");
    option.value = model.id;
    option.textContent = model.name;
    select.append(option);
  }
  if (state.modelId) select.value = state.modelId;
  showDataNotice();
}

async function switchModel(modelId) {
  const [model, views] = await Promise.all([api(`/api/models/${modelId}`), api(`/api/models/${modelId}/views`)]);
  state.modelId = modelId;
  state.model = model;
  state.views = views;
  state.selected = state.hover = null;
  state.generation++;
  $("model").value = modelId;
  $("model-info").textContent = `${model.sizes.join("-")}, ${model.activation}, ${model.cost} cost, ` +
    `${model.parameters.toLocaleString()} parameters; test accuracy ${percent(model.test_accuracy)}` +
    (model.history.length ? ` after ${model.history.length} epochs` : "");
  $("gallery").dataset.model = "";
  state.testsLoaded = false;
  buildNetwork();
  showNeuron();
  if (panelOpen("panel-look")) showGallery();
  if (state.input.kind === "drawing" && !state.strokes.length) {
    state.prediction = null;
    showPrediction();
  } else {
    requestPrediction(performance.now());
  }
}

$("model").addEventListener("change", () => switchModel($("model").value).catch(showError));

async function start() {
  buildOutputs();
  buildLabels();
  redrawCanvas();
  drawChartPlaceholder();
  try {
    await refreshStatus();
    const status = state.status;
    for (const kind of status.noise_kinds) {
      const option = document.createElement("option");
      option.value = option.textContent = kind;
      $("noise-kind").append(option);
    }
    for (const schedule of status.schedules) {
      const option = document.createElement("option");
      option.value = option.textContent = schedule;
      $("train-schedule").append(option);
    }
    const defaults = status.train_defaults;
    $("train-hidden").value = defaults.hidden.join(",");
    $("train-lr").value = defaults.lr;
    $("train-epochs").value = defaults.epochs;
    $("train-batch").value = defaults.batch_size;
    $("train-schedule").value = defaults.schedule;
    await switchModel(status.default_model);
    if (status.training) watchJob(status.training, showTraining);
    if (status.download && status.download.state === "running") watchJob(status.download, showDownload);
    document.body.dataset.ready = "true";
  } catch (error) {
    showError(error);
  }
}

start();
