import { closeSync, fsync, fsyncSync, openSync } from "node:fs";
import type Database from "better-sqlite3";

/**
 * Group commit (docs/decisions/mesh.md "Group commit for blackboard writes"). A commit costs the same
 * syscalls whether it carries one write or twenty, so the hot write path shares commits: `write(fn)`
 * runs `fn` at once inside a batch transaction, in its own savepoint (a failing `fn` undoes only its own
 * work and throws to its own caller), and resolves once the batch commits, at the end of the current
 * event-loop turn (setImmediate), and, under synchronous=FULL, once the WAL fsync that follows it (in the
 * thread pool, GroupCommitOptions.walFile) has returned. Nothing is acknowledged before then:
 *  - every HTTP response waits for `settled()` (an onSend hook in app.ts), including responses that
 *    read data written in the open batch;
 *  - `transaction()` outside a running `fn` commits the open batch first, then runs on its own, so its
 *    caller's acknowledgement still follows its own commit.
 * If the batch's COMMIT fails, every waiting `write` rejects (its request answers 500) and the batch is
 * rolled back: the only in-memory effects of a batched write are delivery kicks, which re-read the
 * database, so nothing diverges.
 */
interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** Blackboard keys this batch wrote: dirty until the batch is durable. */
  dirty: Set<string>;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a failed commit is reported through each write's own promise
  return { promise, resolve, reject, dirty: new Set() };
}

export interface GroupCommitOptions {
  /**
   * The connection runs synchronous=FULL and this is its WAL file: a batch then commits with
   * synchronous=NORMAL (no fsync on the event loop) and is acknowledged once fs.fsync of the WAL, in
   * libuv's thread pool, has returned; one fsync covers every batch committed before it started.
   * Durability is FULL's (nothing is acknowledged before its fsync), the event loop never waits on the disk.
   */
  walFile?: string;
}

export class GroupCommit {
  readonly #db: Database.Database;
  readonly #run: Database.Transaction<(fn: () => unknown) => unknown>;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  readonly #normal: Database.Statement;
  readonly #full: Database.Statement;
  readonly #walFile: string | undefined;
  #walFd: number | undefined;
  #batch: Batch | undefined;
  /** Committed batches waiting for the next fsync, and those the fsync in flight covers. */
  #awaiting: Batch[] = [];
  #syncing: Batch[] = [];
  #closed = false;
  /** >0 while a `write`/`transaction` callback runs: nested calls join it as savepoints. */
  #depth = 0;

  constructor(db: Database.Database, options: GroupCommitOptions = {}) {
    this.#db = db;
    // One wrapper, reused (better-sqlite3 builds a new one per db.transaction(fn) call). Called while a
    // transaction is open, it uses a savepoint.
    this.#run = db.transaction((fn: () => unknown) => fn());
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
    this.#normal = db.prepare("PRAGMA synchronous = NORMAL");
    this.#full = db.prepare("PRAGMA synchronous = FULL");
    this.#walFile = options.walFile;
  }

  /** Runs `fn` in its own IMMEDIATE transaction, committed before this returns (nests as a savepoint). */
  transaction<T>(fn: () => T): T {
    if (this.#depth === 0) this.flush();
    this.#depth++;
    try {
      return (this.#db.inTransaction ? this.#run(fn) : this.#run.immediate(fn)) as T;
    } finally {
      this.#depth--;
    }
  }

  /** Runs `fn` now in the shared batch; resolves with its result once the batch is committed and durable. */
  write<T>(fn: () => T): Promise<T> {
    if (this.#depth > 0) return Promise.resolve(this.transaction(fn));
    if (!this.#batch) {
      // The safety level can only change outside a transaction: the batch's COMMIT will not fsync.
      if (this.#walFile) this.#normal.run();
      this.#begin.run();
      this.#batch = newBatch();
      setImmediate(() => this.flush());
    }
    const batch = this.#batch;
    this.#depth++;
    let result: T;
    try {
      result = this.#run(fn) as T;
    } finally {
      this.#depth--;
    }
    return batch.promise.then(() => result);
  }

  /** Marks `key` as written in the open batch (call from inside a `write` fn). */
  markDirty(key: string): void {
    this.#batch?.dirty.add(key);
  }

  /** Whether `key` (or, with `prefix`, any key under it) was written by a batch not yet durable. */
  isDirty(key: string, prefix = false): boolean {
    for (const batch of this.#pending()) {
      if (batch.dirty.size === 0) continue;
      if (!prefix) {
        if (batch.dirty.has(key)) return true;
        continue;
      }
      for (const k of batch.dirty) if (k.startsWith(key)) return true;
    }
    return false;
  }

  /** Resolves when every batch so far (if any) is durable; undefined when none is pending. */
  settled(): Promise<void> | undefined {
    return (this.#batch ?? this.#awaiting.at(-1) ?? this.#syncing.at(-1))?.promise;
  }

  /** Commits the open batch now (no-op when none is open); its writes resolve after the WAL fsync. */
  flush(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    try {
      this.#commit.run();
    } catch (error) {
      if (this.#db.inTransaction) this.#rollback.run();
      if (this.#walFile) this.#full.run();
      batch.reject(error);
      return;
    }
    if (!this.#walFile) {
      batch.resolve();
      return;
    }
    this.#full.run();
    this.#awaiting.push(batch);
    this.#fsync();
  }

  /** Makes every committed batch durable now (synchronously) and releases the WAL descriptor. */
  close(): void {
    this.flush();
    this.#closed = true;
    if (this.#walFd === undefined) return;
    fsyncSync(this.#walFd);
    for (const batch of [...this.#syncing, ...this.#awaiting]) batch.resolve();
    this.#awaiting = [];
    if (this.#syncing.length === 0) closeSync(this.#walFd);
  }

  *#pending(): Generator<Batch> {
    if (this.#batch) yield this.#batch;
    yield* this.#awaiting;
    yield* this.#syncing;
  }

  /** One fsync at a time; batches committed while it runs wait for the next one. */
  #fsync(): void {
    if (this.#syncing.length > 0 || this.#awaiting.length === 0 || !this.#walFile) return;
    this.#walFd ??= openSync(this.#walFile, "r");
    const fd = this.#walFd;
    this.#syncing = this.#awaiting;
    this.#awaiting = [];
    fsync(fd, (error) => {
      const done = this.#syncing;
      this.#syncing = [];
      for (const batch of done)
        if (error) batch.reject(error);
        else batch.resolve();
      if (this.#closed) closeSync(fd);
      else this.#fsync();
    });
  }
}
