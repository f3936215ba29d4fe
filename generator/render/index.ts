/** Public API of the compiler: pure compile/serialize, plus the disk edge used by the CLI. */
export { sha256Hex } from "./canonical.js";
export { type CheckResult, checkRender } from "./check.js";
export { compile, inputDigest } from "./compile.js";
export { type WriteReport, writeRender } from "./disk.js";
export { RenderErrors } from "./errors.js";
export type {
  CompileOptions,
  ComposeFile,
  ComposeModel,
  ComposeNetwork,
  ComposeService,
  StandIn,
} from "./model.js";
export { LABEL } from "./model.js";
export { COMPOSE_FILE, mainOutput, type RenderTarget, STACK_FILE, trackedOutputs } from "./outputs.js";
export { type RenderRunOptions, type RenderRunResult, runRender, subnetsOf } from "./run.js";
export { normalize, parseRendered, serialize, serializeDocument } from "./serialize.js";
export { allocateSubnets, parsePool } from "./subnets.js";
export { compileStack } from "./swarm/compile.js";
export type { StackFile } from "./swarm/model.js";
