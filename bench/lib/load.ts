import { type Dispatcher, Pool } from "undici";

/** One way to reach the fake provider: direct, through our proxy, or through Portkey. */
export interface Target {
  name: string;
  pool: Pool;
  path: string;
  /** Header sets; caller `i` uses `headers[i % length]` (the proxy target spreads callers over agents). */
  headers: ReadonlyArray<Record<string, string>>;
}

export function target(
  name: string,
  origin: string,
  path: string,
  headers: ReadonlyArray<Record<string, string>>,
): Target {
  // pipelining 1 and enough sockets for the widest phase: the driver never queues behind its own pool.
  return { name, pool: new Pool(origin, { connections: 256, pipelining: 1 }), path, headers };
}

export interface Sample {
  status: number;
  /** Time to the first body byte and to the end of the body (ms). */
  ttfb: number;
  total: number;
  bytes: number;
  /** The last body chunk (SSE: holds `[DONE]`), for the smoke check. */
  tail: string;
}

/** One chat call through undici's low-level dispatch (the driver stays cheap next to the servers). */
export function call(t: Target, body: string, caller = 0): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let status = 0;
    let ttfb = 0;
    let bytes = 0;
    let last: Buffer | undefined;
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {},
      onResponseStart(_c, statusCode) {
        status = statusCode;
      },
      onResponseData(_c, chunk) {
        if (bytes === 0) ttfb = performance.now() - t0;
        bytes += chunk.length;
        last = chunk;
      },
      onResponseEnd() {
        const total = performance.now() - t0;
        resolve({
          status,
          ttfb: ttfb || total,
          total,
          bytes,
          tail: last?.toString("utf8").slice(-200) ?? "",
        });
      },
      onResponseError(_c, error) {
        reject(error);
      },
    };
    t.pool.dispatch(
      {
        path: t.path,
        method: "POST",
        headers: { "content-type": "application/json", ...t.headers[caller % t.headers.length] },
        body,
      },
      handler,
    );
  });
}

export const chatBody = (model: string, stream: boolean): string =>
  JSON.stringify({
    model,
    stream,
    max_tokens: 64,
    messages: [{ role: "user", content: "benchmark the egress proxy, please" }],
  });

export const pct = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const ok = (t: Target, s: Sample): Sample => {
  if (s.status !== 200) throw new Error(`${t.name}: HTTP ${s.status}`);
  return s;
};

export interface SequentialResult {
  p50: number;
  p99: number;
  ttfbP50: number;
  ttfbP99: number;
}

/**
 * Sequential calls, one at a time, interleaved across targets in rounds (so drift from other load on the
 * machine hits every target alike). Returns total-time and TTFB percentiles per target.
 */
export async function sequential(
  targets: readonly Target[],
  body: string,
  n: number,
  warmup: number,
): Promise<Map<string, SequentialResult>> {
  for (const t of targets) for (let i = 0; i < warmup; i++) ok(t, await call(t, body));
  const totals = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const ttfbs = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const rounds = 10;
  const perRound = Math.ceil(n / rounds);
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      for (let i = 0; i < perRound; i++) {
        const s = ok(t, await call(t, body));
        totals.get(t.name)?.push(s.total);
        ttfbs.get(t.name)?.push(s.ttfb);
      }
    }
  }
  const out = new Map<string, SequentialResult>();
  for (const t of targets) {
    const a = (totals.get(t.name) ?? []).sort((x, y) => x - y);
    const b = (ttfbs.get(t.name) ?? []).sort((x, y) => x - y);
    out.set(t.name, { p50: pct(a, 50), p99: pct(a, 99), ttfbP50: pct(b, 50), ttfbP99: pct(b, 99) });
  }
  return out;
}

export interface ConcurrentRun {
  ttfbs: number[];
  totals: number[];
  errors: number;
  seconds: number;
  /** CPU ms the server process used during the run (undefined when unknown). */
  cpuMs?: number | undefined;
}

/** `connections` callers in a closed loop for `seconds`; keeps every sample (merged across rounds later). */
export async function concurrent(
  t: Target,
  body: string,
  connections: number,
  seconds: number,
): Promise<ConcurrentRun> {
  const ttfbs: number[] = [];
  const totals: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, caller) => {
      while (performance.now() < end) {
        try {
          const s = await call(t, body, caller);
          if (s.status !== 200) errors++;
          else {
            ttfbs.push(s.ttfb);
            totals.push(s.total);
          }
        } catch {
          errors++;
        }
      }
    }),
  );
  return { ttfbs, totals, errors, seconds: (performance.now() - start) / 1000 };
}

export interface ConcurrentResult {
  rps: number;
  completed: number;
  errors: number;
  ttfbP50: number;
  ttfbP99: number;
  totalP99: number;
  /** Server CPU per completed call (µs), or "n/a". */
  cpuUs: number | "n/a";
}

/** Merges the rounds of one target: calls per second over the summed wall time, percentiles over all samples. */
export function merge(runs: readonly ConcurrentRun[]): ConcurrentResult {
  const ttfbs = runs.flatMap((r) => r.ttfbs).sort((a, b) => a - b);
  const totals = runs.flatMap((r) => r.totals).sort((a, b) => a - b);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const cpu = runs.every((r) => r.cpuMs !== undefined)
    ? runs.reduce((s, r) => s + (r.cpuMs ?? 0), 0)
    : undefined;
  return {
    rps: seconds > 0 ? ttfbs.length / seconds : 0,
    completed: ttfbs.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    ttfbP50: pct(ttfbs, 50),
    ttfbP99: pct(ttfbs, 99),
    totalP99: pct(totals, 99),
    cpuUs: cpu === undefined || ttfbs.length === 0 ? "n/a" : Math.round((cpu * 1000) / ttfbs.length),
  };
}
