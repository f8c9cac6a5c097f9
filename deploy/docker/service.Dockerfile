# syntax=docker/dockerfile:1
#
# One image recipe for every service under services/. Build from the repository root:
#
#   docker build -f deploy/docker/service.Dockerfile \
#     --build-arg SERVICE=group-config --build-arg PORT=3002 \
#     -t group-messages/group-config:local .
#
# SERVICE is the folder name under services/. PORT is the service's default port from
# services/<SERVICE>/src/service.ts (the build fails if they differ); it is baked in as
# ENV PORT and EXPOSEd. docker-compose.yml passes both for each service.

# ---------------------------------------------------------------------------------------
# Workspace manifests only: libs/*/package.json and services/*/package.json, so that the
# `npm ci` layer below stays cached until a manifest or package-lock.json changes.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY libs/ libs/
COPY services/ services/
RUN find libs services -type f ! -name package.json -delete \
 && find libs services -mindepth 1 -type d -empty -delete

# ---------------------------------------------------------------------------------------
# Build: install everything, compile the service and the libs it uses (swc through Nx),
# drop dev dependencies, then assemble the runtime tree in /out.
FROM node:20-bookworm-slim AS build
ARG SERVICE
ARG PORT
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_TUI=false
WORKDIR /app

COPY package.json package-lock.json ./
COPY --from=manifests /src/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

COPY tsconfig.base.json .swcrc nx.json ./
COPY libs/ libs/
COPY services/ services/

# Fail early and clearly on a wrong SERVICE or PORT.
RUN node -e ' \
  const fs = require("fs"); \
  const [service, port] = process.argv.slice(1); \
  const fail = (m) => { console.error("service.Dockerfile: " + m); process.exit(1); }; \
  if (!service) fail("--build-arg SERVICE=<folder under services/> is required"); \
  const file = "services/" + service + "/src/service.ts"; \
  if (!fs.existsSync(file)) fail("no " + file + " (SERVICE=" + service + ")"); \
  const found = /\bport:\s*(\d+)/.exec(fs.readFileSync(file, "utf8")); \
  if (!found) fail("no port: in " + file); \
  if (port !== found[1]) fail("--build-arg PORT=" + found[1] + " is required for " + service + " (got \"" + (port || "") + "\")"); \
  ' "$SERVICE" "$PORT"

# Nx builds the service's workspace dependencies first (targetDefaults.build.dependsOn ^build).
RUN npx nx run-many -t build --projects="@gm/${SERVICE}" --skip-nx-cache \
 && npm prune --omit=dev --no-audit --no-fund

# Runtime tree at the same relative paths as the workspace, so that npm's relative
# symlinks node_modules/@gm/<name> -> ../../libs/<name> (and ../../services/<name>) still
# resolve: root package.json + node_modules, each @gm lib the service needs (its
# package.json "exports" points at dist/), the service's package.json + dist/.
RUN set -eu; \
    mkdir -p "/out/services/${SERVICE}"; \
    cp -a package.json node_modules /out/; \
    cp -a "services/${SERVICE}/package.json" "services/${SERVICE}/dist" "/out/services/${SERVICE}/"; \
    libs="$(node -e ' \
      const fs = require("fs"), path = require("path"); \
      const seen = new Set(), todo = ["services/" + process.argv[1]]; \
      while (todo.length) { \
        const pkg = JSON.parse(fs.readFileSync(todo.pop() + "/package.json", "utf8")); \
        for (const name of Object.keys(pkg.dependencies || {})) { \
          if (!name.startsWith("@gm/")) continue; \
          const dir = path.relative(process.cwd(), fs.realpathSync("node_modules/" + name)); \
          if (!seen.has(dir)) { seen.add(dir); todo.push(dir); } \
        } \
      } \
      console.log([...seen].join(" ")); \
      ' "$SERVICE")"; \
    for lib in $libs; do \
      mkdir -p "/out/$lib"; \
      cp -a "$lib/package.json" "$lib/dist" "/out/$lib/"; \
    done; \
    find /out/node_modules -xtype l -delete; \
    rm -rf /out/node_modules/.cache
# (The find drops workspace links to what the image does not carry: other services, test helpers.)

# Smoke test: every import of the service's module graph resolves in the runtime tree.
WORKDIR /out/services/${SERVICE}
RUN NODE_ENV=production node --input-type=module -e "await import('./dist/app.module.js')"

# ---------------------------------------------------------------------------------------
# Runtime: production dependencies and compiled JavaScript only, owned by root and run
# as the unprivileged `node` user of the base image, by number (1000:1000) so that
# Kubernetes' runAsNonRoot can verify it; the app cannot modify its own code.
FROM node:20-bookworm-slim AS runtime
ARG SERVICE
ARG PORT
ENV NODE_ENV=production \
    PORT=${PORT}
LABEL org.opencontainers.image.title="group-messages-${SERVICE}" \
      org.opencontainers.image.description="Group Messages service ${SERVICE}"

COPY --from=build /out/ /app/
WORKDIR /app/services/${SERVICE}
USER 1000:1000
EXPOSE ${PORT}

# Liveness only (the process answers); orchestrators use /health/ready for traffic.
# Slim images have no curl: Node's built-in fetch does the probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# Node runs as PID 1 and receives SIGTERM directly: Nest's shutdown hooks drain consumers.
CMD ["node", "dist/main.js"]
