# syntax=docker/dockerfile:1
# One image for both processes: `node dist/apps/api/src/main.js` or `.../worker/src/main.js`.

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
# Exactly the lockfile's versions (every platform's build is in it); fails if it is out of date.
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
RUN node scripts/build.js && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
# As scripts/server-node-flags.js: a young generation sized for short-lived per-message objects.
ENV NODE_OPTIONS=--max-semi-space-size=64
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The web app's static files, served at / (WEB_DIST_DIR's default, relative to /app).
COPY --from=build /app/apps/web/dist ./apps/web/dist
COPY --from=build /app/scripts/db-prepare.js ./scripts/db-prepare.js
USER node
EXPOSE 3000
# Applies pending migrations (one process at a time, under an advisory lock), then runs the API.
CMD ["sh", "-c", "node scripts/db-prepare.js && node dist/apps/api/src/main.js"]
