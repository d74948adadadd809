# PowerMeter add-on image, built for aarch64 and amd64 by .github/workflows/builder.yaml and published, so that no
# user's machine builds it (config.yaml names the image). The base image is pinned here, under an argument name the
# Supervisor never sets (it passes BUILD_FROM from a build.yaml, which this add-on no longer has, and BUILD_ARCH,
# BUILD_VERSION): a multi-arch manifest of Home Assistant's Alpine base (home-assistant/docker-base, Alpine 3.24,
# release 2026.06.1).
ARG BASE_IMAGE=ghcr.io/home-assistant/base:3.24-2026.06.1

# Build stage: compilers and dev dependencies live and die here.
FROM ${BASE_IMAGE} AS build
RUN apk add --no-cache nodejs npm nodejs-dev build-base python3 linux-headers
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
COPY addon ./addon
COPY web ./web
COPY icon.png ./
COPY scripts/container-build.sh scripts/bundle.js ./scripts/
# The same steps .ci/run checks: install and build, prune to what runs, the serialport binding for musl.
RUN sh scripts/container-build.sh

# Runtime stage: Node.js and the built add-on, no compilers.
FROM ${BASE_IMAGE}
RUN apk add --no-cache nodejs
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
# The page's files (its script is in dist/web): served through Home Assistant's ingress.
COPY --from=build /app/web/index.html /app/web/style.css ./web/
COPY --from=build /app/icon.png ./
COPY rootfs /

# A stop gets the time config.yaml's `timeout` (20 s) promises: s6-overlay waits this long for the service to end
# (it publishes offline and saves the energy periods, in well under a second), then this long before SIGKILL; their
# sum stays below the Supervisor's timeout, after which Docker kills the container anyway. s6's default is 3 s each.
ENV S6_SERVICES_GRACETIME=12000 S6_KILL_GRACETIME=3000

# Healthy from the first seconds (the Supervisor waits up to 120 s for it at a start), checked every minute after.
HEALTHCHECK --interval=60s --timeout=10s --start-period=60s --start-interval=5s --retries=3 CMD ["/usr/local/bin/powermeter-healthcheck"]

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
