import type Database from "better-sqlite3";

/** Topic subscriptions and blackboard watches: both are (agent, string) sets with a per-agent count. */
export class InterestRepo {
  readonly #add: Database.Statement<[string, string, number], Database.RunResult>;
  readonly #remove: Database.Statement<[string, string], Database.RunResult>;
  readonly #list: Database.Statement<[string], { value: string; created_at: number }>;
  readonly #count: Database.Statement<[string], { n: number }>;
  readonly #all: Database.Statement<[], { agent: string; value: string }>;
  readonly #byValue: Database.Statement<[string], { agent: string }> | undefined;

  constructor(db: Database.Database, table: "subscriptions" | "watches") {
    const col = table === "subscriptions" ? "topic" : "prefix";
    this.#add = db.prepare(`INSERT OR IGNORE INTO ${table} (agent, ${col}, created_at) VALUES (?, ?, ?)`);
    this.#remove = db.prepare(`DELETE FROM ${table} WHERE agent = ? AND ${col} = ?`);
    this.#list = db.prepare(
      `SELECT ${col} AS value, created_at FROM ${table} WHERE agent = ? ORDER BY ${col}`,
    );
    this.#count = db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE agent = ?`);
    this.#all = db.prepare(`SELECT agent, ${col} AS value FROM ${table}`);
    this.#byValue =
      table === "subscriptions"
        ? db.prepare(`SELECT agent FROM ${table} WHERE ${col} = ? ORDER BY agent`)
        : undefined;
  }

  /** True when newly added. */
  add(agent: string, value: string, now: number): boolean {
    return this.#add.run(agent, value, now).changes === 1;
  }

  remove(agent: string, value: string): boolean {
    return this.#remove.run(agent, value).changes === 1;
  }

  list(agent: string): { value: string; created_at: number }[] {
    return this.#list.all(agent);
  }

  count(agent: string): number {
    return this.#count.get(agent)?.n ?? 0;
  }

  all(): { agent: string; value: string }[] {
    return this.#all.all();
  }

  agentsFor(value: string): string[] {
    return this.#byValue ? this.#byValue.all(value).map((r) => r.agent) : [];
  }
}
