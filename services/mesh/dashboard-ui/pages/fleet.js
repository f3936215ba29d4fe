import { useEffect, useState } from "preact/hooks";
import { events, get, post, usd, when } from "../api.js";
import { Confirm, html, InGit, Problem, Table } from "../ui.js";

/** Three calls per load (status, costs, model health) plus the live feed; refreshed every 5 s. */
export function FleetPage() {
  const [status, setStatus] = useState(null);
  const [costs, setCosts] = useState(null);
  const [models, setModels] = useState([]);
  const [last, setLast] = useState({});
  const [error, setError] = useState(null);
  const load = () =>
    Promise.all([
      get("/v1/status").then(setStatus),
      get("/v1/costs")
        .then(setCosts)
        .catch(() => setCosts(null)),
      get("/v1/model-health")
        .then((r) => setModels(r.models))
        .catch(() => setModels([])),
    ]).catch(setError);
  useEffect(() => {
    load();
    const t = setInterval(load, 5000);
    const close = events(null, (e) => {
      const who =
        e.type === "llm"
          ? e.agent
          : e.type === "blackboard"
            ? e.by
            : e.actor === "operator"
              ? e.target
              : e.actor;
      setLast((m) => ({
        ...m,
        [who]: {
          at: e.at,
          what: e.type === "llm" ? `LLM ${e.model}` : e.type === "blackboard" ? `wrote ${e.key}` : e.action,
        },
      }));
    });
    return () => {
      clearInterval(t);
      close();
    };
  }, []);
  const setFrozen = async (id, frozen) => {
    try {
      await post(`/v1/agents/${encodeURIComponent(id)}/${frozen ? "freeze" : "unfreeze"}`);
      await load();
    } catch (err) {
      setError(err);
    }
  };
  if (!status) return html`<h1>Fleet</h1><${Problem} error=${error} /><p class="muted">Loading…</p>`;
  const spend = (id) => costs?.agents?.[id];
  return html`<h1>Fleet</h1>
    <${Problem} error=${error} />
    <${Table}
      rows=${status.agents}
      page=${50}
      cols=${[
        [
          "Agent",
          (a) =>
            html`<a href=${`#/agent/${encodeURIComponent(a.id)}`}>${a.id}</a><div class="muted">${a.role}</div>`,
        ],
        [
          "Health",
          (a) =>
            html`<span class=${`pill ${a.health}`}>${a.health}</span> <span class="muted">${a.detail}</span>`,
        ],
        [
          "State",
          (a) =>
            spend(a.id)?.frozen
              ? html`<span class="pill down">frozen</span>`
              : a.health !== "up"
                ? html`<span class="pill failed">failed</span>`
                : html`<span class=${`pill ${a.state ?? ""}`}>${a.state === "running" ? "working" : (a.state ?? "up")}</span>`,
        ],
        [
          "Queue",
          (a) =>
            html`${a.queue ?? 0} runs, ${a.pending} inbox${a.dead ? html`, <span class="warn">${a.dead} dead</span>` : ""}`,
        ],
        [
          "Today",
          (a) => {
            const s = spend(a.id);
            if (!s) return "–";
            const pct = s.budget.daily_usd ? Math.min(100, (100 * s.today_usd) / s.budget.daily_usd) : 0;
            return html`<span class="spend">${usd(s.today_usd)} / ${usd(s.budget.daily_usd)}</span>
            <span class="bar" aria-hidden="true"><span class="fill" style=${`width:${pct}%`}></span></span>`;
          },
        ],
        [
          "Last activity",
          (a) =>
            last[a.id] ? html`${last[a.id].what} <span class="muted">${when(last[a.id].at)}</span>` : "–",
        ],
        [
          "Kill switch",
          (a) =>
            spend(a.id)?.frozen
              ? html`<button onClick=${() => setFrozen(a.id, false)}>Unfreeze</button>`
              : html`<${Confirm} label="Freeze" danger question=${`Freeze ${a.id}? Its LLM and API calls are refused until unfrozen.`} onYes=${() => setFrozen(a.id, true)} />`,
        ],
      ]}
    />
    <h2>Model health</h2>
    <${Table}
      rows=${models}
      empty="No model is cooling down."
      cols=${[
        ["Model", (m) => m.model],
        ["Agent", (m) => m.agent ?? "all"],
        ["Cooling", (m) => (m.cooling ? html`<span class="pill down">${m.retry_after_s}s</span>` : "no")],
        ["Failures", (m) => m.failures],
        ["Reason", (m) => m.reason],
      ]}
    />
    <${InGit}>${"openlegion status               # config drift: which services differ from the rendered config\nopenlegion agent add <id>        # a new agent, written to agents.yaml (commit it)\nopenlegion up -d                 # apply the config in git"}<//>`;
}
