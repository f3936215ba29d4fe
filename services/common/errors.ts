/**
 * One error class for the whole project (STYLE.md §2): a stable `code`, an HTTP status for services
 * and an exit code for the CLI. Branch on `code`, never on the message. Every code is listed in
 * docs/errors.md (a test keeps the two in sync).
 */
export class OlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 500,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = "OlError";
    this.details = options?.details;
  }
  readonly details: Record<string, unknown> | undefined;
}

export const isOlError = (value: unknown): value is OlError => value instanceof OlError;
