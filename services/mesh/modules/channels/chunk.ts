/**
 * Splits a reply into chunks of at most `limit` UTF-16 code units (JavaScript's `length`, which is
 * what Telegram counts and is conservative for the others). Prefers a paragraph break, then a line
 * break, then a space, then a hard cut; never cuts inside a surrogate pair. A ``` fence open at a cut
 * is closed at the end of the chunk and reopened (with its info string) at the start of the next, so
 * every chunk renders on its own. Pure.
 */
const FENCE = "```";

function cutPoint(text: string, max: number): number {
  if (text.length <= max) return text.length;
  const window = text.slice(0, max);
  for (const sep of ["\n\n", "\n", " "]) {
    const at = window.lastIndexOf(sep);
    if (at > max / 4) return at + sep.length;
  }
  const code = text.charCodeAt(max - 1);
  // A high surrogate as the last unit would strand its low half in the next chunk.
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** The info string of the fence still open at the end of `text`, or undefined when all are closed. */
function openFence(text: string, opened: string | undefined): string | undefined {
  let open = opened;
  for (const line of text.split("\n")) {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith(FENCE)) continue;
    open = open === undefined ? trimmed.slice(FENCE.length).trim() : undefined;
  }
  return open;
}

export function splitMessage(text: string, limit: number): string[] {
  if (limit < 32) throw new Error(`chunk limit ${limit} is too small`);
  const chunks: string[] = [];
  let rest = text;
  let reopen: string | undefined;
  while (rest.length > 0) {
    const prefix = reopen === undefined ? "" : `${FENCE}${reopen}\n`;
    // Room for the reopened fence and a closing "\n```".
    const room = limit - prefix.length - (FENCE.length + 1);
    let body = rest.slice(0, cutPoint(rest, rest.length + prefix.length <= limit ? limit : room));
    rest = rest.slice(body.length);
    const open = openFence(body, reopen);
    if (open !== undefined && rest.length > 0) body = `${body.replace(/\n$/, "")}\n${FENCE}`;
    const chunk = prefix + body;
    if (chunk.trim() !== "") chunks.push(chunk);
    reopen = rest.length > 0 ? open : undefined;
  }
  return chunks;
}
