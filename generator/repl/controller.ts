import type { MeshClient } from "../client/mesh-client.js";
import { formatCosts } from "../docker/status.js";
import { formatTable } from "../docker/table.js";
import { HELP, type ReplCommand } from "./parse.js";

/** What the REPL does with a parsed command. Side effects outside the mesh are passed in. */
export interface ControllerDeps {
  client: MeshClient;
  write: (text: string) => void;
  /** Known agent ids (refreshed after /add). */
  agents: () => Promise<string[]>;
  /** /status: the full `openlegion status` table. */
  status: () => Promise<void>;
  /** /add: edit config, render and hot-start the new agent. */
  add: (name: string | undefined) => Promise<string | undefined>;
}

export type Outcome = "continue" | "quit";

export class ReplController {
  active: string | undefined;
  readonly #deps: ControllerDeps;

  constructor(deps: ControllerDeps, active: string | undefined) {
    this.#deps = deps;
    this.active = active;
  }

  get prompt(): string {
    return `${this.active ?? "openlegion"}> `;
  }

  /** Runs one command. `signal` aborts a streaming reply (Ctrl-C). Errors are printed, never thrown. */
  async handle(cmd: ReplCommand, signal?: AbortSignal): Promise<Outcome> {
    const w = this.#deps.write;
    try {
      switch (cmd.kind) {
        case "empty":
          return "continue";
        case "error":
          w(`${cmd.message}\n`);
          return "continue";
        case "help":
          w(HELP);
          return "continue";
        case "quit":
          return "quit";
        case "use":
          if (await this.#known(cmd.agent)) {
            this.active = cmd.agent;
            w(`now talking to ${cmd.agent}\n`);
          }
          return "continue";
        case "agents": {
          const { agents } = await this.#deps.client.status();
          w(
            formatTable(
              ["AGENT", "ROLE", "HEALTH", "QUEUE"],
              agents.map((a) => [
                `${a.id === this.active ? "*" : " "}${a.id}`,
                a.role,
                a.health,
                String(a.pending),
              ]),
            ),
          );
          return "continue";
        }
        case "status":
          await this.#deps.status();
          return "continue";
        case "costs":
          w(formatCosts(await this.#deps.client.costs("today")));
          return "continue";
        case "broadcast": {
          const r = await this.#deps.client.broadcast(cmd.text);
          w(
            `queued for ${r.delivered.join(", ") || "nobody"}${r.rejected.length ? `; inbox full: ${r.rejected.join(", ")}` : ""}\n`,
          );
          return "continue";
        }
        case "reset": {
          const agent = cmd.agent ?? this.active;
          if (!agent) {
            w("no active agent: /use <agent> first\n");
            return "continue";
          }
          await this.#deps.client.reset(agent);
          w(`conversation with ${agent} cleared\n`);
          return "continue";
        }
        case "add": {
          const added = await this.#deps.add(cmd.name);
          if (added) {
            this.active = added;
            w(`${added} is up; now talking to it\n`);
          }
          return "continue";
        }
        case "chat":
          await this.#chat(cmd.agent ?? this.active, cmd.text, signal);
          return "continue";
      }
    } catch (error) {
      w(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      return "continue";
    }
  }

  async #known(agent: string): Promise<boolean> {
    const agents = await this.#deps.agents();
    if (agents.includes(agent)) return true;
    this.#deps.write(`no agent "${agent}"; agents: ${agents.join(", ")}\n`);
    return false;
  }

  async #chat(agent: string | undefined, text: string, signal?: AbortSignal): Promise<void> {
    const w = this.#deps.write;
    if (!agent) {
      w("no active agent: @agent <message> or /use <agent>\n");
      return;
    }
    if (!(await this.#known(agent))) return;
    this.active = agent;
    let streamed = false;
    try {
      const outcome = await this.#deps.client.chat(agent, text, {
        ...(signal ? { signal } : {}),
        onEvent: (ev) => {
          if (ev.type === "delta") {
            if (!streamed) w(`${agent}: `);
            streamed = true;
            w(ev.text);
          } else if (ev.type === "tool" && ev.status !== "end") {
            w(`${streamed ? "\n" : ""}  [${ev.name} ${ev.status === "start" ? "…" : "failed"}]\n`);
            streamed = false;
          }
        },
      });
      if (outcome.ok) {
        if (!streamed) w(`${agent}: ${outcome.reply}`);
        w("\n");
      } else if (outcome.budget) {
        w(
          `${streamed ? "\n" : ""}✗ budget exceeded for ${agent}: ${outcome.message}\n  raise budget in config/agents.yaml, then openlegion up (or wait for the next day)\n`,
        );
      } else {
        w(`${streamed ? "\n" : ""}✗ ${agent}: ${outcome.message} (${outcome.code})\n`);
      }
    } catch (error) {
      if (signal?.aborted) {
        w(`${streamed ? "\n" : ""}(reply cancelled)\n`);
        return;
      }
      throw error;
    }
  }
}
