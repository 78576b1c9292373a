// Errors the person should see: a short-lived message, or a lasting notice once the server is gone.

import { $ } from "./format.js";
import { onServerStopped, ServerStopped } from "./api.js";

let timer = null;
export function showError(error) {
  if (error instanceof ServerStopped) return;   // said once, by the notice below
  const toast = $("toast");
  toast.textContent = error.message || String(error);
  toast.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => { toast.hidden = true; }, 6000);
}

onServerStopped(() => {
  const notice = $("stopped");
  notice.textContent = new ServerStopped().message;
  notice.hidden = false;
  document.body.dataset.serverStopped = "true";
});
