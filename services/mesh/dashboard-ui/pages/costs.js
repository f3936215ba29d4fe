import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { get, usd } from "../api.js";
import { html, InGit, Problem, Table } from "../ui.js";

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

/** Spend per day (the last 31), one series per agent and model. */
function Chart({ rows, today }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || !rows.length) return;
    // The last 31 days up to today, days without calls at zero: the axis never jumps.
    const end = Date.parse(`${today}T00:00:00Z`);
    const days = Array.from({ length: 31 }, (_, i) =>
      new Date(end - (30 - i) * 86_400_000).toISOString().slice(0, 10),
    );
    // One series per agent and model ("alice · openai/gpt-4o-mini").
    const key = (r) => `${r.agent} · ${r.model}`;
    const agents = [...new Set(rows.map(key))].sort();
    const x = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const series = agents.map((a) =>
      days.map((d) => rows.filter((r) => key(r) === a && r.day === d).reduce((s, r) => s + r.cost_usd, 0)),
    );
    const width = Math.max(280, box.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 240,
        series: [
          {},
          ...agents.map((a, i) => ({
            label: a,
            stroke: COLORS[i % COLORS.length],
            width: 2,
            points: { show: true },
          })),
        ],
        axes: [{}, { values: (_u, v) => v.map((n) => `$${n.toPrecision(2)}`), size: 80 }],
        scales: { x: { time: true } },
      },
      [x, ...series],
      box.current,
    );
    return () => plot.destroy();
  }, [rows, today]);
  return html`<div class="chart" ref=${box} role="img" aria-label="Spend per agent and model per day"></div>`;
}

const csvCell = (v) => {
  const s = String(v ?? "");
  // A leading =, +, - or @ would be a formula in a spreadsheet: prefix it.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

function download(rows) {
  const head = ["day", "agent", "model", "calls", "cost_usd", "input_tokens", "output_tokens"];
  const text = [head, ...rows.map((r) => head.map((k) => r[k]))]
    .map((r) => r.map(csvCell).join(","))
    .join("\n");
  const url = URL.createObjectURL(new Blob([`${text}\n`], { type: "text/csv" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "openlegion-costs.csv";
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function CostsPage() {
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    const load = () => get("/v1/costs").then(setReport, setError);
    load();
    const t = setInterval(load, 5000);
    return () => clearInterval(t);
  }, []);
  if (!report) return html`<h1>Costs</h1><${Problem} error=${error} /><p class="muted">Loading…</p>`;
  const agents = Object.entries(report.agents).map(([id, a]) => ({ id, ...a }));
  return html`<h1>Costs</h1>
    <${Problem} error=${error} />
    <p class="muted">Today ${report.day}, month ${report.month}. Prices: ${report.pricing_version ?? "–"}.</p>
    <${Table} rows=${agents} page=${50} cols=${[
      ["Agent", (a) => a.id],
      [
        "Today",
        (a) =>
          html`<span class=${a.today_usd >= a.budget.daily_usd ? "warn" : ""}>${usd(a.today_usd)}</span> of ${usd(a.budget.daily_usd)}`,
      ],
      ["Month", (a) => `${usd(a.month_usd)} of ${usd(a.budget.monthly_usd)}`],
      ["In flight", (a) => usd(a.reserved_usd)],
      ["Frozen", (a) => (a.frozen ? "yes" : "no")],
    ]} />
    <h2>Per day</h2>
    <${Chart} rows=${report.by_model} today=${report.day} />
    <h2>Per agent, model and day</h2>
    <button onClick=${() => download(report.by_model)}>Export CSV</button>
    <${Table} rows=${[...report.by_model].reverse()} cols=${[
      ["Day", (r) => r.day],
      ["Agent", (r) => r.agent],
      ["Model", (r) => r.model],
      ["Calls", (r) => r.calls],
      ["Cost", (r) => usd(r.cost_usd)],
      ["Tokens in/out", (r) => `${r.input_tokens ?? "–"} / ${r.output_tokens ?? "–"}`],
    ]} />
    <${InGit}>${"# agents.yaml\nagents:\n  <id>:\n    budget: { daily_usd: 5, monthly_usd: 100 }\n# then: openlegion render && docker compose up -d egress-proxy"}<//>`;
}
