/**
 * File watchers by polling (Docker volumes do not deliver inotify events reliably). Pure diff: a file
 * is reported once, when it is stable: the same size and mtime on two consecutive polls. A file that
 * changes after being reported is reported again once it is stable again.
 */
export interface FileStat {
  path: string;
  size: number;
  mtime_ms: number;
}

export interface Known {
  size: number;
  mtime_ms: number;
  reported: boolean;
}

export interface ScanDiff {
  report: FileStat[];
  /** New state per path (files gone from the directory are dropped). */
  state: Map<string, Known>;
}

export function diffScan(previous: ReadonlyMap<string, Known>, current: readonly FileStat[]): ScanDiff {
  const state = new Map<string, Known>();
  const report: FileStat[] = [];
  for (const f of current) {
    const before = previous.get(f.path);
    const same = before !== undefined && before.size === f.size && before.mtime_ms === f.mtime_ms;
    if (same && !before.reported) report.push(f);
    state.set(f.path, { size: f.size, mtime_ms: f.mtime_ms, reported: !!same });
    if (same && before.reported) state.set(f.path, { ...before });
  }
  return { report, state };
}

/** `{filename}` and `{path}` substitution (the seed's message format). */
export function renderMessage(template: string, file: { path: string; filename: string }): string {
  return template.replaceAll("{filename}", file.filename).replaceAll("{path}", file.path);
}
