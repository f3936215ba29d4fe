import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, meshConfig, perms, removeDir, startMesh } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

interface Row {
  auth: string;
  fields: string;
}

/** The route table of docs/api.md: "METHOD /path" → its auth and body/query cells. */
function documentedRoutes(): Map<string, Row> {
  const doc = readFileSync(new URL("../../../docs/api.md", import.meta.url), "utf8");
  const section = doc.slice(doc.indexOf("## Routes"), doc.indexOf("## Blackboard keys"));
  const rows = new Map<string, Row>();
  for (const m of section.matchAll(/^\| (GET|PUT|POST|DELETE) \| `([^`]+)` \| ([^|]+) \| (.*) \| .* \|$/gm)) {
    rows.set(`${m[1]} ${m[2]}`, { auth: (m[3] ?? "").trim(), fields: m[4] ?? "" });
  }
  return rows;
}

describe("docs/api.md", () => {
  it("documents exactly the routes the app registers", async () => {
    h = await startMesh(meshConfig({ a: { permissions: perms() } }));
    const documented = [...documentedRoutes().keys()];
    const registered = h.app.mesh.routes.map((r) => r.replace(/\/\*$/, "/<key>"));
    expect([...documented].sort()).toEqual([...registered].sort());
  });

  it("matches each route's auth and names every body and query field of its zod schemas", async () => {
    h = await startMesh(meshConfig({ a: { permissions: perms() } }));
    const documented = documentedRoutes();
    const put = h.app.mesh.routeDocs.find((r) => r.method === "PUT" && r.url === "/v1/blackboard/*");
    expect(put?.body).toEqual(["value", "if_version", "ttl_s"]); // the schema walk sees the fields
    const problems: string[] = [];
    for (const route of h.app.mesh.routeDocs) {
      const name = `${route.method} ${route.url.replace(/\/\*$/, "/<key>")}`;
      const row = documented.get(name);
      if (!row) continue; // the first test reports missing rows
      const auth = row.auth.split(" ")[0];
      if (auth !== route.auth)
        problems.push(`${name}: documented auth "${auth}", route needs "${route.auth}"`);
      for (const field of [...route.body, ...route.query]) {
        if (!new RegExp(`\\b${field}\\b`).test(row.fields))
          problems.push(`${name}: field "${field}" not documented`);
      }
    }
    expect(problems).toEqual([]);
  });
});
