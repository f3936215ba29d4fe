import type Database from "better-sqlite3";

/**
 * Group commit (docs/decisions/mesh.md "Group commit for blackboard writes"). A commit costs the same
 * syscalls whether it carries one write or twenty, so the hot write path shares commits: `write(fn)`
 * runs `fn` at once inside a batch transaction, in its own savepoint (a failing `fn` undoes only its own
 * work and throws to its own caller), and resolves once the batch commits, at the end of the current
 * event-loop turn (setImmediate). Nothing is acknowledged before that commit:
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
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a failed commit is reported through each write's own promise
  return { promise, resolve, reject };
}

export class GroupCommit {
  readonly #db: Database.Database;
  readonly #run: Database.Transaction<(fn: () => unknown) => unknown>;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  #batch: Batch | undefined;
  /** Blackboard keys written in the open batch (cleared when it commits or rolls back). */
  readonly #dirty = new Set<string>();
  /** >0 while a `write`/`transaction` callback runs: nested calls join it as savepoints. */
  #depth = 0;

  constructor(db: Database.Database) {
    this.#db = db;
    // One wrapper, reused (better-sqlite3 builds a new one per db.transaction(fn) call). Called while a
    // transaction is open, it uses a savepoint.
    this.#run = db.transaction((fn: () => unknown) => fn());
    this.#begin = db.prepare("BEGIN IMMEDIATE");
    this.#commit = db.prepare("COMMIT");
    this.#rollback = db.prepare("ROLLBACK");
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

  /** Runs `fn` now in the shared batch; resolves with its result once the batch has committed. */
  write<T>(fn: () => T): Promise<T> {
    if (this.#depth > 0) return Promise.resolve(this.transaction(fn));
    if (!this.#batch) {
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
    if (this.#batch) this.#dirty.add(key);
  }

  /** Whether `key` (or, with `prefix`, any key under it) was written in the open batch. */
  isDirty(key: string, prefix = false): boolean {
    if (this.#dirty.size === 0) return false;
    if (!prefix) return this.#dirty.has(key);
    for (const k of this.#dirty) if (k.startsWith(key)) return true;
    return false;
  }

  /** Resolves when the open batch (if any) has committed; undefined when none is open. */
  settled(): Promise<void> | undefined {
    return this.#batch?.promise;
  }

  /** Commits the open batch now (no-op when none is open). */
  flush(): void {
    const batch = this.#batch;
    if (!batch) return;
    this.#batch = undefined;
    this.#dirty.clear();
    try {
      this.#commit.run();
      batch.resolve();
    } catch (error) {
      if (this.#db.inTransaction) this.#rollback.run();
      batch.reject(error);
    }
  }
}
