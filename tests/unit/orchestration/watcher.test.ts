import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diffScan, renderMessage } from "../../../services/mesh/modules/orchestration/watcher/scan.js";
import {
  pollOnce,
  type WatcherDef,
  WatcherStore,
} from "../../../services/mesh/modules/orchestration/watcher/watcher.js";
import { migrate } from "../../../services/mesh/store/migrations/index.js";

describe("watcher diff (pure)", () => {
  it("reports a file once, after two equal polls; a growing file waits", () => {
    let state = diffScan(new Map(), [{ path: "/in/a.csv", size: 10, mtime_ms: 1 }]).state;
    let d = diffScan(state, [{ path: "/in/a.csv", size: 20, mtime_ms: 2 }]);
    expect(d.report).toEqual([]);
    d = diffScan(d.state, [{ path: "/in/a.csv", size: 20, mtime_ms: 2 }]);
    expect(d.report.map((f) => f.path)).toEqual(["/in/a.csv"]);
    state = d.state;
    expect(diffScan(state, [{ path: "/in/a.csv", size: 20, mtime_ms: 2 }]).report).toEqual([]);
  });

  it("substitutes {filename} and {path}", () => {
    expect(renderMessage("New: {filename} at {path}", { path: "/in/x.csv", filename: "x.csv" })).toBe(
      "New: x.csv at /in/x.csv",
    );
  });
});

describe("watcher polls (real directory, real SQLite)", () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "watch-"));
    mkdirSync(join(dir, "inbox"));
    db = new Database(join(dir, "state.db"));
    migrate(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("partial write is not reported until stable; restart does not re-report; glob filters", async () => {
    const def: WatcherDef = {
      id: "w0",
      path: join(dir, "inbox"),
      pattern: "*.csv",
      agent: "researcher",
      message: "New prospect list uploaded: {filename}. Begin research.",
      interval_ms: 10,
    };
    const seen: string[] = [];
    const report = (_d: WatcherDef, _f: unknown, msg: string) => seen.push(msg);
    const file = join(dir, "inbox", "leads.csv");
    writeFileSync(file, "a,b\n");
    writeFileSync(join(dir, "inbox", "notes.txt"), "x");
    utimesSync(file, 1000, 1000);
    expect(await pollOnce(def, new WatcherStore(db), report)).toBe(0);
    writeFileSync(file, "a,b\n1,2\n"); // still being written
    utimesSync(file, 1001, 1001);
    expect(await pollOnce(def, new WatcherStore(db), report)).toBe(0);
    expect(await pollOnce(def, new WatcherStore(db), report)).toBe(1);
    db.close();
    db = new Database(join(dir, "state.db"));
    expect(await pollOnce(def, new WatcherStore(db), report)).toBe(0);
    expect(seen).toEqual(["New prospect list uploaded: leads.csv. Begin research."]);
  });
});
