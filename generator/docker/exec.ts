/**
 * The one seam between the CLI and external programs (docker, docker-compose, npm). Commands take an
 * `Exec`; the real one wraps execa, tests may pass a recorder. Never throws for a non-zero exit:
 * callers look at `exitCode` (127 = program not found).
 */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The program could not be started (not installed / not on PATH). */
  notFound: boolean;
}

export interface ExecOptions {
  cwd?: string;
  /** Extra environment on top of the parent's (never secrets: Compose gets those as files). */
  env?: Record<string, string>;
  /** Called with each complete output line as it arrives (both streams), for progress display. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Give the child the terminal (docker logs -f, interactive compose). Output is then not captured. */
  inherit?: boolean;
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Cap on captured output per stream (default 8 MiB); the tail is kept. */
  maxBuffer?: number;
}

export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

const DEFAULT_MAX = 8 * 1024 * 1024;

/** Splits chunks into lines, keeping the unfinished tail for the next chunk. */
export class LineSplitter {
  #rest = "";
  push(chunk: string): string[] {
    const text = this.#rest + chunk;
    const lines = text.split(/\r?\n|\r/);
    this.#rest = lines.pop() ?? "";
    return lines;
  }
  flush(): string[] {
    const rest = this.#rest;
    this.#rest = "";
    return rest === "" ? [] : [rest];
  }
}

/** The real Exec: execa, never rejecting, with line callbacks for live progress. */
export const execaExec: Exec = async (file, args, opts = {}) => {
  const { execa } = await import("execa");
  const max = opts.maxBuffer ?? DEFAULT_MAX;
  const child = execa(file, [...args], {
    reject: false,
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: true,
    stdin: opts.input !== undefined ? "pipe" : opts.inherit ? "inherit" : "ignore",
    stdout: opts.inherit ? "inherit" : "pipe",
    stderr: opts.inherit ? "inherit" : "pipe",
    buffer: false,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const captured = { stdout: "", stderr: "" };
  for (const stream of ["stdout", "stderr"] as const) {
    const readable = child[stream];
    if (!readable) continue;
    const splitter = new LineSplitter();
    readable.setEncoding("utf8");
    readable.on("data", (chunk: string) => {
      captured[stream] += chunk;
      if (captured[stream].length > max) captured[stream] = captured[stream].slice(-max);
      if (opts.onLine) for (const line of splitter.push(chunk)) opts.onLine(line, stream);
    });
    readable.on("end", () => {
      if (opts.onLine) for (const line of splitter.flush()) opts.onLine(line, stream);
    });
  }
  const result = await child;
  const notFound = (result as { code?: string }).code === "ENOENT";
  return {
    exitCode: notFound ? 127 : (result.exitCode ?? (result.isCanceled || result.timedOut ? 130 : 1)),
    stdout: captured.stdout,
    stderr: captured.stderr || (notFound ? `${file}: not found` : ""),
    notFound,
  };
};
