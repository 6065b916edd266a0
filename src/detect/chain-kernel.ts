// The byte automaton's inner loop (byte-automaton.ts) as a WebAssembly function: four chains through
// the search's table at once, one byte each per step, until the steps run out or a chain reaches a
// state ending a word. The same loop in JavaScript pays a bounds check on each of its three loads per
// byte and chain; here the loads are plain, and the loop runs ~2x faster over a catch-up's bytes
// (docs/benchmarks.md, "Thirteenth round"). Twelve lines of WebAssembly, assembled below by hand: no
// toolchain, no file to load, ~250 bytes compiled once per process when a first long search needs it.
//
// Memory: [0, 256) the byte classes, [256, 272) the four states when the loop stops, the table
// (16-bit entries) from TABLE_AT, then the bytes searched (a window copied in).

const STATES_AT = 256;
const TABLE_AT = 512;

/** Unsigned LEB128, as WebAssembly encodes indices, sizes and offsets. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

/**
 * (func (param p0 p1 p2 p3 steps s0 s1 s2 s3 shift) (result i32) (local t)): walks chain k from
 * address pk, state sk, for up to `steps` bytes; stores the states at STATES_AT and returns how many
 * steps ran before a chain met a word (its state then negative), or `steps`.
 */
function kernelModule(): Uint8Array {
  const I32 = 0x7f;
  const [t, steps, shift] = [10, 4, 9];
  const get = (i: number): number[] => [0x20, i];
  const step = (k: number): number[] => [
    ...get(5 + k), ...get(shift), 0x74, // s << shift
    ...get(k), ...get(t), 0x6a, 0x2d, 0, 0, // the byte at pk + t
    0x2d, 0, 0, // its class
    0x6a, 0x41, 1, 0x74, // (row + class) * 2
    0x2e, 1, ...leb(TABLE_AT), // the entry (16 bits, signed)
    0x21, 5 + k,
  ];
  const body = [
    1, 1, I32, // one local: t
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(t), ...get(steps), 0x4f, 0x0d, 1, // t >= steps: out
    ...step(0), ...step(1), ...step(2), ...step(3),
    ...get(5), ...get(6), 0x72, ...get(7), 0x72, ...get(8), 0x72, 0x41, 0, 0x48, 0x0d, 1, // a state < 0: out
    ...get(t), 0x41, 1, 0x6a, 0x21, t, 0x0c, 0, // t += 1, again
    0x0b, 0x0b,
    ...[0, 1, 2, 3].flatMap((k) => [0x41, 0, ...get(5 + k), 0x36, 2, ...leb(STATES_AT + 4 * k)]),
    ...get(t), 0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 10, ...Array<number>(10).fill(I32), 1, I32]),
    ...section(2, [1, 1, 0x6b /* k */, 1, 0x6d /* m */, 0x02, 0x00, 1]), // imports k.m, a memory of at least one page
    ...section(3, [1, 0]),
    ...section(7, [1, 1, 0x63 /* c */, 0x00, 0]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** The little of the WebAssembly API used here (the project's TypeScript libs do not describe it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let compiled: object | null | undefined;

export interface ChainKernel {
  /** Where the bytes to search go (a window at a time), `bytes.length` at most. */
  readonly bytes: Uint8Array;
  /** The table, in the kernel's memory. */
  readonly table: Int16Array;
  /** The four states where the last run stopped. */
  readonly states: Int32Array;
  /** Runs the four chains from offsets p0…p3 of `bytes`; returns the steps taken before one met a word, or `steps`. */
  run(p0: number, p1: number, p2: number, p3: number, steps: number, s0: number, s1: number, s2: number, s3: number): number;
}

/**
 * The kernel for one table, with room for `windowBytes` bytes; null where WebAssembly is not
 * available (`--jitless`, a runtime without it, no memory): the caller then walks one chain in
 * JavaScript.
 */
export function createChainKernel(classOf: Uint8Array, table: Int16Array, shift: number, windowBytes: number): ChainKernel | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (compiled === null || !wasm) return null;
  try {
    compiled ??= new wasm.Module(kernelModule());
    const windowAt = TABLE_AT + table.byteLength;
    const memory = new wasm.Memory({ initial: Math.ceil((windowAt + windowBytes) / 65536) });
    new Uint8Array(memory.buffer, 0, 256).set(classOf);
    const copy = new Int16Array(memory.buffer, TABLE_AT, table.length);
    copy.set(table);
    const instance = new wasm.Instance(compiled, { k: { m: memory } });
    const chains = instance.exports.c as (...args: number[]) => number;
    return {
      bytes: new Uint8Array(memory.buffer, windowAt, windowBytes),
      table: copy,
      states: new Int32Array(memory.buffer, STATES_AT, 4),
      run: (p0, p1, p2, p3, steps, s0, s1, s2, s3) => chains(windowAt + p0, windowAt + p1, windowAt + p2, windowAt + p3, steps, s0, s1, s2, s3, shift),
    };
  } catch {
    compiled = null;
    return null;
  }
}
