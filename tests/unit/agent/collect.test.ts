import { describe, expect, it } from "vitest";
import { CollectBatch } from "../../../services/agent/runtime/collect.js";

describe("the collect lane", () => {
  it("joins messages that arrive while the batch waits into one turn", () => {
    const batch = new CollectBatch();
    expect(batch.add("a")).toBe(false);
    const first = batch.open("a");
    expect(batch.add("b")).toBe(true);
    expect(batch.add("c")).toBe(true);
    expect(first.take()).toBe("a\n\nb\n\nc");
  });

  it("opens a new batch once the waiting turn has started", () => {
    const batch = new CollectBatch();
    batch.open("a").take();
    expect(batch.add("late")).toBe(false);
    expect(batch.open("late").take()).toBe("late");
  });

  it("does not add to a batch whose turn was cancelled (reset, full queue)", () => {
    const batch = new CollectBatch();
    batch.open("a").drop();
    expect(batch.add("b")).toBe(false);
  });
});
