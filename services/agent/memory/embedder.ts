import { z } from "zod";
import { MemoryErrors } from "./errors.js";

/** Turns texts into unit vectors of `dims` floats. Implementations throw MemoryErrors.embeddingFailed. */
export interface Embedder {
  readonly model: string;
  readonly dims: number;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

export const DEFAULT_DIMS = 384;
export const EMBED_TIMEOUT_MS = 10_000;
/** Texts per request (OpenAI accepts 2048; smaller batches keep a failure cheap). */
export const EMBED_BATCH = 64;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const responseSchema = z.object({
  data: z
    .array(z.object({ index: z.int().min(0), embedding: z.array(z.number()) }))
    .min(1)
    .max(EMBED_BATCH),
});

export interface HttpEmbedderOptions {
  /** Egress proxy base URL, e.g. http://egress-proxy:8401 (the route is /llm/<provider>/v1/embeddings). */
  proxyUrl: string;
  /** The agent token; the proxy swaps it for the provider key. Never logged or echoed. */
  token: string;
  /** Manifest `embedding_model`: "text-embedding-3-small" (OpenAI) or "<provider>/<model>". */
  model: string;
  dims?: number;
  timeoutMs?: number;
}

/** "text-embedding-3-small" → openai; "local/bge" → provider "local", model "bge". */
export function parseEmbeddingModel(id: string): { provider: string; model: string } {
  const slash = id.indexOf("/");
  return slash <= 0
    ? { provider: "openai", model: id }
    : { provider: id.slice(0, slash), model: id.slice(slash + 1) };
}

async function readCapped(res: Response, cap: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      throw MemoryErrors.embeddingFailed(`response larger than ${cap} bytes`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString("utf8");
}

/** OpenAI-wire `/v1/embeddings` through the egress proxy, with `dimensions` and a timeout. */
export class HttpEmbedder implements Embedder {
  readonly model: string;
  readonly dims: number;
  readonly #url: string;
  readonly #token: string;
  readonly #wireModel: string;
  readonly #timeoutMs: number;

  constructor(o: HttpEmbedderOptions) {
    const { provider, model } = parseEmbeddingModel(o.model);
    this.model = o.model;
    this.dims = o.dims ?? DEFAULT_DIMS;
    this.#wireModel = model;
    this.#url = `${o.proxyUrl.replace(/\/+$/, "")}/llm/${encodeURIComponent(provider)}/v1/embeddings`;
    this.#token = o.token;
    this.#timeoutMs = o.timeoutMs ?? EMBED_TIMEOUT_MS;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += EMBED_BATCH) {
      out.push(...(await this.#batch(texts.slice(i, i + EMBED_BATCH), signal)));
    }
    return out;
  }

  async #batch(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.#token}` },
        body: JSON.stringify({
          model: this.#wireModel,
          input: texts,
          dimensions: this.dims,
          encoding_format: "float",
        }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      const why = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : (error as Error).message;
      throw MemoryErrors.embeddingFailed(why);
    }
    const body = await readCapped(res, MAX_RESPONSE_BYTES);
    if (!res.ok) throw MemoryErrors.embeddingFailed(`HTTP ${res.status}: ${body.slice(0, 200)}`);
    let parsed: z.output<typeof responseSchema>;
    try {
      parsed = responseSchema.parse(JSON.parse(body));
    } catch {
      throw MemoryErrors.embeddingFailed("the response is not an embeddings list");
    }
    const vectors: Float32Array[] = new Array(texts.length);
    for (const item of parsed.data) {
      if (item.index >= texts.length || item.embedding.length !== this.dims)
        throw MemoryErrors.embeddingFailed(
          `expected ${texts.length} vectors of ${this.dims} dimensions, got index ${item.index} with ${item.embedding.length}`,
        );
      vectors[item.index] = normalize(Float32Array.from(item.embedding));
    }
    // Array.prototype.some skips holes, so count explicitly.
    for (let i = 0; i < texts.length; i++)
      if (vectors[i] === undefined) throw MemoryErrors.embeddingFailed("vectors missing in the response");
    return vectors;
  }
}

/** L2-normalises in place (providers usually do; cosine in vec0 does not need it, dedupe thresholds do). */
export function normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  if (n === 0) return v;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}
