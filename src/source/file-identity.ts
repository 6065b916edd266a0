// A file is known by device+inode plus a hash of its first bytes, so an inode reused by a new file,
// or a file replaced while the agent was down, is not mistaken for the one a checkpoint names.
import { open, type FileHandle } from 'node:fs/promises';
import { sha256Hex } from './sha256.js';

export const FINGERPRINT_BYTES = 256;

export interface FileIdentity {
  dev: number;
  ino: number;
  /** Hex hash of the first `fingerprintBytes` bytes. */
  fingerprint: string;
  /** How many bytes the hash covers: fewer than FINGERPRINT_BYTES while the file is shorter. */
  fingerprintBytes: number;
}

export function identityKey(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

export function hashBytes(buf: Buffer, len: number): string {
  return sha256Hex(buf.subarray(0, len)).slice(0, 32);
}

/** Hash of the first `bytes` bytes (at most FINGERPRINT_BYTES), and how many there were. */
export async function fingerprintOf(fh: FileHandle, bytes = FINGERPRINT_BYTES): Promise<{ fingerprint: string; fingerprintBytes: number }> {
  const buf = Buffer.alloc(Math.min(bytes, FINGERPRINT_BYTES));
  const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
  return { fingerprint: hashBytes(buf, bytesRead), fingerprintBytes: bytesRead };
}

/**
 * Whether the file open as `fh` starts with the bytes a saved identity hashed. A file now shorter
 * than the saved fingerprint cannot be the same file at the same offsets (it was truncated).
 */
export async function sameStart(fh: FileHandle, saved: { fingerprint: string; fingerprintBytes: number }): Promise<boolean> {
  const now = await fingerprintOf(fh, saved.fingerprintBytes);
  return now.fingerprintBytes === saved.fingerprintBytes && now.fingerprint === saved.fingerprint;
}

/** `read(fh)` on the file at `path`, opened for it and closed after; undefined when it cannot be opened or read. */
export async function readingFile<T>(path: string, read: (fh: FileHandle) => Promise<T>): Promise<T | undefined> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    return await read(fh);
  } catch {
    return undefined;
  } finally {
    await fh.close().catch(() => undefined);
  }
}
