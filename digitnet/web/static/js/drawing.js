// The drawing area: strokes from mouse, touch and pen; Undo (Ctrl+Z), Clear (Esc).
// The drawing itself is sent as a PNG: the server turns it into the network's 784 inputs.

import { $ } from "./format.js";
import { paintGrey } from "./colour.js";
import { changed, editInput, replaceInput, state, subscribe, update } from "./state.js";
import { requestPrediction } from "./predict.js";

const STROKE_WIDTH = 0.065;   // pen width as a fraction of the canvas side
const SEND_SIZE = 140;        // the drawing is sent to the server as a PNG this many pixels square
const canvas = $("draw");
const scratch = document.createElement("canvas");

function paintStrokes(context, size) {
  context.fillStyle = "#000";
  context.fillRect(0, 0, size, size);
  context.strokeStyle = context.fillStyle = "#fff";
  context.lineCap = context.lineJoin = "round";
  context.lineWidth = STROKE_WIDTH * size;
  for (const stroke of state.strokes) {
    context.beginPath();
    if (stroke.length === 1) {
      context.arc(stroke[0][0] * size, stroke[0][1] * size, context.lineWidth / 2, 0, 2 * Math.PI);
      context.fill();
      continue;
    }
    context.moveTo(stroke[0][0] * size, stroke[0][1] * size);
    for (let i = 1; i < stroke.length; i++) context.lineTo(stroke[i][0] * size, stroke[i][1] * size);
    context.stroke();
  }
}

function redraw() {
  const side = Math.round(canvas.getBoundingClientRect().width * (window.devicePixelRatio || 1)) || 280;
  if (canvas.width !== side) canvas.width = canvas.height = side;
  const context = canvas.getContext("2d");
  paintStrokes(context, side);
  const image = state.input.kind === "image" && !state.strokes.length;
  if (image) {   // the image on show, dimmed under the hint
    paintGrey(scratch, state.input.pixels);
    context.imageSmoothingEnabled = false;
    context.globalAlpha = 0.45;
    context.drawImage(scratch, 0, 0, side, side);
    context.globalAlpha = 1;
  }
  const hint = $("draw-hint");
  hint.hidden = state.strokes.length > 0;
  hint.classList.toggle("over-image", image);
  hint.textContent = image ? `Showing ${state.input.caption}. Draw to replace it.` : "Draw a digit here";
}

// The drawing as the page sends it: white ink on black, SEND_SIZE pixels square, base64 PNG.
export function drawingAsPng() {
  const png = document.createElement("canvas");
  png.width = png.height = SEND_SIZE;
  paintStrokes(png.getContext("2d"), SEND_SIZE);
  return png.toDataURL("image/png").replace(/^data:image\/png;base64,/, "");
}

function pointOf(event) {
  const box = canvas.getBoundingClientRect();
  const clamp = (v) => Math.min(1, Math.max(0, v));
  return [clamp((event.clientX - box.left) / box.width), clamp((event.clientY - box.top) / box.height)];
}

let stroke = null;
canvas.addEventListener("pointerdown", (event) => {
  if (event.pointerType === "mouse" && event.button !== 0) return;
  event.preventDefault();
  canvas.setPointerCapture(event.pointerId);
  stroke = [pointOf(event)];
  if (state.input.kind !== "drawing") replaceInput({ kind: "drawing" });
  editInput({ strokes: [...state.strokes, stroke], drawing: true });
  requestPrediction(event.timeStamp);
});
canvas.addEventListener("pointermove", (event) => {
  if (!stroke) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  for (const e of events.length ? events : [event]) {
    const [x, y] = pointOf(e), [lastX, lastY] = stroke[stroke.length - 1];
    if (x !== lastX || y !== lastY) stroke.push([x, y]);   // a pen held still stays a dot
  }
  redraw();
  requestPrediction(event.timeStamp);
});
for (const type of ["pointerup", "pointercancel"]) {
  canvas.addEventListener(type, (event) => {
    if (!stroke) return;
    stroke = null;
    update({ drawing: false });
    requestPrediction(event.timeStamp);   // the settled answer, with the strongest connections
  });
}

function clearInput() {
  stroke = null;
  replaceInput({ kind: "drawing" }, { drawing: false });
}

function undo() {
  if (state.input.kind !== "drawing" || !state.strokes.length) return;
  if (state.strokes.length === 1) return clearInput();
  editInput({ strokes: state.strokes.slice(0, -1) });
  requestPrediction(performance.now());
}

$("clear").addEventListener("click", clearInput);
$("undo").addEventListener("click", undo);
document.addEventListener("keydown", (event) => {
  const typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement?.tagName || "");
  if (typing || event.defaultPrevented) return;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") {
    event.preventDefault();
    undo();
  } else if (event.key === "Escape") {
    clearInput();
  }
});
window.addEventListener("resize", redraw);
subscribe((_, changes) => { if (changed(changes, "strokes", "input")) redraw(); });
redraw();
