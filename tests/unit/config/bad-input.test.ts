import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { formatIssue } from "../../../generator/config/errors.js";
import { MAX_CONFIG_BYTES } from "../../../generator/config/read.js";
import { BAD_CASES, BASE_AGENTS } from "./bad-cases.js";
import { at, cleanupFleets, loadError, makeFleet, snapshotTree } from "./helpers.js";

afterEach(cleanupFleets);

function fleetFor(files: Record<string, string | Uint8Array | { dir: true } | null>): string {
  const present = Object.fromEntries(Object.entries(files).filter(([, v]) => v !== null)) as Record<
    string,
    string | Uint8Array | { dir: true }
  >;
  const root = makeFleet({ "config/agents.yaml": BASE_AGENTS, ...present });
  for (const [path, content] of Object.entries(files)) if (content === null) rmSync(join(root, path));
  return root;
}

describe("bad input: each case is one precise issue (file:line:col path: message), nothing written", () => {
  test("there are at least 45 cases", () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(45);
  });

  test.each(BAD_CASES.map((c) => [c.name, c] as const))("%s", async (_, badCase) => {
    // Given a fleet with one kind of mistake
    const root = fleetFor(badCase.files);
    const before = snapshotTree(root);
    // When it is loaded
    const error = await loadError(root, { requireEnv: badCase.requireEnv ?? false });
    // Then exactly the expected issues are reported, at the expected places
    expect(error.code).toBe("OL_ERR_CONFIG_INVALID");
    expect(error.issues.map(at)).toEqual(badCase.expect.map(([location]) => location));
    badCase.expect.forEach(([, fragment], i) => {
      expect(error.issues[i]?.message).toContain(fragment);
    });
    // And every printed line has the documented shape, and nothing was written
    for (const issue of error.issues) expect(formatIssue(issue)).toMatch(/^[^\s:]+:\d+:\d+ \S+: .+$/);
    expect(snapshotTree(root)).toBe(before);
  });
});

describe("bad input: sizes", () => {
  test("a 10 MB agents.yaml is refused from its size alone, before it is read or parsed", async () => {
    // Given a 10 MB file whose content would be a YAML syntax error and binary garbage if it were read
    const root = makeFleet({ config: { dir: true } });
    writeFileSync(join(root, "config/agents.yaml"), Buffer.alloc(10 * 1024 * 1024, 0));
    const before = snapshotTree(root);
    // When the fleet is loaded
    const error = await loadError(root);
    // Then the only issue is the size (not "binary" or a syntax error: the bytes were never looked at)
    expect(error.issues).toEqual([
      {
        file: "config/agents.yaml",
        line: 1,
        col: 1,
        path: "",
        message: "file is too large (10.0 MiB); config files are limited to 1.0 MiB",
      },
    ]);
    expect(snapshotTree(root)).toBe(before);
  });

  test("a file of exactly 1 MiB is still read", async () => {
    const padding = `# ${"x".repeat(MAX_CONFIG_BYTES - BASE_AGENTS.length - 3)}\n`;
    const root = makeFleet({ "config/agents.yaml": BASE_AGENTS + padding });
    const { loadFleet } = await import("../../../generator/config/load.js");
    const fleet = await loadFleet(root);
    expect(fleet.agents.map((a) => a.id)).toEqual(["researcher", "writer"]);
  });
});

describe("bad input: many mistakes in one run", () => {
  test("all problems across files are reported together, sorted by file, line and column", async () => {
    // Given mistakes in four files, written in an order that is not the sorted one
    const root = makeFleet({
      "config/agents.yaml":
        "agents:\n  writer:\n    modle: x\n  researcher:\n    resources:\n      cpu_limit: 0\n",
      "config/permissions.json": '{\n  "ghost": {},\n  "writer": { "can_message": ["writer"] }\n}\n',
      "config/workflows/flow.yaml": "name: flow\nsteps:\n  - id: a\n    agent: writer\n    depends_on: [a]\n",
      ".env": "OPENLEGION_MASTER_KEY=short\n",
    });
    // When it is loaded
    const error = await loadError(root);
    // Then every one of them is reported, in order
    expect(error.issues.map(formatIssue)).toEqual([
      ".env:1:23 OPENLEGION_MASTER_KEY: OPENLEGION_MASTER_KEY must be at least 32 random bytes in base64url (run `openlegion init` or `openssl rand -base64 32 | tr '+/' '-_'`)",
      'config/agents.yaml:3:5 agents.writer.modle: unknown key (did you mean "model"?)',
      "config/agents.yaml:6:18 agents.researcher.resources.cpu_limit: cpu_limit must be greater than 0",
      'config/permissions.json:2:3 ghost: unknown agent "ghost" (not defined in config/agents.yaml)',
      "config/permissions.json:3:31 writer.can_message.0: an agent cannot be granted messaging to itself",
      'config/workflows/flow.yaml:5:18 steps.0.depends_on.0: step "a" depends on itself',
    ]);
    // And the error message names the first of them and the count of the rest
    expect(error.message).toContain("(and 5 more)");
  });

  test("no message ever contains a secret value from .env", async () => {
    const secret = "c2VjcmV0LXNlY3JldA";
    const root = makeFleet({
      "config/agents.yaml": BASE_AGENTS,
      ".env": `OPENLEGION_MASTER_KEY=${secret}\nOPENLEGION_LOG_FORMAT=${secret}\n`,
    });
    const error = await loadError(root);
    expect(error.issues).toHaveLength(2);
    expect(JSON.stringify(error.issues)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
  });
});
