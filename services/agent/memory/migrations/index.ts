import type { Migration } from "../../../common/sqlite/migrate.js";
import { migration001 } from "./001-facts.js";
import { migration002 } from "./002-workspace.js";
import { migration003 } from "./003-conversation.js";

/** Migrations of the memory database (memory.db in the data root), applied by services/common/sqlite/migrate.ts. */
export const MEMORY_MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003];
