# syntax=docker/dockerfile:1
# Pipeline Sentinel: one image for the agent (`sentinel run`, the default) and the brain (`sentinel brain`).
#   docker build -t pipeline-sentinel .
#   docker run -v /var/log/etl:/logs:ro -e SLACK_WEBHOOK_URL pipeline-sentinel
# No Docker engine in CI: scripts/docker-steps.sh replays these steps in order on the host instead.
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript, bundle the CLI -----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is cached until package-lock.json changes.
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; we build explicitly below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json rolldown.config.js ./
COPY bin ./bin
COPY schema ./schema
COPY src ./src
COPY pipeline ./pipeline
RUN npm run build

# ---- runtime: the bundled CLI only, non-root --------------------------------------------------------
# dist/bundle holds every dependency (rolldown.config.js; ADR 0006): no node_modules in the image.
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to Node and reaps zombies (Node as PID 1 ignores default signal actions).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/sentinel /logs /etc/sentinel \
 && chown node:node /var/lib/sentinel /logs
ENV NODE_ENV=production
# glibc's malloc trimming at its default threshold (it would otherwise raise the threshold itself and
# keep ~2 MB freed by start-up): set here, `sentinel run` need not start again to set it (bin/sentinel.js).
ENV GLIBC_TUNABLES=glibc.malloc.trim_threshold=131072
WORKDIR /app
# package.json: "type": "module" for the bundle, and the version `--version` reports.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/dist/bundle ./dist/bundle
COPY --from=build /app/bin ./bin
COPY --from=build /app/schema ./schema
# The default config: every *.log under /logs, state in /var/lib/sentinel. Mount your own over it.
COPY deploy/docker/sentinel.yaml /etc/sentinel/sentinel.yaml
# The `node` user (uid 1000) comes with the official Node image.
USER node
# state_dir: offsets, open incidents and the outbox survive a container restart on this volume.
VOLUME ["/var/lib/sentinel"]
# 9464: agent /metrics /healthz /readyz; 8787: `sentinel brain`.
EXPOSE 9464 8787
# No curl in slim images: Node's own fetch. Liveness only (/healthz); the brain overrides the port.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# On SIGTERM the agent stops reading, flushes checkpoints, drains diagnoses and the outbox within 8 s,
# then exits 0: inside `docker stop`'s 10 s default and Kubernetes' 30 s terminationGracePeriodSeconds.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/sentinel.js"]
CMD ["run", "--config", "/etc/sentinel/sentinel.yaml"]
