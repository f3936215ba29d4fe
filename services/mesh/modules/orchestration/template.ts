import type { Json } from "./cel.js";

/**
 * `{{ dotted.path }}` substitution for prompt and message text. Deliberately not Handlebars: no
 * helpers, no partials, no code generation; lookups use own properties only, so `__proto__` or
 * `constructor` resolve to nothing. Missing values render as an empty string.
 */
const TAG = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

export function lookup(scope: unknown, path: string): unknown {
  let current: unknown = scope;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  return template.replace(TAG, (_m, path: string) => text(lookup(scope, path)));
}

/** Renders every string inside a JSON value (keys untouched). */
export function renderDeep(value: Json, scope: Record<string, unknown>): Json {
  if (typeof value === "string") return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value !== null && typeof value === "object") {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: renderDeep(v, scope),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}
