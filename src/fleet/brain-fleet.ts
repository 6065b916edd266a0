// What a brain shares with the fleet's other brains (the `sentinel brain` replicas, or agents with
// an embedded LLM engine): the diagnosis cache with its single flight, and the LLM limits.
import type { LlmLimits } from '../brain/llm-limits.js';
import type { SharedDiagnoses } from '../brain/brain.js';
import type { FleetLink } from './fleet-link.js';
import { createSharedDiagnoses } from './shared-diagnoses.js';
import { createSharedLlmLimits } from './shared-llm-limits.js';

export function sharedBrainState(link: FleetLink): { diagnoses: SharedDiagnoses; limits: LlmLimits } {
  return { diagnoses: createSharedDiagnoses(link), limits: createSharedLlmLimits(link) };
}
