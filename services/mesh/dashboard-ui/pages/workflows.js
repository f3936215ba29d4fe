import { useEffect, useState } from "preact/hooks";
import { get, post, when } from "../api.js";
import { Confirm, html, InGit, Problem, Table } from "../ui.js";

const DONE = new Set(["succeeded", "failed", "cancelled", "timed_out", "completed"]);

/** The run's steps as boxes joined in order (the mesh reports steps, not their edges). */
function Dag({ steps }) {
  const w = 150;
  const gap = 30;
  return html`<svg class="dag" viewBox=${`0 0 ${steps.length * (w + gap)} 60`} role="img" aria-label="Steps">
    ${steps.map(
      (s, i) => html`<g transform=${`translate(${i * (w + gap)},10)`}>
      ${i > 0 && html`<line x1=${-gap} y1="20" x2="0" y2="20" class="edge" />`}
      <rect width=${w} height="40" rx="6" class=${`node ${s.status}`} />
      <text x="8" y="18" class="label">${s.id.slice(0, 18)}</text>
      <text x="8" y="33" class="status">${s.status}</text>
    </g>`,
    )}
  </svg>`;
}

function Run({ id }) {
  const [run, setRun] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get(`/v1/workflow-runs/${encodeURIComponent(id)}`).then(setRun, setError);
  useEffect(() => {
    load();
    const t = setInterval(load, 1000);
    return () => clearInterval(t);
  }, [id]);
  const act = (p, body) => post(p, body).then(load, setError);
  if (!run) return html`<${Problem} error=${error} /><p class="muted">Loading…</p>`;
  const base = `/v1/workflow-runs/${encodeURIComponent(id)}`;
  return html`<section>
    <h2>Run <span class="mono">${run.id}</span>: <span class=${`pill ${run.status}`}>${run.status}</span></h2>
    <p class="muted">${run.workflow}, ${run.trigger.kind} ${run.trigger.name}, started ${when(run.started_at)}</p>
    <${Problem} error=${error} />
    <${Dag} steps=${run.steps} />
    ${!DONE.has(run.status) && html`<${Confirm} label="Cancel run" danger question="Cancel this run?" onYes=${() => act(`${base}/cancel`)} />`}
    <${Table} rows=${run.steps} page=${100} cols=${[
      ["Step", (s) => s.id],
      ["Kind", (s) => s.kind],
      ["Status", (s) => html`<span class=${`pill ${s.status}`}>${s.status}</span>`],
      ["Attempt", (s) => s.attempt],
      [
        "Result",
        (s) =>
          html`<pre class="text">${s.result === null ? (s.error ? `${s.error.kind}: ${s.error.message}` : "") : JSON.stringify(s.result, null, 1).slice(0, 2000)}</pre>`,
      ],
      [
        "Decide",
        (s) =>
          s.status === "waiting_approval"
            ? html`<button onClick=${() => act(`${base}/steps/${encodeURIComponent(s.id)}/decision`, { approve: true })}>Approve</button>
              <${Confirm} label="Reject" danger question="Reject this step?" onYes=${() => act(`${base}/steps/${encodeURIComponent(s.id)}/decision`, { approve: false })} />`
            : "",
      ],
    ]} />
    <h3>Events</h3>
    <${Table} rows=${[...run.events].reverse()} page=${20} cols=${[
      ["#", (e) => e.seq],
      ["When", (e) => when(e.at)],
      ["Type", (e) => e.type],
      ["Step", (e) => e.step_id ?? ""],
      [
        "Data",
        (e) => html`<span class="text">${e.data === null ? "" : JSON.stringify(e.data).slice(0, 300)}</span>`,
      ],
    ]} />
  </section>`;
}

export function WorkflowsPage({ run }) {
  const [defs, setDefs] = useState([]);
  const [runs, setRuns] = useState([]);
  const [error, setError] = useState(null);
  const load = () =>
    Promise.all([
      get("/v1/workflows").then((r) => setDefs(r.workflows)),
      get("/v1/workflow-runs?limit=100").then((r) => setRuns(r.runs)),
    ]).catch(setError);
  useEffect(() => {
    load();
    const t = setInterval(load, 3000);
    return () => clearInterval(t);
  }, []);
  const start = async (e, name) => {
    e.preventDefault();
    try {
      const text = new FormData(e.target).get("inputs") || "{}";
      const r = await post(`/v1/workflows/${encodeURIComponent(name)}/runs`, { inputs: JSON.parse(text) });
      location.hash = `#/workflows/${encodeURIComponent(r.id)}`;
    } catch (err) {
      setError(err);
    }
  };
  return html`<h1>Workflows</h1>
    <${Problem} error=${error} />
    ${run && html`<${Run} id=${run} />`}
    <h2>Definitions</h2>
    <${Table} rows=${defs} cols=${[
      ["Name", (d) => d.name],
      ["Trigger", (d) => d.trigger ?? "manual"],
      ["Steps", (d) => d.steps],
      [
        "Run with inputs",
        (d) => html`<form class="row" onSubmit=${(e) => start(e, d.name)}>
        <label class="sr" for=${`in-${d.name}`}>Inputs (JSON)</label>
        <input id=${`in-${d.name}`} name="inputs" placeholder='{"key": "value"}' />
        <button type="submit">Run</button>
      </form>`,
      ],
    ]} />
    <h2>Runs</h2>
    <${Table} rows=${runs} cols=${[
      ["Run", (r) => html`<a href=${`#/workflows/${encodeURIComponent(r.id)}`}>${r.id}</a>`],
      ["Workflow", (r) => r.workflow],
      ["Status", (r) => html`<span class=${`pill ${r.status}`}>${r.status}</span>`],
      ["Phase", (r) => r.phase],
      ["Started", (r) => when(r.started_at)],
      ["Finished", (r) => when(r.finished_at)],
    ]} />
    <${InGit}>${"# workflows/<name>.yaml holds each definition; edit it in git, then\nopenlegion validate && openlegion render && docker compose up -d mesh"}<//>`;
}
