import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, meshConfig, perms, removeDir, startMesh } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  if (h) removeDir(h.dir);
  h = undefined;
});

describe("docs/mesh-api.md", () => {
  it("documents exactly the routes the app registers", async () => {
    h = await startMesh(meshConfig({ a: { permissions: perms() } }));
    const doc = readFileSync(new URL("../../../docs/mesh-api.md", import.meta.url), "utf8");
    const routesSection = doc.slice(doc.indexOf("## Routes"), doc.indexOf("## Blackboard keys"));
    const documented = [...routesSection.matchAll(/^\| (GET|PUT|POST|DELETE) \| `([^`]+)` \|/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const registered = h.app.mesh.routes.map((r) => r.replace(/\/\*$/, "/<key>"));
    expect([...documented].sort()).toEqual([...registered].sort());
  });
});
