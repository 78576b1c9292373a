// The answer: the digit, how sure the network is in words ("It's a 7", "probably an 8", "not a
// digit"), the ten output neurons as bars, and a live region that announces only the settled answer.

import { $, aDigit, element, fmt } from "./format.js";
import { changed, state, subscribe } from "./state.js";

const list = $("outputs");
for (let digit = 0; digit < 10; digit++) {
  const item = element("li");
  item.append(element("span", "digit", String(digit)), element("span", "bar"), element("span", "value", "–"));
  item.querySelector(".bar").append(element("span", "fill"));
  list.append(item);
}

// In words, from the server's "state" (contracts: sure | unsure | rejected).
export function answerWords(prediction) {
  if (!prediction) return "Draw a digit";
  if (prediction.state === "rejected") return "Not a digit";
  if (prediction.state === "unsure") return `Probably ${aDigit(prediction.digit)}, not sure`;
  return `It's ${aDigit(prediction.digit)}`;
}

// Why, in words, from the server's "reason" (which check refused it) and "confidence".
const REASONS = {
  "not a drawing": "it looks like a photograph or a texture, not a drawing",
  "unusual": "it is unlike the digits this network learned",
  "digit check": "the digit check does not see one digit in it",
  "blank": "there is no ink in it",
  "too small": "its ink is too small to read (a few pixels)",
};

export function answerWhy(prediction) {
  if (prediction.state === "rejected" && REASONS[prediction.reason]) return `${REASONS[prediction.reason]}; `;
  if (prediction.state === "unsure") return `its confidence (top output's share of the ten) is only ${fmt(prediction.confidence, 2)}; `;
  return "";
}

function render() {
  const { prediction } = state;
  const outputs = prediction ? prediction.activations[prediction.activations.length - 1] : null;
  const answer = $("answer");
  answer.textContent = prediction ? (prediction.digit === null ? "✗" : String(prediction.digit)) : "";
  answer.dataset.state = prediction ? prediction.state : "none";
  $("answer-words").textContent = answerWords(prediction);
  $("confidence").textContent = prediction
    ? `${answerWhy(prediction)}its most active output is ${prediction.top}: ${fmt(outputs[prediction.top])} (1 would be certain)`
    : "Nothing to read yet.";
  [...list.children].forEach((item, digit) => {
    const value = outputs ? outputs[digit] : 0;
    item.classList.toggle("top", !!prediction && digit === prediction.top);
    item.querySelector(".fill").style.transform = `scaleX(${Math.min(1, Math.max(0, value))})`;
    const text = outputs ? fmt(value) : "–";
    const cell = item.querySelector(".value");
    if (cell.textContent !== text) {   // only what changed: fewer layouts while drawing
      cell.textContent = text;
      item.setAttribute("aria-label", `digit ${digit}: ${outputs ? text : "no value"}`);
    }
  });
  // the live region speaks once per finished input, not for every answer while drawing
  const announce = $("announce");
  const words = prediction && state.settled ? `${answerWords(prediction)}.` : prediction ? announce.textContent : "";
  if (announce.textContent !== words) announce.textContent = words;
}

subscribe((_, changes) => { if (changed(changes, "prediction", "settled")) render(); });
render();
