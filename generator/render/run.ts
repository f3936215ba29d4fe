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
 * scan of the top-level `networks:` section as serialize writes it, not a YAML parse: a 500-agent
 * file is 1 MB and parsing it would double the cost of a re-render. Anything unrecognised → {}.
 */
const AGENT_LABEL_LINE = new RegExp(`^\\s+${LABEL.agent.replaceAll(".", "\\.")}: '?([a-z][a-z0-9-]*)'?$`);

export function subnetsOf(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  const out: Record<string, string> = {};
  let inNetworks = false;
  let subnet: string | undefined;
  let agent: string | undefined;
  const flush = () => {
    if (subnet && agent) out[agent] = subnet;
    subnet = undefined;
    agent = undefined;
  };
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) {
      flush();
      inNetworks = line === "networks:";
      continue;
    }
    if (!inNetworks) continue;
    if (/^ {2}\S/.test(line)) flush();
    const s = /^\s+- subnet: '?(\d+\.\d+\.\d+\.\d+\/\d+)'?$/.exec(line);
    if (s) subnet = s[1];
    const a = AGENT_LABEL_LINE.exec(line);
    if (a) agent = a[1];
  }
  flush();
  return out;
}

/** Compiles a loaded fleet and writes (or, with `check`, compares) the outputs. */
export async function runRender(fleet: FleetConfig, opts: RenderRunOptions): Promise<RenderRunResult> {
  const outDir = resolve(opts.out ?? opts.dir);
  const base = relative(outDir, resolve(opts.dir)).split(sep).join("/") || ".";
  // Both targets share compose/ (whose mesh config holds the subnets): the same hints, the same allocation.
  const previous = {
    ...subnetsOf(readIfExistsSync(join(outDir, STACK_FILE))),
    ...subnetsOf(readIfExistsSync(join(outDir, COMPOSE_FILE))),
  };
  const model = compile(fleet, {
    toolVersion: opts.toolVersion,
    tokenGenerations: readTokenGenerations(opts.dir),
    ...readExtraCa(fleet, opts.dir),
    previousSubnets: previous,
    hostPathBase: base,
    ...(opts.standIn ? { standIn: opts.standIn } : {}),
  });
  const target = opts.target ?? "compose";
  if (opts.check) return { model, outDir, check: await checkRender(outDir, model, target) };
  return { model, outDir, report: await writeRender(outDir, model, target) };
}
