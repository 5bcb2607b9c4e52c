import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './http-error.js';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The write key of an ingest request, Segment's way: HTTP Basic with the key as user name and an
 * empty password (RFC 7617), or `writeKey` in a batch body.
 */
export function writeKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  const body = request.body as { writeKey?: unknown } | undefined;
  return typeof body?.writeKey === 'string' ? body.writeKey : undefined;
}

export function requireWriteKey(request: FastifyRequest, keys: readonly string[]): string {
  const key = writeKeyOf(request);
  if (key === undefined)
    throw new HttpError('unauthorized', 'a write key is required (HTTP Basic user name)');
  if (!keys.some((k) => safeEqual(k, key))) throw new HttpError('unauthorized', 'unknown write key');
  return key;
}

/** The admin API takes the admin key as a Bearer token (RFC 6750). */
export function requireAdminKey(request: FastifyRequest, adminKey: string): void {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (token === undefined) throw new HttpError('unauthorized', 'the admin key is required as a Bearer token');
  if (!safeEqual(token, adminKey)) throw new HttpError('unauthorized', 'wrong admin key');
}
