FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY migrations ./migrations
COPY public ./public
# A new named volume mounted at /data takes this folder's owner, so the service (user node) can write it.
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# The CLI runs from dist/ too (no src/ or TypeScript here): docker compose exec scs npx scs reconcile
CMD ["node", "dist/src/main.js"]
