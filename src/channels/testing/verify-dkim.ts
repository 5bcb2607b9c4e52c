import { createHash, createVerify, type KeyObject } from 'node:crypto';

/**
 * An independent DKIM verifier for tests (RFC 6376): relaxed/relaxed canonicalization (§3.4.2 headers,
 * §3.4.4 body), body hash `bh=` (§3.7), then the rsa-sha256 signature `b=` over the `h=` headers and
 * the DKIM-Signature header itself with an empty `b=`.
 */

interface Header {
  readonly name: string;
  readonly raw: string;
}

function splitMessage(raw: string): { headers: Header[]; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, end + 2);
  const headers: Header[] = [];
  for (const line of head.split(/\r\n(?![ \t])/)) {
    if (!line) continue;
    headers.push({
      name: line.slice(0, line.indexOf(':')).trim().toLowerCase(),
      raw: line.replace(/\r\n$/, ''),
    });
  }
  return { headers, body: raw.slice(end + 4) };
}

/** §3.4.2: lower-case name, unfold, collapse whitespace, trim around the colon and at the end. */
export function relaxedHeader(raw: string): string {
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon).trim().toLowerCase();
  const value = raw
    .slice(colon + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** §3.4.4: strip trailing whitespace per line, collapse runs, drop trailing empty lines, end in CRLF. */
export function relaxedBody(body: string): string {
  const lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : lines.join('\r\n') + '\r\n';
}

function tags(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return out;
}

/** Verifies the message's first DKIM-Signature with `publicKey`; returns what failed, or 'ok'. */
export function verifyDkim(
  raw: string,
  publicKey: KeyObject,
): { bodyHash: boolean; signature: boolean; tags: Map<string, string> } {
  const { headers, body } = splitMessage(raw);
  const dkim = headers.find((h) => h.name === 'dkim-signature');
  if (!dkim) throw new Error('no DKIM-Signature');
  const t = tags(dkim.raw.slice(dkim.raw.indexOf(':') + 1));
  const bodyHash = createHash('sha256').update(relaxedBody(body)).digest('base64') === t.get('bh');
  const used = new Set<Header>();
  const signed: string[] = [];
  for (const name of (t.get('h') ?? '').toLowerCase().split(':')) {
    // §5.4.2: take instances of a repeated header from the bottom up.
    const h = [...headers].reverse().find((x) => x.name === name && !used.has(x) && x !== dkim);
    if (!h) continue;
    used.add(h);
    signed.push(relaxedHeader(h.raw) + '\r\n');
  }
  const withoutB = relaxedHeader(dkim.raw).replace(/([;:\s]b=)[^;]*/, '$1');
  const verifier = createVerify('RSA-SHA256').update(signed.join('') + withoutB);
  const signature = verifier.verify(publicKey, Buffer.from(t.get('b') ?? '', 'base64'));
  return { bodyHash, signature, tags: t };
}
