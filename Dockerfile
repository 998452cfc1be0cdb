# One image for every lakegate service; docker-compose.yml picks the process with `command`.
FROM node:20-bookworm AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && NX_DAEMON=false npx nx run-many -t build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /src /app
USER node
ENV NODE_ENV=production
CMD ["node", "apps/edge/dist/main.js"]
