import type Database from "better-sqlite3";
import { z } from "zod";

export interface Fact {
  id: number;
  key: string | null;
  text: string;
  category: string;
  source: string;
  salience: number;
  access_count: number;
  last_access: number | null;
  created_at: number;
  updated_at: number;
  superseded_by: number | null;
  superseded_at: number | null;
  embedded: boolean;
}

const factRow = z.object({
  id: z.int(),
  key: z.string().nullable(),
  text: z.string(),
  category: z.string(),
  source: z.string(),
  salience: z.number(),
  access_count: z.int(),
  last_access: z.int().nullable(),
  created_at: z.int(),
  updated_at: z.int(),
  superseded_by: z.int().nullable(),
  superseded_at: z.int().nullable(),
  embedded: z.int().transform((n) => n === 1),
});
const fromRow = (row: unknown): Fact => factRow.parse(row);
const idRow = z.object({ id: z.int() });
const vecRow = z.object({ id: z.int(), distance: z.number() });

export interface NewFact {
  key: string | null;
  text: string;
  norm: string;
  category: string;
  source: string;
  salience: number;
}

export interface VectorConfig {
  model: string;
  dims: number;
}

const COLUMNS =
  "id, key, text, category, source, salience, access_count, last_access, created_at, updated_at, superseded_by, superseded_at, embedded";
const blob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/**
 * Facts in memory.db: rows, FTS5 (current facts only, kept by triggers) and the vec0 table. Every
 * statement is prepared once here. Writes that touch several tables run in one transaction.
 */
export class FactStore {
  readonly db: Database.Database;
  /** Undefined when vectors are ready; else why they are not (no embedder, sqlite-vec missing). */
  readonly vectorReason: string | undefined;
  readonly vector: VectorConfig | undefined;
  readonly #now: () => number;
  /** Category counts, recomputed only after a write (recall reads them on every call). */
  #categories: { category: string; count: number }[] | undefined;
  readonly #s;
  readonly #v;

  constructor(
    db: Database.Database,
    o: { now?: () => number; vector?: VectorConfig; vecError?: string } = {},
  ) {
    this.db = db;
    this.#now = o.now ?? Date.now;
    this.vector = o.vecError ? undefined : o.vector;
    this.vectorReason = o.vecError ?? (o.vector ? undefined : "no embedding model configured");
    if (this.vector) this.#ensureVectorIndex(this.vector);
    const d = db;
    this.#s = {
      insert: d.prepare(
        "INSERT INTO facts (key, text, norm, category, source, salience, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      ),
      byId: d.prepare(`SELECT ${COLUMNS} FROM facts WHERE id = ?`),
      byNorm: d.prepare(`SELECT ${COLUMNS} FROM facts WHERE norm = ? AND superseded_by IS NULL`),
      byKey: d.prepare(`SELECT ${COLUMNS} FROM facts WHERE key = ? AND superseded_by IS NULL`),
      keyHistory: d.prepare(`SELECT ${COLUMNS} FROM facts WHERE key = ? ORDER BY id`),
      many: d.prepare(`SELECT ${COLUMNS} FROM facts WHERE id IN (SELECT value FROM json_each(?))`),
      supersede: d.prepare("UPDATE facts SET superseded_by = ?, superseded_at = ? WHERE id = ?"),
      rewrite: d.prepare(
        "UPDATE facts SET text = ?, norm = ?, updated_at = ?, salience = min(1.0, salience + 0.1), embedded = 0 WHERE id = ?",
      ),
      reinforce: d.prepare(
        "UPDATE facts SET updated_at = ?, salience = min(1.0, max(salience, ?) + 0.05) WHERE id = ?",
      ),
      fts: d.prepare("SELECT rowid AS id FROM facts_fts WHERE facts_fts MATCH ? ORDER BY rank LIMIT ?"),
      ftsIn: d.prepare(
        "SELECT f.id AS id FROM facts_fts JOIN facts f ON f.id = facts_fts.rowid WHERE facts_fts MATCH ? AND f.category IN (SELECT value FROM json_each(?)) ORDER BY rank LIMIT ?",
      ),
      touch: d.prepare("UPDATE facts SET access_count = access_count + 1, last_access = ? WHERE id = ?"),
      categories: d.prepare(
        "SELECT category, COUNT(*) AS n FROM facts WHERE superseded_by IS NULL GROUP BY category ORDER BY n DESC, category LIMIT 200",
      ),
      salient: d.prepare(
        `SELECT ${COLUMNS} FROM facts WHERE superseded_by IS NULL ORDER BY salience DESC, access_count DESC, id DESC LIMIT ?`,
      ),
      unembedded: d.prepare(
        "SELECT id, text, category FROM facts WHERE embedded = 0 AND superseded_by IS NULL ORDER BY id LIMIT ?",
      ),
      markEmbedded: d.prepare("UPDATE facts SET embedded = 1 WHERE id = ?"),
      count: d.prepare("SELECT COUNT(*) AS n FROM facts WHERE superseded_by IS NULL"),
    };
    this.#v = this.vector
      ? {
          insert: d.prepare("INSERT INTO facts_vec (fact_id, emb, category) VALUES (?, ?, ?)"),
          remove: d.prepare("DELETE FROM facts_vec WHERE fact_id = ?"),
          knn: d.prepare("SELECT fact_id AS id, distance FROM facts_vec WHERE emb MATCH ? AND k = ?"),
          distance: d.prepare(
            "SELECT vec_distance_cosine(emb, ?) AS distance FROM facts_vec WHERE fact_id = ?",
          ),
          knnIn: d.prepare(
            "SELECT fact_id AS id, distance FROM facts_vec WHERE emb MATCH ? AND k = ? AND category = ?",
          ),
        }
      : undefined;
  }

