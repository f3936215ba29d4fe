import type { FastifyInstance } from "fastify";

/**
 * JSON bodies nested deeper than this are refused with a 400 before parsing: secure-json-parse (Fastify's
 * parser) and zod recurse per level, so a 10 000-deep `[[[…]]]` would otherwise end in a RangeError and a 500.
 * No contract of ours nests anywhere near this deep.
 */
export const MAX_JSON_DEPTH = 64;

/** Deepest `[`/`{` nesting of JSON text, ignoring brackets inside strings; stops early past `limit`. */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Replaces the JSON body parser with one that checks nesting first and then parses as Fastify would. */
export function registerJsonParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    if (jsonDepthExceeds(body as string, maxDepth)) {
      const error = Object.assign(new Error(`JSON nested deeper than ${maxDepth} levels`), {
        statusCode: 400,
      });
      done(error, undefined);
      return;
    }
    parse(req, body as string, done);
  });
}
