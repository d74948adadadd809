#!/bin/sh
# The add-on image's build steps. The Dockerfile runs this script and .ci/run runs it too (in a scratch copy),
# so that what CI checks and what users' Supervisors build cannot drift apart.
set -eu

# Node headers for the native build; Alpine's nodejs-dev and Debian's libnode-dev put them under /usr.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

npm ci                  # everything, and the TypeScript build (the prepare script)
npm prune --omit=dev    # the image carries runtime dependencies only

# serialport ships prebuilt bindings for glibc; the add-on runs on musl (Alpine): build the binding here.
rm -rf node_modules/@serialport/bindings-cpp/prebuilds
npm_config_build_from_source=true npm rebuild @serialport/bindings-cpp
node -e "require('@serialport/bindings-cpp')" >/dev/null
