import { useEffect, useState } from "preact/hooks";
import { get, when } from "../api.js";
import { html, Problem, Table } from "../ui.js";

const IMAGE = /\.(png|jpe?g|gif|webp)$/i;
const join = (dir, name) => (dir === "." ? name : `${dir}/${name}`);
const fileUrl = (id, path) =>
  `/v1/agents/${encodeURIComponent(id)}/files/${path.split("/").map(encodeURIComponent).join("/")}`;

/** The agent's /data: workspace files and artifacts; images shown, text as text, the rest downloads. */
export function Files({ id }) {
  const [dir, setDir] = useState(".");
  const [listing, setListing] = useState(null);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setListing(null);
    get(`/v1/agents/${encodeURIComponent(id)}/files?path=${encodeURIComponent(dir)}`).then(
      setListing,
      setError,
    );
  }, [id, dir]);
  const show = async (path) => {
    setError(null);
    if (IMAGE.test(path)) return setOpen({ path, image: true });
    const res = await fetch(fileUrl(id, path), { credentials: "same-origin" });
    const type = res.headers.get("content-type") ?? "";
    if (!res.ok) return setError(new Error(`HTTP ${res.status}`));
    setOpen({ path, text: type.startsWith("text/plain") ? await res.text() : null });
  };
  const up = dir === "." ? null : dir.split("/").slice(0, -1).join("/") || ".";
  return html`<section aria-label="Workspace files">
    <div class="row">
      <span class="mono">/data/${dir === "." ? "" : dir}</span>
      ${up && html`<button onClick=${() => setDir(up)}>Up</button>`}
      ${dir !== "artifacts" && html`<button onClick=${() => setDir("artifacts")}>Artifacts</button>`}
    </div>
    <${Problem} error=${error} />
    ${
      listing &&
      html`<${Table}
      rows=${listing.entries}
      page=${25}
      empty="Empty."
      cols=${[
        [
          "Name",
          (e) =>
            e.kind === "dir"
              ? html`<button class="link" onClick=${() => setDir(join(dir, e.name))}>${e.name}/</button>`
              : e.kind === "file"
                ? html`<button class="link" onClick=${() => show(join(dir, e.name))}>${e.name}</button>`
                : html`<span class="muted">${e.name} (${e.kind})</span>`,
        ],
        ["Size", (e) => (e.kind === "file" ? `${e.size} B` : "")],
        ["Modified", (e) => when(e.mtime_ms)],
      ]}
    />`
    }
    ${
      open &&
      html`<div class="file">
      <h3 class="mono">${open.path}</h3>
      ${
        open.image
          ? html`<img class="artifact" src=${fileUrl(id, open.path)} alt=${open.path} />`
          : open.text !== null
            ? html`<pre class="text">${open.text.slice(0, 200_000)}</pre>`
            : html`<a href=${fileUrl(id, open.path)} download>Download</a>`
      }
    </div>`
    }
  </section>`;
}
