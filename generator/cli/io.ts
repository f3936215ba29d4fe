import type { Command } from "commander";

/**
 * Everything a command touches outside its arguments. Only bin/main reads `process.*`; tests pass
 * their own `CliIo` and capture output (STYLE.md: CLI commands).
 */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** True when stdin and stdout are a terminal (interactive prompts allowed). */
  isTTY: boolean;
  /** `--no-color` was given (see cli/colour.ts for the other reasons colour is off). */
  noColor?: boolean;
  now: () => Date;
  /**
   * Interactive questions (init, agent add, channels add). Absent: the real @inquirer/prompts,
   * loaded lazily. Tests pass scripted answers here; nothing else may read stdin.
   */
  prompts?: Prompts;
}

export interface PromptChoice<T extends string> {
  value: T;
  name?: string;
  description?: string;
}

/** The one seam for interactive input. Each call asks one question and resolves with the answer. */
export interface Prompts {
  select<T extends string>(q: {
    message: string;
    choices: readonly PromptChoice<T>[];
    default?: T;
  }): Promise<T>;
  input(q: {
    message: string;
    default?: string;
    validate?: (value: string) => true | string;
  }): Promise<string>;
  /** Hidden input (API keys): never echoed. */
  password(q: { message: string; validate?: (value: string) => true | string }): Promise<string>;
  confirm(q: { message: string; default?: boolean }): Promise<boolean>;
}

/** Exit codes (ARCHITECTURE.md §9): 0 ok, 1 failure, 2 bad config or usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by the user (Ctrl-C): 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * One file per command under generator/cli/commands/, each exporting a `CommandModule`. The action
 * sets `process.exitCode` through `setExit`, never calls process.exit, and lazy-imports heavy code.
 */
export interface CommandModule {
  register(program: Command, io: CliIo, setExit: (code: number) => void): void;
}
