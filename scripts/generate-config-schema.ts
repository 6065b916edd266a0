// `npm run schema`: writes what is derived from the config definition (src/config/config-definition.ts)
// into the repository: schema/sentinel.schema.json (for editors), README.md's configuration
// reference and the compiled validator (src/config/config-validator.generated.ts). Run it after adding or changing a key; test/config/schema.test.ts fails until you do.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishedSchemaText } from '../src/config/published-schema.js';
import { withConfigReference } from './config-reference.js';
import { configValidatorSource, GENERATED_VALIDATOR_FILE } from './config-validator-source.js';

// From dist/scripts (the build) as well as scripts/ (sources): the repository root holds package.json.
const root = [join(import.meta.dirname, '..'), join(import.meta.dirname, '..', '..')].find((dir) => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'pipeline-sentinel';
  } catch {
    return false;
  }
});
if (!root) throw new Error('generate-config-schema: repository root not found');

const schemaFile = join(root, 'schema', 'sentinel.schema.json');
writeFileSync(schemaFile, publishedSchemaText());
const readmeFile = join(root, 'README.md');
writeFileSync(readmeFile, withConfigReference(readFileSync(readmeFile, 'utf8')));
const validatorFile = join(root, GENERATED_VALIDATOR_FILE);
writeFileSync(validatorFile, configValidatorSource());
process.stdout.write(`wrote ${schemaFile}, the configuration reference in ${readmeFile} and ${validatorFile}\n`);
