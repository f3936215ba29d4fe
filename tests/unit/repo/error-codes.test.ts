import { describe, expect, it } from "vitest";
import { CliErrors } from "../../../generator/cli/errors.js";
import { ConfigErrors } from "../../../generator/config/errors.js";
import { FleetErrors } from "../../../generator/docker/errors.js";
import { RenderErrors } from "../../../generator/render/errors.js";
import { AgentErrors } from "../../../services/agent/errors.js";
import { MemoryErrors } from "../../../services/agent/memory/errors.js";
import { ToolErrors } from "../../../services/agent/tools/errors.js";
import { PROXY_AGENT_CODES } from "../../../services/common/contracts/proxy-error.js";
import { ProxyErrors } from "../../../services/egress-proxy/errors.js";
import { MeshErrors } from "../../../services/mesh/errors.js";
import { OrchErrors } from "../../../services/mesh/modules/orchestration/errors.js";
import { listFiles, readRepoFile } from "./source-files.js";

// STYLE.md §2: every failure has a stable code from its area's catalog, documented on the area's page
// docs/errors/<area>.md with the area's prefix; no dead codes in the docs; a retired code never returns.
const CODE = /\bOL_ERR_[A-Z0-9_]*[A-Z0-9]\b/g;
type Catalog = Record<string, { code: string; status: number }>;

const AREAS: { page: string; prefix: string; catalogs: Catalog[] }[] = [
  { page: "config", prefix: "OL_ERR_CONFIG_", catalogs: [ConfigErrors] },
  { page: "cli", prefix: "OL_ERR_CLI_", catalogs: [CliErrors] },
  { page: "render", prefix: "OL_ERR_RENDER_", catalogs: [RenderErrors] },
  { page: "fleet", prefix: "OL_ERR_FLEET_", catalogs: [FleetErrors] },
  { page: "egress-proxy", prefix: "OL_ERR_PROXY_", catalogs: [ProxyErrors] },
  { page: "mesh", prefix: "OL_ERR_MESH_", catalogs: [MeshErrors] },
  { page: "orchestration", prefix: "OL_ERR_ORCH_", catalogs: [OrchErrors] },
  { page: "agent", prefix: "OL_ERR_AGENT_", catalogs: [AgentErrors, ToolErrors] },
  { page: "memory", prefix: "OL_ERR_MEMORY_", catalogs: [MemoryErrors] },
];

/** The catalogs (and the one wire contract the proxy's catalog raises from) are the only homes of a code literal. */
const isCatalogFile = (path: string) =>
  path.endsWith("/errors.ts") || path === "services/common/contracts/proxy-error.ts";

const codesOf = (catalogs: Catalog[]) => catalogs.flatMap((c) => Object.values(c).map((k) => k.code));
const pageText = (page: string) => readRepoFile(`docs/errors/${page}.md`);
/** A page lists its live codes first, then a `## Retired codes` table: `| retired | replaced by |`. */
const liveOf = (page: string) => new Set(pageText(page).split("## Retired codes")[0]?.match(CODE) ?? []);
const retiredOf = (page: string) =>
  (pageText(page).split("## Retired codes")[1] ?? "")
    .split("\n")
    .flatMap((row) => /^\| `(OL_ERR_\w+)`/.exec(row)?.[1] ?? []);

describe("error codes", () => {
  const sources = ["generator", "services"].flatMap((d) => listFiles(d, (n) => n.endsWith(".ts")));

  it("each code is defined once, with its area's prefix", () => {
    const all = AREAS.flatMap((a) => codesOf(a.catalogs));
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
    for (const area of AREAS)
      expect(
        codesOf(area.catalogs).filter((c) => !c.startsWith(area.prefix)),
        area.page,
      ).toEqual([]);
  });

  it("each area's page documents exactly its catalog's codes", () => {
    for (const area of AREAS) {
      const documented = [...liveOf(area.page)].filter((c) => c.startsWith(area.prefix));
      expect(documented.sort(), area.page).toEqual([...new Set(codesOf(area.catalogs))].sort());
    }
    const pages = listFiles("docs/errors", (n) => n.endsWith(".md")).map((f) => f.slice(12, -3));
    expect(pages.sort()).toEqual(AREAS.map((a) => a.page).sort());
  });

  it("no source file outside a catalog spells a code (reference XErrors.entry.code)", () => {
    const offenders = sources.filter((f) => !isCatalogFile(f) && /\bOL_ERR_[A-Z]/.test(readRepoFile(f)));
    expect(offenders).toEqual([]);
  });

  it("every code a catalog file spells is a live catalog code; retired codes never return", () => {
    const live = new Set(AREAS.flatMap((a) => codesOf(a.catalogs)));
    const spelled = new Set(sources.filter(isCatalogFile).flatMap((f) => readRepoFile(f).match(CODE) ?? []));
    expect([...spelled].filter((c) => !live.has(c))).toEqual([]);
    const retired = AREAS.flatMap((a) => retiredOf(a.page));
    expect(retired.length).toBeGreaterThan(0);
    expect(retired.filter((c) => live.has(c))).toEqual([]);
    expect(Object.values(PROXY_AGENT_CODES).filter((c) => !live.has(c))).toEqual([]);
    // A page may point at another area's code, but only at one that exists.
    const mentioned = AREAS.flatMap((a) => [...liveOf(a.page)]);
    expect(mentioned.filter((c) => !live.has(c))).toEqual([]);
  });
});
