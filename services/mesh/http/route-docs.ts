import { z } from "zod";
import type { RouteAuth } from "../context.js";

/** What docs/api.md must say about one route; collected from the registered routes (app.ts onRoute). */
export interface RouteDoc {
  method: string;
  url: string;
  auth: RouteAuth;
  /** Top-level field names of the body and querystring zod schemas. */
  body: string[];
  query: string[];
}

/** Top-level property names of a zod object schema (or of each branch of a union); [] otherwise. */
export function fieldsOf(schema: unknown): string[] {
  if (!(schema instanceof z.ZodType)) return [];
  let json: unknown;
  try {
    json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  } catch {
    return [];
  }
  const out = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const n = node as { properties?: Record<string, unknown>; anyOf?: unknown[]; oneOf?: unknown[] };
    for (const key of Object.keys(n.properties ?? {})) out.add(key);
    for (const branch of [...(n.anyOf ?? []), ...(n.oneOf ?? [])]) visit(branch);
  };
  visit(json);
  return [...out];
}
