import { OlError } from "../../common/errors.js";

/**
 * Memory failures (facts DB, recall, workspace search, context manager). Tool-facing messages say what
 * to do differently; none of them echoes more than a short prefix of user text. Listed in docs/errors/memory.md.
 */
export const MemoryErrors = {
  tooLarge: (what: string, bytes: number, limit: number, hint: string) =>
    new OlError(
      "OL_ERR_MEMORY_TOO_LARGE",
      `${what} is ${bytes} bytes; the limit is ${limit} bytes. ${hint}`,
      413,
      { details: { bytes, limit } },
    ),
  nulByte: (what: string) =>
    new OlError("OL_ERR_MEMORY_NUL_BYTE", `${what} contains a NUL byte (\\u0000), which memory refuses`, 400),
  empty: (what: string) =>
    new OlError("OL_ERR_MEMORY_EMPTY", `${what} is empty after trimming whitespace`, 400),
  badCategory: (category: string) =>
    new OlError(
      "OL_ERR_MEMORY_BAD_CATEGORY",
      `category ${JSON.stringify(category.slice(0, 40))} is invalid: use 1-32 characters a-z, 0-9, "_" or "-", starting with a letter`,
      400,
    ),
  badKey: (key: string) =>
    new OlError(
      "OL_ERR_MEMORY_BAD_KEY",
      `key ${JSON.stringify(key.slice(0, 40))} is invalid: use 1-64 characters (letters, digits, space, "_", "-", ".", "/", ":")`,
      400,
    ),
  embeddingFailed: (reason: string) =>
    new OlError("OL_ERR_MEMORY_EMBEDDING_FAILED", `embedding call failed: ${reason.slice(0, 300)}`, 502),
} as const;
