/**
 * Incremental SSE event splitter that keeps each event's raw text (so a filtered stream stays byte-identical
 * for every event it forwards). Handles LF, CRLF and CR line endings (Gemini uses CRLF) and comment lines.
 * The unfinished tail is capped; past the cap the splitter gives up on that event (overflowed = true).
 */
export interface SseEvent {
  raw: string;
  event: string | undefined;
  data: string;
}

export const MAX_PENDING_CHARS = 1024 * 1024;

export class SseSplitter {
  #pending = "";
  #scanFrom = 0;
  #lines: string[] = [];
  #eventStart = 0;
  overflowed = false;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    this.#pending += text;
    const events: SseEvent[] = [];
    const s = this.#pending;
    let i = this.#scanFrom;
    let lineStart = i;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) {
        i++;
        continue;
      }
      if (c === 13 && i + 1 >= s.length) break; // a lone CR at the end may be the first half of CRLF
      const line = s.slice(lineStart, i);
      i += c === 13 && s.charCodeAt(i + 1) === 10 ? 2 : 1;
      lineStart = i;
      if (line.length > 0) {
        this.#lines.push(line);
        continue;
      }
      if (this.#lines.length > 0) events.push(this.#build(s.slice(this.#eventStart, i)));
      this.#lines = [];
      this.#eventStart = i;
    }
    this.#pending = s.slice(this.#eventStart);
    this.#scanFrom = lineStart - this.#eventStart;
    if (this.#pending.length > MAX_PENDING_CHARS) {
      this.overflowed = true;
      this.#pending = "";
      this.#scanFrom = 0;
      this.#lines = [];
    }
    this.#eventStart = 0;
    return events;
  }

  /** Raw text held back (an unfinished event). */
  rest(): string {
    return this.#pending;
  }

  /** Completes a final event that was not followed by a blank line. */
  flush(): SseEvent[] {
    const tail = this.#pending;
    const last = tail.slice(this.#scanFrom).replace(/[\r\n]+$/, "");
    if (last) this.#lines.push(last);
    this.#pending = "";
    this.#scanFrom = 0;
    if (this.#lines.length === 0) return [];
    const event = this.#build(tail);
    this.#lines = [];
    return [event];
  }

  #build(raw: string): SseEvent {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of this.#lines) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
    return { raw, event, data: data.join("\n") };
  }
}
