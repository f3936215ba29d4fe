import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from "fastify";
import type {
  BodyOf,
  HeadersOf,
  ParamsOf,
  QueryOf,
  ReplyInput,
  RouteAuth,
  RouteContract,
} from "../contracts/contract.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route, from its contract; each service's auth hook enforces it. */
    auth?: RouteAuth;
  }
}

/** The request a handler sees: params, query, body and headers typed from the contract's schemas. */
export type RouteRequest<C extends RouteContract> = Omit<
  FastifyRequest,
  "params" | "query" | "body" | "headers"
> & {
  params: ParamsOf<C>;
  query: QueryOf<C>;
  body: BodyOf<C>;
  headers: FastifyRequest["headers"] & HeadersOf<C>;
};

/** Return the reply (serialized through the contract's 200 schema) or send it on `reply` yourself. */
export type RouteHandler<C extends RouteContract> = (
  req: RouteRequest<C>,
  reply: FastifyReply,
) => Promise<ReplyInput<C> | FastifyReply | undefined>;

/**
 * Registers one route from its contract: method, url, `config.auth` and every schema (validated and
 * serialized by fastify-type-provider-zod; replies lose undeclared fields). The only way routes are
 * added (STYLE.md "Fastify services").
 */
export function route<C extends RouteContract>(
  app: FastifyInstance,
  contract: C,
  handler: RouteHandler<C>,
): void {
  const schema: Record<string, unknown> = {};
  if (contract.params) schema.params = contract.params;
  if (contract.query) schema.querystring = contract.query;
  if (contract.headers) schema.headers = contract.headers;
  if (contract.body) schema.body = contract.body;
  if (contract.response) schema.response = contract.response;
  app.route({
    method: contract.method,
    url: contract.path,
    config: { auth: contract.auth },
    schema,
    ...(contract.bodyLimit === undefined ? {} : { bodyLimit: contract.bodyLimit }),
    // The request's fields were validated against the contract's schemas by the type provider.
    handler: handler as unknown as RouteHandlerMethod,
  });
}
