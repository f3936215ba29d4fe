/** Incremental `text/event-stream` parser: feed decoded chunks, get complete events. */
export interface SseEvent {
  event: string;
  data: string;
}

const MAX_EVENT = 4 * 1024 * 1024;

export class SseReader {
  #buffer = "";

  push(chunk: string): SseEvent[] {
    this.#buffer += chunk.replace(/\r\n?/g, "\n");
    if (this.#buffer.length > MAX_EVENT && !this.#buffer.includes("\n\n"))
      throw new Error(`SSE event larger than ${MAX_EVENT} bytes`);
    const out: SseEvent[] = [];
    let end = this.#buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const ev = parseBlock(block);
      if (ev) out.push(ev);
      end = this.#buffer.indexOf("\n\n");
    }
    return out;
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n") };
}
