// The guided lesson: the videos' path one step at a time, each step on the live network and its
// own address (#lesson/1 … #lesson/11).  Every number a step shows comes from the server (the
// library) for what is drawn now; the step text only says where to look.

import { $, element, fmt, count, percent } from "../format.js";
import { changed, keptRecord, state, subscribe, update } from "../state.js";
import { onOpen, selectTab } from "../tabs.js";
import { selectNeuron } from "../network-view.js";
import { answerWords } from "../answer.js";

const input = () => (state.prediction ? state.prediction.activations[0] : null);
const drawFirst = "Draw a digit on the left first: this step uses it.";

// Each step: a title, its text as a function of the state (null parts are left out), and what
// "Show me" does.
const STEPS = [
  {
    title: "Pixels become neurons",
    text: () => {
      const pixels = input();
      return ["The network never sees your strokes. Your drawing is cropped, scaled to 20 pixels and centred in a 28×28 square, " +
        "like every MNIST digit: 784 numbers from 0 (black) to 1 (white ink), one for each input neuron.",
      pixels ? `Right now ${count(pixels.filter((v) => v > 0.5).length)} of the 784 inputs are above 0.5 and ` +
        `${count(pixels.filter((v) => v === 0).length)} are exactly 0. Hover the 28×28 picture in the network view (or focus it and use the arrow keys) to read them.` : drawFirst];
    },
    show: () => $("grid").focus(),
  },
  {
    title: "Weights as pictures",
    text: () => {
      const weights = state.model.weights[0][0];
      return ["Each neuron of the first hidden layer has one weight per pixel. Drawn as a 28×28 picture (red positive, blue negative) they show which pixels raise its weighted sum and which lower it.",
        `Hidden neuron 0's 784 weights run from ${fmt(Math.min(...weights))} to ${fmt(Math.max(...weights))}. "Show me" picks it in the network view; its picture appears below the diagram.`];
    },
    show: () => selectNeuron({ layer: 1, index: 0 }),
  },
  {
    title: "Weighted sum and bias",
    text: () => {
      const chosen = state.selected || { layer: 1, index: 0 };
      const b = state.model.biases[chosen.layer - 1][chosen.index];
      const z = state.prediction ? state.prediction.weighted_sums[chosen.layer - 1][chosen.index] : null;
      return ["A neuron multiplies each input by its weight, adds them up and adds its bias: z = w·a + b. The bias says how high the sum must get before the neuron lights up: a bias of −10 means “only fire when the weighted sum is above 10”.",
        `Layer ${chosen.layer} neuron ${chosen.index} has bias ${fmt(b)}` + (z === null ? `. ${drawFirst}` : `; for your drawing its weighted sum is z = ${fmt(z)}.`)];
    },
    show: () => { if (!state.selected) selectNeuron({ layer: 1, index: 0 }); },
  },
  {
    title: "The sigmoid",
    text: () => {
      const chosen = state.selected || { layer: 1, index: 0 };
      const p = state.prediction;
      return ["The weighted sum can be any number; the sigmoid σ squashes it into 0 to 1: very negative sums give almost 0, very positive ones almost 1, and z = 0 gives 0.5. That is the neuron's activation, its brightness in the network view.",
        p ? `Layer ${chosen.layer} neuron ${chosen.index}: z = ${fmt(p.weighted_sums[chosen.layer - 1][chosen.index])} becomes a = σ(z) = ${fmt(p.activations[chosen.layer][chosen.index])}.` : drawFirst];
    },
    show: () => { if (!state.selected) selectNeuron({ layer: 1, index: 0 }); },
  },
  {
    title: `The parameters`,
    text: () => {
      const { sizes, parameters } = state.model;
      const parts = sizes.slice(1).map((n, l) => `${sizes[l]}×${n} weights + ${n} biases`).join(", ");
      return [`This ${sizes.join("-")} network has ${count(parameters)} weights and biases: ${parts}. Learning means finding good values for all of them.`,
        "Every one of them is a knob; the next steps show how the network knows which way to turn each."];
    },
    show: () => selectNeuron({ layer: state.model.sizes.length - 1, index: state.prediction ? state.prediction.top : 0 }),
  },
  {
    title: "The cost of one example",
    text: () => ["Tell the network what you meant and it can be scored: the cost adds up (a − y)² over the ten outputs, where y is 1 for the digit you meant and 0 for the others. A confident right answer costs almost nothing; a wrong one costs a lot.",
      state.prediction ? "“Show me” opens Cost & nudges with the digit the network thinks you drew; choose another to see the cost jump." : drawFirst],
    show: () => { selectTab("tab-cost"); if (state.prediction && state.label === null) update({ label: state.prediction.top }); },
  },
  {
    title: "The cost of many examples",
    text: () => {
      const kept = keptRecord(state.model);
      return ["One example's cost says little. What training lowers is the average cost over all the training images: one number for how badly the whole network does.",
        kept && kept.test_cost !== null ? `For this network the average cost over the 10,000 test images is ${fmt(kept.test_cost, 4)}, and it reads ${percent(kept.test_accuracy)} of them right (recorded after epoch ${kept.epoch}, whose weights it holds).`
          : "This network was not scored on test images when it was trained."];
    },
    show: () => selectTab("tab-cost"),
  },
  {
    title: "−∇C: which nudges matter",
    text: () => ["The gradient of the cost says, for every one of the weights and biases, which way and how strongly to nudge it to lower the cost; backpropagation computes it. Some nudges matter far more than others.",
      "In Cost & nudges, the ten biggest are listed: point at one to see that weight in the network view. The red and blue pictures are the nudges of the first layer's weights for this one example."],
    show: () => { selectTab("tab-cost"); if (state.prediction && state.label === null) update({ label: state.prediction.top }); },
  },
  {
    title: "Training, live",
    text: () => ["Gradient descent: average the nudges over a small batch of images, take a step, repeat. The Train panel trains a fresh network here and draws the cost falling and the accuracy rising.",
      "Try a learning rate of 10 to see the steps overshoot (the mini-batch costs jump about and the network learns less), 30 to see training diverge (every neuron saturates and the outputs stop depending on the input), and 0.01 to see the cost barely move; each knob is explained beside it."],
    show: () => selectTab("tab-train"),
  },
  {
    title: "What the neurons really look for",
    text: () => ["The hope in the video: first-layer neurons pick up edges, the next layer loops and lines. The pictures say otherwise: the weights are speckled patterns, and inputs made to excite a neuron look like noise, not strokes.",
      "The network works anyway: it found some way to tell digits apart, just not the tidy one."],
    show: () => selectTab("tab-look"),
  },
  {
    title: "A random image gets an answer",
    text: () => {
      const p = state.prediction;
      return ["Feed noise and the network still names a digit, often with a large output: it was only ever shown digits, and its cost never rewarded “none of these”.",
        (p && state.noise ? `For the noise on show it says: ${answerWords(p)}.` : "“Show me” feeds a random image.") +
        (state.model.rejector ? " This network has a rejector, so it can say “not a digit” when an input is unlike the training digits."
          : " digitnet can say “not a digit” once a rejector is fitted (digitnet calibrate-reject), which checks how typical the input is.")];
    },
    show: () => { selectTab("tab-noise"); $("noise").click(); },
  },
];

