import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadAgentConfig } from "../../../services/agent/config/load.js";
import { AGENT_TOKEN, MESH_TOKEN, manifest } from "./helpers.js";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("agent config: MCP secret env", () => {
  it("reads each server's secret env from the secret files the manifest names", async () => {
    dir = await mkdtemp(join(tmpdir(), "ol-agent-cfg-"));
    const server = { name: "github", command: "gh-mcp", args: [], env: {}, timeout_s: 60 };
    const m = manifest({ mcp_servers: [{ ...server, secret_env: { GITHUB_TOKEN: "cred_github_pat" } }] });
    await writeFile(join(dir, "manifest.json"), JSON.stringify(m));
    await writeFile(join(dir, "agent_token"), AGENT_TOKEN);
    await writeFile(join(dir, "mesh_token"), MESH_TOKEN);
    await writeFile(join(dir, "cred_github_pat"), "ghp-secret\n");
    const env = { OPENLEGION_CONFIG_DIR: dir, OPENLEGION_SECRETS_DIR: dir };
    const config = loadAgentConfig(env);
    expect(config.mcpSecretEnv).toEqual({ github: { GITHUB_TOKEN: "ghp-secret" } });
    expect(JSON.stringify(config.manifest)).not.toContain("ghp-secret");
    await rm(join(dir, "cred_github_pat"));
    expect(() => loadAgentConfig(env)).toThrow(/cannot read the cred_github_pat secret of MCP server github/);
  });
});
