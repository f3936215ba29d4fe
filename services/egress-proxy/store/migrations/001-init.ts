/** Ledger, spend windows, kill switch and model health. Money is integer nano-USD (exact sums, no float drift). */
export const migration001 = {
  version: 1,
  name: "init",
  sql: `
    CREATE TABLE calls (
      id INTEGER PRIMARY KEY,
      agent TEXT NOT NULL,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      route TEXT NOT NULL,
      day TEXT NOT NULL,
      month TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('open', 'settled')),
      reserved_nusd INTEGER NOT NULL,
      cost_nusd INTEGER NOT NULL DEFAULT 0,
      status INTEGER,
      input_tokens INTEGER NOT NULL DEFAULT 0,
      cached_input_tokens INTEGER NOT NULL DEFAULT 0,
      cache_write_tokens INTEGER NOT NULL DEFAULT 0,
      output_tokens INTEGER NOT NULL DEFAULT 0,
      usage_source TEXT,
      price_source TEXT,
      error_code TEXT,
      latency_ms INTEGER
    );
    CREATE INDEX calls_day ON calls (day, agent, model);
    CREATE INDEX calls_open ON calls (state) WHERE state = 'open';
    CREATE TABLE spend (
      agent TEXT NOT NULL,
      period TEXT NOT NULL,
      spent_nusd INTEGER NOT NULL DEFAULT 0,
      reserved_nusd INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (agent, period)
    ) WITHOUT ROWID;
    CREATE TABLE frozen (agent TEXT PRIMARY KEY, since INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE model_health (
      model TEXT PRIMARY KEY,
      until_ms INTEGER NOT NULL,
      failures INTEGER NOT NULL,
      reason TEXT NOT NULL,
      updated_at INTEGER NOT NULL
    ) WITHOUT ROWID;
  `,
};
