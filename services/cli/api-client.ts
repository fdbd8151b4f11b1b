/**
 * The CLI's client of the operator API (8701), so operator actions from a terminal go through
 * the same auth and audit trail as any other call. Where: `--api-url`, else RUNWATCH_API_URL,
 * else the configured api.host:api.port. Token: RUNWATCH_API_TOKEN only (a flag would land in
 * shell history and `ps`).
 */
import { RunwatchError } from '../shared/errors.js';

/** The API answered with an error, or could not be reached (status 0). */
export class ApiError extends RunwatchError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

export interface ApiClient {
  readonly url: string;
  request<T>(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<T>;
  get<T>(path: string): Promise<T>;
  post<T>(path: string): Promise<T>;
  delete<T>(path: string): Promise<T>;
}

export function createApiClient(url: string, token: string | undefined, timeoutMs = 10_000): ApiClient {
  const base = url.replace(/\/+$/, '');
  const client: ApiClient = {
    url: base,
    get: (path) => client.request('GET', path),
    post: (path) => client.request('POST', path),
    delete: (path) => client.request('DELETE', path),
    async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new ApiError(0, 'RW_ERR_API_UNREACHABLE', `cannot reach the operator API at ${base}: ${(err as Error).message}`);
      }
      const body = (await res.json().catch(() => null)) as (T & { error?: string; code?: string }) | null;
      if (!res.ok) throw new ApiError(res.status, body?.code ?? 'RW_ERR_API', `${method} ${path}: ${res.status} ${body?.error ?? res.statusText}`);
      return body as T;
    },
  };
  return client;
}
