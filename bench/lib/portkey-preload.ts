/**
 * Loaded into the Portkey gateway process only (`node --import`). Portkey 1.15.2 builds its streaming
 * response with `new Response(body, upstreamResponse)`; with the @hono/node-server 1.19 that npm resolves
 * today, that reuses the upstream fetch Response's immutable Headers and every stream fails with
 * `TypeError: immutable` (HTTP 500). Re-wrapping fetch responses with mutable headers restores Portkey's
 * intended behaviour; it costs one extra Response object per call, which slightly favours nobody but us.
 */
const nativeFetch = globalThis.fetch;
const NativeResponse = globalThis.Response;

globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  const res = await nativeFetch(input, init);
  return new NativeResponse(res.body, {
    status: res.status,
    statusText: res.statusText,
    headers: new Headers(res.headers),
  });
};
