import { prefixesOf } from "../../core/keys.js";

/**
 * In-memory index of watches (mirrors the `watches` table, rebuilt at boot). Looking up a key checks
 * each of its string prefixes, so a write costs O(key length), independent of the number of watches.
 */
export class WatchIndex {
  readonly #byPrefix = new Map<string, Set<string>>();

  add(agent: string, prefix: string): void {
    const set = this.#byPrefix.get(prefix) ?? new Set<string>();
    set.add(agent);
    this.#byPrefix.set(prefix, set);
  }

  remove(agent: string, prefix: string): void {
    const set = this.#byPrefix.get(prefix);
    set?.delete(agent);
    if (set?.size === 0) this.#byPrefix.delete(prefix);
  }

  /** Watchers of `key`: agent → the longest matching prefix. */
  watchersOf(key: string): Map<string, string> {
    const out = new Map<string, string>();
    if (this.#byPrefix.size === 0) return out;
    for (const prefix of prefixesOf(key)) {
      for (const agent of this.#byPrefix.get(prefix) ?? []) out.set(agent, prefix);
    }
    return out;
  }
}