let current = 0;

function render() {
  if (!state.model || $("panel-lesson").hidden) return;
  const step = STEPS[current];
  const article = $("lesson-step");
  article.replaceChildren(element("h3", null, `${current + 1}. ${step.title}`),
    ...step.text().map((line) => element("p", null, line)));
  const show = element("button", null, "Show me");
  show.type = "button";
  show.addEventListener("click", step.show);
  article.append(show);
  article.dataset.step = current + 1;
  $("lesson-where").textContent = `step ${current + 1} of ${STEPS.length}`;
  const prev = $("lesson-prev"), next = $("lesson-next");
  prev.href = `#lesson/${Math.max(1, current)}`;
  next.href = `#lesson/${Math.min(STEPS.length, current + 2)}`;
  prev.classList.toggle("invisible", current === 0);   // kept in place (no jump), out of reach
  next.classList.toggle("invisible", current === STEPS.length - 1);
}

function fromAddress() {
  const match = /^#lesson(?:\/(\d+))?$/.exec(location.hash);
  if (!match) return false;
  current = Math.min(STEPS.length, Math.max(1, +(match[1] || 1))) - 1;
  selectTab("tab-lesson");
  render();
  return true;
}

onOpen("tab-lesson", () => {
  if (!/^#lesson/.test(location.hash)) history.replaceState(null, "", `#lesson/${current + 1}`);
  render();
});
window.addEventListener("hashchange", fromAddress);
subscribe((_, changes) => { if (changed(changes, "prediction", "selected", "model", "noise")) render(); });
export const startLesson = fromAddress;
