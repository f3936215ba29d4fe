import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo, PromptChoice, Prompts } from "../../../generator/cli/io.js";
import { main } from "../../../generator/cli/main.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  isTTY?: boolean;
  prompts?: Prompts;
}

/** Runs the whole CLI in-process with captured output. */
export async function runCli(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    cwd: opts.cwd ?? tmpdir(),
    env: opts.env ?? {},
    isTTY: opts.isTTY ?? false,
    now: () => new Date("2026-01-01T00:00:00Z"),
    ...(opts.prompts ? { prompts: opts.prompts } : {}),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export interface AskedQuestion {
  kind: "select" | "input" | "password" | "confirm";
  message: string;
  choices?: string[];
  default?: string | boolean;
}

/**
 * Prompts that answer from a script, in order, and record what was asked. A validate function
 * given with the question is applied to the scripted answer, like the terminal would.
 */
export function scriptedPrompts(answers: (string | boolean)[]): { prompts: Prompts; asked: AskedQuestion[] } {
  const asked: AskedQuestion[] = [];
  const queue = [...answers];
  const next = (question: AskedQuestion): string | boolean => {
    asked.push(question);
    if (queue.length === 0) throw new Error(`unexpected question: ${question.message}`);
    return queue.shift() as string | boolean;
  };
  const text = (
    q: { message: string; validate?: (v: string) => true | string },
    kind: "input" | "password",
    def?: string,
  ) => {
    const answer = String(next({ kind, message: q.message, ...(def !== undefined ? { default: def } : {}) }));
    const value = answer === "" && def !== undefined ? def : answer;
    const verdict = q.validate?.(value) ?? true;
    if (verdict !== true) throw new Error(`answer rejected: ${verdict}`);
    return Promise.resolve(value);
  };
  const prompts: Prompts = {
    select: <T extends string>(q: { message: string; choices: readonly PromptChoice<T>[]; default?: T }) => {
      const answer = next({ kind: "select", message: q.message, choices: q.choices.map((c) => c.value) });
      const choice = q.choices.find((c) => c.value === answer);
      if (!choice) throw new Error(`${String(answer)} is not a choice of ${q.message}`);
      return Promise.resolve(choice.value);
    },
    input: (q) => text(q, "input", q.default),
    password: (q) => text(q, "password"),
    confirm: (q) =>
      Promise.resolve(
        Boolean(
          next({
            kind: "confirm",
            message: q.message,
            ...(q.default !== undefined ? { default: q.default } : {}),
          }),
        ),
      ),
  };
  return { prompts, asked };
}

const made: string[] = [];

export function tempDir(prefix = "ol-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
