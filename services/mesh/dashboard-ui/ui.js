// Shared bits: htm bound to Preact, a paged table, a confirm button. Text is always rendered as text
// (Preact escapes it); nothing here sets innerHTML.

import htm from "htm";
import { h } from "preact";
import { useState } from "preact/hooks";

export const html = htm.bind(h);

/** A table of `rows`, `page` rows at a time; `cols` is [[header, row => cell]]. */
export function Table({ rows, cols, page = 25, empty = "Nothing yet." }) {
  const [at, setAt] = useState(0);
  if (!rows.length) return html`<p class="muted">${empty}</p>`;
  const shown = rows.slice(at, at + page);
  return html`<div class="table-wrap">
    <table>
      <thead><tr>${cols.map(([name]) => html`<th scope="col">${name}</th>`)}</tr></thead>
      <tbody>${shown.map((r) => html`<tr>${cols.map(([, cell]) => html`<td>${cell(r)}</td>`)}</tr>`)}</tbody>
    </table>
    ${
      rows.length > page &&
      html`<div class="pager">
      <button disabled=${at === 0} onClick=${() => setAt(Math.max(0, at - page))}>Previous</button>
      <span>${at + 1}–${Math.min(rows.length, at + page)} of ${rows.length}</span>
      <button disabled=${at + page >= rows.length} onClick=${() => setAt(at + page)}>Next</button>
    </div>`
    }
  </div>`;
}

/** A button that asks before it acts (the kill switch, cancels, rejections). */
export function Confirm({ label, question, onYes, danger }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return html`<button class=${danger ? "danger" : ""} onClick=${() => setAsking(true)}>${label}</button>`;
  return html`<span class="confirm" role="group" aria-label=${question}>
    <span>${question}</span>
    <button class="danger" onClick=${() => {
      setAsking(false);
      onYes();
    }}>Yes, ${label.toLowerCase()}</button>
    <button onClick=${() => setAsking(false)}>No</button>
  </span>`;
}

export const Problem = ({ error }) =>
  error ? html`<p class="error" role="alert">${String(error.message ?? error)}</p>` : null;

/** A config change belongs in git: show the command or YAML instead of editing anything. */
export const InGit = ({ children }) => html`<details class="in-git">
  <summary>Change this in the fleet's config (kept in git)</summary>
  <pre>${children}</pre>
</details>`;

/** The state of a page's live feed, announced politely. */
export const Live = ({ state }) =>
  html`<span class=${`live ${state}`} role="status">${state === "live" ? "● live" : state === "reconnecting" ? "reconnecting…" : "connecting…"}</span>`;
