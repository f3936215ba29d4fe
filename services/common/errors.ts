/**
 * One error class for the whole project (STYLE.md §2): a stable `code`, an HTTP status for services
 * and an exit code for the CLI. Branch on `code`, never on the message. Every code is listed in
 * docs/errors/*.md (a test keeps the two in sync).
 *
 * Plain fields instead of TypeScript parameter properties, so Node can run the source with type
 * stripping alone (benchmarks and the fake provider run from .ts without a build).
 */
export class OlError<C extends string = string> extends Error {
  readonly code: C;
  readonly status: number;
  readonly details: ErrorDetails | undefined;

  constructor(code: C, message: string, status = 500, options?: ErrorOptions & { details?: ErrorDetails }) {
    super(message, options);
    this.name = "OlError";
    this.code = code;
    this.status = status;
    this.details = options?.details;
  }
}

export type ErrorDetails = Record<string, unknown>;

export interface OlErrorOptions {
  status?: number;
  details?: ErrorDetails;
  cause?: unknown;
}

export const isOlError = (value: unknown): value is OlError => value instanceof OlError;

/** The one way to raise: a code from an area's catalog, a message, and status, details, cause. */
export function olError<C extends string>(
  code: C,
  message: string,
  options: OlErrorOptions = {},
): OlError<C> {
  const { status = 500, details, cause } = options;
  return new OlError(code, message, status, {
    ...(cause === undefined ? {} : { cause }),
    ...(details === undefined ? {} : { details }),
  });
}

/** A catalog entry: call it to build the error; `.code` and `.status` name it without raising. */
export type ErrorKind<C extends string, A extends unknown[]> = ((...args: A) => OlError<C>) & {
  readonly code: C;
  readonly status: number;
};

/** An entry without a template takes its message (and details, cause, another status) where it is raised. */
export type PlainErrorKind<C extends string> = ErrorKind<C, [message: string, options?: OlErrorOptions]>;

type Template<A extends unknown[]> = (
  ...args: A
) => string | readonly [message: string, details?: ErrorDetails];

/** The union of the codes of a catalog object, e.g. `type MeshCode = CodeOf<typeof MeshErrors>`. */
export type CodeOf<T> = {
  [K in keyof T]: T[K] extends { readonly code: infer C extends string } ? C : never;
}[keyof T];

/**
 * The factory every area's catalog is built with (STYLE.md §2, fastify:lib/errors.js):
 * `const kind = errorKinds("MESH")`, then one `kind(code, status, template?)` per code. A code outside
 * the area's prefix `OL_ERR_MESH_` does not compile. `cli: true` records the CLI exit code in
 * `details.exitCode` (2 for a 4xx status: the user's input must change; 1 otherwise).
 */
export function errorKinds<const P extends string>(prefix: P, options: { cli?: boolean } = {}) {
  const withExit = (status: number, details: ErrorDetails | undefined): ErrorDetails | undefined =>
    options.cli ? { exitCode: status < 500 ? 2 : 1, ...details } : details;
  function kind<const C extends `OL_ERR_${P}_${string}`>(code: C, status: number): PlainErrorKind<C>;
  function kind<const C extends `OL_ERR_${P}_${string}`, A extends unknown[]>(
    code: C,
    status: number,
    template: Template<A>,
  ): ErrorKind<C, A>;
  function kind(code: string, status: number, template?: Template<unknown[]>) {
    if (!code.startsWith(`OL_ERR_${prefix}_`)) throw new Error(`${code} is outside OL_ERR_${prefix}_`);
    const raise = template
      ? (...args: unknown[]) => {
          const out = template(...args);
          const [message, details] = typeof out === "string" ? [out, undefined] : out;
          return olError(code, message, { status, details: withExit(status, details) });
        }
      : (message: string, o: OlErrorOptions = {}) => {
          const s = o.status ?? status;
          return olError(code, message, { ...o, status: s, details: withExit(s, o.details) });
        };
    return Object.assign(raise, { code, status });
  }
  return kind;
}
