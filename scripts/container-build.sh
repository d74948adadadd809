#!/bin/sh
# The add-on image's build steps. The Dockerfile runs this script and .ci/run runs it too (in a scratch copy),
# so that what CI checks and what the image is built from cannot drift apart.
set -eu

# Node headers for the native build; Alpine's nodejs-dev and Debian's libnode-dev put them under /usr.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

npm ci                  # everything, and the TypeScript build (the prepare script)

# The image carries what it runs: no development dependencies, not the demo's embedded broker (an optional
# dependency that only `powermeter demo` loads), no type declarations (mqtt depends on @types packages for its users'
# compilers), no TypeScript sources, source maps or read-me files. Licences stay.
npm prune --omit=dev --omit=optional
rm -rf node_modules/@types
# The service runs from dist/app (scripts/bundle.js); tsc's unbundled output beside it is not loaded.
rm -rf dist/src dist/addon
find node_modules dist -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' -o -name '*.md' -o -name '*.markdown' \) ! -iname 'licen[cs]e*' -delete

# serialport ships prebuilt bindings for glibc; the add-on runs on musl (Alpine): build the binding here.
rm -rf node_modules/@serialport/bindings-cpp/prebuilds
npm_config_build_from_source=true npm rebuild @serialport/bindings-cpp
node -e "require('@serialport/bindings-cpp')" >/dev/null
