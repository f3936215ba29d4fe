import { describe, expect, it } from "vitest";
import { SseParser, sseFrame } from "../../../../services/common/sse.js";
import { backoffMs, shouldDeadLetter } from "../../../../services/mesh/core/backoff.js";
import { TokenBuckets } from "../../../../services/mesh/core/rate-limit.js";

describe("retry policy", () => {
  const policy = { baseMs: 100, maxMs: 1000, maxAttempts: 3 };
  it("doubles up to the cap and dead-letters at the budget", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(policy, a))).toEqual([100, 200, 400, 800, 1000]);
    expect(shouldDeadLetter(policy, 2)).toBe(false);
    expect(shouldDeadLetter(policy, 3)).toBe(true);
  });
});

describe("token buckets", () => {
  it("allows the burst, then asks the caller to wait, then refills with time", () => {
    const b = new TokenBuckets(2, 3);
    expect([0, 0, 0].map(() => b.take("a", 0))).toEqual([0, 0, 0]);
    expect(b.take("a", 0)).toBe(1);
    expect(b.take("b", 0)).toBe(0);
    expect(b.take("a", 500)).toBe(0);
  });
});

describe("SSE parser", () => {
  it("assembles events across chunk boundaries and line endings", () => {
    const p = new SseParser();
    expect(p.push('event: delta\r\ndata: {"a"')).toEqual([]);
    expect(p.push(":1}\r\n\r\n: comment\n\ndata: x\ndata: y\n\n")).toEqual([
      { event: "delta", data: '{"a":1}' },
      { event: "message", data: "x\ny" },
    ]);
  });
  it("refuses unbounded lines", () => {
    const p = new SseParser(10);
    expect(() => p.push("data: 0123456789abcdef")).toThrow(/longer than 10/);
  });
  it("frames events", () => {
    expect(sseFrame("done", { type: "done", reply: "x" })).toBe(
      'event: done\ndata: {"type":"done","reply":"x"}\n\n',
    );
  });
});
