import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unreachableText } from "../../../services/mesh/delivery/agent-client.js";
import {
  type Harness,
  MASTER,
  meshConfig,
  perms,
  removeDir,
  startMesh,
  tempDir,
} from "../../integration/mesh/helpers.js";
import { runCli } from "./helpers.js";

/** `openlegion chat` to an agent that is not there says why in words, not as a bare socket error. */
let mesh: Harness | undefined;
let fleetDir: string | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  if (fleetDir) removeDir(fleetDir);
  mesh = undefined;
  fleetDir = undefined;
});

describe("chat to an agent that does not answer", () => {
  it("through a real mesh: an agent whose port nobody listens on is named as not listening (exit 1)", async () => {
    // The default agent URL of the harness is 127.0.0.1:9, where nothing listens.
    mesh = await startMesh(meshConfig({ research: { permissions: perms() } }));
    const url = new URL(await mesh.app.listen({ host: "127.0.0.1", port: 0 }));
    fleetDir = tempDir();
    mkdirSync(join(fleetDir, "config"));
    writeFileSync(join(fleetDir, "config", "mesh.yaml"), `mesh:\n  host: 127.0.0.1\n  port: ${url.port}\n`);
    writeFileSync(join(fleetDir, ".env"), `OPENLEGION_MASTER_KEY=${MASTER}\n`, { mode: 0o600 });
    const out = await runCli(["chat", "research", "-m", "hi"], { cwd: fleetDir });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(
      'agent "research" did not answer: nothing listens on its port (still starting, or its process died: ECONNREFUSED)',
    );
  });

  it("a name that no longer resolves on the Compose network means the container is stopped", () => {
    // What undici throws when Docker's DNS has no running container by that name.
    const stopped = Object.assign(new Error("getaddrinfo ENOTFOUND agent-research"), { code: "ENOTFOUND" });
    expect(unreachableText(stopped)).toBe(
      "it is stopped (no running container has its name: ENOTFOUND); start it with openlegion up",
    );
    expect(unreachableText(Object.assign(new Error("x"), { code: "EAI_AGAIN" }))).toMatch(/^it is stopped/);
  });
});
