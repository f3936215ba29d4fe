import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { AgentRoutes } from "../../services/common/contracts/agent-routes.js";
import type { RouteAuth, RouteContract } from "../../services/common/contracts/contract.js";
import { MeshRoutes } from "../../services/common/contracts/mesh-routes.js";
import { ProxyAdminRoutes } from "../../services/common/contracts/proxy-admin-routes.js";
import { startHarness } from "./agent/harness.js";
import { type Harness, meshConfig, perms, removeDir, startMesh } from "./mesh/helpers.js";

let mesh: Harness | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  mesh = undefined;
});

/** Each route table of docs/api.md, by the heading of its section. */
const TABLES: Record<string, Record<string, RouteContract>> = {
  "## Routes": MeshRoutes,
  "## Agent server routes": AgentRoutes,
  "## Egress proxy admin routes": ProxyAdminRoutes,
};

interface Row {
  auth: string;
  fields: string;
}

const docPath = (c: RouteContract) => c.path.replace(/\/\*$/, "/<key>");
const name = (c: RouteContract) => `${c.method} ${docPath(c)}`;

/** The rows of the route table in the section starting with `heading`: "METHOD /path" → auth, fields. */
function documented(heading: string): Map<string, Row> {
  const doc = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
  const start = doc.indexOf(`\n${heading}`);
  expect(start, `docs/api.md has a section "${heading}"`).toBeGreaterThan(0);
  const end = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const rows = new Map<string, Row>();
  for (const m of section.matchAll(/^\| (GET|PUT|POST|DELETE) \| `([^`]+)` \| ([^|]+) \| (.*) \| .* \|$/gm)) {
    rows.set(`${m[1]} ${m[2]}`, { auth: (m[3] ?? "").trim().split(" ")[0] ?? "", fields: m[4] ?? "" });
  }
  return rows;
}

/** Top-level property names of a zod object schema (or of each branch of a union); [] otherwise. */
function fieldsOf(schema: unknown): string[] {
  if (!(schema instanceof z.ZodType)) return [];
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const n = node as { properties?: Record<string, unknown>; anyOf?: unknown[]; oneOf?: unknown[] };
    for (const key of Object.keys(n.properties ?? {})) out.add(key);
    for (const branch of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(branch);
  };
  visit(json);
  return [...out];
}

describe("docs/api.md and the contract tables", () => {
  for (const [heading, table] of Object.entries(TABLES)) {
    it(`${heading}: lists exactly the table's routes, each with its auth and every body and query field`, () => {
      const rows = documented(heading);
      const routes = Object.values(table);
      expect([...rows.keys()].sort()).toEqual(routes.map(name).sort());
      const problems: string[] = [];
      for (const c of routes) {
        const row = rows.get(name(c));
        if (!row) continue; // reported above
        if (row.auth !== c.auth)
          problems.push(`${name(c)}: documented auth "${row.auth}", contract "${c.auth}"`);
        for (const field of [...fieldsOf(c.body), ...fieldsOf(c.query)])
          if (!new RegExp(`\\b${field}\\b`).test(row.fields))
            problems.push(`${name(c)}: field "${field}" not documented`);
      }
      expect(problems).toEqual([]);
    });
  }

  it("the schema walk sees a body's fields (the check above can fail)", () => {
    expect(fieldsOf(MeshRoutes.blackboardWrite.body)).toEqual(["value", "if_version", "ttl_s"]);
    expect(fieldsOf(MeshRoutes.stepResult.body)).toEqual(["dispatch_key", "ok", "result", "error"]);
  });

  it("no mesh route asks for the mesh token, every agent route does", () => {
    const meshAuths: RouteAuth[] = Object.values(MeshRoutes).map((c) => c.auth);
    expect(meshAuths).not.toContain("mesh");
    expect(new Set(Object.values(AgentRoutes).map((c) => c.auth))).toEqual(new Set(["mesh"]));
  });
});

describe("the services register exactly their tables' routes", () => {
  it("the mesh: every registered route is an entry of MeshRoutes and every entry is registered", async () => {
    mesh = await startMesh(meshConfig({ a: { permissions: perms() } }));
    expect([...mesh.app.mesh.routes].sort()).toEqual(
      Object.values(MeshRoutes)
        .map((c) => `${c.method} ${c.path}`)
        .sort(),
    );
  });

  it("the agent server: every entry of AgentRoutes is registered", async () => {
    const h = await startHarness();
    try {
      const missing = Object.values(AgentRoutes).filter(
        (c) => !h.agent.app.hasRoute({ method: c.method, url: c.path }),
      );
      expect(missing).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it("no service registers a fastify route except through route(app, contract, handler)", () => {
    const root = new URL("../../services/", import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
      });
    // A path literal as first argument (`app.get("/x", …)`), a route object, or a typed instance.
    const direct = /\.(get|head|post|put|delete|patch|options|all)\(\s*["'`]\/|\.route\(\{|withTypeProvider/;
    const offenders = files(root)
      .filter((f) => !f.endsWith(join("common", "http", "route.ts")))
      .filter((f) => direct.test(readFileSync(f, "utf8")))
      .map((f) => relative(root, f));
    expect(offenders).toEqual([]);
  });
});
