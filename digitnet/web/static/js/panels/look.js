// What neurons look for: each layer's pictures on one shared linear scale with its colour bar
// (the first layer's weights, the deeper layers' weights carried back to the pixels), then, for
// every neuron, an input that excites it found by gradient ascent from a black image, with the
// activation that input actually reaches.  Clicking a picture chooses that neuron in the network.

import { api, rows, unpack } from "../api.js";
import { colourBar, figure, paintDiverging, paintGrey } from "../colour.js";
import { $, element, fmt } from "../format.js";
import { state } from "../state.js";
import { onOpen } from "../tabs.js";
import { selectNeuron } from "../network-view.js";
import { showError } from "../errors.js";

const gallery = $("gallery");

function layerName(layer) {
  const last = state.model.sizes.length - 1;
  return layer === last ? "The output layer" : `Hidden layer ${layer}`;
}

function section(title, note, bar, figures, layer) {
  const heading = element("h3", null, title);
  const row = element("div", "images");
  figures.forEach((picture, index) => {
    const button = element("button", "plain");
    button.type = "button";
    button.title = `Choose this neuron in the network view`;
    button.append(picture);
    button.addEventListener("click", () => selectNeuron({ layer, index }));
    row.append(button);
  });
  gallery.append(heading, element("p", "small dim", note));
  if (bar) gallery.append(bar);
  gallery.append(row);
}

async function show() {
  if (!state.model || gallery.dataset.model === state.modelId) return;
  const modelId = state.modelId;
  gallery.dataset.model = modelId;
  gallery.replaceChildren();
  const last = state.model.sizes.length - 1;
  const caption = (layer, index) => (layer === last ? `digit ${index}` : `neuron ${index}`);
  for (let layer = 1; layer <= last; layer++) {
    const view = state.model.views[String(layer)];
    const pictures = view.rows.map((values, index) =>
      figure((c) => paintDiverging(c, values, view.scale), caption(layer, index)));
    section(`${layerName(layer)}: ${layer === 1 ? "each neuron's 784 weights" : "its weights carried back to the pixels"}`,
      layer === 1 ? "Red pixels raise the neuron's weighted sum, blue ones lower it."
        : "As if the layers below simply added up their inputs: a rough guide, since the sigmoids bend it.",
      colourBar(view.scale, layer === 1 ? "weight" : "carried-back weight"), pictures, layer);
  }
  try {
    const maximizing = await api(`/api/models/${modelId}/maximizing`);
    if (gallery.dataset.model !== modelId) return;
    gallery.append(element("h3", "maximizing-title", "Inputs that excite each neuron"),
      element("p", "small dim", "For each neuron, gradient ascent on the 784 pixels, starting from a black image (a grey start leaves " +
        "the output neurons stuck), climbs its weighted sum. Under each picture: the activation it reaches (1 is the most a neuron can give)."));
    for (let layer = 1; layer <= last; layer++) {
      const { images, activations } = maximizing[String(layer)];
      const pictures = rows(unpack(images)).map((values, index) =>
        figure((c) => paintGrey(c, values), caption(layer, index), `a = ${fmt(activations[index])}`));
      section(`What excites ${layerName(layer).toLowerCase()} most`, "White is ink, black is background.", null, pictures, layer);
    }
  } catch (error) {
    showError(error);
  }
}

onOpen("tab-look", show);
export const showGallery = show;
