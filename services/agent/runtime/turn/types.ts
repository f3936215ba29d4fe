import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { AgentManifest } from "../../../common/contracts/agent-manifest.js";
import type { RunLimits, RunMode } from "../../core/limits.js";
import type { LoopEvent } from "../../loop/run.js";
import type { Spawner } from "../../loop/spawner.js";
import type { SteerQueue } from "../../loop/steer-queue.js";
import type { StepDeps } from "../../loop/step.js";
import type { ConversationMemory, Transcript } from "../../memory/context/conversation.js";
import type { AgentStore } from "../../state/agent-store.js";
import type { Workspace } from "../../state/workspace.js";
import type { MeshClient } from "../../tools/mesh/client.js";
import type { ToolSource } from "../../tools/provider.js";
import type { SystemPromptCache } from "./system-prompt.js";

/** What every turn of one agent shares (built once by the runtime); each step takes the part it uses. */
export interface TurnDeps {
  manifest: AgentManifest;
  dataRoot: string;
  store: AgentStore;
  workspace: Workspace;
  tools: ToolSource;
  prompt: SystemPromptCache;
  spawner: Spawner;
  mesh: MeshClient;
  proxy: Dispatcher;
  step: StepDeps;
  log: Logger;
  memory?: ConversationMemory;
  limits?: RunLimits;
}

/** One turn as the runtime starts it. */
export interface TurnInput {
  mode: RunMode;
  prompt: string;
  from: string;
  steer: SteerQueue;
  signal: AbortSignal;
  onEvent?: (e: LoopEvent) => void;
}

/** A turn in flight: its input and the chat transcript it reads and extends. */
export interface Turn extends TurnInput {
  transcript: Transcript;
}
