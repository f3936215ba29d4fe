import { join } from "node:path";
import type Database from "better-sqlite3";
import type { SyncMode } from "../../common/sqlite/sync.js";
import { categoriesInQuery, classify } from "./categories.js";
import { ConversationState } from "./context/state.js";
import { openMemoryDb } from "./db.js";
import type { Embedder } from "./embedder.js";
import { FactStore } from "./fact-store.js";
import { confinedAppender, type FileAppender } from "./files.js";
import { type Hit, hybridSearch } from "./recall.js";
import { type SaveOutcome, writeFact } from "./save.js";
import {
  clip,
  normalizeText,
  validateCategory,
  validateFactText,
  validateKey,
  validateQuery,
} from "./text.js";
import { type WorkspaceHit, WorkspaceIndex } from "./workspace-index.js";

/** After an embedding failure, recall stays FTS-only this long before trying the provider again. */
export const EMBED_COOLDOWN_MS = 30_000;
export const RECALL_DEFAULT = 8;
export const RECALL_MAX = 25;
const QUERY_CACHE = 256;

export interface MemoryLog {
  warn(obj: object, msg: string): void;
}

export interface MemoryOptions {
  dataRoot: string;
  /** Default `<dataRoot>/memory.db`. */
  dbPath?: string;
  /** SQLite `synchronous` (default full). */
  sync?: SyncMode;
  embedder?: Embedder;
  now?: () => number;
  log?: MemoryLog;
}

export interface SaveInput {
  text: string;
  category?: string;
  key?: string;
  /** Importance in [0, 1]; ≥ 0.7 surfaces the fact at the start of every session. */
  importance?: number;
  source?: string;
  /** Also append to the daily log memory/YYYY-MM-DD.md (default true). */
  log?: boolean;
}

export interface RecalledFact {
  id: number;
  text: string;
  category: string;
  key: string | null;
  score: number;
  tier: "category" | "scoped" | "flat";
  updated_at: string;
}

export interface RecallResult {
  /** "fts-only" when no query vector could be used; `vector_status` then says why. */
  mode: "hybrid" | "fts-only";
  vector_status: string;
  facts: RecalledFact[];
  categories: { category: string; count: number }[];
  note?: string;
}

type Vec = { vector: Float32Array; reason?: undefined } | { vector?: undefined; reason: string };

/** The memory layers behind one facade: facts (layer 1-2), workspace search (3), conversation state (5). */
export class MemoryService {
  readonly db: Database.Database;
  readonly facts: FactStore;
  readonly files: WorkspaceIndex;
  readonly conversations: ConversationState;
  /** Appends to the daily log and MEMORY.md (confined to the data root). */
  readonly workspace: FileAppender;
  readonly #embedder: Embedder | undefined;
  readonly #now: () => number;
  readonly #log: MemoryLog | undefined;
  readonly #cache = new Map<string, Float32Array>();
  #cooldownUntil = 0;
  /** Facts may lack a vector (saved while embeddings were down, or the index identity changed). */
  #backlog = true;
  #lastFailure = "";

