import type { MeshContext, MeshModule } from "../../context.js";
import type { BlackboardService } from "../blackboard/service.js";

/**
 * Background GC, in bounded batches per tick: expired blackboard keys (watchers are notified),
 * old tombstones, delivered inbox rows past retention, audit rows past retention or the row cap.
 */
export function housekeepingModule(blackboard: () => BlackboardService): MeshModule & { runOnce(): number } {
  let ctx: MeshContext | undefined;
  let timer: NodeJS.Timeout | undefined;
  const runOnce = (): number => {
    if (!ctx?.store.db.open) return 0;
    const { store, limits, clock } = ctx;
    const now = clock.now();
    let n = blackboard().collect(limits.gc_batch);
    n += store.transaction(() =>
      store.inbox.purgeDelivered(now - limits.delivered_retention_s * 1000, limits.gc_batch),
    );
    n += store.transaction(() =>
      store.audit.prune(
        now - limits.audit_retention_days * 86_400_000,
        limits.audit_max_rows,
        limits.gc_batch,
      ),
    );
    return n;
  };
  return {
    name: "housekeeping",
    runOnce,
    async routes(_app, context) {
      ctx = context;
    },
    start(context) {
      ctx = context;
      const tick = () => {
        try {
          // A full batch means more may be waiting: come back soon rather than after a whole interval.
          const n = runOnce();
          timer = setTimeout(tick, n >= context.limits.gc_batch ? 10 : context.limits.gc_interval_ms);
        } catch {
          timer = setTimeout(tick, context.limits.gc_interval_ms);
        }
        timer.unref();
      };
      timer = setTimeout(tick, context.limits.gc_interval_ms);
      timer.unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
