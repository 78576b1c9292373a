// Pictures of numbers in one colour convention, the same as digitnet's figures (matplotlib's
// RdBu_r): positive red, negative blue, zero white, on a linear scale; inputs in grey.

// RdBu_r at −1, −0.8, …, +1 (matplotlib interpolates linearly between these eleven colours too).
const RDBU_R = [[5, 48, 97], [32, 101, 171], [67, 147, 195], [144, 196, 221], [209, 229, 240], [247, 246, 246],
  [253, 219, 199], [243, 164, 129], [214, 96, 77], [177, 24, 43], [103, 0, 31]];
export const POSITIVE = "rgb(214, 96, 77)";    // RdBu_r at +0.6: lines and marks for positive values
export const NEGATIVE = "rgb(67, 147, 195)";   // RdBu_r at −0.6

// The colour of ``t`` in [−1, 1] (clipped) as [r, g, b].
function diverging(t) {
  const x = (Math.min(1, Math.max(-1, t)) + 1) * 5;
  const i = Math.min(9, Math.floor(x));
  const f = x - i;
  return RDBU_R[i].map((c, k) => Math.round(c + f * (RDBU_R[i + 1][k] - c)));
}

function imageOn(canvas, width, height) {
  if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
  const context = canvas.getContext("2d");
  return [context, context.createImageData(width, height)];
}

// Values on the shared linear scale ``scale`` (the value drawn at full colour).
export function paintDiverging(canvas, values, scale, width = 28, height = 28) {
  const [context, image] = imageOn(canvas, width, height);
  for (let i = 0; i < width * height; i++) image.data.set([...diverging(values[i] / (scale || 1)), 255], 4 * i);
  context.putImageData(image, 0, 0);
}

// Values in [0, 1] as grey levels (an input: 0 black, 1 white ink).
export function paintGrey(canvas, values, side = 28) {
  const [context, image] = imageOn(canvas, side, side);
  for (let i = 0; i < side * side; i++) {
    const v = Math.round(255 * Math.min(1, Math.max(0, values[i])));
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}

// A scale's end in fixed decimals with two significant digits (0.52, 0.0031), never an exponent.
const scaleText = (x) => Number(x).toFixed(Math.min(12, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(x) || 1)))));

// A colour bar for the scale ±``scale``: "−0.52 [blue … white … red] +0.52", with what it measures.
export function colourBar(scale, what) {
  const box = document.createElement("div");
  box.className = "colour-bar";
  box.dataset.scale = scale;
  const bar = document.createElement("canvas");
  bar.width = 101;
  bar.height = 1;
  paintDiverging(bar, Array.from({ length: 101 }, (_, i) => (i - 50) / 50), 1, 101, 1);
  bar.setAttribute("aria-hidden", "true");
  const low = document.createElement("span");
  low.textContent = `−${scaleText(scale)}`;
  const high = document.createElement("span");
  high.textContent = `+${scaleText(scale)}`;
  const label = document.createElement("span");
  label.className = "dim";
  label.textContent = what;
  box.append(low, bar, high, label);
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", `colour scale for ${what}: blue −${scaleText(scale)}, white 0, red +${scaleText(scale)}`);
  return box;
}

// A labelled picture: a figure holding a canvas and its caption.
export function figure(paint, caption, extra = null) {
  const box = document.createElement("figure");
  const canvas = document.createElement("canvas");
  paint(canvas);
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", caption + (extra ? `, ${extra}` : ""));
  const text = document.createElement("figcaption");
  text.textContent = caption;
  if (extra) {
    const more = document.createElement("span");
    more.className = "reached";
    more.textContent = extra;
    text.append(document.createElement("br"), more);
  }
  box.append(canvas, text);
  return box;
}
