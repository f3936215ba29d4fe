/**
 * The seam between pub/sub and whoever reacts to published topics besides subscribed agents (today:
 * workflow triggers). Listeners run synchronously inside the publish's SQLite transaction, so what
 * they write commits together with the subscribers' inbox rows, before the publisher gets its 202.
 * A listener must not throw for its own failures (it audits them); a throw fails the publish.
 */
export interface PublishedEvent {
  topic: string;
  /** The publisher's agent id. */
  from: string;
  /** The parsed JSON payload. */
  payload: unknown;
}

/** What a listener started in response (e.g. workflow run ids), reported back to the publisher. */
export type PublishListener = (event: PublishedEvent) => string[];

export class PublishHooks {
  readonly #listeners: PublishListener[] = [];

  on(listener: PublishListener): void {
    this.#listeners.push(listener);
  }

  /** Runs every listener in order; returns the ids they reported. */
  emit(event: PublishedEvent): string[] {
    return this.#listeners.flatMap((l) => l(event));
  }
}
