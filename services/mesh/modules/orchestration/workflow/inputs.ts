import type { Json } from "../cel.js";
import type { InputDef } from "./definition.js";

/** Checks run inputs against the workflow's `inputs:` block; applies defaults; rejects unknown keys. */
export function resolveInputs(
  defs: Record<string, InputDef>,
  given: Record<string, Json>,
): { inputs: Record<string, Json> } | { issues: string[] } {
  const issues: string[] = [];
  const inputs: Record<string, Json> = {};
  for (const key of Object.keys(given))
    if (!Object.hasOwn(defs, key))
      issues.push(`unknown input "${key}" (declared: ${Object.keys(defs).join(", ") || "none"})`);
  for (const [key, def] of Object.entries(defs)) {
    const value = Object.hasOwn(given, key) ? given[key] : def.default;
    if (value === undefined) {
      if (def.required) issues.push(`input "${key}" is required`);
      continue;
    }
    if (!matches(def.type, value))
      issues.push(`input "${key}" must be ${def.type}, got ${JSON.stringify(value).slice(0, 60)}`);
    else inputs[key] = value;
  }
  return issues.length > 0 ? { issues } : { inputs };
}

function matches(type: InputDef["type"], v: Json): boolean {
  switch (type) {
    case "string":
      return typeof v === "string";
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
  }
}

/** `k=v` pairs from the CLI: v is parsed as JSON when it parses, else kept as a string. */
export function parseKv(pairs: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new Error(`expected k=v, got ${JSON.stringify(pair)}`);
    const raw = pair.slice(i + 1);
    let value: Json;
    try {
      value = JSON.parse(raw) as Json;
    } catch {
      value = raw;
    }
    out[pair.slice(0, i)] = value;
  }
  return out;
}
