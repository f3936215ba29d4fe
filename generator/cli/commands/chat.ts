import { resolve } from "node:path";
import { z } from "zod";
import {
  type CliIo,
  type CommandModule,
  EXIT_FAILURE,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
} from "../io.js";

/** `openlegion chat <agent> [--dir D] [--port P] [-m MESSAGE]`. */
export interface ChatOptions {
  dir: string;
  agent: string;
  port?: number;
  message?: string;
}

const flagsSchema = z.strictObject({
  dir: z.string().default("."),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  message: z.string().min(1).max(100_000).optional(),
});
const AGENT_ID = /^[a-z][a-z0-9-]{0,30}$/;

/** One message, reply streamed to stdout. Exit 1 (with a clear line on stderr) when the agent fails. */
export async function runChatOnce(opts: ChatOptions & { message: string }, io: CliIo): Promise<number> {
  const [{ meshTarget }, { MeshClient }] = await Promise.all([
    import("../../client/target.js"),
    import("../../client/mesh-client.js"),
  ]);
  const client = new MeshClient(await meshTarget(opts.dir, opts.port));
  let streamed = false;
  // Ctrl-C closes the stream at once; the mesh passes the close on to the agent's run and its model call.
  const cancel = new AbortController();
  const onSigint = () => cancel.abort();
  process.once("SIGINT", onSigint);
  let outcome: Awaited<ReturnType<typeof client.chat>>;
  try {
    outcome = await client.chat(opts.agent, opts.message, {
      signal: cancel.signal,
      onEvent: (ev) => {
        if (ev.type === "delta") {
          streamed = true;
          io.stdout(ev.text);
        }
      },
    });
  } catch (error) {
    if (!cancel.signal.aborted) throw error;
    io.stderr(`${streamed ? "\n" : ""}openlegion: reply from ${opts.agent} cancelled\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.off("SIGINT", onSigint);
  }
  if (outcome.ok) {
    io.stdout(`${streamed ? "" : outcome.reply}\n`);
    return EXIT_OK;
  }
  if (streamed) io.stdout("\n");
  io.stderr(
    outcome.budget
      ? `openlegion: budget exceeded for ${opts.agent}: ${outcome.message}\n  raise the budget in config/agents.yaml and run openlegion up, or wait for the next day\n`
      : `openlegion: ${opts.agent} failed: ${outcome.message} (${outcome.code})\n`,
  );
  return EXIT_FAILURE;
}

export const chatCommand: CommandModule = {
  register(program, io, setExit) {
    program
      .command("chat")
      .description("chat with a running agent (the REPL on a terminal; -m for one message)")
      .argument("<agent>", "agent id")
      .option("--dir <dir>", "fleet directory", ".")
      .option("--port <port>", "mesh port (default: mesh.port from mesh.yaml)")
      .option("-m, --message <text>", "send one message, print the streamed reply and exit")
      .action(async (agent: string, flags: unknown) => {
        const parsed = flagsSchema.safeParse(flags);
        if (!parsed.success || !AGENT_ID.test(agent)) {
          io.stderr(
            `chat: ${parsed.success ? `"${agent}" is not an agent id` : (parsed.error.issues[0]?.message ?? "invalid flags")}\n`,
          );
          setExit(EXIT_USAGE);
          return;
        }
        const f = parsed.data;
        const base = { dir: resolve(io.cwd, f.dir), agent, ...(f.port ? { port: f.port } : {}) };
        if (f.message !== undefined) {
          setExit(await runChatOnce({ ...base, message: f.message }, io));
          return;
        }
        if (!io.isTTY) {
          io.stderr("chat: no terminal; pass the message with -m/--message\n");
          setExit(EXIT_USAGE);
          return;
        }
        const { runRepl } = await import("../../repl/session.js");
        setExit(await runRepl(base, io));
      });
  },
};
