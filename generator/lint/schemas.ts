import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { packageRoot } from "../init/package-root.js";
import type { Finding } from "./types.js";

export const VENDORED_SCHEMAS = {
  spec: { rule: "OL100", file: "compose-spec.json", label: "Compose Specification" },
  v1: { rule: "OL101", file: "compose-v1.29.2.json", label: "docker-compose 1.29.2" },
} as const;

export const schemaPath = (file: string): string =>
  join(packageRoot(), "generator", "schemas", "vendor", file);

/** draft-04 style `id` keys (v1's schema) confuse ajv's draft-07 mode; both schemas load as draft-07 (as dclint does). */
function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k, v]) => !(k === "id" && typeof v === "string"))
        .map(([k, v]) => [k, stripIds(v)]),
    );
  }
  return value;
}

const cache = new Map<string, ValidateFunction>();

function validator(file: string): ValidateFunction {
  const hit = cache.get(file);
  if (hit) return hit;
  const raw = JSON.parse(readFileSync(schemaPath(file), "utf8")) as Record<string, unknown>;
  const schema = stripIds({ ...raw, $schema: "http://json-schema.org/draft-07/schema#" }) as Record<
    string,
    unknown
  >;
  delete schema.$id;
  const ajv = new Ajv({
    allErrors: true,
    strict: false,
    allowUnionTypes: true,
    validateFormats: false,
    logger: false,
  });
  const fn = ajv.compile(schema);
  cache.set(file, fn);
  return fn;
}

function describe(err: ErrorObject): string {
  const extra = (err.params as { additionalProperty?: string }).additionalProperty;
  return extra ? `${err.message} (${JSON.stringify(extra)})` : (err.message ?? "invalid");
}

/** Validates plain compose data against one vendored schema; one finding per distinct error. */
export function schemaFindings(which: keyof typeof VENDORED_SCHEMAS, data: unknown): Finding[] {
  const { rule, file, label } = VENDORED_SCHEMAS[which];
  const fn = validator(file);
  if (fn(data)) return [];
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const err of fn.errors ?? []) {
    const path = err.instancePath || "/";
    const message = `${label} schema: ${path} ${describe(err)}`;
    if (seen.has(message)) continue;
    seen.add(message);
    out.push({
      rule,
      severity: "error",
      path,
      message,
      fix: "re-render with openlegion render; never hand-edit docker-compose.yml",
    });
  }
  return out;
}
