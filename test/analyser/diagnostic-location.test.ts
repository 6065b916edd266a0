// Where a tool's own diagnostic puts a frameless failure: compiler lines and Terraform's resource.
import { describe, expect, it } from 'vitest';
import { diagnosticLocationOf } from '../../src/brain/analyser/diagnostic-location.js';
import { findNamedStep } from '../../src/brain/analyser/step-name.js';

describe('diagnosticLocationOf', () => {
  it.each([
    ['cmd/db-server/main.go:44:2: missing go.sum entry for module providing package x', { file: 'cmd/db-server/main.go', line: 44, function: null }],
    ['     main.go:10:2: cannot find package "github.com/x/y" in any of:', { file: 'main.go', line: 10, function: null }],
    ['  --> src/lib.rs:12:5', { file: 'src/lib.rs', line: 12, function: null }],
    ['psql:/tmp/load.sql:364: ERROR: numeric field overflow', { file: '/tmp/load.sql', line: 364, function: null }],
    ['  on snowflake.tf line 49, in resource "snowflake_file_format" "parquet":', { file: 'snowflake.tf', line: 49, function: 'snowflake_file_format.parquet' }],
    ['make[1]: *** [tools/make/kube.mk:62: kube-deploy] Error 1', { file: 'tools/make/kube.mk', line: 62, function: 'kube-deploy' }],
  ])('%s', (line, want) => {
    expect(diagnosticLocationOf([line])).toEqual({ ...want, code: null });
  });

  it('finds nothing in an ordinary message with a time in it', () => {
    expect(diagnosticLocationOf(['2026-11-25 12:00:01 load failed at 12:00:01: timeout'])).toBeUndefined();
  });
});

describe('findNamedStep on Kubernetes output', () => {
  it.each([
    // A Deployment's pod names its workload: the step; the pod itself is what holds it.
    ['9m37s  Warning  Failed  pod/etl-loader-5888cf98bf-xzklp  Failed to pull image "etl:1.2"', 'etl-loader'],
    ['  Normal   Scheduled  18s  default-scheduler  Successfully assigned default/curl to controlplane', 'curl'],
    ['E0902 17:08:30.674156 5467 pod_workers.go:191] Error syncing pod 1c96a03e ("ci-cd-deployment-9bc4bffc9-8tklv_default(1c96a03e)"), skipping', 'ci-cd-deployment'],
    ['  message: The node was low on resource: ephemeral-storage. Container hush-house-worker was using 73712Ki', 'hush-house-worker'],
    ['dagster.core.errors.DagsterTypeCheckError: In solid "load_orders" the output "result" received value None', 'load_orders'],
  ])('%s → %s', (line, step) => {
    expect(findNamedStep([line], [])?.step).toBe(step);
  });

  it("keeps a Deployment's pod as what holds the workload", () => {
    expect(findNamedStep(['NAME                      READY   STATUS      RESTARTS   AGE', 'etl-api-6846f658db-w4qhj   0/1     OOMKilled   3          2m'], [])).toEqual({ step: 'etl-api', container: 'etl-api-6846f658db-w4qhj' });
    expect(findNamedStep(['I1103 14:17:19.868380 1 factory.go:445] "Unable to schedule pod; no fit; waiting" pod="jobs/nightly-1-6hdqv"'], [])).toEqual({ step: 'nightly-1-6hdqv' });
  });
});
