/**
 * Keeps reading a stream (so the child never blocks on a full pipe) but retains only the first and
 * last `cap / 2` bytes; the middle is counted, not stored.
 */
export class HeadTailBuffer {
  readonly #half: number;
  #head: Buffer[] = [];
  #headLen = 0;
  #tail = Buffer.alloc(0);
  #total = 0;

  constructor(cap: number) {
    this.#half = Math.max(1, Math.floor(cap / 2));
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    let rest = chunk;
    if (this.#headLen < this.#half) {
      const take = rest.subarray(0, this.#half - this.#headLen);
      this.#head.push(take);
      this.#headLen += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length === 0) return;
    const joined = Buffer.concat([this.#tail, rest]);
    this.#tail = joined.subarray(Math.max(0, joined.length - this.#half));
  }

  get totalBytes(): number {
    return this.#total;
  }

  get truncated(): boolean {
    return this.#total > this.#headLen + this.#tail.length;
  }

  text(): string {
    const head = Buffer.concat(this.#head).toString("utf8");
    if (!this.truncated) return head + this.#tail.toString("utf8");
    const omitted = this.#total - this.#headLen - this.#tail.length;
    return `${head}\n[… ${omitted} bytes omitted of ${this.#total} …]\n${this.#tail.toString("utf8")}`;
  }
}
