import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTempDirs, tempDir } from "../../unit/cli/helpers.js";

const run = promisify(execFile);
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(REPO, "bin/openlegion.js");

/** Runs the built CLI as a user would; resolves with the exit code instead of throwing. */
async function openlegion(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

beforeAll(async () => {
  // The package's own build: tsc to dist/, which bin/openlegion.js imports.
  await run("npm", ["run", "build"], { cwd: REPO, timeout: 120_000 });
}, 180_000);
afterAll(cleanupTempDirs);

describe("the built openlegion binary", () => {
  it("--help lists the commands and exits 0", async () => {
    const { code, stdout } = await openlegion(["--help"]);
    expect(code).toBe(0);
    for (const name of [
      "init|setup",
      "validate",
      "up|start",
      "down|stop",
      "agent",
      "channels",
      "workflow",
      "version",
    ]) {
      expect(stdout).toContain(`  ${name} `);
    }
  });

  it("exits 2 on an unknown command and on an unknown channel", async () => {
    expect((await openlegion(["nope"])).code).toBe(2);
    const channels = await openlegion(["channels", "add", "irc", "--token-env", "T"], { T: "x" });
    expect(channels.code).toBe(2);
    expect(channels.stderr).toBe('openlegion: unknown channel "irc" (telegram|discord|slack|whatsapp)\n');
  });

  it("init --yes, then validate and agent list, end to end", async () => {
    const dir = tempDir();
    const init = await openlegion(["init", dir, "--template", "devteam", "--yes", "--api-key-env", "K"], {
      K: "sk-e2e-key-123",
    });
    expect(init.code).toBe(0);
    expect(init.stdout + init.stderr).not.toContain("sk-e2e-key-123");
    expect(statSync(join(dir, ".env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, ".env"), "utf8")).toContain(
      "OPENLEGION_CRED_OPENAI_API_KEY=sk-e2e-key-123\n",
    );
    const validate = await openlegion(["validate", dir]);
    expect(validate.code, validate.stderr).toBe(0);
    const list = await openlegion(["agent", "list", "--dir", dir, "--json"]);
    expect(JSON.parse(list.stdout).map((r: { id: string }) => r.id)).toEqual(["engineer", "pm", "reviewer"]);
  });

  it("without a terminal, init without --yes exits 2", async () => {
    const { code, stderr } = await openlegion(["init", join(tempDir(), "x")]);
    expect(code).toBe(2);
    expect(stderr).toContain("pass --yes");
  });
});
