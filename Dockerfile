# afb: one image for `afb serve`, `afb broker` and `afb ingest` (docs/containers.md).
#
#   docker build -t afb .            # or, with no registry in reach: scripts/container/build-offline
#   docker run --rm -v afb-data:/data -v "$PWD/vcf:/in:ro" afb ingest --db /data/node.db --dataset kg \
#       --assembly GRCh37 --panel /in/panel.tsv /in/cohort.vcf.gz
#   docker run -d -p 8080:8080 -v afb-data:/data --read-only afb serve --db /data/node.db
#   docker run -d -p 8090:8090 -v "$PWD/peers.json:/config/peers.json:ro" --read-only afb broker --peers /config/peers.json
#
# Bases (build arguments): NODE_IMAGE builds (it needs node, npm, node's headers and apt);
# RUNTIME_IMAGE runs, with only the node binary copied in (no npm, headers or compilers).
# scripts/container/build-offline passes stand-ins bootstrapped from Debian's archive.
ARG NODE_IMAGE=node:20-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: better-sqlite3 compiled from source (no prebuilt download), then the TypeScript ---
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the headers that ship with node (nodejs.org may be out of reach).
ENV npm_config_nodedir=/usr/local npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
WORKDIR /app
COPY package.json package-lock.json ./
# The dependency layer is rebuilt only when the lock changes. Behind a TLS-intercepting proxy the
# proxy's CA bundle comes in as the build secret `npm_ca` (mounted for this step only, never in a
# layer). npm ci may refuse the lock over optional bindings of other platforms that some registries
# lack (see .ci/run); npm install then takes the same locked versions. Install scripts are skipped:
# of the production dependencies only better-sqlite3 has one (`prebuild-install || node-gyp
# rebuild`), and its node-gyp half is run directly, so no prebuilt binary is ever downloaded.
RUN --mount=type=secret,id=npm_ca \
    if [ -s /run/secrets/npm_ca ]; then export npm_config_cafile=/run/secrets/npm_ca; fi \
 && (npm ci --ignore-scripts || npm install --ignore-scripts) \
 && (cd node_modules/better-sqlite3 && node /usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js rebuild --release) \
 && test -d node_modules/better-sqlite3/build/Release/obj.target \
 && node -e "console.log('sqlite', require('better-sqlite3')(':memory:').prepare('select sqlite_version() v').get().v)"
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# Then production dependencies only, of better-sqlite3 only the compiled module, and node's binary
# without its symbol table (13 MB less; JavaScript stack traces are unaffected).
RUN npx tsc -p tsconfig.build.json \
 && test -f dist/cli/main.js \
 && npm prune --omit=dev \
 && cd node_modules/better-sqlite3 \
 && find build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
 && find build/Release -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} + \
 && rm -rf deps src \
 && strip --strip-unneeded build/Release/better_sqlite3.node \
 && strip -o /tmp/node /usr/local/bin/node && /tmp/node -e "require('/app/node_modules/better-sqlite3')(':memory:')"

# --- run: the node binary, the compiled app and its production dependencies; no root ---
# Data goes in a volume mounted at /data (owned by afb; no VOLUME line, so a container without one
# leaves no anonymous volume behind, and with --read-only an ingest without one fails loudly).
FROM ${RUNTIME_IMAGE}
COPY --from=build /tmp/node /usr/local/bin/node
RUN groupadd --gid 1000 afb \
 && useradd --uid 1000 --gid afb --home-dir /app --no-create-home --shell /usr/sbin/nologin afb \
 && mkdir -p /data && chown afb:afb /data
# SQLite puts the temporary files of big sorts (an ingest's index builds) beside the store, on the
# volume's disk, rather than in a RAM-backed /tmp (or nowhere, with docker's --read-only and no
# tmpfs); it falls back to /tmp when /data is not writable.
ENV NODE_ENV=production AFB_HOST=0.0.0.0 SQLITE_TMPDIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The page is served from src/server/public beside dist/.
COPY --from=build /app/src/server/public ./src/server/public
COPY scripts/container/healthcheck.js ./healthcheck.js
USER afb
EXPOSE 8080 8090
# GET /health on the port afb listens on (kept in the image with `podman build --format docker`).
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/app/healthcheck.js"]
ENTRYPOINT ["node", "/app/bin/afb.js"]
CMD ["--help"]
