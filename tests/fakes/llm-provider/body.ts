/**
 * Read a request body with a cap. Past the cap the rest is drained (so the client can read the 413) up to
 * a hard limit, after which the connection is destroyed.
 */
import type { IncomingMessage } from "node:http";

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DRAIN_LIMIT = 64 * 1024 * 1024;

export interface ReadBody {
  text: string;
  bytes: number;
  tooLarge: boolean;
}

export function readBody(req: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes + DRAIN_LIMIT) {
        req.destroy();
        return;
      }
      if (bytes > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () =>
      resolve({ text: tooLarge ? "" : Buffer.concat(chunks).toString("utf8"), bytes, tooLarge }),
    );
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("request body aborted"));
    });
  });
}

/** Parse JSON, `undefined` when empty or invalid. */
export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
