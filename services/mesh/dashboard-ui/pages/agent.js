import { useEffect, useRef, useState } from "preact/hooks";
import { chatStream, events, get, usd, when } from "../api.js";
import { html, InGit, Live, Problem, Table } from "../ui.js";
import { Files } from "./files.js";

const MAX_EVENTS = 300;

/** One line of the live stream; every field is text (an agent's output is attacker-controlled). */
function describe(e) {
  if (e.type === "llm")
    return `LLM call ${e.model}: ${e.input_tokens} in / ${e.output_tokens} out, ${usd(e.cost_usd)}${e.status && e.status >= 400 ? `, HTTP ${e.status}` : ""}`;
  if (e.type === "blackboard") return `blackboard ${e.op} ${e.key} (version ${e.version})`;
  const preview = e.detail?.preview ? `: ${e.detail.preview}` : "";
  return `${e.action} ${e.outcome}${e.code ? ` ${e.code}` : ""} (${e.actor} → ${e.target})${preview}`;
}

function Chat({ id }) {
  const [turns, setTurns] = useState([]);
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const send = async (e) => {
    e.preventDefault();
    const form = e.target;
    const message = new FormData(form).get("message");
    if (!message) return;
    form.reset();
    const abort = new AbortController();
    setBusy(abort);
    setError(null);
    setTurns((t) => [...t, { who: "you", text: message }, { who: id, text: "", tools: [] }]);
    const update = (f) => setTurns((t) => [...t.slice(0, -1), f(t.at(-1))]);
    try {
      await chatStream(
        id,
        message,
        (ev) => {
          if (ev.type === "delta") update((t) => ({ ...t, text: t.text + ev.text }));
          else if (ev.type === "done") update((t) => ({ ...t, text: ev.reply, done: true }));
          else if (ev.type === "tool")
            update((t) => ({ ...t, tools: [...t.tools, `${ev.name} ${ev.status}`] }));
          else if (ev.type === "error") setError(new Error(`${ev.code}: ${ev.message}`));
        },
        abort.signal,
      );
    } catch (err) {
      setError(abort.signal.aborted ? new Error("cancelled") : err);
    } finally {
      setBusy(null);
    }
  };
  return html`<section aria-label="Chat" class="chat">
    <ol class="turns" aria-live="polite">
      ${turns.map(
        (t) => html`<li class=${t.who === "you" ? "mine" : "theirs"}>
        <strong>${t.who}</strong>
        ${t.tools?.length ? html`<div class="muted">${t.tools.join(", ")}</div>` : null}
        <pre class="reply">${t.text}</pre>
      </li>`,
      )}
    </ol>
    <form onSubmit=${send} class="row">
      <label for="message" class="sr">Message</label>
      <textarea id="message" name="message" rows="2" placeholder=${`Message ${id}`} required></textarea>
      ${busy ? html`<button type="button" onClick=${() => busy.abort()}>Cancel</button>` : html`<button type="submit">Send</button>`}
    </form>
    <${Problem} error=${error} />
  </section>`;
}

export function AgentPage({ id }) {
  const [feed, setFeed] = useState([]);
  const [live, setLive] = useState("connecting");
  const [schedules, setSchedules] = useState([]);
  const [history, setHistory] = useState([]);
  const [heartbeat, setHeartbeat] = useState(null);
  const [error, setError] = useState(null);
  const list = useRef(null);
  useEffect(() => {
    setFeed([]);
    get(`/v1/agents/${encodeURIComponent(id)}/heartbeat`).then(setHeartbeat, setError);
    get("/v1/schedules")
      .then((r) => setSchedules(r.schedules.filter((s) => s.agent === id)))
      .catch(setError);
    get(`/v1/agents/${encodeURIComponent(id)}/history?limit=50`)
      .then((r) => setHistory(r.entries))
      .catch(setError);
    return events(id, (e) => setFeed((f) => [e, ...f].slice(0, MAX_EVENTS)), setLive);
  }, [id]);
  return html`<h1>Agent <span class="mono">${id}</span></h1>
    <${Problem} error=${error} />
    <div class="cols">
      <div><h2>Chat</h2><${Chat} id=${id} /></div>
      <div>
        <h2>Live events <${Live} state=${live} /></h2>
        <ol class="events" ref=${list} aria-live="polite">
          ${feed.map(
            (e) => html`<li key=${`${e.type}${e.id}`} class=${`ev ${e.type}`}>
            <span class="muted">${when(e.at)}</span> <span class="text">${describe(e)}</span>
          </li>`,
          )}
        </ol>
      </div>
    </div>
    <h2>Messages in and out</h2>
    <${Table} rows=${history} page=${10} cols=${[
      ["When", (m) => when(m.at)],
      ["Dir", (m) => m.direction],
      ["Kind", (m) => m.kind],
      ["From → to", (m) => `${m.from} → ${m.to}`],
      ["Preview", (m) => html`<span class="text">${m.preview}</span>`],
    ]} />
    <h2>Workspace and artifacts</h2>
    <${Files} id=${id} />
    <h2>Heartbeat</h2>
    ${
      heartbeat &&
      html`<p class="heartbeat">
      ${heartbeat.enabled ? `every ${Math.round(heartbeat.every_ms / 60_000)} min, probes ${heartbeat.probes.join(", ")}; next ${when(heartbeat.next_at)}` : "off"}
      <span class="muted"> (from ${heartbeat.source === "config" ? "mesh.yaml" : heartbeat.source === "agent" ? "the agent's set_heartbeat" : "defaults"})</span>
    </p>`
    }
    <h2>Schedules</h2>
    <${Table} rows=${schedules} empty="No schedules." cols=${[
      ["Id", (s) => s.id],
      ["Spec", (s) => `${s.spec} (${s.timezone})`],
      ["Next", (s) => when(s.next_run_at)],
      ["Last", (s) => when(s.last_fired_at)],
      ["Fires", (s) => s.fires],
      ["Source", (s) => s.source],
    ]} />
    <${InGit}>${`# agents.yaml: change ${id}'s model, tools or budget, then\nopenlegion render && docker compose up -d ${id}\n# mesh.yaml heartbeats: (schedule, probes) for its heartbeat`}<//>`;
}
