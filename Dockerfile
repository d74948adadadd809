# PowerMeter add-on image. BUILD_FROM has a default, so the image builds with or without build.yaml
# (Supervisor 2026.04+ passes no BUILD_FROM when there is no build.yaml).
ARG BUILD_FROM=ghcr.io/home-assistant/base:3.24

# Build stage: compilers and dev dependencies live and die here.
FROM ${BUILD_FROM} AS build
RUN apk add --no-cache nodejs npm nodejs-dev build-base python3 linux-headers
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY addon ./addon
COPY scripts/container-build.sh ./scripts/container-build.sh
# The same steps .ci/run checks: install and build, prune to runtime dependencies, serialport binding for musl.
RUN sh scripts/container-build.sh

# Runtime stage: Node.js and the built add-on, no compilers.
FROM ${BUILD_FROM}
RUN apk add --no-cache nodejs
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
COPY rootfs /

HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 CMD ["/usr/local/bin/powermeter-healthcheck"]

ARG BUILD_ARCH=amd64
ARG BUILD_VERSION=0.1.0
LABEL \
  io.hass.name="PowerMeter" \
  io.hass.description="HAN-port smart meter to Home Assistant over MQTT" \
  io.hass.type="app" \
  io.hass.arch="${BUILD_ARCH}" \
  io.hass.version="${BUILD_VERSION}" \
  io.hass.url="https://github.com/powermeter/powermeter" \
  org.opencontainers.image.title="PowerMeter" \
  org.opencontainers.image.description="HAN-port smart meter to Home Assistant over MQTT" \
  org.opencontainers.image.source="https://github.com/powermeter/powermeter" \
  org.opencontainers.image.licenses="MIT" \
  org.opencontainers.image.version="${BUILD_VERSION}"
