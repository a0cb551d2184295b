# afb: one image for `afb serve`, `afb broker` and `afb ingest`.
#
#   docker build -t afb .
#   docker run --rm -v afb-data:/data afb ingest --db /data/node.db --dataset kg --assembly GRCh37 \
#       --panel /data/panel.tsv /data/cohort.vcf.gz
#   docker run -d -p 8080:8080 -v afb-data:/data afb serve --db /data/node.db --host 0.0.0.0
#   docker run -d -p 8090:8090 -v afb-data:/data afb broker --peers /data/peers.json --host 0.0.0.0

# --- build: compile better-sqlite3 from source (no prebuilt download) and the TypeScript ---
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# `prepare` compiles the TypeScript. npm ci may refuse the lock over optional bindings of other
# platforms that some registries lack (see .ci/run); npm install takes the same locked versions.
RUN (npm ci --no-audit --no-fund || npm install --no-audit --no-fund) \
 && test -f dist/cli/main.js \
 && npm prune --omit=dev --no-audit --no-fund

# --- run: only what `afb` needs, as an unprivileged user ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production AFB_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
# The page is served from src/server/public beside dist/.
COPY --from=build /app/src/server/public ./src/server/public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080 8090
ENTRYPOINT ["node", "bin/afb.js"]
CMD ["--help"]
