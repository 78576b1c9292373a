// The page's one state, and who is told when it changes.  Every view renders from ``state``;
// nothing else holds a copy of what the page shows.

export const state = {
  status: null,       // GET /api/status
  modelId: null,
  live: null,         // the id of the training job whose network the page shows as it learns (it names that network)
  model: null,        // GET /api/models/<id>/compact, unpacked: {sizes, weights: [rows], biases, views, …}
  strokes: [],        // each stroke: [[x, y], …] in [0, 1]
  drawing: false,     // whether the pen is down
  input: { kind: "drawing" },   // or {kind: "image", pixels, source: "noise" | "test", label}
  generation: 0,      // bumped whenever the input is replaced or edited: late answers for older ones are dropped
  prediction: null,   // POST /api/predict for the current input
  settled: false,     // whether ``prediction`` is the answer for the finished input (pen up)
  label: null,        // the digit the person meant (reset when the input changes)
  selected: null,     // pinned neuron {layer, index}
  hover: null,        // neuron under the pointer
  highlight: null,    // a parameter pointed at from a panel: {layer, index: [to, from] or [to]}
  noise: null,        // POST /api/noise: the random image on show and its report
  test: null,         // POST /api/test-image: the test image on show
  busy: {},           // request kinds under way ("noise", "test"): their buttons wait
};

const listeners = [];

// ``render(state, changes)`` is called after every change, with the keys that changed.
export function subscribe(render) {
  listeners.push(render);
}

export function update(changes) {
  Object.assign(state, changes);
  for (const render of listeners) render(state, changes);
}

// A new input (a fresh drawing, a test image, a random image): everything that belonged to the
// old one goes — its answer, the digit the person meant, the captions — unless given anew.
export function replaceInput(input, extra = {}) {
  update({ input, strokes: [], generation: state.generation + 1, prediction: null, settled: false,
    label: input.label ?? null, noise: null, test: null, highlight: null, ...extra });
}

// The same input edited (one more stroke, an undo): older answers are stale, the label stays.
export function editInput(changes) {
  update({ generation: state.generation + 1, settled: false, ...changes });
}

export const changed = (changes, ...keys) => keys.some((key) => key in changes);

// The history record of the epoch whose weights a network holds (the best one when early stopping
// put its weights back, else the last one), or null.
export const keptRecord = (model) => model.history.find((record) => record.epoch === model.kept_epoch) ?? null;
