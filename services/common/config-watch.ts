import { createHash } from "node:crypto";
import { readFileSync, unwatchFile, watchFile } from "node:fs";

/** How often a service looks at its mounted config file (stat polling: works across bind mounts and renames). */
export const CONFIG_POLL_MS = 1000;

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Calls `apply(text)` each time the file's content differs from the last content applied (the text it
 * started with counts as applied). A file caught mid-write fails to parse in `apply`, which throws; the
 * next write (a new mtime) brings it back here. Returns the function that stops watching.
 */
export function watchConfigFile(
  path: string,
  initialText: string,
  apply: (text: string) => Promise<void> | void,
  onError: (error: unknown) => void,
  intervalMs = CONFIG_POLL_MS,
): () => void {
  let applied = digest(initialText);
  let busy: Promise<void> = Promise.resolve();
  const check = () => {
    busy = busy.then(async () => {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        return; // between an unlink and a rename: the next poll sees the new file
      }
      const d = digest(text);
      if (d === applied) return;
      try {
        await apply(text);
        applied = d;
      } catch (error) {
        onError(error);
      }
    });
  };
  watchFile(path, { interval: intervalMs, persistent: false }, check);
  // watchFile's first stat is taken later: a write between reading initialText and now would be missed.
  setImmediate(check);
  return () => unwatchFile(path, check);
}
