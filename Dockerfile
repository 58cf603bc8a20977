# syntax=docker/dockerfile:1
# A2A registry image: `docker build -t a2a-registry:0.1.0 .`
# The newest Node 20 release: within the `engines` range of package.json (^20.19.0 || ^22.13.0 || >=24.0.0).
ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: all dependencies (TypeScript and the rest of the dev tools), then `npm run build`
# (tsc to dist/ and the Lua scripts copied to dist/store/lua).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies only, the compiled code and package.json (read for the
# version), run as the image's unprivileged `node` user (uid 1000).
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER 1000:1000
# The API (PORT) and the metrics (METRICS_PORT, as the chart, k8s/ and the compose stack set it).
EXPOSE 8000 9464
# Exec form: node is PID 1 and receives SIGTERM itself (graceful shutdown within SHUTDOWN_TIMEOUT_MS).
CMD ["node", "dist/main.js"]
