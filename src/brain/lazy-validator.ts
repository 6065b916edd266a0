// Ajv is needed only once an LLM or a remote brain answers, yet it is ~220 KB of bundled code (with
// fast-uri) that an agent on the built-in analyser would load and keep in its heap for nothing
// (docs/benchmarks.md, "Sixth round"). Each validator is compiled on its first use instead.
import type { ValidateFunction } from 'ajv';

/** A validator for `schema`, compiled on the first call (~20–40 ms once, then the same function). */
export function lazyValidator<T>(schema: object): () => Promise<ValidateFunction<T>> {
  let compiled: Promise<ValidateFunction<T>> | undefined;
  return () => (compiled ??= import('ajv').then(({ Ajv }) => new Ajv({ allErrors: false, strict: false }).compile<T>(schema)));
}
