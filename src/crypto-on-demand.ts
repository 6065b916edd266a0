// node:crypto costs an idle agent ~1.5 MB of RSS (its JavaScript and the parts of the `node` binary
// it pages in; docs/benchmarks.md, "Eleventh round"), yet the agent needs it only when something
// happens: a rule matches (fingerprints), an incident opens or a silence is set (ids), a webhook is
// signed, the brain keys its cache. An import would load it with the module that names it, at
// start-up; fetched on first use, an agent that only waits never loads it.
import type * as NodeCrypto from 'node:crypto';

/** node:crypto, loaded at the first call (Node caches it: later calls cost a lookup). */
export function crypto(): typeof NodeCrypto {
  return process.getBuiltinModule('node:crypto');
}
