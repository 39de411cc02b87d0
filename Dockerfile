# One image recipe for every Relay service; ARG APP selects which one.
#   docker build --build-arg APP=chat-service -t relay/chat-service .
# APP: ws-gateway | chat-service | presence-service | notification-service
# (docker-compose.yml builds all four this way.)

ARG NODE_IMAGE=node:20-slim

# ---- build: the whole workspace, then one app bundled by Nx/esbuild ----
FROM ${NODE_IMAGE} AS build
WORKDIR /repo
ENV NX_DAEMON=false NX_NO_CLOUD=true
# Dependencies first, in their own layer: it is reused until package-lock.json changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP
RUN test -n "$APP" || { echo 'build with --build-arg APP=<ws-gateway|chat-service|presence-service|notification-service>' >&2; exit 1; }
# The production configuration bundles our libs into main.js and writes a package.json and a
# pruned package-lock.json listing only the npm packages that bundle requires.
RUN npx nx build "$APP" --configuration=production --output-style=static
# The gateway also serves the web chat page (WEB_ROOT); the other apps get an empty folder.
RUN mkdir -p /out/app /out/web \
 && cp -r "dist/apps/$APP/." /out/app/ \
 && if [ "$APP" = "ws-gateway" ] && [ -f apps/web-chat/project.json ]; then \
      npx nx build web-chat --configuration=production --output-style=static && cp -r dist/apps/web-chat/. /out/web/; \
    fi

# ---- runtime: node, the bundle and its production dependencies, nothing else ----
FROM ${NODE_IMAGE} AS runtime
ARG APP
ENV NODE_ENV=production \
    APP=${APP} \
    HOST=0.0.0.0 \
    WEB_ROOT=/app/web \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# npm ci from the generated package.json + lock rather than copying the build stage's
# node_modules: that one holds every dev tool (nx, typescript, jest: about 240 MB); this one
# only what main.js requires (about 30 MB), at exactly the versions of the workspace lock.
COPY --from=build /out/app/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /out/web/ ./web/
USER node
# The services stop gracefully on SIGTERM (the gateway closes sockets with 1012).
STOPSIGNAL SIGTERM
CMD ["node", "main.js"]
