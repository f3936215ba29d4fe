import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { dockerReady } from "./helpers/fleet.js";

// Issue 18 item 5: the skill sandbox's native module (isolated-vm, installed with --ignore-scripts and
// pruned per image) loads and enforces its limits inside the real agent image, as its own user, with
// a read-only root filesystem and no network. Build the image first: `openlegion build --only agent`.
const IMAGE = "openlegion/agent:0.1.0";
const READY = await dockerReady();
const hasImage =
  READY && (await execa("docker", ["image", "inspect", IMAGE], { reject: false })).exitCode === 0;
if (READY && !hasImage)
  console.warn(`skills image e2e skipped: ${IMAGE} not built (openlegion build --only agent)`);

const SCRIPT = `
import { toJavaScript } from "/app/dist/services/agent/skills/load.js";
import { inspectSkill, runSkill } from "/app/dist/services/agent/skills/sandbox.js";
const ts = toJavaScript(\`export const manifest = { name: "shout", description: "d", input_schema: { type: "object" } };
export async function handler(input: { text: string }): Promise<unknown> { return { text: input.text.toUpperCase() }; }\`, "shout.ts");
const none = { http: async () => null, readScratch: async () => "", writeScratch: async () => "" };
const signal = new AbortController().signal;
const out = { manifest: await inspectSkill(ts, "shout.ts"), result: await runSkill(ts, "shout.ts", { text: "hi" }, none, { timeoutMs: 2000, signal }) };
const spin = "export const manifest = {}; export function handler() { while (true) {} }";
out.spin = await runSkill(spin, "spin.js", {}, none, { timeoutMs: 300, signal }).then(() => "ran", (e) => e.failure?.kind);
const env = "export const manifest = {}; export function handler() { return typeof process + typeof require; }";
out.env = await runSkill(env, "env.js", {}, none, { timeoutMs: 2000, signal });
console.log(JSON.stringify(out));
`;

describe.skipIf(!hasImage)("skills in the real agent image", () => {
  it("the agent's entry point runs without Node's startup snapshot (isolated-vm needs that)", async () => {
    const cmd = JSON.parse(
      String((await execa("docker", ["image", "inspect", IMAGE, "--format", "{{json .Config.Cmd}}"])).stdout),
    );
    expect(cmd).toEqual(["node", "--no-node-snapshot", "dist/services/agent/main.js"]);
  });

  it("loads isolated-vm, strips TypeScript, runs a skill and stops a spinning one", async () => {
    const r = await execa(
      "docker",
      [
        "run",
        "--rm",
        "--read-only",
        "--network",
        "none",
        "--user",
        "1000:1000",
        "--tmpfs",
        "/tmp",
        IMAGE,
        "node",
        "--no-node-snapshot",
        "--input-type=module",
        "-e",
        SCRIPT,
      ],
      { reject: false, timeout: 120_000 },
    );
    expect(r.stderr).not.toMatch(/Cannot find module|No native build/);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(String(r.stdout).trim().split("\n").at(-1) ?? "")).toEqual({
      manifest: { name: "shout", description: "d", input_schema: { type: "object" } },
      result: { text: "HI" },
      spin: "timeout",
      env: "undefinedundefined",
    });
  }, 180_000);
});
