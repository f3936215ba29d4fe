import { type CodeOf, errorKinds } from "../../common/errors.js";

const kind = errorKinds("MEMORY");

/**
 * Memory failures (facts DB, recall, workspace search, context manager). Tool-facing messages say what
 * to do differently; none of them echoes more than a short prefix of user text. Listed in docs/errors/memory.md.
 */
export const MemoryErrors = {
  tooLarge: kind(
    "OL_ERR_MEMORY_TOO_LARGE",
    413,
    (what: string, bytes: number, limit: number, hint: string) => [
      `${what} is ${bytes} bytes; the limit is ${limit} bytes. ${hint}`,
      { bytes, limit },
    ],
  ),
  nulByte: kind(
    "OL_ERR_MEMORY_NUL_BYTE",
    400,
    (what: string) => `${what} contains a NUL byte (\\u0000), which memory refuses`,
  ),
  empty: kind("OL_ERR_MEMORY_EMPTY", 400, (what: string) => `${what} is empty after trimming whitespace`),
  badCategory: kind(
    "OL_ERR_MEMORY_BAD_CATEGORY",
    400,
    (category: string) =>
      `category ${JSON.stringify(category.slice(0, 40))} is invalid: use 1-32 characters a-z, 0-9, "_" or "-", starting with a letter`,
  ),
  badKey: kind(
    "OL_ERR_MEMORY_BAD_KEY",
    400,
    (key: string) =>
      `key ${JSON.stringify(key.slice(0, 40))} is invalid: use 1-64 characters (letters, digits, space, "_", "-", ".", "/", ":")`,
  ),
  embeddingFailed: kind(
    "OL_ERR_MEMORY_EMBEDDING_FAILED",
    502,
    (reason: string) => `embedding call failed: ${reason.slice(0, 300)}`,
  ),
} as const;

export type MemoryCode = CodeOf<typeof MemoryErrors>;
