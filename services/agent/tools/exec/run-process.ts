import { spawn } from "node:child_process";
import { HeadTailBuffer } from "./output-buffer.js";

export interface RunOptions {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Bytes kept per stream (head + tail). */
  outputCap: number;
  signal: AbortSignal;
  /** SIGTERM → grace → SIGKILL. */
  killGraceMs?: number;
}

export interface RunResult {
  exit_code: number | null;
  signal: string | null;
  timed_out: boolean;
  cancelled: boolean;
  stdout: string;
  stderr: string;
  stdout_bytes: number;
  stderr_bytes: number;
  truncated: boolean;
}

/** Signals a whole process group; ESRCH (already gone) is fine. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // group already gone
  }
}

/**
 * Runs `/bin/sh -c command` in its own process group (detached) so a timeout or cancel kills every
 * descendant, not only the shell (research/agent.md §5.1). Resolves on the shell's exit; background
 * children that still hold the pipes are killed with the group right after, so a stray `sleep 60 &`
 * neither hangs the call nor outlives it.
 */
export function runProcess(opts: RunOptions): Promise<RunResult> {
  const grace = opts.killGraceMs ?? 2000;
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", opts.command], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = new HeadTailBuffer(opts.outputCap);
    const err = new HeadTailBuffer(opts.outputCap);
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    let timedOut = false;
    let cancelled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const pid = child.pid;
    const terminate = () => {
      if (pid === undefined) return;
      killGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => killGroup(pid, "SIGKILL"), grace);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, opts.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      terminate();
    };
    opts.signal.addEventListener("abort", onAbort, { once: true });
    if (opts.signal.aborted) onAbort();

    let settled = false;
    const finish = (code: number | null, sig: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal.removeEventListener("abort", onAbort);
      // Whatever is left of the group (background jobs) dies with the call.
      if (pid !== undefined) killGroup(pid, "SIGKILL");
      // Give the pipes a moment to drain what was already written, then stop listening.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({
          exit_code: code,
          signal: sig,
          timed_out: timedOut,
          cancelled,
          stdout: out.text(),
          stderr: err.text(),
          stdout_bytes: out.totalBytes,
          stderr_bytes: err.totalBytes,
          truncated: out.truncated || err.truncated,
        });
      }, 20);
    };
    child.on("exit", finish);
    child.on("error", (e) => {
      err.push(Buffer.from(`spawn failed: ${e.message}`));
      finish(null, null);
    });
  });
}
