import { constants } from "node:fs";
import { z } from "zod";
import { ToolErrors } from "./errors.js";
import { openConfined, resolveInRoot } from "./fs/safe-path.js";
import { defineTool } from "./types.js";

export const READ_DEFAULT_BYTES = 50_000;
export const READ_MAX_BYTES = 200_000;

export const readFileTool = defineTool({
  name: "read_file",
  description: `Read a text file under /data. Returns at most ${READ_DEFAULT_BYTES} bytes by default (limit up to ${READ_MAX_BYTES}); use offset to page through larger files.`,
  input: z.strictObject({
    path: z.string().min(1).describe("Path relative to /data (or starting with /data/)"),
    offset: z.int().min(0).optional().describe("Byte offset to start at (default 0)"),
    limit: z
      .int()
      .min(1)
      .max(READ_MAX_BYTES)
      .optional()
      .describe(`Bytes to read (default ${READ_DEFAULT_BYTES})`),
  }),
  async run(args, ctx) {
    const resolved = await resolveInRoot(ctx.dataRoot, args.path);
    if (!resolved.exists) throw ToolErrors.notFound(resolved.rel);
    const handle = await openConfined(ctx.dataRoot, resolved, constants.O_RDONLY);
    try {
      const st = await handle.stat();
      if (st.isDirectory()) throw ToolErrors.pathRefused(resolved.rel, "it is a directory; use list_files");
      if (!st.isFile()) throw ToolErrors.pathRefused(resolved.rel, "it is not a regular file");
      const offset = args.offset ?? 0;
      const limit = args.limit ?? READ_DEFAULT_BYTES;
      const length = Math.max(0, Math.min(limit, st.size - offset));
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      const text = buf.subarray(0, bytesRead).toString("utf8");
      const end = offset + bytesRead;
      if (offset === 0 && end >= st.size) return text;
      return `${text}\n\n[bytes ${offset}–${end} of ${st.size}${end < st.size ? `; continue with offset ${end}` : ""}]`;
    } finally {
      await handle.close();
    }
  },
});
