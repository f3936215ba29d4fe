import { type CodeOf, errorKinds, OlError } from "../../services/common/errors.js";

const kind = errorKinds("CONFIG", { cli: true });

/** The fleet-config catalog (docs/errors/config.md): one code; `ConfigError` carries every issue. */
export const ConfigErrors = {
  invalid: kind("OL_ERR_CONFIG_INVALID", 400),
};

export type ConfigCode = CodeOf<typeof ConfigErrors>;

/**
 * One problem in one file. `line` and `col` are 1-based; file-level problems (missing, empty, too
 * large, binary) point at 1:1 with an empty `path`.
 */
export interface ConfigIssue {
  /** Relative to the fleet directory, with `/` separators, e.g. `config/agents.yaml`. */
  file: string;
  line: number;
  col: number;
  /** Dotted path of the offending field, e.g. `agents.researcher.modle`; "" for the whole file. */
  path: string;
  message: string;
}

/** What `formatIssue` prints in place of an empty path, so every line has the same shape. */
export const FILE_PATH_LABEL = "(file)";

/** `config/agents.yaml:4:5 agents.researcher.modle: unknown key (did you mean "model"?)` */
export function formatIssue(issue: ConfigIssue): string {
  const path = issue.path === "" ? FILE_PATH_LABEL : issue.path;
  return `${issue.file}:${issue.line}:${issue.col} ${path}: ${issue.message}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by file, line, col, then path and message, without duplicates (deterministic output). */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = formatIssue(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      compareText(a.path, b.path) ||
      compareText(a.message, b.message),
  );
}

/** Every problem of one load, sorted. Exit code 2 in the CLI; status 400 when a service reports it. */
export class ConfigError extends OlError {
  readonly issues: ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const sorted = sortIssues(issues);
    const count = sorted.length;
    const first = sorted[0] ? `: ${formatIssue(sorted[0])}` : "";
    const more = count > 1 ? ` (and ${count - 1} more)` : "";
    super(ConfigErrors.invalid.code, `invalid fleet config${first}${more}`, 400, {
      details: { issues: sorted },
    });
    this.name = "ConfigError";
    this.issues = sorted;
  }
}

export const isConfigError = (value: unknown): value is ConfigError => value instanceof ConfigError;
