// The Kubernetes object a failure is about, when the log is the cluster's own account of it (a
// `kubectl describe` listing, an event, a kubelet line) rather than the program's. Which object a
// person names depends on what failed: a container that would not start or was killed is named for
// itself, not for the pod that holds it (the pod's name is a hash the next rollout replaces); an
// event names the object it is about, whatever its kind (a Job past its deadline, a Deployment).

// `kubectl describe pod` lists containers under `Containers:` / `Init Containers:`, each as an
// indented `name:` line with its fields indented below it.
const CONTAINERS_HEADING = /^(\s{0,4})(?:Init )?Containers:\s*$/;
const CONTAINER_NAME = /^(\s{1,8})([a-z0-9][a-z0-9-]{0,62}):\s*$/;
// A state that says the container failed: waiting for a reason other than the pod's own start-up,
// or terminated (now or last time) for a reason other than finishing.
const STATE = /^\s+(?:(Last )?State):\s+(Waiting|Terminated|Running)\b/;
const REASON = /^\s+Reason:\s+(\w+)/;
const NOT_A_FAILURE = new Set(['Completed', 'PodInitializing', 'ContainerCreating']);

/**
 * The first container a `kubectl describe` listing shows in a failed state (`State: Waiting` with
 * `Reason: CreateContainerConfigError`, `Last State: Terminated` with `Reason: OOMKilled`), or
 * undefined when every container listed is starting, running or finished.
 */
export function failedDescribedContainer(lines: readonly string[]): string | undefined {
  let sectionIndent = -1;
  let containerIndent = -1;
  let container: string | undefined;
  let state: string | undefined;
  for (const line of lines) {
    if (line.length > 4000) continue;
    const heading = CONTAINERS_HEADING.exec(line);
    if (heading) {
      sectionIndent = heading[1]?.length ?? 0;
      containerIndent = -1;
      container = undefined;
      continue;
    }
    if (sectionIndent < 0 || line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    // A line back at the section's own depth (`Conditions:`, `Events:`) ends the listing.
    if (indent <= sectionIndent) {
      sectionIndent = -1;
      container = undefined;
      continue;
    }
    const name = CONTAINER_NAME.exec(line);
    if (name && (containerIndent < 0 || indent === containerIndent)) {
      containerIndent = indent;
      container = name[2];
      state = undefined;
      continue;
    }
    if (!container) continue;
    const stateLine = STATE.exec(line);
    if (stateLine) {
      state = stateLine[2];
      continue;
    }
    const reason = REASON.exec(line);
    // The reason belongs to the state line above it: a running container's last termination counts too.
    if (reason?.[1] && state !== undefined && state !== 'Running' && !NOT_A_FAILURE.has(reason[1])) return container;
  }
  return undefined;
}

// An event names the object it is about: Go's `ObjectReference{Kind:"Job", Namespace:"default",
// Name:"nightly"}` as the controller manager logs it, or `"involvedObject":{"kind":"Pod",…,"name":"x"}`
// as the events API returns it.
const EVENT_OBJECT = [
  /\bObjectReference\{Kind:"\w+",[^}]{0,300}?\bName:"([a-z0-9][a-z0-9.-]{0,252})"/,
  /"involvedObject"\s*:\s*\{[^}]{0,300}?"name"\s*:\s*"([a-z0-9][a-z0-9.-]{0,252})"/,
];

/** The object an event in the record (else in the lines before it, closest first) is about. */
export function eventObjectOf(textLines: readonly string[], contextLines: readonly string[]): string | undefined {
  for (const lines of [textLines, contextLines]) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i] ?? '';
      if (line.length > 4000 || !(line.includes('ObjectReference{') || line.includes('involvedObject'))) continue;
      for (const pattern of EVENT_OBJECT) {
        const m = pattern.exec(line);
        if (m?.[1]) return m[1];
      }
    }
  }
  return undefined;
}
