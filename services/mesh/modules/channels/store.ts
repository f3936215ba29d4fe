import { randomInt } from "node:crypto";
import type Database from "better-sqlite3";
import { tokensEqual } from "../../../common/tokens.js";

/** Pairing codes: 8 characters from an alphabet without look-alikes (0 O 1 I), valid an hour, ≤ 3 pending. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
export const CODE_TTL_MS = 3_600_000;
export const MAX_PENDING_CODES = 3;
const SEEN_TTL_MS = 7 * 86_400_000;

export type Role = "owner" | "allowed";

/**
 * Channel state in the mesh database (survives restarts; tables from store/migrations/007-channels.ts): pairing codes, paired users, each user's
 * chosen agent per chat, and recently seen platform message ids (dedupe of redeliveries).
 * Codes are kept readable so `openlegion channels pair` can show a pending one again; they live only
 * in the mesh's volume and die after an hour or on first use.
 */
export class ChannelStore {
  readonly #s;

  constructor(db: Database.Database) {
    this.#s = {
      codes: db.prepare<[string, number], { code: string; expires_at: number }>(
        "SELECT code, expires_at FROM channel_codes WHERE channel = ? AND expires_at > ? ORDER BY expires_at",
      ),
      purgeCodes: db.prepare<[number]>("DELETE FROM channel_codes WHERE expires_at <= ?"),
      addCode: db.prepare<[string, string, number]>("INSERT INTO channel_codes VALUES (?, ?, ?)"),
      burnAll: db.prepare<[string]>("DELETE FROM channel_codes WHERE channel = ?"),
      users: db.prepare<[string], { user_id: string; role: Role }>(
        "SELECT user_id, role FROM channel_users WHERE channel = ? ORDER BY role DESC, added_at",
      ),
      role: db.prepare<[string, string], { role: Role }>(
        "SELECT role FROM channel_users WHERE channel = ? AND user_id = ?",
      ),
      setUser: db.prepare<[string, string, Role, number]>(
        "INSERT INTO channel_users VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET role = excluded.role",
      ),
      delUser: db.prepare<[string, string]>(
        "DELETE FROM channel_users WHERE channel = ? AND user_id = ? AND role = 'allowed'",
      ),
      choice: db.prepare<[string, string, string], { agent: string }>(
        "SELECT agent FROM channel_agent_choice WHERE channel = ? AND chat_id = ? AND user_id = ?",
      ),
      choose: db.prepare<[string, string, string, string]>(
        "INSERT INTO channel_agent_choice VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET agent = excluded.agent",
      ),
      seen: db.prepare<[string, string, number]>("INSERT OR IGNORE INTO channel_seen VALUES (?, ?, ?)"),
      purgeSeen: db.prepare<[number]>("DELETE FROM channel_seen WHERE seen_at < ?"),
    };
  }

  pendingCodes(channel: string, now: number): { code: string; expires_at: number }[] {
    this.#s.purgeCodes.run(now);
    return this.#s.codes.all(channel, now);
  }

  /** A fresh code, or undefined when MAX_PENDING_CODES are already pending. */
  issueCode(channel: string, now: number): { code: string; expires_at: number } | undefined {
    if (this.pendingCodes(channel, now).length >= MAX_PENDING_CODES) return undefined;
    let code = "";
    for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)];
    this.#s.addCode.run(channel, code, now + CODE_TTL_MS);
    return { code, expires_at: now + CODE_TTL_MS };
  }

  /** True when `candidate` is a pending code (compared in constant time); the owner is then bound and every code burnt. */
  redeemOwnerCode(channel: string, candidate: string, userId: string, now: number): boolean {
    const given = candidate.trim().toUpperCase();
    const match = this.pendingCodes(channel, now).find((c) => tokensEqual(c.code, given));
    if (!match) return false;
    this.#s.burnAll.run(channel);
    this.#s.setUser.run(channel, userId, "owner", now);
    return true;
  }

  owner(channel: string): string | undefined {
    return this.#s.users.all(channel).find((u) => u.role === "owner")?.user_id;
  }

  users(channel: string): { user_id: string; role: Role }[] {
    return this.#s.users.all(channel);
  }

  role(channel: string, userId: string): Role | undefined {
    return this.#s.role.get(channel, userId)?.role;
  }

  allow(channel: string, userId: string, now: number): void {
    if (this.role(channel, userId) === "owner") return;
    this.#s.setUser.run(channel, userId, "allowed", now);
  }

  /** Removes an allowed user (never the owner); true when one was removed. */
  revoke(channel: string, userId: string): boolean {
    return this.#s.delUser.run(channel, userId).changes > 0;
  }

  chosenAgent(channel: string, chatId: string, userId: string): string | undefined {
    return this.#s.choice.get(channel, chatId, userId)?.agent;
  }

  chooseAgent(channel: string, chatId: string, userId: string, agent: string): void {
    this.#s.choose.run(channel, chatId, userId, agent);
  }

  /** True the first time a platform message id is seen (older ids are forgotten after a week). */
  firstSighting(channel: string, messageId: string, now: number): boolean {
    this.#s.purgeSeen.run(now - SEEN_TTL_MS);
    return this.#s.seen.run(channel, messageId, now).changes > 0;
  }
}
