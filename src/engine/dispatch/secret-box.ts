import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { err, ok, type Result } from '../../core/result.js';

const VERSION = 'v1';

/**
 * Seals text with AES-256-GCM (NIST SP 800-38D): a fresh 96-bit nonce per message, the 128-bit tag
 * checked on opening. The output is `v1.<nonce>.<tag>.<ciphertext>`, base64url.
 * @example const sealed = sealSecret(key, JSON.stringify({ apiKey })); openSecret(key, sealed)
 */
export function sealSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [VERSION, ...parts].join('.');
}

/** Opens what `sealSecret` sealed; an error when the key is wrong or the text was altered. */
export function openSecret(key: Buffer, sealed: string): Result<string, string> {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) return err('not a sealed secret');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return ok(text.toString('utf8'));
  } catch {
    return err('the secret cannot be opened with this key (ORKESTRA_SECRET_KEY changed?)');
  }
}

/** The file, in the data directory, that holds a generated key when the environment gives none. */
export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key that seals provider credentials: `ORKESTRA_SECRET_KEY` (32 bytes as 64 hex digits or
 * base64), else `secret.key` in the data directory, generated (mode 0600) the first time. Keep the
 * key out of backups of the database, or the backup holds both lock and key.
 * @example const key = resolveSecretKey({ env: process.env, dataDir: '.orkestra' });
 */
export function resolveSecretKey(options: { env: NodeJS.ProcessEnv; dataDir: string }): Buffer {
  const given = options.env.ORKESTRA_SECRET_KEY?.trim();
  if (given) {
    const key = /^[0-9a-f]{64}$/i.test(given) ? Buffer.from(given, 'hex') : Buffer.from(given, 'base64');
    if (key.length !== 32) throw new Error('ORKESTRA_SECRET_KEY must be 32 bytes (64 hex digits or base64)');
    return key;
  }
  const path = join(options.dataDir, SECRET_KEY_FILE);
  if (existsSync(path)) return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64'), { mode: 0o600 });
  chmodSync(path, 0o600);
  return key;
}
