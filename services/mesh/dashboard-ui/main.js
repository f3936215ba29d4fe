import "uplot/dist/uPlot.min.css";
import "./app.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, get, setCsrf } from "./api.js";
import { AgentPage } from "./pages/agent.js";
import { AuditPage } from "./pages/audit.js";
import { BlackboardPage } from "./pages/blackboard.js";
import { CostsPage } from "./pages/costs.js";
import { FleetPage } from "./pages/fleet.js";
import { WorkflowsPage } from "./pages/workflows.js";
import { html, Problem } from "./ui.js";

const PAGES = [
  ["fleet", "Fleet"],
  ["costs", "Costs"],
  ["workflows", "Workflows"],
  ["blackboard", "Blackboard"],
  ["audit", "Audit"],
];

const routeOf = () => (location.hash.replace(/^#\/?/, "") || "fleet").split("/").map(decodeURIComponent);

function useRoute() {
  const [r, setR] = useState(routeOf());
  useEffect(() => {
    const on = () => setR(routeOf());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return r;
}

function Login({ onIn }) {
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    const token = new FormData(e.target).get("token");
    try {
      onIn(await api("POST", "/dashboard/session", { token }));
    } catch (err) {
      setError(err);
    }
  };
  return html`<main class="login">
    <h1>OpenLegion</h1>
    <form onSubmit=${submit}>
      <label for="token">Operator token</label>
      <input id="token" name="token" type="password" autocomplete="off" required autofocus />
      <button type="submit">Log in</button>
      <p class="muted">Or run <code>openlegion dashboard</code>: it opens this page already logged in.</p>
      <${Problem} error=${error} />
    </form>
  </main>`;
}

function Shell({ onOut }) {
  const [page, ...rest] = useRoute();
  const logout = async () => {
    await api("DELETE", "/dashboard/session").catch(() => {});
    onOut();
  };
  const body =
    page === "agent"
      ? html`<${AgentPage} id=${rest[0]} />`
      : page === "costs"
        ? html`<${CostsPage} />`
        : page === "workflows"
          ? html`<${WorkflowsPage} run=${rest[0]} />`
          : page === "blackboard"
            ? html`<${BlackboardPage} />`
            : page === "audit"
              ? html`<${AuditPage} />`
              : html`<${FleetPage} />`;
  return html`<div class="shell">
    <header>
      <a class="brand" href="#/fleet">OpenLegion</a>
      <nav aria-label="Pages">
        ${PAGES.map(([id, name]) => html`<a href=${`#/${id}`} aria-current=${page === id ? "page" : undefined}>${name}</a>`)}
      </nav>
      <button class="logout" onClick=${logout}>Log out</button>
    </header>
    <main id="main">${body}</main>
  </div>`;
}

function App() {
  const [state, setState] = useState("checking");
  const enter = (session) => {
    setCsrf(session.csrf);
    setState("in");
  };
  useEffect(() => {
    const out = () => setState("out");
    window.addEventListener("ol-logged-out", out);
    // A one-time code from `openlegion dashboard` arrives in the fragment (never sent to a server
    // by the browser, never in a query string); it is spent at once and wiped from the address bar.
    const code = /^#code=([A-Za-z0-9_-]{1,64})$/.exec(location.hash)?.[1];
    if (code) history.replaceState(null, "", "#/fleet");
    const start = code ? api("POST", "/dashboard/session", { code }) : get("/dashboard/session");
    start.then(enter, (err) => setState(err instanceof ApiError ? "out" : "error"));
    return () => window.removeEventListener("ol-logged-out", out);
  }, []);
  if (state === "checking") return html`<p class="boot">Loading the dashboard…</p>`;
  if (state === "error") return html`<p class="error">The mesh did not answer.</p>`;
  if (state === "out") return html`<${Login} onIn=${enter} />`;
  return html`<${Shell} onOut=${() => setState("out")} />`;
}

render(html`<${App} />`, document.getElementById("app"));
