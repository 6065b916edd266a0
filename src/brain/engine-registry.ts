// The LLM engines the brain can use, declared once. An engine registers here with how to tell from
// the config that it is wanted and how to build it; the brain, `sentinel brain` and `sentinel
// diagnose --engine` all choose through this list, so a new engine is one entry (README,
// "Extending Sentinel").
import type { BrainConfig } from '../config/config-types.js';
import type { EngineName } from '../types.js';
import type { EngineRegistration } from './engine.js';
import { geminiEngine } from './gemini-engine.js';
import { openaiEngine } from './openai-engine.js';

/**
 * In order of preference: with several configured, the first one answers. A self-hosted model
 * comes first: a team that set one up must not send logs to Google because a GOOGLE_API_KEY is
 * also in the environment.
 */
export const LLM_ENGINES: readonly EngineRegistration[] = [openaiEngine, geminiEngine];

/** `auto`: the first configured LLM engine, else the built-in one; a name: that engine or none. */
export type EngineChoice = 'auto' | EngineName;

/** The registration that will answer, or undefined when the built-in analyser does. */
export function chooseLlmEngine(brain: BrainConfig, choice: EngineChoice = 'auto'): EngineRegistration | undefined {
  if (choice === 'builtin') return undefined;
  if (choice === 'auto') return LLM_ENGINES.find((e) => e.isConfigured(brain));
  const wanted = LLM_ENGINES.find((e) => e.name === choice);
  return wanted?.isConfigured(brain) ? wanted : undefined;
}

export function findLlmEngine(name: EngineName): EngineRegistration | undefined {
  return LLM_ENGINES.find((e) => e.name === name);
}
