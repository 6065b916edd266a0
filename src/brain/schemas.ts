// JSON Schemas of the brain's wire values. One definition serves three readers: Fastify (request
// validation, response serialisation, the OpenAPI document), the remote client (it validates what
// a shared brain answers) and Gemini (`responseJsonSchema`, so the model's output has our shape).
// Gemini accepts only a subset of JSON Schema (type, enum, items, min/maxItems, minimum/maximum,
// properties, required, additionalProperties, anyOf, description), so the Diagnosis schemas keep
// to that subset; length limits live on the request side only.
import { CATEGORIES, ENGINE_NAMES, SEVERITIES } from '../types.js';

const nullableString = { type: ['string', 'null'] } as const;

export const stackFrameSchema = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', maxLength: 4096 },
    line: { type: 'integer', minimum: 0 },
    column: { type: 'integer', minimum: 0 },
    function: { type: 'string', maxLength: 1024 },
    code: { type: 'string', maxLength: 4096 },
    inUserCode: { type: 'boolean' },
  },
} as const;

export const errorInfoSchema = {
  type: 'object',
  required: ['type', 'message', 'stack'],
  properties: {
    type: { type: 'string', maxLength: 1024 },
    message: { type: 'string', maxLength: 65536 },
    stack: { type: 'array', maxItems: 500, items: stackFrameSchema },
    rawStack: { type: 'string', maxLength: 262144 },
  },
} as const;

/** `DiagnoseRequest` (src/types.ts). Unknown keys are tolerated (an agent newer than its brain). */
export const diagnoseRequestSchema = {
  $id: 'DiagnoseRequest',
  type: 'object',
  required: ['fingerprint', 'rule', 'severity', 'title', 'text', 'context'],
  properties: {
    fingerprint: { type: 'string', minLength: 1, maxLength: 512 },
    rule: { type: 'string', minLength: 1, maxLength: 256 },
    severity: { type: 'string', enum: [...SEVERITIES] },
    title: { type: 'string', maxLength: 4096 },
    pipeline: { type: 'string', maxLength: 256 },
    step: { type: 'string', maxLength: 256 },
    text: { type: 'string', maxLength: 262144 },
    error: errorInfoSchema,
    context: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 16384 } },
    after: { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 16384 } },
    hint: { type: 'string', maxLength: 8192 },
    runbook: { type: 'string', maxLength: 2048 },
  },
} as const;

export const locationSchema = {
  type: ['object', 'null'],
  required: ['file', 'line', 'function', 'code'],
  additionalProperties: false,
  properties: {
    file: { type: 'string', description: 'Path of the failing file, as the log shows it.' },
    line: { type: ['integer', 'null'], minimum: 0 },
    function: nullableString,
    code: { type: ['string', 'null'], description: 'The failing source line, verbatim, when the log shows it.' },
  },
} as const;

/** The fields an engine decides; what Gemini must produce (its `responseJsonSchema`). */
export const findingProperties = {
  category: { type: 'string', enum: [...CATEGORIES], description: 'Root-cause category; "unknown" rather than a confident guess.' },
  summary: { type: 'string', description: 'One line: what failed and why.' },
  rootCause: { type: 'string', description: 'Plain-language root cause, two or three sentences.' },
  evidence: { type: 'array', maxItems: 10, items: { type: 'string' }, description: 'Log lines, verbatim, that support the diagnosis.' },
  location: locationSchema,
  fix: { type: 'array', minItems: 1, maxItems: 6, items: { type: 'string' }, description: 'Concrete steps tied to the failing line.' },
  retryable: { type: 'boolean', description: 'Whether re-running without a change is likely to succeed.' },
  confidence: { type: 'number', minimum: 0, maximum: 1 },
} as const;

const findingRequired = ['category', 'summary', 'rootCause', 'evidence', 'location', 'fix', 'retryable', 'confidence'] as const;

export const diagnosisFindingSchema = {
  type: 'object',
  required: [...findingRequired],
  additionalProperties: false,
  properties: findingProperties,
} as const;

/** `Diagnosis` (src/types.ts): the finding plus what the brain records about how it was made. */
export const diagnosisSchema = {
  $id: 'Diagnosis',
  type: 'object',
  required: [...findingRequired, 'engine', 'model', 'latencyMs'],
  additionalProperties: false,
  properties: {
    ...findingProperties,
    engine: { type: 'string', enum: [...ENGINE_NAMES] },
    model: nullableString,
    latencyMs: { type: 'number', minimum: 0 },
    tokens: {
      type: 'object',
      required: ['input', 'output'],
      additionalProperties: false,
      properties: { input: { type: 'integer', minimum: 0 }, output: { type: 'integer', minimum: 0 } },
    },
    fallbackReason: { type: 'string' },
  },
} as const;

export const errorReplySchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string' },
    message: { type: 'string' },
    /** JSON pointer of the offending field, for schema errors. */
    field: { type: 'string' },
  },
} as const;