  constructor(o: MemoryOptions) {
    const { db, vecError } = openMemoryDb(o.dbPath ?? join(o.dataRoot, "memory.db"), o.sync);
    this.db = db;
    this.#now = o.now ?? Date.now;
    this.#log = o.log;
    this.#embedder = vecError ? undefined : o.embedder;
    const vector = o.embedder ? { model: o.embedder.model, dims: o.embedder.dims } : undefined;
    this.facts = new FactStore(db, {
      now: this.#now,
      ...(vector ? { vector } : {}),
      ...(vecError ? { vecError } : {}),
    });
    this.files = new WorkspaceIndex(db, o.dataRoot);
    this.conversations = new ConversationState(db, this.#now);
    this.workspace = confinedAppender(o.dataRoot);
  }

  /** "ready", or "unavailable: <why>" — shown in every recall result. */
  vectorStatus(): string {
    if (!this.#embedder) return `unavailable: ${this.facts.vectorReason ?? "no embedder"}`;
    if (this.#now() < this.#cooldownUntil) return `unavailable: ${this.#lastFailure} (retrying later)`;
    return "ready";
  }

  async #vectors(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[] | string> {
    const status = this.vectorStatus();
    if (!this.#embedder || status !== "ready") return status.replace(/^unavailable: /, "");
    try {
      const vectors = await this.#embedder.embed(texts, signal);
      const bad = vectors.find((v) => v.length !== this.#embedder?.dims);
      if (vectors.length !== texts.length || bad)
        throw new Error(
          `expected ${texts.length} vectors of ${this.#embedder.dims} dimensions, got ${vectors.length} (${bad?.length ?? "ok"})`,
        );
      return vectors;
    } catch (error) {
      this.#lastFailure = error instanceof Error ? error.message : String(error);
      this.#cooldownUntil = this.#now() + EMBED_COOLDOWN_MS;
      this.#log?.warn({ err: this.#lastFailure }, "embeddings failed; memory search is FTS-only for now");
      return this.#lastFailure;
    }
  }

  async #queryVector(query: string, signal?: AbortSignal): Promise<Vec> {
    const cached = this.#cache.get(query);
    if (cached) return { vector: cached };
    const r = await this.#vectors([query], signal);
    if (typeof r === "string" || !r[0]) return { reason: typeof r === "string" ? r : "no vector returned" };
    if (this.#cache.size >= QUERY_CACHE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(query, r[0]);
    return { vector: r[0] };
  }

  /** Saves one fact (dedupe / merge / supersede) and, unless `log: false`, notes it in the daily log. */
  async save(input: SaveInput, signal?: AbortSignal): Promise<SaveOutcome> {
    const text = validateFactText(input.text);
    const key = input.key === undefined || input.key.trim() === "" ? null : validateKey(input.key);
    const category = input.category ? validateCategory(input.category) : classify(text);
    const salience = Math.min(1, Math.max(0, input.importance ?? 0.5));
    const vecs = await this.#vectors([text], signal);
    const emb = typeof vecs === "string" ? undefined : vecs[0];
    const outcome = writeFact(
      this.facts,
      { text, norm: normalizeText(text), key, category, source: input.source ?? "memory_save", salience },
      emb,
    );
    if (input.log !== false && outcome.action !== "duplicate") {
      const time = new Date(this.#now()).toISOString().slice(11, 19);
      const note =
        outcome.action === "superseded" ? ` (replaces: ${clip(outcome.previous?.text ?? "", 200)})` : "";
      await this.workspace
        .append(
          `memory/${this.#day()}.md`,
          `- ${time} fact [${outcome.category}] ${text.replace(/\s+/g, " ")}${note}\n`,
        )
        .catch((err: unknown) => this.#log?.warn({ err }, "could not append the fact to the daily log"));
    }
    if (!emb) this.#backlog = true;
    else if (this.#backlog) await this.backfill(64, signal);
    return outcome;
  }

  #day(): string {
    return new Date(this.#now()).toISOString().slice(0, 10);
  }

  /**
   * 3-tier retrieval: (1) categories: an explicit one, or those the query names; (2) hybrid search within
   * them; (3) flat hybrid search over all facts fills what is left (not with an explicit category).
   */
  async recall(
    input: { query: string; category?: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<RecallResult> {
    const query = validateQuery(input.query);
    const limit = Math.min(RECALL_MAX, Math.max(1, input.limit ?? RECALL_DEFAULT));
    const explicit = input.category ? validateCategory(input.category) : undefined;
    const categories = this.facts.categories();
    const known = categories.map((c) => c.category);
    const vec = query ? await this.#queryVector(query, signal) : { reason: "empty query" };
    const base = {
      mode: vec.vector ? ("hybrid" as const) : ("fts-only" as const),
      vector_status: vec.vector ? "ready" : `unavailable: ${vec.reason}`,
      categories: categories.slice(0, 20),
    };
    if (explicit && !known.includes(explicit))
      return {
        ...base,
        facts: [],
        note: `no facts in category "${explicit}"; known categories: ${known.join(", ") || "none"}`,
      };
    const now = this.#now();
    const search = (categoriesIn: readonly string[] | undefined, n: number, exclude?: Set<number>): Hit[] =>
      hybridSearch(this.facts, {
        query,
        limit: n,
        now,
        ...(categoriesIn ? { categories: categoriesIn } : {}),
        ...(vec.vector ? { vector: vec.vector } : {}),
        ...(exclude ? { exclude } : {}),
      });
    const out: { hit: Hit; tier: RecalledFact["tier"] }[] = [];
    if (explicit) {
      for (const hit of search([explicit], limit)) out.push({ hit, tier: "category" });
    } else {
      const named = categoriesInQuery(query, known);
      if (named.length > 0) for (const hit of search(named, limit)) out.push({ hit, tier: "scoped" });
      if (out.length < limit) {
        const seen = new Set(out.map((o) => o.hit.fact.id));
        for (const hit of search(undefined, limit - out.length, seen)) out.push({ hit, tier: "flat" });
      }
    }
    this.facts.touch(out.map((o) => o.hit.fact.id));
    return {
      ...base,
      facts: out.map(({ hit, tier }) => ({
        id: hit.fact.id,
        text: hit.fact.text,
        category: hit.fact.category,
        key: hit.fact.key,
        score: Math.round(hit.score * 1e5) / 1e5,
        tier,
        updated_at: new Date(hit.fact.updated_at).toISOString(),
      })),
    };
  }

  /** memory_search: workspace files (BM25, refreshed incrementally) and facts (hybrid). */
  async search(
    input: { query: string; limit?: number },
    signal?: AbortSignal,
  ): Promise<RecallResult & { files: WorkspaceHit[] }> {
    const query = validateQuery(input.query);
    const limit = Math.min(RECALL_MAX, Math.max(1, input.limit ?? RECALL_DEFAULT));
    await this.files.refresh();
    const facts = await this.recall({ query, limit }, signal);
    return { ...facts, files: this.files.search(query, limit) };
  }

  /**
   * The block surfaced in the first request of a session: high-salience facts (importance ≥ 0.7 or
   * recalled often) and what recall finds for the opening message. Undefined when there is nothing.
   */
  async sessionBrief(firstMessage: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    const lines = new Map<number, string>();
    if (this.facts.count() === 0) return undefined; // a new agent: no embedding call for nothing
    const recalled = firstMessage?.trim()
      ? await this.recall({ query: clip(firstMessage, 1000), limit: 5 }, signal).catch(() => undefined)
      : undefined;
    for (const f of recalled?.facts ?? []) lines.set(f.id, `- [${f.category}] ${f.text}`);
    for (const f of this.facts.salient(20)) {
      if (lines.size >= 15) break;
      if (f.salience >= 0.7 || f.access_count >= 3) lines.set(f.id, `- [${f.category}] ${f.text}`);
    }
    if (lines.size === 0) return undefined;
    return `## Remembered facts (from memory; use memory_recall for more)\n\n${clip([...lines.values()].join("\n"), 4000)}`;
  }

  /** Embeds up to `max` facts that have no vector (saved while embeddings were down, or after a model change). */
  async backfill(max = 256, signal?: AbortSignal): Promise<number> {
    let done = 0;
    while (done < max) {
      const batch = this.facts.unembedded(Math.min(64, max - done));
      if (batch.length === 0) {
        this.#backlog = false;
        break;
      }
      const vecs = await this.#vectors(
        batch.map((b) => b.text),
        signal,
      );
      if (typeof vecs === "string") break;
      batch.forEach((b, i) => {
        const v = vecs[i];
        if (v) this.facts.setEmbedding(b.id, b.category, v);
      });
      done += batch.length;
    }
    return done;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
