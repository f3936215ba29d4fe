import type { Migration } from "../../../common/sqlite/migrate.js";

/**
 * `GET /v1/agents/:id/history` reads an agent's recent traffic newest first: messages to it (`agent`)
 * and messages it sent (`sender`). Both indexes end in `id`, so a page is an index range scan.
 */
export const migration003: Migration = {
  version: 3,
  name: "history-indexes",
  sql: `
    CREATE INDEX inbox_agent_id ON inbox(agent, id);
    CREATE INDEX inbox_sender_id ON inbox(sender, id);
  `,
};
