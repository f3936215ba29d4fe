import Database from "better-sqlite3";
import type { Migration } from "../../common/sqlite/migrate.js";
import { applySync, type SyncMode } from "../../common/sqlite/sync.js";
import { AuditRepo } from "./audit-repo.js";
import { BlackboardRepo } from "./blackboard-repo.js";
import { Checkpointer } from "./checkpointer.js";
import { GroupCommit } from "./group-commit.js";
import { InboxRepo } from "./inbox-repo.js";
import { InterestRepo } from "./interest-repo.js";
import { MIGRATIONS, migrate } from "./migrations/index.js";

export interface StoreOptions {
  /**
   * `full` (default): every commit is fsynced before it is acknowledged; group commit (store/
   * group-commit.ts) shares that fsync between the writes of one event-loop turn. `normal` is the
   * explicit opt-out (common/sqlite/sync.ts, docs/decisions/reliability.md).
   */
  synchronous?: SyncMode;
  migrations?: readonly Migration[];
}

/**
 * The mesh's one database (STYLE.md "SQLite"): pragmas and migrations here, every statement prepared
 * once in the repos' constructors. better-sqlite3 is synchronous, so a `transaction()` is atomic with
 * respect to the event loop and is committed before the handler acknowledges.
 */
export class MeshStore {
  readonly blackboard: BlackboardRepo;
  readonly inbox: InboxRepo;
  readonly subscriptions: InterestRepo;
  readonly watches: InterestRepo;
  readonly audit: AuditRepo;
  readonly schemaVersion: number;

  readonly db: Database.Database;
  readonly #commits: GroupCommit;
  #checkpointer: Checkpointer | undefined;

  constructor(db: Database.Database, options: StoreOptions = {}) {
    this.db = db;
    if (db.name !== ":memory:") db.pragma("journal_mode = WAL");
    applySync(db, options.synchronous);
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    db.pragma("cache_size = -65536"); // 64 MiB of page cache (default 2 MiB)
    db.pragma("temp_store = MEMORY");
    this.schemaVersion = migrate(db, options.migrations ?? MIGRATIONS);
    this.blackboard = new BlackboardRepo(db);
    this.inbox = new InboxRepo(db);
    this.subscriptions = new InterestRepo(db, "subscriptions");
    this.watches = new InterestRepo(db, "watches");
    this.audit = new AuditRepo(db);
    // Under FULL (the default) the batch's fsync runs in the thread pool (store/group-commit.ts).
    const full = (options.synchronous ?? "full") === "full" && db.name !== ":memory:";
    this.#commits = new GroupCommit(db, full ? { walFile: `${db.name}-wal` } : {});
  }

  /** Opens a file database; WAL checkpoints then run in a worker thread (store/checkpointer.ts). */
  static open(path: string, options: StoreOptions = {}): MeshStore {
    const store = new MeshStore(new Database(path), options);
    if (path !== ":memory:") store.#checkpointer = new Checkpointer(store.db);
    return store;
  }

  /** Runs `fn` in one IMMEDIATE transaction, committed when this returns (nests as a savepoint). */
  transaction<T>(fn: () => T): T {
    return this.#commits.transaction(fn);
  }

  /** Group commit for hot write paths: see store/group-commit.ts. */
  write<T>(fn: () => T): Promise<T> {
    return this.#commits.write(fn);
  }

  /** Resolves once the open write batch (if any) is committed; undefined when none is open. */
  settled(): Promise<void> | undefined {
    return this.#commits.settled();
  }

  /** A blackboard key written in the open batch: reads of it wait for the commit (store/group-commit.ts). */
  markDirty(key: string): void {
    this.#commits.markDirty(key);
  }

  isDirty(key: string, prefix = false): boolean {
    return this.#commits.isDirty(key, prefix);
  }

  /** Commits the open write batch now. */
  flush(): void {
    this.#commits.flush();
  }

  close(): void {
    if (this.db.open) this.#commits.close();
    this.#checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
