import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  ChannelStore,
  CODE_TTL_MS,
  MAX_PENDING_CODES,
} from "../../../../services/mesh/modules/channels/store.js";
import { migrate } from "../../../../services/mesh/store/migrations/index.js";

const migrated = (db: Database.Database) => {
  migrate(db);
  return db;
};
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("ChannelStore", () => {
  it("codes: 8 characters without look-alikes, at most 3 pending, expire after an hour, burnt on use", () => {
    const store = new ChannelStore(migrated(new Database(":memory:")));
    const codes = Array.from({ length: MAX_PENDING_CODES }, () => store.issueCode("telegram", 0)!.code);
    for (const c of codes) expect(c).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    expect(store.issueCode("telegram", 0)).toBeUndefined();
    expect(store.redeemOwnerCode("telegram", codes[0]!, "42", CODE_TTL_MS)).toBe(false); // expired
    const fresh = store.issueCode("telegram", CODE_TTL_MS)!.code;
    expect(store.redeemOwnerCode("telegram", fresh.toLowerCase(), "42", CODE_TTL_MS + 1)).toBe(true);
    expect(store.owner("telegram")).toBe("42");
    expect(store.redeemOwnerCode("telegram", fresh, "43", CODE_TTL_MS + 2)).toBe(false);
    expect(store.pendingCodes("telegram", CODE_TTL_MS + 2)).toEqual([]);
  });

  it("pairing, allowed users and agent choices survive a restart (a new store on the same file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "ol-ch-"));
    dirs.push(dir);
    const path = join(dir, "mesh.db");
    const db = migrated(new Database(path));
    const a = new ChannelStore(db);
    a.redeemOwnerCode("telegram", a.issueCode("telegram", 0)!.code, "1", 1);
    a.allow("telegram", "2", 2);
    a.chooseAgent("telegram", "2", "2", "bob");
    expect(a.firstSighting("telegram", "u1", 3)).toBe(true);
    db.close();
    const b = new ChannelStore(migrated(new Database(path)));
    expect(b.users("telegram")).toEqual([
      { user_id: "1", role: "owner" },
      { user_id: "2", role: "allowed" },
    ]);
    expect(b.chosenAgent("telegram", "2", "2")).toBe("bob");
    expect(b.firstSighting("telegram", "u1", 4)).toBe(false); // a redelivered update is handled once
    expect(b.revoke("telegram", "1")).toBe(false); // never the owner
    expect(b.revoke("telegram", "2")).toBe(true);
  });
});
