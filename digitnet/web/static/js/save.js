// Save this network: a network trained in the page lives in the server's memory only; this
// downloads it as the model file digitnet reads (GET /api/models/<id>/file).

import { download } from "./api.js";
import { $ } from "./format.js";
import { changed, state, subscribe } from "./state.js";
import { showError } from "./errors.js";

const button = $("save-model");

button.addEventListener("click", async () => {
  const modelId = state.modelId;
  button.disabled = true;
  try {
    const file = URL.createObjectURL(await download(`/api/models/${modelId}/file`));
    const link = document.createElement("a");
    link.href = file;
    link.download = `digitnet-${state.model.sizes.join("-")}-${modelId}.npz`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(file), 10_000);
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
});

// Offered for the networks trained here (the one the server started with is already a file).
subscribe((_, changes) => {
  if (changed(changes, "modelId", "status", "live")) button.hidden = !state.modelId || state.modelId === state.status?.default_model || state.modelId === state.live;
});
