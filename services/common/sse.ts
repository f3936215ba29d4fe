/**
 * Minimal incremental Server-Sent Events parser (pure): feed text chunks, get complete events.
 * Only `event:` and `data:` fields matter here; comments and ids are ignored. A line longer than
 * `maxLine` characters is an error (a hostile agent cannot make the mesh buffer without bound).
 */
export interface SseEvent {
  event: string;
  data: string;
}

export class SseParser {
  #buffer = "";
  #event = "";
  #data: string[] = [];

  private readonly maxLine: number;

  constructor(maxLine = 1024 * 1024) {
    this.maxLine = maxLine;
  }

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    let nl = this.#buffer.search(/\r\n|\r|\n/);
    while (nl >= 0) {
      const line = this.#buffer.slice(0, nl);
      const sepLength = this.#buffer.startsWith("\r\n", nl) ? 2 : 1;
      this.#buffer = this.#buffer.slice(nl + sepLength);
      const ev = this.#line(line);
      if (ev) out.push(ev);
      nl = this.#buffer.search(/\r\n|\r|\n/);
    }
    if (this.#buffer.length > this.maxLine)
      throw new Error(`SSE line longer than ${this.maxLine} characters`);
    return out;
  }

  #line(line: string): SseEvent | undefined {
    if (line === "") {
      if (this.#data.length === 0) {
        this.#event = "";
        return undefined;
      }
      const ev = { event: this.#event || "message", data: this.#data.join("\n") };
      this.#event = "";
      this.#data = [];
      return ev;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
    return undefined;
  }
}

export const sseFrame = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
