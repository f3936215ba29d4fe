import { open, stat } from "node:fs/promises";
import type { ConfigIssue } from "./errors.js";

/** Largest config file we read. Checked with stat() before reading, so a huge file costs nothing. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ReadOutcome =
  | { kind: "missing" }
  | { kind: "text"; text: string }
  | { kind: "issue"; issue: ConfigIssue };

const fileIssue = (file: string, message: string, line = 1, col = 1): ReadOutcome => ({
  kind: "issue",
  issue: { file, line, col, path: "", message },
});

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    let need = 0;
    let min = 0;
    if (b < 0x80) need = 0;
    else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = need === 0 ? b : b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (need >= 2 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (in characters) of a byte offset. */
export function bytePosition(bytes: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, col };
}

async function readCapped(abs: string): Promise<Uint8Array | undefined> {
  const handle = await open(abs, "r");
  try {
    const buffer = new Uint8Array(MAX_CONFIG_BYTES + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled > MAX_CONFIG_BYTES ? undefined : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/**
 * Reads one config file as UTF-8 text. `file` is the fleet-relative name used in messages. Refuses
 * directories, devices and FIFOs (stat first, so opening never blocks), files over 1 MiB (before
 * reading them), NUL bytes and invalid UTF-8. A leading BOM is dropped.
 */
export async function readConfigText(abs: string, file: string): Promise<ReadOutcome> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(abs);
  } catch (error) {
    const code = errnoOf(error);
    if (code === "ENOENT") return { kind: "missing" };
    if (code === "ENOTDIR") return fileIssue(file, "a parent of this path is a file, not a directory");
    if (code === "EACCES") return fileIssue(file, "cannot read: permission denied");
    return fileIssue(file, `cannot read: ${code ?? "unknown error"}`);
  }
  if (info.isDirectory()) return fileIssue(file, "is a directory, expected a file");
  if (!info.isFile()) return fileIssue(file, "is not a regular file");
  const tooBig = `file is too large (${mib(info.size)}); config files are limited to ${mib(MAX_CONFIG_BYTES)}`;
  if (info.size > MAX_CONFIG_BYTES) return fileIssue(file, tooBig);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readCapped(abs);
  } catch (error) {
    return fileIssue(file, `cannot read: ${errnoOf(error) ?? "unknown error"}`);
  }
  if (bytes === undefined)
    return fileIssue(file, `file is too large; config files are limited to ${mib(MAX_CONFIG_BYTES)}`);
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const { line, col } = bytePosition(bytes, bad);
    return fileIssue(
      file,
      `binary or non-UTF-8 content (invalid UTF-8 byte 0x${bytes[bad]?.toString(16).padStart(2, "0")})`,
      line,
      col,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = bytePosition(bytes, nul);
    return fileIssue(file, "binary content (NUL byte); config files are UTF-8 text", line, col);
  }
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  return { kind: "text", text };
}
