/**
 * The one place that calls `fetch`. Every answer is either parsed JSON, an
 * `ApiError` (the server answered with an error body) or a `NetworkError`
 * (no answer at all: offline, server down, timeout). Callers branch on
 * that difference: a 401 means "log in again", no answer means "keep
 * working on the phone".
 */

import { reportReachable, reportUnreachable } from '../net/connectivity';
import type { ErrorBody } from './types';

/**
 * The server answered, with an error. `code` is its stable machine code:
 * one of api/errors.ts's `ErrorCode`s (`isErrorCode`), or `http_<status>`
 * when the answer had no error body (a proxy's page, say).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super('network unreachable', { cause });
    this.name = 'NetworkError';
  }
}

let onUnauthenticated: (() => void) | null = null;

/** Who to tell when the server says the session is gone (a 401 on anything but login). */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/** A slow 2G request still finishes; a dead one is given up on. */
const TIMEOUT_MS = 30_000;

/** Bodies smaller than this go plain: compressing them saves nothing. */
const COMPRESS_FROM_BYTES = 1024;

/**
 * The body as sent: gzip-compressed when asked, large enough to gain, and
 * the browser can (`CompressionStream`); a push of 50 sessions shrinks
 * about tenfold on a metered link. The server inflates it and bounds the
 * inflated size.
 */
export async function encodeBody(
  body: unknown,
  compress: boolean,
): Promise<{ body: BodyInit; headers: Record<string, string> }> {
  const json = JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (!compress || json.length < COMPRESS_FROM_BYTES || typeof CompressionStream === 'undefined') {
    return { body: json, headers };
  }
  const stream = new Blob([json]).stream().pipeThrough(new CompressionStream('gzip'));
  const gzipped = await new Response(stream).arrayBuffer();
  return { body: gzipped, headers: { ...headers, 'Content-Encoding': 'gzip' } };
}

export interface RequestOptions {
  /** Send the body gzip-compressed where the browser can. */
  compress?: boolean;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  let response: Response;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const encoded = body === undefined ? undefined : await encodeBody(body, options.compress ?? false);
    response = await fetch(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: { Accept: 'application/json', ...encoded?.headers },
      body: encoded?.body,
      signal: controller.signal,
    });
  } catch (error) {
    reportUnreachable();
    throw new NetworkError(error);
  } finally {
    clearTimeout(timer);
  }
  reportReachable();
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const json: unknown = text ? safeParse(text) : undefined;
  if (!response.ok) {
    const err = (json ?? {}) as Partial<ErrorBody>;
    if (response.status === 401 && path !== '/auth/login') onUnauthenticated?.();
    throw new ApiError(
      response.status,
      err.error ?? `http_${response.status}`,
      err.message ?? response.statusText,
      err.fields ?? {},
    );
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/**
 * Whether the server answers at all (any status): its health check, a few
 * hundred bytes, given `timeoutMs`. Sync uses it to notice the network's
 * return on a cell the browser calls online all along (sync/backoff.ts).
 */
export async function serverAnswers(timeoutMs: number): Promise<boolean> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    await fetch('/healthz', { cache: 'no-store', credentials: 'omit', signal: controller.signal });
    reportReachable();
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a file as its own body (an import of a programme's lists). An
 * answer with a `problems` list is a report even when the server refused
 * to apply it (422): the admin reads it row by row.
 */
export async function sendFile<T extends { problems: unknown[] }>(
  path: string,
  file: Blob,
  contentType = 'text/csv',
): Promise<T> {
  let response: Response;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS * 4);
  try {
    response = await fetch(`/api${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': contentType },
      body: file,
      signal: controller.signal,
    });
  } catch (error) {
    reportUnreachable();
    throw new NetworkError(error);
  } finally {
    clearTimeout(timer);
  }
  reportReachable();
  const text = await response.text();
  const json = (text ? safeParse(text) : undefined) as (Partial<ErrorBody> & Partial<T>) | undefined;
  if (response.ok || (response.status === 422 && Array.isArray(json?.problems))) return json as T;
  if (response.status === 401) onUnauthenticated?.();
  throw new ApiError(
    response.status,
    json?.error ?? `http_${response.status}`,
    json?.message ?? response.statusText,
    json?.fields ?? {},
  );
}
