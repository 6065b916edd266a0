// The built-in rule packs, in no particular order: the detector orders their rules by priority.
import { airflowPack } from './airflow.js';
import { cloudPack } from './cloud.js';
import { dagsterPack } from './dagster.js';
import { dbtPack } from './dbt.js';
import { genericPack } from './generic.js';
import { goPack } from './go.js';
import { jvmPack } from './jvm.js';
import { kubernetesPack } from './kubernetes.js';
import { nodePack } from './node.js';
import type { RulePack } from './pack.js';
import { postgresqlPack } from './postgresql.js';
import { pythonPack } from './python.js';

export type { PackRule, RulePack } from './pack.js';

export const BUILTIN_PACKS: readonly RulePack[] = [
  genericPack,
  pythonPack,
  nodePack,
  jvmPack,
  goPack,
  postgresqlPack,
  dagsterPack,
  airflowPack,
  dbtPack,
  cloudPack,
  kubernetesPack,
];

export const PACK_NAMES: readonly string[] = BUILTIN_PACKS.map((p) => p.name);
