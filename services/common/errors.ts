/**
 * One error class for the whole project (STYLE.md §2): a stable `code`, an HTTP status for services
 * and an exit code for the CLI. Branch on `code`, never on the message. Every code is listed in
 * docs/errors/*.md (a test keeps the two in sync).
 *
 * Plain fields instead of TypeScript parameter properties, so Node can run the source with type
 * stripping alone (benchmarks and the fake provider run from .ts without a build).
 */
export class OlError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    status = 500,
    options?: ErrorOptions & { details?: Record<string, unknown> },
  ) {
    super(message, options);
    this.name = "OlError";
    this.code = code;
    this.status = status;
    this.details = options?.details;
  }
}

export const isOlError = (value: unknown): value is OlError => value instanceof OlError;
