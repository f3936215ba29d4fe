import type { Rule } from "../types.js";
import { ol001 } from "./ol001-wildcard-egress.js";
import { ol002 } from "./ol002-agent-budget.js";
import { ol003 } from "./ol003-mesh-published.js";
import { ol004 } from "./ol004-secret-tracked.js";
import { ol005 } from "./ol005-subnet-route.js";
import { ol006 } from "./ol006-agent-escape.js";
import { ol007 } from "./ol007-hardening.js";
import { ol008 } from "./ol008-network-isolation.js";
import { ol010 } from "./ol010-v1-unsafe.js";
import { ol011 } from "./ol011-interpolation.js";
import { ol012 } from "./ol012-override-file.js";
import { ol013 } from "./ol013-unimplemented-field.js";

/** Every security rule, explicitly listed (no registration by import side effect). */
export const RULES: readonly Rule[] = [
  ol001,
  ol002,
  ol003,
  ol004,
  ol005,
  ol006,
  ol007,
  ol008,
  ol010,
  ol011,
  ol012,
  ol013,
];
