import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DRAIN_DEADLINE_MS } from "../../../services/common/ports.js";

/** Every service drains for DRAIN_DEADLINE_MS; Compose SIGKILLs at stop_grace_period (issue 23 item 2). */
describe("the drain deadline", () => {
  it("leaves every rendered service time to close its database after draining", () => {
    const compose = parse(readFileSync("tests/fixtures/render/golden/sales/docker-compose.yml", "utf8")) as {
      services: Record<string, { stop_grace_period: string }>;
    };
    for (const [name, svc] of Object.entries(compose.services)) {
      const graceMs = Number(/^(\d+)s$/.exec(svc.stop_grace_period)?.[1]) * 1000;
      expect(DRAIN_DEADLINE_MS + 3_000, name).toBeLessThanOrEqual(graceMs);
    }
  });
});
