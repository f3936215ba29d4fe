/**
 * Issue 23 item 4 on real Docker: `openlegion backup` of a RUNNING fleet (online snapshots, the proxy's
 * exclusively locked ledger included), the original fleet deleted with its volumes, then `openlegion
 * restore` into a fresh directory under another Compose project and `up`: conversations, memories,
 * blackboard, schedules, workflow runs and the cost ledger are all back. Subnet pool 10.244.0.0/17 (the fault family uses 10.244.128.0/17).
 * Skipped (with the reason printed) when no Docker daemon answers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messagesOf } from "../helpers/fake-llm.js";
import { cli, docker, dockerReady, uniqueProject } from "../helpers/fleet.js";
import { E2eFleet } from "../helpers/fleet-setup.js";
import { startFaultFleet } from "./fault-fleet.js";

const HAVE_DOCKER = await dockerReady();
if (!HAVE_DOCKER) console.warn("skipping backup/restore e2e: no Docker daemon answers");

/** Copies a service's /data out of its container and opens one database read-only. */
async function dbOf(container: string, file: string, into: string): Promise<Database.Database> {
  mkdirSync(into, { recursive: true });
  await docker(["cp", `${container}:/data/.`, into]);
  return new Database(join(into, file), { readonly: true });
}

describe.skipIf(!HAVE_DOCKER)("backup and restore of a running fleet (real Docker)", () => {
  let fleet: E2eFleet;
  const restoredDir = mkdtempSync(join(tmpdir(), "ole2e-restored-"));
  const restoredProject = uniqueProject();
  const restoredEnv = () => ({ ...fleet.env, COMPOSE_PROJECT_NAME: restoredProject });
  const scratch = mkdtempSync(join(tmpdir(), "ole2e-backup-"));
  const archive = join(scratch, "fleet.tar.gz");
  let restoredUp = false;

  beforeAll(async () => {
    fleet = await startFaultFleet("backup", "10.244.0.0/17");
  }, 600_000);

  afterAll(async () => {
    if (restoredUp) await cli(["down", restoredDir, "--volumes", "--yes"], restoredEnv());
    await fleet?.destroy();
    rmSync(restoredDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }, 300_000);

  it("backs up a running fleet with data in every store, and refuses to restore over a running fleet", async () => {
    // A chat turn that writes the blackboard, saves a memory and sets a schedule; then a workflow run.
    await fleet.fake.script(
      {
        toolCalls: [
          { name: "write_shared_state", args: { key: "context/notes_backup", value: { kept: true } } },
          { name: "memory_save", args: { text: "The backup drill codeword is Tangerine", key: "codeword" } },
          { name: "set_cron", args: { name: "weekly_review", schedule: "every 168h", message: "review" } },
        ],
      },
      { text: "Noted.", usage: { input: 30, output: 5 } },
      { text: '{"summary":"workflow done"}', usage: { input: 20, output: 5 } },
    );
    const chat = await fleet.cli(["chat", "assistant", "--dir", fleet.dir, "-m", "remember the codeword"]);
    expect(chat.code, chat.stderr).toBe(0);
    const run = await fleet.cli(["workflow", "run", "note", "--dir", fleet.dir, "--wait"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const backup = await fleet.cli(["backup", fleet.dir, "--out", archive]);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backup written to .*fleet\.tar\.gz \(4 databases/);
    // The fleet kept running throughout.
    const status = await fleet.cli(["status", fleet.dir, "--json"]);
    expect((JSON.parse(status.stdout) as { healthy: boolean }).healthy).toBe(true);

    const over = await fleet.cli(["restore", archive, "--dir", fleet.dir]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/is running .*stop it with openlegion down first/);
  }, 300_000);

  it("refuses an archive whose contents no longer match the manifest", async () => {
    const bad = join(scratch, "tampered");
    mkdirSync(bad);
    const { execa } = await import("execa");
    await execa("tar", ["-xzf", archive, "-C", bad]);
    writeFileSync(join(bad, "config", "config", "mesh.yaml"), "tampered: true\n");
    await execa("tar", ["-czf", join(scratch, "tampered.tar.gz"), "-C", bad, "."]);
    const r = await cli(["restore", join(scratch, "tampered.tar.gz"), "--dir", restoredDir], restoredEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not match its manifest: config\/config\/mesh\.yaml: checksum differs/);
  });

  it("restores into a fresh directory after the original fleet and its volumes are gone", async () => {
    await fleet.destroy();
    const restore = await cli(["restore", archive, "--dir", restoredDir], restoredEnv());
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const up = await cli(["up", restoredDir, "-d", "--timeout", "240"], restoredEnv());
    restoredUp = true;
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const container = async (svc: string) =>
      (
        await docker([
          "ps",
          "-q",
          "--filter",
          `label=com.docker.compose.project=${restoredProject}`,
          "--filter",
          `label=com.docker.compose.service=${svc}`,
        ])
      ).trim();
    const mesh = await dbOf(await container("mesh"), "mesh.db", join(scratch, "mesh"));
    const proxy = await dbOf(await container("egress-proxy"), "egress-proxy.db", join(scratch, "proxy"));
    const agent = await dbOf(await container("agent-assistant"), "agent.db", join(scratch, "agent"));
    const memory = new Database(join(scratch, "agent", "memory.db"), { readonly: true });
    try {
      const one = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get();
      expect(one(mesh, "SELECT value FROM blackboard WHERE key = 'context/notes_backup'")).toContain("kept");
      expect(one(mesh, "SELECT COUNT(*) FROM schedules WHERE agent = 'assistant'")).toBe(1);
      expect(one(mesh, "SELECT status FROM workflow_runs WHERE workflow_name = 'note'")).toBe("succeeded");
      expect(Number(one(proxy, "SELECT COUNT(*) FROM calls WHERE state = 'settled'"))).toBeGreaterThanOrEqual(
        3,
      );
      expect(
        Number(one(agent, "SELECT COUNT(*) FROM messages WHERE conversation = 'chat'")),
      ).toBeGreaterThanOrEqual(4);
      expect(one(memory, "SELECT text FROM facts WHERE key = 'codeword'")).toContain("Tangerine");
    } finally {
      for (const db of [mesh, proxy, agent, memory]) db.close();
    }

    // And the restored agent carries on the conversation: its model sees the pre-backup turn.
    const restored = new E2eFleet(fleet.providerKey);
    Object.assign(restored, { dir: restoredDir, project: restoredProject, masterKey: fleet.masterKey });
    await restored.locateFake();
    await restored.fake.say("Still Tangerine.");
    const chat = await cli(
      ["chat", "assistant", "--dir", restoredDir, "-m", "what was the codeword?"],
      restoredEnv(),
    );
    expect(chat.code, chat.stderr).toBe(0);
    const last = (await restored.fake.chats()).at(-1);
    expect(JSON.stringify(messagesOf(last!))).toContain("remember the codeword");
  }, 600_000);
});
