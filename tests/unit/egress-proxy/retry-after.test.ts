import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, test } from "vitest";
import { cooldownFor, describeOutcome } from "../../../services/egress-proxy/health/policy.js";
import { MAX_RETRY_AFTER_S, retryAfterSeconds } from "../../../services/egress-proxy/health/retry-after.js";

const NOW = Date.parse("2026-05-05T10:00:00Z");

describe("retryAfterSeconds", () => {
  const cases: Array<[IncomingHttpHeaders, number | undefined]> = [
    [{ "retry-after": "120" }, 120],
    [{ "retry-after": " 1.2 " }, 2],
    [{ "retry-after": "0" }, undefined],
    [{ "retry-after": "-5" }, undefined],
    [{ "retry-after": "" }, undefined],
    [{ "retry-after": "tomorrow" }, undefined],
    [{ "retry-after": "Tue, 05 May 2026 10:30:00 GMT" }, 1800],
    [{ "retry-after": "Tue, 05 May 2026 09:00:00 GMT" }, undefined], // in the past
    [{ "retry-after": "999999999" }, MAX_RETRY_AFTER_S],
    [{ "retry-after-ms": "1500", "retry-after": "100" }, 2], // the precise header wins
    [{ "retry-after-ms": "abc", "retry-after": "100" }, 100],
    // undici hands repeated headers over as arrays
    [{ "retry-after": ["30", "60"] } as unknown as IncomingHttpHeaders, 30],
    [{}, undefined],
  ];
  test.each(cases)("%o → %s", (headers, expected) => {
    expect(retryAfterSeconds(headers, NOW)).toBe(expected);
  });
});

describe("cooldownFor with a provider's retry-after", () => {
  test("the longer of table and retry-after wins, per rule", () => {
    expect(cooldownFor({ kind: "status", status: 429, retryAfterS: 10 }, 1).seconds).toBe(3600);
    expect(cooldownFor({ kind: "status", status: 429, retryAfterS: 7200 }, 1).seconds).toBe(7200);
    expect(cooldownFor({ kind: "status", status: 500, retryAfterS: 90 }, 1).seconds).toBe(90);
    expect(cooldownFor({ kind: "status", status: 500, retryAfterS: 90 }, 3).seconds).toBe(1500);
  });
  test("a retry-after never makes a caller error cool the model", () => {
    expect(cooldownFor({ kind: "status", status: 400, retryAfterS: 600 }, 1).seconds).toBe(0);
    expect(cooldownFor({ kind: "status", status: 404, retryAfterS: 600 }, 1).seconds).toBe(0);
  });
  test("the reason names the provider's wait", () => {
    expect(describeOutcome({ kind: "status", status: 429, retryAfterS: 7200 })).toBe(
      "HTTP 429 (retry-after 7200 s)",
    );
    expect(describeOutcome({ kind: "status", status: 429 })).toBe("HTTP 429");
  });
});
