// The dashboard's only way to the mesh: the operator API, with the session cookie (sent by the
// browser, unreadable here) and the session's CSRF token on every state-changing call.
let csrf = "";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const setCsrf = (token) => {
  csrf = token;
};

export async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (method !== "GET") headers["x-csrf-token"] = csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : {};
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new Event("ol-logged-out"));
    throw new ApiError(res.status, data.code ?? "", data.message ?? `HTTP ${res.status}`);
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});

/** Reads an SSE response body, calling onEvent(name, data) per frame; resolves when it ends. */
export async function readSse(res, onEvent) {
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join("\n")));
      end = buffer.indexOf("\n\n");
    }
  }
}

/** Streams a chat turn; `signal` cancels it. onEvent gets the agent's stream events. */
export async function chatStream(agent, message, onEvent, signal) {
  const res = await fetch(`/v1/agents/${encodeURIComponent(agent)}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", "x-csrf-token": csrf },
    credentials: "same-origin",
    body: JSON.stringify({ message, stream: true }),
    signal,
  });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, data.code ?? "", data.message ?? `HTTP ${res.status}`);
  }
  await readSse(res, (_name, data) => onEvent(data));
}

/**
 * An SSE feed of the mesh: onEvent(name, data) per frame of `names`; onState("live") once the mesh's
 * `ready` frame arrived, "reconnecting" while EventSource retries. Returns a close function.
 */
export function feed(url, names, onEvent, onState = () => {}) {
  const source = new EventSource(url);
  source.addEventListener("ready", () => onState("live"));
  source.addEventListener("error", () => onState("reconnecting"));
  for (const name of names) source.addEventListener(name, (e) => onEvent(name, JSON.parse(e.data)));
  return () => source.close();
}

/** The fleet's event feed (replay, then live), or one agent's. */
export const events = (agent, onEvent, onState) =>
  feed(
    agent ? `/v1/events?agent=${encodeURIComponent(agent)}` : "/v1/events",
    ["audit", "llm", "blackboard"],
    (_n, e) => onEvent(e),
    onState,
  );

export const usd = (n) => `$${(n ?? 0).toFixed(4)}`;
export const when = (ms) => (ms ? new Date(ms).toLocaleString() : "–");
