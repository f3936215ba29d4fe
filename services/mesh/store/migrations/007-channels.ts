import type { Migration } from "../../../common/sqlite/migrate.js";

/** Chat channels: pairing codes, paired users, each user's agent per chat, seen message ids. */
export const migration007: Migration = {
  version: 7,
  name: "channels",
  sql: `
    CREATE TABLE channel_codes (
      channel TEXT NOT NULL, code TEXT NOT NULL, expires_at INTEGER NOT NULL,
      PRIMARY KEY (channel, code)) WITHOUT ROWID;
    CREATE TABLE channel_users (
      channel TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL CHECK (role IN ('owner','allowed')),
      added_at INTEGER NOT NULL, PRIMARY KEY (channel, user_id)) WITHOUT ROWID;
    CREATE TABLE channel_agent_choice (
      channel TEXT NOT NULL, chat_id TEXT NOT NULL, user_id TEXT NOT NULL, agent TEXT NOT NULL,
      PRIMARY KEY (channel, chat_id, user_id)) WITHOUT ROWID;
    CREATE TABLE channel_seen (
      channel TEXT NOT NULL, message_id TEXT NOT NULL, seen_at INTEGER NOT NULL,
      PRIMARY KEY (channel, message_id)) WITHOUT ROWID;
    CREATE INDEX channel_seen_at ON channel_seen(seen_at);
  `,
};
