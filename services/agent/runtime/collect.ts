/**
 * The mesh's `collect` lane: messages that arrive while a collect turn is still waiting in the queue
 * join that turn instead of each starting one, so a burst (e.g. many watcher or event notices) costs
 * one model turn. Once the turn starts, the next collect message opens a new batch.
 */
export class CollectBatch {
  #open: string[] | undefined;

  /** Joins the waiting batch; false when none waits (the caller then queues `open(text)`). */
  add(text: string): boolean {
    if (!this.#open) return false;
    this.#open.push(text);
    return true;
  }

  /** Opens a batch; `take` closes it and returns the joined text, `drop` forgets it (turn cancelled). */
  open(first: string): { take: () => string; drop: () => void } {
    const texts = [first];
    this.#open = texts;
    const close = () => {
      if (this.#open === texts) this.#open = undefined;
    };
    return {
      take: () => {
        close();
        return texts.join("\n\n");
      },
      drop: close,
    };
  }
}
