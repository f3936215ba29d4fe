import { compareAscii } from "../../services/common/canonical-json.js";
import { GENERATED_ROOT } from "./generated.js";
import type { ComposeModel } from "./model.js";
import { serialize, serializeDocument } from "./serialize.js";
import { compileStack } from "./swarm/compile.js";

export const COMPOSE_FILE = "docker-compose.yml";
/** The Swarm target's stack file (`render --target swarm`, `docker stack deploy -c`). */
export const STACK_FILE = "docker-stack.yml";
export type RenderTarget = "compose" | "swarm";

/** The target's main file: name and text. */
export function mainOutput(model: ComposeModel, target: RenderTarget = "compose"): [string, string] {
  if (target === "compose") return [COMPOSE_FILE, serialize(model)];
  return [STACK_FILE, serializeDocument(model, compileStack(model), { headerFlags: " --target swarm" })];
}

/** File names render may create inside compose/<service>/ (and so may delete when stale). */
export const GENERATED_NAMES = new Set(["config.json", "manifest.json", "system_prompt.md", "PROJECT.md"]);
/** Workspace seeds render may create inside compose/agent-<id>/workspace/ (render/workspace-seed.ts). */
export const GENERATED_SEEDS = new Set(["AGENTS.md", "SOUL.md", "USER.md", "MEMORY.md", "HEARTBEAT.md"]);
export const SEEDS_DIR = "workspace";
/** Service directories render owns under compose/. */
export const GENERATED_DIR = /^(mesh|egress-proxy|agent-[a-z][a-z0-9-]{0,30})$/;
/** Secret file names render owns under .openlegion/secrets/. */
export const SECRET_NAME =
  /^(master_key|(?:agent|mesh)_token_[a-z][a-z0-9-]{0,30}|cred_[a-z][a-z0-9_]{0,127})$/;

/** Every tracked (committed) output: the target's main file plus compose/…, path → text, sorted. */
export function trackedOutputs(model: ComposeModel, target: RenderTarget = "compose"): Map<string, string> {
  const out = new Map<string, string>([mainOutput(model, target)]);
  for (const [path, text] of model.files) out.set(path, text);
  return new Map([...out.entries()].sort(([a], [b]) => compareAscii(a, b)));
}

/** Is `path` (relative, `/`-separated) a file render generates? Used to find stale files safely. */
export function isGeneratedPath(path: string): boolean {
  const parts = path.split("/");
  if (parts[0] !== GENERATED_ROOT || !GENERATED_DIR.test(parts[1] ?? "")) return false;
  if (parts.length === 3) return GENERATED_NAMES.has(parts[2]!);
  return (
    parts.length === 4 &&
    parts[1]!.startsWith("agent-") &&
    parts[2] === SEEDS_DIR &&
    GENERATED_SEEDS.has(parts[3]!)
  );
}
