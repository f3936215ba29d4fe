import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { CliIo } from "../cli/io.js";
import { EXIT_OK } from "../cli/io.js";
import { MeshClient } from "../client/mesh-client.js";
import { meshTarget } from "../client/target.js";
import type { DockerHost } from "../docker/host.js";
import { readRendered } from "../docker/rendered.js";
import { ReplController } from "./controller.js";
import { complete, parseLine } from "./parse.js";

export interface ReplOptions {
  dir: string;
  agent?: string;
  port?: number;
  host?: DockerHost;
  /** The terminal; default process.stdin/stdout (the REPL is the one command that owns them). */
  input?: Readable;
  output?: Writable;
}

const HISTORY_FILE = ".openlegion/repl_history";
const HISTORY_MAX = 500;

async function loadHistory(dir: string): Promise<string[]> {
  try {
    const text = await readFile(join(dir, HISTORY_FILE), "utf8");
    return text.split("\n").filter(Boolean).slice(-HISTORY_MAX).reverse();
  } catch {
    return [];
  }
}

async function saveHistory(dir: string, history: readonly string[]): Promise<void> {
  const path = join(dir, HISTORY_FILE);
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, `${[...history].slice(0, HISTORY_MAX).reverse().join("\n")}\n`, { mode: 0o600 });
  } catch {
    // History is a convenience; a read-only directory must not break the REPL.
  }
}

/**
 * The interactive REPL: readline with history and tab completion, replies streamed as they arrive.
 * Ctrl-C while a reply streams cancels that reply; at the prompt it clears the line (twice: leave).
 */
export async function runRepl(opts: ReplOptions, io: CliIo): Promise<number> {
  const client = new MeshClient(await meshTarget(opts.dir, opts.port));
  const agentsOf = async () => [...(await readRendered(opts.dir)).agents.values()].sort();
  let agents = await agentsOf();
  const write = (t: string) => io.stdout(t);
  const controller = new ReplController(
    {
      client,
      write,
      agents: async () => {
        agents = await agentsOf();
        return agents;
      },
      status: async () => {
        const { runStatus } = await import("../cli/commands/status.js");
        await runStatus({ dir: opts.dir, json: false, ...(opts.port ? { port: opts.port } : {}) }, io);
      },
      add: async (name) => addAgent(opts, io, name, ask),
    },
    opts.agent ?? agents[0],
  );
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const rl = createInterface({
    input,
    output,
    terminal: io.isTTY,
    history: await loadHistory(opts.dir),
    historySize: HISTORY_MAX,
    removeHistoryDuplicates: true,
    completer: (line: string) => complete(line, agents),
  });
  const ask = (q: string) => new Promise<string>((resolve) => rl.question(q, resolve));
  let current: AbortController | undefined;
  let lastSigint = 0;
  rl.on("SIGINT", () => {
    if (current) {
      current.abort();
      return;
    }
    if (rl.line.length > 0) {
      rl.write(null, { ctrl: true, name: "u" });
      return;
    }
    const now = Date.now();
    if (now - lastSigint < 2000) rl.close();
    else {
      lastSigint = now;
      write("\n(Ctrl-C again or /quit to leave)\n");
      rl.prompt();
    }
  });
  write(`OpenLegion REPL: ${agents.length} agent(s): ${agents.join(", ")}. /help for commands.\n`);
  rl.setPrompt(controller.prompt);
  rl.prompt();
  let quit = false;
  for await (const line of rl) {
    const cmd = parseLine(line);
    // readline keeps reading while the reply streams (no rl.pause()): that is how it sees Ctrl-C now.
    current = new AbortController();
    const outcome = await controller.handle(cmd, current.signal);
    current = undefined;
    if (outcome === "quit") {
      quit = true;
      break;
    }
    rl.setPrompt(controller.prompt);
    rl.prompt();
  }
  const history = (rl as unknown as { history?: string[] }).history ?? [];
  await saveHistory(opts.dir, history);
  if (quit && io.isTTY) {
    const answer = (await ask("Stop the fleet too? [y/N] ")).trim().toLowerCase();
    rl.close();
    if (answer === "y" || answer === "yes") {
      const { runDown } = await import("../docker/lifecycle.js");
      await runDown({ dir: opts.dir, volumes: false, yes: false }, io, opts.host);
      return EXIT_OK;
    }
  } else rl.close();
  write("bye; the fleet keeps running (openlegion down stops it)\n");
  return EXIT_OK;
}

async function addAgent(
  opts: ReplOptions,
  io: CliIo,
  name: string | undefined,
  ask: (q: string) => Promise<string>,
): Promise<string | undefined> {
  const id = name ?? (await ask("new agent id: ")).trim();
  if (!id) return undefined;
  const role = (await ask(`role of ${id} [assistant]: `)).trim() || "assistant";
  const { runAgentAdd } = await import("../edit/agent-add.js");
  await runAgentAdd(id, { dir: opts.dir, role }, { ...io, isTTY: false });
  const { runUp } = await import("../docker/lifecycle.js");
  await runUp({ dir: opts.dir, render: true, build: "auto", timeoutS: 180 }, io, opts.host);
  return id;
}
