import { useEffect, useState } from "preact/hooks";
import { get, when } from "../api.js";
import { html, Problem, Table } from "../ui.js";

export function AuditPage() {
  const [filter, setFilter] = useState({ actor: "", outcome: "denied" });
  const [entries, setEntries] = useState([]);
  const [after, setAfter] = useState(0);
  const [error, setError] = useState(null);
  const load = (from) => {
    const q = new URLSearchParams({ after: String(from), limit: "200" });
    if (filter.actor) q.set("actor", filter.actor);
    if (filter.outcome) q.set("outcome", filter.outcome);
    return get(`/v1/audit?${q}`).then((r) => {
      setEntries((e) => (from ? [...e, ...r.entries] : r.entries));
      setAfter(r.next_after);
    }, setError);
  };
  useEffect(() => {
    load(0);
  }, [filter]);
  const apply = (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    setFilter({ actor: f.get("actor"), outcome: f.get("outcome") });
  };
  return html`<h1>Audit</h1>
    <${Problem} error=${error} />
    <form class="row" onSubmit=${apply}>
      <label for="actor">Actor</label>
      <input id="actor" name="actor" value=${filter.actor} placeholder="operator or an agent id" />
      <label for="outcome">Outcome</label>
      <select id="outcome" name="outcome" value=${filter.outcome}>
        <option value="">any</option><option value="denied">denied</option><option value="ok">ok</option>
        <option value="allowed">allowed</option><option value="error">error</option>
      </select>
      <button type="submit">Filter</button>
    </form>
    <${Table} rows=${[...entries].reverse()} page=${50} cols=${[
      ["#", (a) => a.id],
      ["When", (a) => when(a.at)],
      ["Actor", (a) => a.actor],
      ["Action", (a) => a.action],
      ["Target", (a) => a.target],
      ["Outcome", (a) => html`<span class=${`pill ${a.outcome}`}>${a.outcome}</span>`],
      ["Code", (a) => a.code ?? ""],
      [
        "Detail",
        (a) => html`<span class="text">${a.detail ? JSON.stringify(a.detail).slice(0, 300) : ""}</span>`,
      ],
    ]} />
    <button onClick=${() => load(after)}>Load newer</button>`;
}
