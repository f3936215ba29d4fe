/**
 * Deterministic JSON: object keys sorted at every depth, so `{a:1,b:2}` and `{b:2,a:1}` are the same
 * call for the loop detector. Non-JSON values (undefined, functions) are dropped like JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
