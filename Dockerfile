# syntax=docker/dockerfile:1
# The product only: src/ and machines/, built by tsconfig.build.json. The test rig (the Bot API
# emulator workspace in packages/, the sandbox, the simulation kit, the benchmark, the tests)
# is neither copied nor installed; test/integration/production-image.test.ts checks this.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --workspaces=false
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY machines machines
RUN npm run build && npm prune --omit=dev --workspaces=false

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY migrations migrations
COPY src/db/functions src/db/functions
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.js applies pending migrations, then starts the roles in ROLES. Without BOT_TOKEN it says
# that this image has no sandbox and to set BOT_TOKEN or SANDBOX=off.
CMD ["node", "--enable-source-maps", "dist/src/main.js"]
