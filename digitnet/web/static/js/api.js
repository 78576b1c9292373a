// Talking to the digitnet server: JSON in and out, the access token when the page carries one,
// packed arrays unpacked, and one clear message (and no more requests) once the server is gone.

const tokenMeta = document.querySelector('meta[name="digitnet-token"]');
const TOKEN = tokenMeta ? tokenMeta.content : null;

class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

export class ServerStopped extends Error {
  constructor() { super("The digitnet server stopped. Start it again (digitnet explore) and reload this page."); }
}

let stopped = false;
const stopListeners = [];
export const onServerStopped = (listener) => stopListeners.push(listener);

function headers(json) {
  const result = {};
  if (json) result["Content-Type"] = "application/json";
  if (TOKEN) result["X-Digitnet-Token"] = TOKEN;
  return result;
}

async function send(path, options) {
  if (stopped) throw new ServerStopped();
  try {
    return await fetch(path, options);
  } catch {   // the server is unreachable: say so once, and stop asking
    stopped = true;
    for (const listener of stopListeners) listener();
    throw new ServerStopped();
  }
}

// GET ``path`` (no body) or POST ``body`` as JSON; the parsed answer, or ApiError with the server's message.
export async function api(path, body) {
  const options = body === undefined ? { headers: headers(false) }
    : { method: "POST", headers: headers(true), body: JSON.stringify(body) };
  const response = await send(path, options);
  let answer;
  try { answer = await response.json(); } catch { answer = {}; }
  if (!response.ok) throw new ApiError(answer.error || response.statusText, response.status);
  return answer;
}

// GET ``path`` as a file (a Blob), with the token when the page carries one.
export async function download(path) {
  const response = await send(path, { headers: headers(false) });
  if (!response.ok) {
    let answer;
    try { answer = await response.json(); } catch { answer = {}; }
    throw new ApiError(answer.error || response.statusText, response.status);
  }
  return response.blob();
}

// Follow a job's Server-Sent Events until the server ends the stream (when the job ends).
// Read with fetch rather than EventSource, which would reconnect when the stream ends.
export async function followEvents(path, onEvent) {
  const response = await send(path, { headers: headers(false) });
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
      if (data) await onEvent(JSON.parse(data));
    }
  }
}

// A packed array from the server ({shape, float32} | {shape, scale, int8} | {shape, uint8}) as
// {shape, values: Float32Array, scale}: int8 is value = level / 127 · scale, uint8 is level / 255.
export function unpack(packed) {
  const bytes = Uint8Array.from(atob(packed.float32 ?? packed.int8 ?? packed.uint8), (c) => c.charCodeAt(0));
  let values;
  if (packed.float32 !== undefined) {
    values = new Float32Array(bytes.buffer);
  } else if (packed.int8 !== undefined) {
    const levels = new Int8Array(bytes.buffer);
    values = Float32Array.from(levels, (level) => (level / 127) * packed.scale);
  } else {
    values = Float32Array.from(bytes, (level) => level / 255);
  }
  return { shape: packed.shape, values, scale: packed.scale ?? null };
}

// The rows of an unpacked array (each a view of ``values``): one per first index.
export function rows({ shape, values }) {
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => values.subarray(i * size, (i + 1) * size));
}
