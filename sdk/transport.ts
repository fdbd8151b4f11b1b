/**
 * One POST of a batch to the collector, nothing more: retries and their policy live in
 * delivery.ts. Throws on network errors and timeouts; any HTTP answer is returned.
 */

/** The collector's answer to one request. `body` is cut at `MAX_BODY_CHARS`. */
export interface HttpAnswer {
  status: number;
  body: string;
  retryAfter: string | null;
}

export type Send = (body: string) => Promise<HttpAnswer>;

/** Enough for a 207 listing every event of a large batch; more is an unexpected answer. */
const MAX_BODY_CHARS = 64 * 1024;

/** A function that POSTs a JSON array body to `${url}/v1/events`. */
export function createSender(options: { url: string; token: string | undefined; timeoutMs: number; fetch: typeof fetch }): Send {
  const endpoint = `${options.url.replace(/\/+$/, '')}/v1/events`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;

  return async (body) => {
    // The signal covers reading the answer too, so a collector that stalls mid-body still times out.
    const response = await options.fetch(endpoint, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text,
      retryAfter: response.headers.get('retry-after'),
    };
  };
}