  /** The vec0 table matches (model, dims) or is rebuilt empty; every fact is then re-embedded by backfill. */
  #ensureVectorIndex(v: VectorConfig): void {
    const identity = `${v.model}@${v.dims}`;
    const row = this.db.prepare("SELECT value FROM memory_meta WHERE name = 'vector_identity'").get() as
      | { value: string }
      | undefined;
    const exists =
      this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'facts_vec'").get() !== undefined;
    if (row?.value === identity && exists) return;
    this.db.transaction(() => {
      this.db.exec("DROP TABLE IF EXISTS facts_vec");
      this.db.exec(
        `CREATE VIRTUAL TABLE facts_vec USING vec0(fact_id INTEGER PRIMARY KEY, emb float[${v.dims}] distance_metric=cosine, category TEXT)`,
      );
      this.db.prepare("UPDATE facts SET embedded = 0 WHERE embedded = 1").run();
      this.db
        .prepare(
          "INSERT INTO memory_meta (name, value) VALUES ('vector_identity', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
        )
        .run(identity);
    })();
  }

  #putVector(id: number, category: string, emb: Float32Array | undefined): void {
    if (!this.#v || !emb || emb.length !== this.vector?.dims) return;
    this.#v.remove.run(BigInt(id));
    this.#v.insert.run(BigInt(id), blob(emb), category);
    this.#s.markEmbedded.run(id);
  }

  insert(f: NewFact, emb?: Float32Array): number {
    this.#categories = undefined;
    return this.db.transaction(() => {
      const now = this.#now();
      const { id } = idRow.parse(
        this.#s.insert.get(f.key, f.text, f.norm, f.category, f.source, f.salience, now, now),
      );
      this.#putVector(id, f.category, emb);
      return id;
    })();
  }

  /** Inserts `f` as the successor of `oldId`; the old row stays as history, out of every index. */
  supersede(oldId: number, f: NewFact, emb?: Float32Array): number {
    this.#categories = undefined;
    return this.db.transaction(() => {
      // The caller guarantees a different norm, so the unique index on current norms cannot collide.
      const id = this.insert(f, emb);
      this.#s.supersede.run(id, this.#now(), oldId);
      this.#v?.remove.run(BigInt(oldId));
      return id;
    })();
  }

  /** Near-duplicate merge: the fact keeps its id and history of recalls and takes the new wording. */
  rewrite(id: number, text: string, norm: string, category: string, emb?: Float32Array): void {
    this.db.transaction(() => {
      this.#s.rewrite.run(text, norm, this.#now(), id);
      this.#v?.remove.run(BigInt(id));
      this.#putVector(id, category, emb);
    })();
  }

  reinforce(id: number, salience: number): void {
    this.#s.reinforce.run(this.#now(), salience, id);
  }

  setEmbedding(id: number, category: string, emb: Float32Array): void {
    this.db.transaction(() => this.#putVector(id, category, emb))();
  }

  get(id: number): Fact | undefined {
    const row = this.#s.byId.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  getMany(ids: readonly number[]): Map<number, Fact> {
    const out = new Map<number, Fact>();
    if (ids.length === 0) return out;
    for (const row of this.#s.many.all(JSON.stringify(ids))) {
      const f = fromRow(row);
      out.set(f.id, f);
    }
    return out;
  }

  currentByNorm(norm: string): Fact | undefined {
    const row = this.#s.byNorm.get(norm);
    return row === undefined ? undefined : fromRow(row);
  }

  currentByKey(key: string): Fact | undefined {
    const row = this.#s.byKey.get(key);
    return row === undefined ? undefined : fromRow(row);
  }

  /** Every version of a key, oldest first (superseded ones included). */
  keyHistory(key: string): Fact[] {
    return this.#s.keyHistory.all(key).map(fromRow);
  }

  /** FTS5 top-k ids (bm25 order) over current facts, optionally within categories. */
  ftsTop(match: string, k: number, categories?: readonly string[]): number[] {
    const rows = categories
      ? this.#s.ftsIn.all(match, JSON.stringify(categories), k)
      : this.#s.fts.all(match, k);
    return rows.map((r) => idRow.parse(r).id);
  }

  /** vec0 cosine top-k ids over current facts, optionally within categories (one scan per category). */
  vecTop(query: Float32Array, k: number, categories?: readonly string[]): number[] {
    if (!this.#v || query.length !== this.vector?.dims) return [];
    const q = blob(query);
    if (!categories) return this.#v.knn.all(q, k).map((r) => vecRow.parse(r).id);
    const rows = categories.flatMap((c) => this.#v?.knnIn.all(q, k, c).map((r) => vecRow.parse(r)) ?? []);
    return rows
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k)
      .map((r) => r.id);
  }

  /** Cosine distance between a stored fact's vector and `query` (a point lookup, not a scan). */
  vecDistance(id: number, query: Float32Array): number | undefined {
    if (!this.#v || query.length !== this.vector?.dims) return undefined;
    const row = this.#v.distance.get(blob(query), BigInt(id)) as { distance: number } | undefined;
    return row === undefined ? undefined : z.number().parse(row.distance);
  }

  /** One transaction: access_count + 1 and last_access = now for the facts returned to the model. */
  touch(ids: readonly number[]): void {
    if (ids.length === 0) return;
    const now = this.#now();
    this.db.transaction(() => {
      for (const id of ids) this.#s.touch.run(now, id);
    })();
  }

  categories(): { category: string; count: number }[] {
    this.#categories ??= this.#s.categories
      .all()
      .map((r) => z.object({ category: z.string(), n: z.int() }).parse(r))
      .map((r) => ({ category: r.category, count: r.n }));
    return this.#categories;
  }

  /** Candidates for the session brief: highest stored salience, then most recalled. */
  salient(limit: number): Fact[] {
    return this.#s.salient.all(limit).map(fromRow);
  }

  unembedded(limit: number): { id: number; text: string; category: string }[] {
    return this.#s.unembedded
      .all(limit)
      .map((r) => z.object({ id: z.int(), text: z.string(), category: z.string() }).parse(r));
  }

  count(): number {
    return z.object({ n: z.int() }).parse(this.#s.count.get()).n;
  }
}
