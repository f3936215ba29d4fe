import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { request } from "undici";

/** Flags that let a child run our TypeScript sources from the tree (type transform + `.js`→`.ts` hook). */
export const TS_FLAGS = [
  "--experimental-transform-types",
  "--no-warnings",
  "--import",
  new URL("./ts-resolve.ts", import.meta.url).pathname,
];

export interface Child {
  name: string;
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns a child with its own stdout piped (stderr inherited), killed with us if we die first. */
export function startChild(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  return {
    name,
    process: child,
    async stop(graceMs = 10_000) {
      process.off("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first stdout line that parses as JSON (the child's "ready" message). */
export function firstJsonLine<T>(child: Child, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => reject(new Error(`${child.name}: no ready line`)), timeoutMs);
    const onData = (data: Buffer) => {
      buffer += data.toString();
      for (const line of buffer.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          const value = JSON.parse(line) as T;
          clearTimeout(timer);
          child.process.stdout?.off("data", onData);
          child.process.stdout?.resume();
          resolve(value);
          return;
        } catch {
          // not complete yet
        }
      }
      if (buffer.length > 1_000_000) buffer = buffer.slice(-10_000);
    };
    child.process.stdout?.on("data", onData);
    child.process.once("exit", (code) => reject(new Error(`${child.name} exited with ${code}`)));
  });
}

/** A loopback port that was free a moment ago (the child binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null)
      throw new Error(`${child.name} exited with ${child.process.exitCode}`);
    try {
      const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${child.name}: ${url} did not answer within ${timeoutMs} ms`);
}

/** CPU time (user + system, ms) a child has used so far, from /proc (Linux); undefined elsewhere. */
export function cpuMs(child: Child): number | undefined {
  const pid = child.process.pid;
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (clock ticks).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;
