// The built-in engine: the offline analyser behind the DiagnosisEngine interface. It is also every
// other engine's fallback, so it must answer for any request: an analyser bug degrades to an
// "unknown" diagnosis instead of an exception.
import { performance } from 'node:perf_hooks';
import type { Diagnosis, DiagnoseRequest } from '../types.js';
import type { BuiltinEngine } from './engine.js';
import { loadAnalyser } from './lazy-analyser.js';

export type AnalyseFn = (request: DiagnoseRequest) => Diagnosis;

export interface BuiltinEngineOptions {
  analyse?: AnalyseFn;
  /** Let the analyser read failing lines from files on this machine's disk (see BrainOptions). */
  readSourceFiles?: boolean;
  onError?: (err: unknown) => void;
}

export function createBuiltinEngine(options: BuiltinEngineOptions = {}): BuiltinEngine {
  const readSourceFiles = options.readSourceFiles ?? true;
  const given = options.analyse;
  const analyser = async (): Promise<AnalyseFn> => {
    if (given) return given;
    const analyse = await loadAnalyser();
    return (req) => analyse(req, { readSourceFiles });
  };
  return {
    name: 'builtin',
    async diagnose(req) {
      let d: Diagnosis;
      // The analyser's one-time load is not the diagnosis's latency.
      let started = performance.now();
      try {
        const analyse = await analyser();
        started = performance.now();
        d = analyse(req);
      } catch (err) {
        options.onError?.(err);
        d = unknownDiagnosis(req);
      }
      return { ...d, engine: 'builtin', model: null, latencyMs: roundMs(performance.now() - started) };
    },
  };
}

/** What the brain says when even the analyser failed: honest, and still a valid Diagnosis. */
export function unknownDiagnosis(req: DiagnoseRequest): Diagnosis {
  const firstLine = req.text.split('\n', 1)[0] ?? '';
  return {
    category: 'unknown',
    summary: req.title || firstLine || `Rule ${req.rule} matched`,
    rootCause: 'The cause could not be determined automatically.',
    evidence: firstLine ? [firstLine] : [],
    location: null,
    fix: ['Read the evidence lines and the surrounding log to find the failing step.'],
    retryable: false,
    confidence: 0,
    engine: 'builtin',
    model: null,
    latencyMs: 0,
  };
}

export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
