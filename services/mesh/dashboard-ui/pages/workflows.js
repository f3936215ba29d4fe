import { useEffect, useState } from "preact/hooks";
import { get, post, when } from "../api.js";
import { layout, NODE_H, NODE_W } from "../dag.js";
import { Confirm, html, InGit, Problem, Table } from "../ui.js";

const DONE = new Set(["succeeded", "failed", "cancelled", "timed_out"]);

/** A workflow's steps as a DAG; with `status` (step id → status) the nodes show a run's state. */
function Dag({ graph, status = {} }) {
  const { nodes, edges, width, height } = layout(graph);
  return html`<div class="dag-wrap">
    <svg class="dag" preserveAspectRatio="xMinYMin meet" width=${width + 4} height=${height + 4} viewBox=${`-2 -2 ${width + 4} ${height + 4}`} role="img" aria-label="Workflow steps and their dependencies">
      ${edges.map((e) => html`<path class="edge" d=${`M${e.x1},${e.y1} C${e.x1 + 20},${e.y1} ${e.x2 - 20},${e.y2} ${e.x2},${e.y2}`} />`)}
      ${nodes.map(
        (n) => html`<g transform=${`translate(${n.x},${n.y})`}>
        <rect width=${NODE_W} height=${NODE_H} rx="6" class=${`node ${status[n.id] ?? ""}`} />
        <text x="8" y="17" class="label">${n.id.slice(0, 18)}</text>
        <text x="8" y="32" class="status">${status[n.id] ?? ""}</text>
      </g>`,
      )}
    </svg>
  </div>`;
}

/** The definition's graph when the run used this very definition; else the steps without edges. */
function graphOf(run, defs) {
  const def = defs.find((d) => d.name === run.workflow && d.definition_hash === run.definition_hash);
  return def?.graph ?? run.steps.map((s) => ({ id: s.id, depends_on: [] }));
}

function Run({ id, defs }) {
  const [run, setRun] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get(`/v1/workflow-runs/${encodeURIComponent(id)}`).then(setRun, setError);
  useEffect(() => {
    // Re-read every second while the run is open; a finished run is read once.
    let timer;
    const tick = () =>
      get(`/v1/workflow-runs/${encodeURIComponent(id)}`).then(
        (r) => {
          setRun(r);
          if (!DONE.has(r.status)) timer = setTimeout(tick, 1000);
        },
        (err) => {
          setError(err);
          timer = setTimeout(tick, 3000);
        },
      );
    tick();
    return () => clearTimeout(timer);
  }, [id]);
  const act = (p, body) => post(p, body).then(load, setError);
  if (!run) return html`<${Problem} error=${error} /><p class="muted">Loading…</p>`;
  const base = `/v1/workflow-runs/${encodeURIComponent(id)}`;
  return html`<section>
    <h2>Run <span class="mono">${run.id}</span>: <span class=${`pill ${run.status}`}>${run.status}</span></h2>
    <p class="muted">${run.workflow}, ${run.trigger.kind} ${run.trigger.name}, started ${when(run.started_at)}</p>
    <${Problem} error=${error} />
    <${Dag} graph=${graphOf(run, defs)} status=${Object.fromEntries(run.steps.map((s) => [s.id, s.status]))} />
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
  const [shown, setShown] = useState(null);
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
    ${run && html`<${Run} id=${run} defs=${defs} />`}
    <h2>Definitions</h2>
    <${Table} rows=${defs} cols=${[
      ["Name", (d) => d.name],
      ["Trigger", (d) => d.trigger ?? "manual"],
      [
        "Steps",
        (d) =>
          html`<button class="link" aria-expanded=${shown === d.name} onClick=${() => setShown(shown === d.name ? null : d.name)}>${d.steps} steps</button>`,
      ],
      [
        "Run with inputs",
        (d) => html`<form class="row" onSubmit=${(e) => start(e, d.name)}>
        <label class="sr" for=${`in-${d.name}`}>Inputs (JSON)</label>
        <input id=${`in-${d.name}`} name="inputs" placeholder='{"key": "value"}' />
        <button type="submit">Run</button>
      </form>`,
      ],
    ]} />
    ${shown && defs.find((d) => d.name === shown) && html`<h3>${shown}</h3><${Dag} graph=${defs.find((d) => d.name === shown).graph} />`}
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
