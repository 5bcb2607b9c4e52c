import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HttpError } from './http-error.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Largest decompressed body this route accepts, in bytes. */
    maxBodyBytes?: number;
  }
  interface FastifyRequest {
    /** Decompressed size of the JSON body, in bytes. */
    bodyBytes?: number;
  }
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** Past this many bytes we stop reading and drop the connection's body, whatever the route allows. */
const HARD_CAP = 8 * 1024 * 1024;

function tooLarge(limit: number): HttpError {
  return HttpError.invalid([
    { path: '$', rule: `max_bytes:${limit}`, message: `the request body is larger than ${limit} bytes` },
  ]);
}

/**
 * Every body is JSON, whatever its `Content-Type`: RudderStack's Node SDK labels gzipped JSON as
 * `application/x-www-form-urlencoded`, and curl users forget the header. `Content-Encoding: gzip` or
 * `deflate` is undone here, and the limit applies to the decompressed size.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request: FastifyRequest, payload: Readable, done) => {
    const limit = request.routeOptions.config.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
    let stream: Readable = payload;
    if (encoding === 'gzip' || encoding === 'x-gzip') stream = payload.pipe(createGunzip());
    else if (encoding === 'deflate') stream = payload.pipe(createInflate());
    else if (encoding !== 'identity') {
      done(
        new HttpError('invalid_request', `Content-Encoding ${encoding} is not supported (gzip, deflate)`),
        undefined,
      );
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (error: Error | null, body?: unknown): void => {
      if (finished) return;
      finished = true;
      done(error, body);
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > HARD_CAP) {
        finish(tooLarge(limit));
        payload.destroy();
      }
    });
    stream.on('error', () => finish(new HttpError('invalid_request', 'the body could not be decompressed')));
    stream.on('end', () => {
      if (size > limit) return finish(tooLarge(limit));
      if (size === 0) return finish(null, undefined);
      try {
        request.bodyBytes = size;
        finish(null, JSON.parse(Buffer.concat(chunks, size).toString('utf8')));
      } catch (e) {
        finish(
          HttpError.invalid([
            { path: '$', rule: 'json', message: `the body is not valid JSON: ${(e as Error).message}` },
          ]),
        );
      }
    });
  });
}
