import type { AgentConfig } from "./agents.js";
import type { EnvFile } from "./env.js";
import type { MeshFile } from "./mesh.js";
import type { AgentPermissions } from "./permissions.js";
import type { WatcherConfig } from "./watchers.js";
import type { WorkflowConfig } from "./workflows.js";

/** An agent after defaults from mesh.yaml are applied: model, max_tokens and temperature are always set. */
export type ResolvedAgent = AgentConfig & {
  id: string;
  model: string;
  max_tokens: number;
  temperature: number;
  permissions: AgentPermissions;
};

/**
 * A whole fleet, loaded, validated and cross-checked. This is the one input of the compiler.
 * Maps are sorted by id so everything downstream is deterministic regardless of file order.
 */
export interface FleetConfig {
  agents: ResolvedAgent[];
  mesh: MeshFile;
  workflows: WorkflowConfig[];
  watchers: WatcherConfig[];
  /** `.env`, when present (render needs it; validate does not). */
  env: EnvFile | undefined;
  /** Contents of PROJECT.md, or "" when absent. */
  project: string;
}
