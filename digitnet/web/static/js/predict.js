// Predictions while drawing.  At most two requests are under way at once; each answer newer
// than the one on screen is shown, older ones and answers for a replaced input are dropped.
// For every answer shown, two latencies are recorded from the oldest draw event it covers
// (performance.measure):
//   "predict-round-trip"  from the page receiving the event to the new activations drawn
//                         (network view, output bars), the server's round trip included;
//   "predict-to-frame"    from the event's own time stamp to the start of the next animation
//                         frame, which adds the browser's wait for a frame (up to 1/60 s each way).

import { api } from "./api.js";
import { state, update } from "./state.js";
import { drawingAsPng } from "./drawing.js";
import { showError } from "./errors.js";

const MAX_IN_FLIGHT = 2;
let inFlight = 0;
let sent = 0;              // requests sent so far (each one's sequence number)
let shown = 0;             // the sequence number of the answer on screen
let pending = null;        // {event, received}: times of the oldest draw event not yet sent
const unanswered = new Map();   // sequence number → {event, received} of the oldest event it covers

// ``measured: false`` for a new reading not caused by the person (the network changed as it learns).
export function requestPrediction(eventTime, { measured = true } = {}) {
  if (pending === null) pending = { event: eventTime, received: performance.now(), measured };
  if (inFlight < MAX_IN_FLIGHT) send();
}

async function send() {
  const generation = state.generation;
  // The strongest connections cost the server a few milliseconds: ask for them only when the
  // pen is up, so that the activations follow the pen as fast as they can.
  const settled = !state.drawing;
  const body = { model: state.modelId, connections: settled };
  if (state.input.kind === "drawing") {
    if (!state.strokes.length) { pending = null; return; }
    body.png = drawingAsPng();
  } else {
    body.pixels = Array.from(state.input.pixels);
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
      update({ prediction, settled: settled && !state.drawing });
      if (!covered.every((times) => times.measured)) return;
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
    if (pending !== null && inFlight < MAX_IN_FLIGHT) send();
  }
}
