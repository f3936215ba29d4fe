import { useEffect, useState } from "preact/hooks";
import { feed, get, when } from "../api.js";
import { html, Live, Problem, Table } from "../ui.js";

const keyPath = (k) => k.split("/").map(encodeURIComponent).join("/");

export function BlackboardPage() {
  const [prefix, setPrefix] = useState("");
  const [entries, setEntries] = useState([]);
  const [next, setNext] = useState(null);
  const [key, setKey] = useState(null);
  const [versions, setVersions] = useState([]);
  const [changes, setChanges] = useState([]);
  const [error, setError] = useState(null);
  const [live, setLive] = useState("connecting");
  const list = (after = "") =>
    get(
      `/v1/blackboard?prefix=${encodeURIComponent(prefix)}&after=${encodeURIComponent(after)}&limit=50`,
    ).then((r) => {
      setEntries((e) => (after ? [...e, ...r.entries] : r.entries));
      setNext(r.next_after);
    }, setError);
  useEffect(() => {
    list();
    return feed(
      `/v1/watch?prefix=${encodeURIComponent(prefix)}`,
      ["change"],
      (_name, change) => {
        setChanges((c) => [change, ...c].slice(0, 100));
        list();
      },
      setLive,
    );
  }, [prefix]);
  useEffect(() => {
    if (key)
      get(`/v1/blackboard-versions/${keyPath(key)}?limit=20`).then((r) => setVersions(r.versions), setError);
  }, [key, changes.length]);
  return html`<h1>Blackboard</h1>
    <${Problem} error=${error} />
    <form class="row" onSubmit=${(e) => {
      e.preventDefault();
      setPrefix(new FormData(e.target).get("prefix"));
    }}>
      <label for="prefix">Prefix</label>
      <input id="prefix" name="prefix" value=${prefix} placeholder="tasks/" />
      <button type="submit">Browse</button>
    </form>
    <${Table} rows=${entries} page=${50} cols=${[
      ["Key", (e) => html`<button class="link" onClick=${() => setKey(e.key)}>${e.key}</button>`],
      ["Version", (e) => e.version],
      ["By", (e) => e.updated_by],
      ["Updated", (e) => when(e.updated_at)],
      ["Value", (e) => html`<span class="text">${JSON.stringify(e.value).slice(0, 200)}</span>`],
    ]} />
    ${next && html`<button onClick=${() => list(next)}>Load more</button>`}
    ${
      key &&
      html`<h2>History of <span class="mono">${key}</span></h2>
      <${Table} rows=${versions} cols=${[
        ["Version", (v) => v.version],
        ["Op", (v) => v.op],
        ["By", (v) => v.by],
        ["At", (v) => when(v.at)],
        [
          "Value",
          (v) => html`<pre class="text">${JSON.stringify(v.value, null, 1)?.slice(0, 2000) ?? ""}</pre>`,
        ],
      ]} />`
    }
    <h2>Live changes <${Live} state=${live} /></h2>
    <${Table} rows=${changes} empty="No change since this page opened." cols=${[
      ["At", (c) => when(c.at)],
      ["Key", (c) => c.key],
      ["Op", (c) => c.op],
      ["Version", (c) => c.version],
      ["By", (c) => c.by],
    ]} />`;
}
