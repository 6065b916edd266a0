// The checked configuration, as the stages see it: every default filled, so no stage guesses. The
// types are derived from the definition (config-definition.ts); edit keys there, not here. Keys
// keep the snake_case of sentinel.yaml, so a key in the file and in the code is one name to grep for.
import type { Static } from '@sinclair/typebox';
import type {
  Brain,
  Config,
  Fleet,
  Gemini,
  Incidents,
  Match,
  Multiline,
  Notify,
  OpenAi,
  RedactPattern as RedactPatternSchema,
  Rule,
  SlackDestination,
  WebhookDestination,
  AlertmanagerDestination,
  Source,
  Threshold,
} from './config-definition.js';

export type MultilineConfig = Static<typeof Multiline>;
export type SourceConfig = Static<typeof Source>;
/** A match expression; every key given must hold (an implicit `all`). */
export type MatchExpr = Static<typeof Match>;
export type ThresholdConfig = Static<typeof Threshold>;
export type RuleConfig = Static<typeof Rule>;
export type IncidentsConfig = Static<typeof Incidents>;
export type SlackDestinationConfig = Static<typeof SlackDestination>;
export type WebhookDestinationConfig = Static<typeof WebhookDestination>;
export type AlertmanagerConfig = Static<typeof AlertmanagerDestination>;
export type NotifyConfig = Static<typeof Notify>;
export type GeminiConfig = Static<typeof Gemini>;
/** Any server speaking OpenAI's chat completions (Ollama, vLLM, LM Studio, llama.cpp, LiteLLM). */
export type OpenAiConfig = Static<typeof OpenAi>;
export type BrainConfig = Static<typeof Brain>;
/** Shared state through Redis (src/fleet); off when `redis_url` is absent. */
export type FleetConfig = Static<typeof Fleet>;
export type RedactPattern = Static<typeof RedactPatternSchema>;

export type SentinelConfig = Static<typeof Config> & {
  /** The file it was loaded from (for messages), or '<embedded>'. */
  file: string;
};
