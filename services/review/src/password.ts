import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes are node:crypto scrypt, stored as one string:
 *
 *     scrypt$<N>$<r>$<p>$<salt, base64url>$<derived key, base64url>
 *
 * N (CPU/memory cost, a power of two), r (block size) and p (parallelism) travel with the hash, so stronger
 * parameters can be adopted without invalidating existing hashes. The defaults (N=2^15, r=8, p=1, 16-byte
 * salt, 32-byte key) take about 32 MiB and 50-100 ms per hash on one core.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Parses a stored hash; a string names what is wrong (the hash itself is never repeated). */
export function parsePasswordHash(hash: string): ParsedHash | string {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    return 'expected scrypt$<N>$<r>$<p>$<salt>$<key> (made by `hash-password`)';
  }
  const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  if (!Number.isInteger(N) || N < 2 ** 10 || N > 2 ** 20 || (N & (N - 1)) !== 0) {
    return 'N must be a power of two between 2^10 and 2^20';
  }
  if (!Number.isInteger(R) || R < 1 || R > 32) return 'r must be an integer from 1 to 32';
  if (!Number.isInteger(P) || P < 1 || P > 16) return 'p must be an integer from 1 to 16';
  if (!BASE64URL.test(salt) || !BASE64URL.test(key)) return 'salt and key must be base64url';
  const saltBytes = Buffer.from(salt, 'base64url');
  const keyBytes = Buffer.from(key, 'base64url');
  if (saltBytes.length < 8) return 'salt must be at least 8 bytes';
  if (keyBytes.length < 16 || keyBytes.length > 64) return 'key must be 16 to 64 bytes';
  return { N, r: R, p: P, salt: saltBytes, key: keyBytes };
}

function derive(password: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      length,
      // maxmem: scrypt needs 128 * N * r bytes; twice that leaves room for Node's own accounting.
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1_048_576 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** A new hash of `password` with a random salt. */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<string> {
  if (password === '') throw new Error('the password is empty');
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

/** True when `password` matches `hash`; false for a wrong password or a malformed hash. Constant-time compare. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parsePasswordHash(hash);
  if (typeof parsed === 'string') return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed);
  return timingSafeEqual(key, parsed.key);
}
