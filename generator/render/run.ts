import { join, relative, resolve, sep } from "node:path";
import type { FleetConfig } from "../config/schemas/fleet.js";
import { type CheckResult, checkRender } from "./check.js";
import { compile } from "./compile.js";
import { readIfExistsSync, type WriteReport, writeRender } from "./disk.js";
import { readExtraCa, readTokenGenerations } from "./local-state.js";
import { type ComposeModel, LABEL, type StandIn } from "./model.js";
import { COMPOSE_FILE, type RenderTarget, STACK_FILE } from "./outputs.js";

export interface RenderRunOptions {
  /** The fleet directory (holds config/). */
  dir: string;
  /** Where docker-compose.yml, compose/ and .openlegion/secrets/ go; default `dir`. */
  out?: string;
  /** Compare only: write nothing. */
  check?: boolean;
  toolVersion: string;
  standIn?: StandIn;
  /** compose (docker-compose.yml, the default) or swarm (docker-stack.yml); compose/ is shared. */
  target?: RenderTarget;
}

export interface RenderRunResult {
  model: ComposeModel;
  outDir: string;
  report?: WriteReport;
  check?: CheckResult;
}

/**
 * Agent network subnets of a rendered file (a hint for stable allocation across renders). A line
 * scan as serialize writes the file, not a YAML parse: a 500-agent file is 1 MB and parsing it would
 * double the cost of a re-render. Slot networks (`agent-net-N`) map to agents through the agent
 * service that joins them. A file from before slots (one network per agent, labelled with it) gives {}:
 * its subnets were spread over the whole pool, and keeping them would make mesh and proxy join every
 * slot up to the highest (thousands of networks); its network names change anyway. Anything
 * unrecognised → {}.
 */
const AGENT_LABEL_LINE = new RegExp(`^\\s+${LABEL.agent.replaceAll(".", "\\.")}: '?([a-z][a-z0-9-]*)'?$`);
const SLOT_ITEM_LINE = /^\s+- (agent-net-\d+)$/;

export function subnetsOf(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  const out: Record<string, string> = {};
  const subnetOfNetwork = new Map<string, string>();
  const networkOfAgent = new Map<string, string>();
  let section = "";
  let block = "";
  let subnet: string | undefined;
  let agent: string | undefined;
  let slotNet: string | undefined;
  const flush = () => {
    if (section === "networks" && subnet && !agent) subnetOfNetwork.set(block, subnet);
    if (section === "services" && agent && slotNet) networkOfAgent.set(agent, slotNet);
    subnet = agent = slotNet = undefined;
  };
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) {
      flush();
      section = line.slice(0, -1);
      continue;
    }
    if (section !== "networks" && section !== "services") continue;
    const key = /^ {2}([^\s:]+):$/.exec(line);
    if (key?.[1]) {
      flush();
      block = key[1];
      continue;
    }
    const s = /^\s+- subnet: '?(\d+\.\d+\.\d+\.\d+\/\d+)'?$/.exec(line);
    if (s) subnet = s[1];
    const a = AGENT_LABEL_LINE.exec(line);
    if (a) agent = a[1];
    const n = SLOT_ITEM_LINE.exec(line);
    if (n) slotNet = n[1];
  }
  flush();
  for (const [id, network] of networkOfAgent) {
    const sub = subnetOfNetwork.get(network);
    if (sub) out[id] = sub;
  }
  return out;
}

/** The highest agent slot with a network in a rendered file (0 when none): the block only grows. */
export function topSlotOf(text: string | undefined): number {
  let top = 0;
  for (const m of (text ?? "").matchAll(/^ {2}agent-net-(\d+):$/gm)) top = Math.max(top, Number(m[1]));
  return top;
}

/** Compiles a loaded fleet and writes (or, with `check`, compares) the outputs. */
export async function runRender(fleet: FleetConfig, opts: RenderRunOptions): Promise<RenderRunResult> {
  const outDir = resolve(opts.out ?? opts.dir);
  const base = relative(outDir, resolve(opts.dir)).split(sep).join("/") || ".";
  // Both targets share compose/ (whose mesh config holds the subnets): the same hints, the same allocation.
  const composeText = readIfExistsSync(join(outDir, COMPOSE_FILE));
  const previous = {
    ...subnetsOf(readIfExistsSync(join(outDir, STACK_FILE))),
    ...subnetsOf(composeText),
  };
  const model = compile(fleet, {
    toolVersion: opts.toolVersion,
    tokenGenerations: readTokenGenerations(opts.dir),
    ...readExtraCa(fleet, opts.dir),
    previousSubnets: previous,
    previousTopSlot: topSlotOf(composeText),
    hostPathBase: base,
    ...(opts.standIn ? { standIn: opts.standIn } : {}),
  });
  const target = opts.target ?? "compose";
  if (opts.check) return { model, outDir, check: await checkRender(outDir, model, target) };
  return { model, outDir, report: await writeRender(outDir, model, target) };
}
