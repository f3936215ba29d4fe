import { mkdir, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { meshToken } from "../../../services/common/tokens.js";
import { ManualClock } from "../../../services/mesh/clock.js";
import type { OrchestrationModule } from "../../../services/mesh/modules/orchestration/plugin/module.js";
import { type Harness as AgentHarness, get, startHarness } from "../agent/harness.js";
import {
  addressOf,
  as,
  type Harness,
  MASTER,
  meshConfig,
  perms,
  removeDir,
  startMesh,
  until,
} from "../mesh/helpers.js";

let agent: AgentHarness | undefined;
let mesh: Harness | undefined;
afterEach(async () => {
  await mesh?.close();
  if (mesh) removeDir(mesh.dir);
  await agent?.close();
  mesh = undefined;
  agent = undefined;
});

const HEARTBEAT_MD = [
  "# Heartbeat",
  "",
  "When leads.csv changes, import it.",
  "",
  "```heartbeat",
  "probes:",
  "  - file_changed: /data/inbox/leads.csv",
  "  - dir_not_empty: outbox",
  "  - blackboard_key: signals/ops/deploy",
  "  - file_changed: escape",
  "  - exec: curl evil",
  "```",
  "",
].join("\n");

describe("HEARTBEAT.md custom probes", () => {
  it("the agent's /healthz reports its declarations with the file kinds evaluated, confined to /data", async () => {
    agent = await startHarness();
    const before = (await (await get(agent, "/healthz")).json()) as { heartbeat: unknown };
    expect(before.heartbeat).toBeNull();

    await mkdir(join(agent.dataDir, "inbox"));
    await mkdir(join(agent.dataDir, "outbox"));
    await writeFile(join(agent.dataDir, "inbox/leads.csv"), "a,b\n");
    await utimes(join(agent.dataDir, "inbox/leads.csv"), 1_700_000_000, 1_700_000_000);
    await symlink("/etc/passwd", join(agent.dataDir, "escape"));
    await writeFile(join(agent.dataDir, "HEARTBEAT.md"), HEARTBEAT_MD);
    const body = (await (await get(agent, "/healthz")).json()) as { ok: boolean; heartbeat: unknown };
    expect(body.ok).toBe(true);
    expect(body.heartbeat).toEqual({
      probes: [
        { kind: "file_changed", path: "inbox/leads.csv", mtime_ms: 1_700_000_000_000 },
        { kind: "dir_not_empty", path: "outbox", entries: 0 },
        { kind: "blackboard_key", key: "signals/ops/deploy" },
        {
          kind: "file_changed",
          path: "escape",
          mtime_ms: null,
          error: expect.stringContaining("outside /data"),
        },
      ],
      errors: [
        "probes[4] exec: unknown kind (use file_changed, dir_not_empty, blackboard_key or inbox_over)",
      ],
    });
  });

  it("the mesh wakes the real agent only when a declared probe finds something, naming it", async () => {
    agent = await startHarness({ id: "ops" }, { meshToken: meshToken(MASTER, "ops") });
    await mkdir(join(agent.dataDir, "inbox"));
    await writeFile(
      join(agent.dataDir, "HEARTBEAT.md"),
      "```heartbeat\nprobes:\n  - file_changed: inbox/leads.csv\n  - blackboard_key: signals/ops/deploy\n```\n",
    );
    const clock = new ManualClock(Date.now());
    const config = meshConfig({
      ops: {
        permissions: perms({ blackboard_write: ["signals/**"], blackboard_read: ["signals/**"] }),
        url: agent.url,
      },
    });
    config.heartbeats = [{ agent: "ops", every: "1m", probes: ["tasks"] }];
    mesh = await startMesh(config, { clock });
    const orch = (
      mesh.app.mesh.modules.find((m) => m.name === "orchestration") as OrchestrationModule
    ).parts();

    clock.advance(60_000);
    await orch.heartbeats.runDue(); // arms the interval
    clock.advance(60_000);
    expect(await orch.heartbeats.runDue()).toBe(1);
    const quiet = orch.beats.recent("ops", 1)[0];
    expect(quiet).toMatchObject({ decision: "quiet", reason: "nothing found", cost_usd: 0 });
    expect(quiet?.probes).toEqual([
      { probe: "tasks", ok: true, value: 0, detail: "0 keys under tasks/ops/" },
      { probe: "custom", ok: true, value: 0, detail: "inbox/leads.csv does not exist" },
      { probe: "custom", ok: true, value: 0, detail: "signals/ops/deploy is not set" },
    ]);
    expect(agent.fake.requests).toHaveLength(0);

    const put = await mesh.app.inject({
      method: "PUT",
      url: "/v1/blackboard/signals/ops/deploy",
      headers: as("ops"),
      remoteAddress: addressOf(config, "ops"),
      payload: { value: { sha: "abc" } },
    });
    expect(put.statusCode).toBeLessThan(300);
    clock.advance(60_000);
    await orch.heartbeats.runDue();
    const woke = orch.beats.recent("ops", 1)[0];
    expect(woke).toMatchObject({ decision: "wake", cost_usd: null });
    await until(() =>
      agent!.fake.requests.some((r) =>
        JSON.stringify(r.body).includes("HEARTBEAT.md: signals/ops/deploy updated by ops"),
      ),
    );
  });
});
