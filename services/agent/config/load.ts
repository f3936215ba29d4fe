import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AgentManifest, agentManifestSchema } from "../../common/contracts/agent-manifest.js";
import { type LogFormat, logFormatOf } from "../../common/log.js";
import {
  AGENT_PORT,
  AGENT_TOKEN_SECRET,
  DEFAULT_CONFIG_DIR,
  DEFAULT_SECRETS_DIR,
  MESH_TOKEN_SECRET,
} from "../../common/ports.js";
import { type SyncMode, syncModeOf, syncProblem } from "../../common/sqlite/sync.js";
import { AgentErrors } from "../errors.js";
import { parseModelId } from "../model/resolve.js";
import { WORKSPACE_SEED_FILES } from "../state/workspace-seed.js";

const TOKEN = /^[A-Za-z0-9_-]{16,512}$/;

export interface AgentConfig {
  manifest: AgentManifest;
  systemPrompt: string;
  project: string;
  agentToken: string;
  meshToken: string;
  dataDir: string;
  host: string;
  port: number;
  logLevel: string;
  logFormat?: LogFormat;
  /** First-boot workspace files (file name → text) rendered next to the manifest (state/workspace-seed.ts). */
  workspaceSeed?: Record<string, string>;
  /** Per MCP server: its secret env values, read from the secret files the manifest names. */
  mcpSecretEnv?: Record<string, Record<string, string>>;
  /** SQLite `synchronous` of agent.db and memory.db (common/sqlite/sync.ts). */
  sqliteSync?: SyncMode;
}

function readText(path: string, what: string, optional = false): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    if (optional && code === "ENOENT") return "";
    throw AgentErrors.config(`cannot read ${what} at ${path}: ${code}`);
  }
}

/** The workspace seeds render wrote (an older render wrote none: the agent then seeds nothing). */
function readSeeds(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of WORKSPACE_SEED_FILES) {
    const text = readText(join(dir, file), `the workspace seed ${file}`, true);
    if (text !== "") out[file] = text;
  }
  return out;
}

function readToken(dir: string, name: string): string {
  const value = readText(join(dir, name), `the ${name} secret`).trim();
  // Never echo the value: only its shape is reported.
  if (!TOKEN.test(value))
    throw AgentErrors.config(
      `the ${name} secret in ${dir} is malformed (expected 16-512 base64url characters)`,
    );
  return value;
}

/**
 * Reads everything the agent needs before it listens, and fails with one precise message when the
 * manifest or a secret is missing or malformed. Environment (all optional; no secret ever comes from it):
 *   OPENLEGION_CONFIG_DIR   manifest.json, system_prompt.md, PROJECT.md, workspace/*.md   (default /etc/openlegion)
 *   OPENLEGION_SECRETS_DIR  agent_token, mesh_token                        (default /run/secrets)
 *   OPENLEGION_DATA_DIR     the agent's workspace and agent.db            (default /data)
 *   OPENLEGION_AGENT_HOST   listen address                                (default 0.0.0.0)
 *   OPENLEGION_AGENT_PORT   listen port                                   (default 8400)
 *   OPENLEGION_LOG_LEVEL    fatal … trace                                 (default info)
 *   OPENLEGION_LOG_FORMAT   json or text (human-readable lines)           (default json)
 *   OPENLEGION_SQLITE_SYNC  full | normal                                 (default full)
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv): AgentConfig {
  const configDir = env.OPENLEGION_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const secretsDir = env.OPENLEGION_SECRETS_DIR ?? DEFAULT_SECRETS_DIR;
  const manifestPath = join(configDir, "manifest.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readText(manifestPath, "the agent manifest"));
  } catch (error) {
    if (error instanceof SyntaxError) throw AgentErrors.config(`${manifestPath} is not valid JSON`);
    throw error;
  }
  const parsed = agentManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw AgentErrors.config(`${manifestPath}: ${issues.join("; ")}`);
  }
  const manifest = parsed.data;
  for (const id of [manifest.model, ...manifest.fallback_models]) {
    const { provider } = parseModelId(id);
    if (!(provider in manifest.providers)) {
      throw AgentErrors.config(
        `${manifestPath}: model ${id} names provider "${provider}", which is not in providers`,
      );
    }
  }
  const port = Number(env.OPENLEGION_AGENT_PORT ?? AGENT_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw AgentErrors.config(`OPENLEGION_AGENT_PORT must be a port number`);
  const sqliteSync = syncModeOf(env);
  if (!sqliteSync) throw AgentErrors.config(syncProblem(env));
  return {
    manifest,
    systemPrompt: readText(join(configDir, "system_prompt.md"), "the system prompt", true),
    project: readText(join(configDir, "PROJECT.md"), "PROJECT.md", true),
    workspaceSeed: readSeeds(join(configDir, "workspace")),
    agentToken: readToken(secretsDir, AGENT_TOKEN_SECRET),
    meshToken: readToken(secretsDir, MESH_TOKEN_SECRET),
    dataDir: env.OPENLEGION_DATA_DIR ?? "/data",
    host: env.OPENLEGION_AGENT_HOST ?? "0.0.0.0",
    port,
    logLevel: env.OPENLEGION_LOG_LEVEL ?? "info",
    logFormat: logFormatOf(env.OPENLEGION_LOG_FORMAT),
    mcpSecretEnv: Object.fromEntries(
      manifest.mcp_servers.map((s) => [
        s.name,
        Object.fromEntries(
          Object.entries(s.secret_env).map(([name, file]) => [
            name,
            readText(join(secretsDir, file), `the ${file} secret of MCP server ${s.name}`).replace(
              /\r?\n$/,
              "",
            ),
          ]),
        ),
      ]),
    ),
    sqliteSync,
  };
}
