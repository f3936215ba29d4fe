import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { runRender } from "../../../generator/render/index.js";
import { removeDir } from "../../fixtures/render/cli.js";
import { makeFleet, threeAgents } from "../../fixtures/render/fleet.js";

/** Strings YAML 1.1 (PyYAML, docker-compose v1) would retype, and strings Compose would interpolate. */
const TRICKY = [
  "on",
  "yes",
  "no",
  "y",
  "n",
  "off",
  "true",
  "False",
  "0755",
  "1:30",
  "190:20:30",
  "~",
  "null",
  "1e3",
  "0x1F",
  "=",
  "<<",
  "1_000",
  ".inf",
  ".NaN",
  "2001-01-01",
  "+1",
  "-0",
  "0b101",
  " lead",
  "trail ",
  "multi\nline",
  "costs $5",
  "$HOME",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal Compose interpolation, on purpose
  "${X}",
  "$$",
  "pa$word",
  "$",
  "#hash",
  "key: value",
  "- dash",
  "[a]",
  "{b}",
  "*alias",
  "&anchor",
  "!tag",
  "%x",
  "@at",
  "`tick`",
  "'q'",
  '"dq"',
  "",
  "0.5",
  "1000:1000",
];

const hasDockerCompose = await execa("docker-compose", ["version", "--short"]).then(
  () => true,
  () => false,
);
if (!hasDockerCompose)
  console.warn("docker-compose round trip skipped: docker-compose (v1) is not installed");
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});

async function rendered(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "ol-roundtrip-"));
  dirs.push(dir);
  const input = threeAgents();
  const env = Object.fromEntries(TRICKY.map((v, i) => [`V${i}`, v]));
  (input.agents as { agents: Record<string, Record<string, unknown>> }).agents.writer!.env = env;
  await runRender(makeFleet(input), { dir, toolVersion: "0.1.0" });
  return dir;
}

describe.skipIf(!hasDockerCompose)("docker-compose v1 reads the rendered file as written", () => {
  it("keeps every retypable string and every $ unchanged, with nothing on stderr", async () => {
    const dir = await rendered();
    const result = await execa("docker-compose", ["-f", "docker-compose.yml", "config"], {
      cwd: dir,
      env: { HOME: "/nonexistent-home", X: "interpolated", PATH: process.env.PATH ?? "" },
      extendEnv: false,
    });
    expect(result.stderr).toBe("");
    // Read the output with PyYAML itself (the parser docker-compose uses), not a JS approximation.
    const asJson = await execa(
      "python3",
      ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"],
      {
        input: result.stdout,
      },
    );
    const config = JSON.parse(asJson.stdout) as {
      services: Record<string, { environment: Record<string, unknown> }>;
    };
    const env = config.services["agent-writer"]!.environment;
    // `config` prints values re-escaped ($ → $$) exactly as it would need them on input; what the
    // container gets is the unescaped text, which must equal what the user wrote.
    TRICKY.forEach((value, i) => {
      expect(typeof env[`V${i}`], `V${i}=${JSON.stringify(value)}`).toBe("string");
      expect(String(env[`V${i}`]).replaceAll("$$", "$"), `V${i}`).toBe(value);
    });
  });

  it("passes `docker-compose config -q` and dclint with no errors or warnings", async () => {
    const dir = await rendered();
    const quiet = await execa("docker-compose", ["config", "-q"], { cwd: dir });
    expect(quiet.stderr).toBe("");
    const dclint = await execa(
      join(import.meta.dirname, "../../../node_modules/.bin/dclint"),
      ["-c", join(import.meta.dirname, "../../fixtures/render/dclintrc.json"), "docker-compose.yml"],
      { cwd: dir, reject: false },
    );
    expect(dclint.exitCode, dclint.stdout + dclint.stderr).toBe(0);
    expect(dclint.stdout).not.toMatch(/warning|error/);
  });
});
