import Database from "better-sqlite3";
import { AuditRepo } from "./audit-repo.js";
import { BlackboardRepo } from "./blackboard-repo.js";
import { InboxRepo } from "./inbox-repo.js";
import { InterestRepo } from "./interest-repo.js";
import { MIGRATIONS, type Migration, migrate } from "./migrations/index.js";

export interface StoreOptions {
  /** `full` fsyncs the WAL on every commit (survives power loss); `normal` survives process crashes only. */
  synchronous?: "full" | "normal";
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

  constructor(db: Database.Database, options: StoreOptions = {}) {
    this.db = db;
    if (db.name !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    this.schemaVersion = migrate(db, options.migrations ?? MIGRATIONS);
    this.blackboard = new BlackboardRepo(db);
    this.inbox = new InboxRepo(db);
    this.subscriptions = new InterestRepo(db, "subscriptions");
    this.watches = new InterestRepo(db, "watches");
    this.audit = new AuditRepo(db);
  }

  static open(path: string, options: StoreOptions = {}): MeshStore {
    return new MeshStore(new Database(path), options);
  }

  /** Runs `fn` in one IMMEDIATE transaction (nests as a savepoint). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
