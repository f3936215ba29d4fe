import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { meshConfigSchema } from "../../../services/common/contracts/mesh-config.js";
import { agentToken, operatorToken } from "../../../services/common/tokens.js";
import { ManualClock } from "../../../services/mesh/clock.js";
import { MeshStore } from "../../../services/mesh/store/mesh-store.js";
import { type Harness, removeDir, startMesh, tempDir } from "./helpers.js";

// A mesh database written by the release at commit 2c94cff, with rows in every table (made by
// tests/fixtures/mesh-db/make-fixture.mjs running that release's code), and the config it ran with.
const FIXTURE_DIR = new URL("../../fixtures/mesh-db/", import.meta.url);
const FIXTURE_DB = new URL("mesh-2c94cff.db", FIXTURE_DIR);
const fixture = JSON.parse(readFileSync(new URL("fixture.json", FIXTURE_DIR), "utf8")) as {
  master_key: string;
  addresses: Record<string, string>;
  config: unknown;
};

type Row = Record<string, unknown>;

/** Every row of every table, each table's rows in a stable order. */
function dump(db: Database.Database): Record<string, Row[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const sorted = (rows: Row[]) =>
    rows.map((r) => [JSON.stringify(r), r] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    tables.map((t) => [t, sorted(db.prepare(`SELECT * FROM "${t}"`).all() as Row[]).map(([, r]) => r)]),
  );
}

/** Tables, indexes and triggers with their SQL (autoindexes carry none). */
const schemaOf = (db: Database.Database) =>
  db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all();

