/**
 * Deterministic embeddings: each word is hashed (FNV-1a) into a bucket with a hashed sign, then the vector
 * is L2-normalised. Texts sharing words get a high cosine similarity; unrelated texts are close to 0.
 */

const fnv1a = (s: string, seed = 0x811c9dc5): number => {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

export const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export function embed(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  for (const word of words(text)) {
    const bucket = fnv1a(word) % dimensions;
    const sign = fnv1a(word, 0x9747b28c) & 1 ? 1 : -1;
    v[bucket] = (v[bucket] ?? 0) + sign;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) {
    v[0] = 1; // empty or punctuation-only text: a fixed unit vector
    return v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Little-endian float32 bytes in base64, as OpenAI sends for `encoding_format: "base64"`. */
export function toBase64(v: Float32Array): string {
  const bytes = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) bytes.writeFloatLE(v[i] ?? 0, i * 4);
  return bytes.toString("base64");
}
