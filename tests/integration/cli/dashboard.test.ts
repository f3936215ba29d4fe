import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { operatorToken } from "../../../services/common/tokens.js";
import { runCli } from "../../unit/cli/helpers.js";
import { type Harness, MASTER, meshConfig, perms, removeDir, startMesh } from "../mesh/helpers.js";

/** `openlegion dashboard` against a real mesh: a one-time link, never the operator token. */
let mesh: Harness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  if (dir) rmSync(dir, { recursive: true, force: true });
  mesh = undefined;
  dir = undefined;
});

describe("openlegion dashboard", () => {
  it("prints a one-time login link (code in the fragment) that logs in exactly once", async () => {
    mesh = await startMesh(meshConfig({ alice: { permissions: perms() } }));
    const port = new URL(await mesh.app.listen({ host: "127.0.0.1", port: 0 })).port;
    dir = mkdtempSync(join(tmpdir(), "ol-dash-cli-"));
    writeFileSync(join(dir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`);

    const r = await runCli(["dashboard", dir, "--port", port, "--no-open"]);
    expect(r.code).toBe(0);
    const url = /Dashboard: (\S+)/.exec(r.stdout)?.[1] ?? "";
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/dashboard#code=[A-Za-z0-9_-]{20,}$`));
    expect(new URL(url).search).toBe("");
    expect(r.stdout).not.toContain(operatorToken(MASTER));
    expect(r.stdout).not.toContain(MASTER);

    const code = new URL(url).hash.slice("#code=".length);
    const login = (c: string) =>
      fetch(`http://127.0.0.1:${port}/dashboard/session`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code: c }),
      });
    expect((await login(code)).status).toBe(200);
    expect((await login(code)).status).toBe(401);

    const j = await runCli(["dashboard", dir, "--port", port, "--json"]);
    expect(JSON.parse(j.stdout)).toMatchObject({
      url: expect.stringContaining("#code="),
      expires_at: expect.any(Number),
    });
  });

  it("says the fleet is not up when no mesh answers", async () => {
    dir = mkdtempSync(join(tmpdir(), "ol-dash-cli-"));
    writeFileSync(join(dir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`);
    const r = await runCli(["dashboard", dir, "--port", "9", "--no-open"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not reachable/);
  });
});
