// The file identities of checkpoints hash a file's first bytes with SHA-256 in JavaScript (src/source/sha256.ts),
// keeping node:crypto out of an idle agent: the digests must be exactly node:crypto's, or checkpoints
// written by earlier versions would stop matching their files.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashBytes } from '../../src/source/file-identity.js';
import { sha256Hex } from '../../src/source/sha256.js';

const opensslSha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256Hex', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256Hex(Buffer.from(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('equals node:crypto on every length around the block boundaries and on random bytes', () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = randomBytes(length);
      expect(sha256Hex(bytes), `length ${length}`).toBe(opensslSha256(bytes));
    }
    const large = randomBytes(100_003);
    expect(sha256Hex(large)).toBe(opensslSha256(large));
  });

  it('hashes only the view it is given, not the whole buffer behind it', () => {
    const whole = randomBytes(512);
    const view = whole.subarray(100, 356);
    expect(sha256Hex(view)).toBe(opensslSha256(Buffer.from(view)));
  });
});

describe('file identities', () => {
  it('are the first 32 hex digits of SHA-256, as checkpoints written before the JavaScript hash stored them', () => {
    const start = Buffer.from('{"level":"info","msg":"started"}\n'.repeat(10));
    expect(hashBytes(start, 256)).toBe(opensslSha256(start.subarray(0, 256)).slice(0, 32));
    expect(hashBytes(start, 17)).toBe(opensslSha256(start.subarray(0, 17)).slice(0, 32));
  });
});
