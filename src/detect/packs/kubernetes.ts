// Kubernetes and the kernel OOM killer: the failures whose cause is not in the application's own
// stack trace. Highest priority: "Killed" explains the traceback-less end of a job.
import { packRule, type RulePack } from './pack.js';

const r = (spec: Parameters<typeof packRule>[1]) => packRule('kubernetes', spec);

export const kubernetesPack: RulePack = {
  name: 'kubernetes',
  description: 'OOM kills (Killed, exit 137, OOMKilled, heap out of memory), pod failures.',
  rules: [
    r({
      id: 'oom-killed',
      description: 'The process was killed for memory (OOMKilled, exit 137, kernel OOM killer, heap out of memory).',
      severity: 'critical',
      priority: 90,
      anyLevel: true,
      match: {
        regex: String.raw`OOMKilled|Out of memory: Killed process|Memory cgroup out of memory|oom-kill(?:er)?\b|(?:exit code|exit status|exited with code|exited with status):? 137\b|JavaScript heap out of memory|Cannot allocate memory|std::bad_alloc|(?:^|\n)Killed\s*(?:$|\n)`,
      },
      hint: 'Raise the memory limit or reduce peak memory (process in chunks, stream instead of loading whole files).',
    }),
    r({
      id: 'pod-failure',
      description: 'A pod or job failed to run (crash loop, image pull, eviction, backoff limit, no node with room to schedule it).',
      severity: 'error',
      priority: 86,
      anyLevel: true,
      // A crash loop or an image pull in back-off is the kubelet retrying what keeps failing: that is
      // the failure. And `kubectl describe`'s Events table is one record (its rows are indented), so a
      // `Readiness probe failed` row (a wait, coping.ts) must not hush the `Back-off restarting failed
      // container` row below it.
      reportsRetries: true,
      match: {
        regex: String.raw`CrashLoopBackOff|ImagePullBackOff|ErrImagePull|Back-off restarting failed container|Back-off pulling image|CreateContainerConfigError|CreateContainerError|BackoffLimitExceeded|DeadlineExceeded|Pod was active on the node longer than the specified deadline|The node was low on resource|Pod (?:was )?evicted|\bEvicted\b|\bFailedScheduling\b|Unable to schedule pod|nodes are available: [^\n]{0,200}\bInsufficient \w+|\bWarning\s+Failed(?:Mount|AttachVolume|CreatePodSandBox)?\s{2}|\bError: (?:configmaps?|secrets?) "[^"\n]{1,200}" not found`,
      },
    }),
  ],
};
