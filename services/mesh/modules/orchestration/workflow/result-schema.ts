import type { Json } from "../cel.js";

/**
 * A small, interpreted JSON-Schema subset for `result_schema` (type, required, properties, items,
 * enum, minimum/maximum, minLength/maxLength). Interpreted on purpose: ajv compiles schemas to code
 * with `new Function`, and this module evaluates nothing. Unknown keywords are ignored.
 */
type Schema = Record<string, unknown>;

function typeOf(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(expected: unknown, actual: string): boolean {
  const list = Array.isArray(expected) ? expected : [expected];
  return list.some((t) => t === actual || (t === "number" && actual === "integer"));
}

export function validateResult(schema: Json, value: Json, path = "result"): string[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return [];
  const s = schema as Schema;
  const errors: string[] = [];
  const actual = typeOf(value);
  if (s.type !== undefined && !typeMatches(s.type, actual))
    return [`${path}: expected ${JSON.stringify(s.type)}, got ${actual}`];
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(`${path}: not one of ${JSON.stringify(s.enum)}`);
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum) errors.push(`${path}: below ${s.minimum}`);
    if (typeof s.maximum === "number" && value > s.maximum) errors.push(`${path}: above ${s.maximum}`);
  }
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && value.length < s.minLength)
      errors.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === "number" && value.length > s.maxLength)
      errors.push(`${path}: longer than ${s.maxLength}`);
  }
  if (actual === "object") {
    const obj = value as Record<string, Json>;
    if (Array.isArray(s.required))
      for (const key of s.required)
        if (typeof key === "string" && !Object.hasOwn(obj, key)) errors.push(`${path}.${key}: required`);
    if (s.properties !== null && typeof s.properties === "object")
      for (const [key, sub] of Object.entries(s.properties as Record<string, Json>))
        if (Object.hasOwn(obj, key)) errors.push(...validateResult(sub, obj[key] as Json, `${path}.${key}`));
  }
  if (actual === "array" && s.items !== undefined)
    (value as Json[]).forEach((item, i) => {
      errors.push(...validateResult(s.items as Json, item, `${path}[${i}]`));
    });
  return errors.slice(0, 20);
}
