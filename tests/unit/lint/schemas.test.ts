import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { schemaPath, VENDORED_SCHEMAS } from "../../../generator/lint/schemas.js";

// Pinned in generator/schemas/NOTICE; a changed byte means a new vendoring, which needs a new NOTICE entry.
const PINNED = {
  spec: "46b7d35f19dd93a05f8fea530291bf84d881c1791ec167ecf0e6fb94e639d496",
  v1: "0dc04bd346dcfee1b1419628fff79937bbf076925f298f272a2b490e2b112bac",
};

describe("vendored compose schemas", () => {
  it.each(Object.keys(PINNED) as (keyof typeof PINNED)[])(
    "%s matches its pinned sha256 and the NOTICE",
    (which) => {
      const bytes = readFileSync(schemaPath(VENDORED_SCHEMAS[which].file));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(PINNED[which]);
      expect(readFileSync(schemaPath("../NOTICE"), "utf8")).toContain(PINNED[which]);
    },
  );
});