describe("a mesh database from release 2c94cff upgrades in place", () => {
  let dir: string | undefined;
  let mesh: Harness | undefined;
  afterEach(async () => {
    await mesh?.close();
    if (dir) removeDir(dir);
    mesh = undefined;
    dir = undefined;
  });

  const copyFixture = () => {
    dir = tempDir();
    const path = join(dir, "mesh.db");
    copyFileSync(FIXTURE_DB, path);
    return path;
  };

  it("keeps every row of every table and folds orch_schema_version into schema_version", () => {
    const path = copyFixture();
    const old = new Database(path, { readonly: true });
    const before = dump(old);
    old.close();
    // The fixture covers every table the old release had.
    for (const [table, rows] of Object.entries(before)) expect(rows.length, table).toBeGreaterThan(0);
    expect(before.orch_schema_version?.map((r) => r.version)).toEqual([1, 2, 3]);

    const store = MeshStore.open(path);
    const after = dump(store.db);
    const upgradedSchema = schemaOf(store.db);
    expect(store.schemaVersion).toBe(8);
    store.close();

    const { orch_schema_version: orchTrack = [], ...kept } = before;
    // Migration 008 (issue 22) adds columns with their defaults to rows that were there.
    const withDefaults = (table: string, defaults: Record<string, unknown>) =>
      (kept[table] ?? []).map((r) => ({ ...r, ...defaults }));
    // Migration 007 (channels, newer than the fixture) adds its tables empty and is applied now.
    expect(after).toEqual({
      ...kept,
      schedules: withDefaults("schedules", {
        paused: 0,
        tool_name: null,
        tool_params_json: null,
        errors: 0,
        last_error: null,
        last_outcome: null,
      }),
      step_runs: withDefaults("step_runs", { fallback: 0 }),
      webhook_state: withDefaults("webhook_state", { deliveries: 0, last_delivery_at: null }),
      channel_agent_choice: [],
      channel_codes: [],
      channel_seen: [],
      channel_users: [],
      schema_version: [
        ...(before.schema_version ?? []),
        ...orchTrack.map((r) => ({ ...r, version: Number(r.version) + 3 })),
        { version: 7, name: "channels", applied_at: expect.any(Number) },
        { version: 8, name: "parity", applied_at: expect.any(Number) },
      ],
    });
    const fresh = new MeshStore(new Database(":memory:"));
    expect(upgradedSchema).toEqual(schemaOf(fresh.db));
    fresh.close();
  });

  it("then serves the old data through the real app and finishes the run it left pending", async () => {
    const path = copyFixture();
    const old = new Database(path, { readonly: true });
    const rows = dump(old);
    old.close();
    const lastWrite = Math.max(...(rows.audit ?? []).map((r) => Number(r.at)));
    const config = meshConfigSchema.parse(fixture.config);
    mesh = await startMesh(config, {
      dir,
      clock: new ManualClock(lastWrite + 1000),
      masterKey: fixture.master_key,
    });
    const app = mesh.app;
    const operator = { authorization: `Bearer ${operatorToken(fixture.master_key)}` };
    const get = (url: string, who = "operator") =>
      app.inject({
        url,
        headers:
          who === "operator" ? operator : { authorization: `Bearer ${agentToken(fixture.master_key, who)}` },
        remoteAddress: fixture.addresses[who] ?? "127.0.0.1",
      });

    // Blackboard: the latest value, its history, the tombstone, the key with a TTL.
    expect((await get("/v1/blackboard/context/acme/status")).json()).toMatchObject({
      value: { stage: 3 },
      version: 3,
      updated_by: "scout",
    });
    const versions = (await get("/v1/blackboard-versions/context/acme/status")).json().versions;
    expect(versions.map((v: Row) => [v.version, v.value])).toEqual([
      [3, { stage: 3 }],
      [2, { stage: 2 }],
      [1, { stage: 1 }],
    ]);
    expect((await get("/v1/blackboard/context/old")).statusCode).toBe(404);
    expect((await get("/v1/blackboard/context/acme/lock")).json()).toMatchObject({ value: "held" });

    // Interests and the inbox: every undelivered message is still there for research to pull.
    expect((await get("/v1/watches", "research")).json().watches).toMatchObject([{ prefix: "context/" }]);
    expect((await get("/v1/subscriptions", "research")).json().topics).toEqual(["leads/eu"]);
    const undelivered = (rows.inbox ?? []).filter((r) => r.agent === "research" && r.state !== "delivered");
    const inbox = (await get("/v1/inbox?after=0", "research")).json().messages as Row[];
    expect(inbox.map((m) => m.id)).toEqual(undelivered.map((r) => r.id));
    const status = (await get("/v1/status")).json();
    expect(status.schema_version).toBe(8);
    expect(status.agents.find((a: Row) => a.id === "scout")).toMatchObject({ dead: 1 });

    // Orchestration: schedules, webhook generation, the queued run, and the pending step.
    const schedules = (await get("/v1/schedules")).json().schedules as Row[];
    expect(schedules.map((s) => s.id).sort()).toEqual(
      (rows.schedules ?? []).map((s) => s.id).sort() as string[],
    );
    expect((await get("/v1/webhooks")).json().webhooks).toMatchObject([{ name: "deploy", generation: 2 }]);
    const queued = (await get("/v1/workflow-runs?workflow=per_topic")).json().runs as Row[];
    expect(queued.map((r) => r.status)).toEqual(["running"]);
    const pending = (rows.step_runs ?? []).find((s) => s.step_id === "qualify");
    const runId = String(pending?.run_id);
    const steps = async () =>
      ((await get(`/v1/workflow-runs/${runId}`)).json().steps as Row[]).map((s) => `${s.id}:${s.status}`);
    expect(await steps()).toEqual(["research:succeeded", "qualify:running"]);
    const done = await app.inject({
      method: "POST",
      url: "/v1/workflows/results",
      headers: { authorization: `Bearer ${agentToken(fixture.master_key, "research")}` },
      remoteAddress: fixture.addresses.research,
      payload: { dispatch_key: pending?.dispatch_key, ok: true, result: { qualified: true } },
    });
    expect(done.json()).toMatchObject({ accepted: true, run_id: runId, step_id: "qualify" });
    expect(await steps()).toEqual(["research:succeeded", "qualify:succeeded"]);
    expect((await get(`/v1/workflow-runs/${runId}`)).json().status).toBe("succeeded");

    // The audit log goes on from where it was: old entries kept, new ids after them.
    const audit = (await get("/v1/audit?limit=1000")).json().entries as Row[];
    const oldIds = (rows.audit ?? []).map((r) => r.id);
    expect(audit.map((e) => e.id).slice(0, oldIds.length)).toEqual(oldIds);
  });
});
