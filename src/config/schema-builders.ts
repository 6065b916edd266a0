// The few shapes sentinel.yaml needs that TypeBox does not build the way our error messages want.
// The definition (config-definition.ts) describes the *complete* config every stage sees; what a
// user may leave out is marked here, and published-schema.ts turns that into the schema users see.
import { Type, type SchemaOptions, type Static, type TProperties, type TSchema, type TObject, type TUnsafe } from '@sinclair/typebox';

/**
 * A default that is not one constant, said in words: computed from other keys or the environment
 * by fill-defaults.ts (`source-N`, "on when no Slack destination"), or what the code does when an
 * optional key is absent ("built-in heuristics"). The text is what the README and editors show. A
 * key carrying it may be left out of the file even when its type says it is always set.
 */
export const DEFAULT_IN_WORDS = Symbol.for('sentinel.config.defaultInWords');

export type Annotated = TSchema & { [DEFAULT_IN_WORDS]?: string };

/** State a key's default in words (see DEFAULT_IN_WORDS). */
export function defaultInWords<T extends TSchema>(schema: T, text: string): T {
  return Object.assign(schema, { [DEFAULT_IN_WORDS]: text });
}

/** The same schema with a description (for a use of a shared or recursive schema). */
export function described<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/** A mapping whose keys are all listed: an unknown key is an error with a "did you mean". */
export function strictObject<T extends TProperties>(properties: T, options: SchemaOptions = {}): TObject<T> {
  return Type.Object(properties, { ...options, additionalProperties: false });
}

/**
 * A group of keys such as `incidents` or `brain.gemini`: strict, and present (empty) when the file
 * leaves it out, so the defaults of its keys are filled either way.
 */
export function section<T extends TProperties>(description: string, properties: T): TObject<T> {
  return strictObject(properties, { description, default: {} });
}

/** One of fixed strings, as a JSON Schema `enum`: its errors list the values and suggest the nearest. */
export function stringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, enum: [...values] });
}

/**
 * One item or a list of them (`level: error` or `level: [error, fatal]`). An `if` on the type
 * rather than `anyOf`, so an error is reported against the branch the user wrote.
 */
export function oneOrList<T extends TSchema>(item: T, options: SchemaOptions & { minItems?: number } = {}): TUnsafe<Static<T> | Static<T>[]> {
  const { minItems, ...rest } = options;
  return Type.Unsafe<Static<T> | Static<T>[]>({
    ...rest,
    if: { type: 'array' },
    then: { type: 'array', ...(minItems === undefined ? {} : { minItems }), items: item },
    else: item,
  });
}

/** oneOrList for a key the complete config always holds as a list (fill-defaults.ts wraps one item). */
export function oneOrListAsList<T extends TSchema>(item: T, options: SchemaOptions = {}): TUnsafe<Static<T>[]> {
  return Type.Unsafe<Static<T>[]>(oneOrList(item, options));
}

/** A mapping from names the user chooses to values of one shape (`lists`, `labels`, `fields`). */
export function map<T extends TSchema>(value: T, options: SchemaOptions & { propertyNames?: TSchema | Record<string, unknown>; minProperties?: number } = {}): TUnsafe<Record<string, Static<T>>> {
  return Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: value });
}

/**
 * A use of a shared definition (a schema with an `$id`): `$ref` in the published schema, where
 * published-schema.ts hoists the definition into `definitions`.
 */
export function ref<T extends TSchema>(target: T, options: SchemaOptions = {}): TUnsafe<Static<T>> {
  if (target.$id === undefined) throw new Error('ref: the target schema has no $id');
  return Type.Unsafe<Static<T>>({ ...options, $ref: target.$id });
}
