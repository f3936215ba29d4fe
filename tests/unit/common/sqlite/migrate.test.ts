import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type Migration, migrate } from "../../../../services/common/sqlite/migrate.js";

const m = (version: number, sql: string): Migration => ({ version, name: `m${version}`, sql });

describe("migrate", () => {
  let db: Database.Database;
  afterEach(() => db.close());

  it("applies pending migrations in version order and records each once", () => {
    db = new Database(":memory:");
    const list = [m(2, "ALTER TABLE t ADD COLUMN b INTEGER"), m(1, "CREATE TABLE t (a INTEGER)")];
    expect(migrate(db, list, { now: () => 42 })).toBe(2);
    expect(migrate(db, list)).toBe(2);
    expect(db.prepare("SELECT version, name, applied_at FROM schema_version ORDER BY version").all()).toEqual(
      [
        { version: 1, name: "m1", applied_at: 42 },
        { version: 2, name: "m2", applied_at: 42 },
      ],
    );
  });

  it("rolls a failing migration back with its version row", () => {
    db = new Database(":memory:");
    const bad = [
      m(1, "CREATE TABLE ok (a INTEGER)"),
      m(2, "CREATE TABLE half (a INTEGER); SELECT * FROM missing"),
    ];
    expect(() => migrate(db, bad)).toThrow(/missing/);
    expect(db.prepare("SELECT MAX(version) FROM schema_version").pluck().get()).toBe(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
  });
});
