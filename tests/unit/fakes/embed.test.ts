import { describe, expect, it } from "vitest";
import { cosine, embed, toBase64 } from "../../fakes/llm-provider/embed.js";

const norm = (v: Float32Array): number => Math.hypot(...v);

describe("deterministic embeddings", () => {
  it("returns the same unit vector for the same text, at the requested size", () => {
    const a = embed("The deploy key lives in vault", 384);
    expect(a).toHaveLength(384);
    expect(norm(a)).toBeCloseTo(1, 5);
    expect(Array.from(embed("The deploy key lives in vault", 384))).toEqual(Array.from(a));
  });

  it("ignores case and punctuation", () => {
    expect(cosine(embed("Hello, World!", 256), embed("hello world", 256))).toBeCloseTo(1, 5);
  });

  it("ranks texts sharing words above unrelated ones", () => {
    const query = embed("where does the deploy key live", 256);
    const related = embed("the deploy key lives in vault path ops/deploy-2", 256);
    const unrelated = embed("bananas are rich in potassium", 256);
    expect(cosine(query, related)).toBeGreaterThan(0.3);
    expect(Math.abs(cosine(query, unrelated))).toBeLessThan(0.3);
  });

  it("gives empty text a fixed unit vector instead of zeros", () => {
    const v = embed("  ...  ", 8);
    expect(Array.from(v)).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("encodes base64 as little-endian float32", () => {
    const v = embed("abc", 4);
    const bytes = Buffer.from(toBase64(v), "base64");
    expect(Array.from({ length: 4 }, (_, i) => bytes.readFloatLE(i * 4))).toEqual(Array.from(v));
  });
});
