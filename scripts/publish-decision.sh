#!/usr/bin/env bash
# Whether the image workflow (.github/workflows/builder.yaml) publishes: on a push, exactly when the multi-arch
# image that config.yaml names at HEAD, `<image>:<version>`, cannot be pulled from the registry yet (#21).
#
# Why the registry decides, and not git: the Supervisor offers a user the version in config.yaml and pulls
# `<image>:<version>`, so that tag is the one fact that matters. Comparing config.yaml with HEAD^ skipped a bump
# that was not the last commit of a push; comparing with a git tag the workflow pushes after publishing would drift
# from the registry whenever one of the two steps fails (a release that never comes, or one never retried) and needs
# a token that can write to the repository. Asking the registry is right whatever the commit order, a bump
# reverted within the same push publishes nothing, a failed publish is retried by the next push, and a published
# version is never built again over itself (later commits under the same version publish nothing).
#
# Usage: scripts/publish-decision.sh EVENT        (run in the repository; EVENT is GitHub's event name)
# Prints `publish=true` or `publish=false` on standard output (for $GITHUB_OUTPUT) and why on standard error.
# Exits 1 without a decision when it cannot tell: config.yaml unreadable, or the registry unreachable or answering
# anything but found / not found. The job fails and is re-run; a guess would skip a release or rebuild one.
#
# The registry is asked as the Supervisor asks it, anonymously, over the OCI distribution API (opencontainers/
# distribution-spec, spec.md, "Pulling manifests": 200 when the manifest is there, 404 when it is not), with
# GitHub's token service for ghcr.io (https://ghcr.io/token?service=ghcr.io&scope=repository:<name>:pull).
set -euo pipefail

event=${1:?usage: publish-decision.sh EVENT (push, pull_request, ...)}

fail() {
  echo "publish-decision: $*" >&2
  exit 1
}

# One top-level key of config.yaml at HEAD (what this run builds), quoted or not; a comment after it is allowed.
config_value() {
  local value
  value=$(git show HEAD:config.yaml | sed -En "s/^$1:[[:space:]]*[\"']?([^\"'#[:space:]]+)[\"']?[[:space:]]*(#.*)?\$/\\1/p") ||
    fail "cannot read config.yaml at HEAD"
  [[ $(printf '%s\n' "$value" | grep -c .) == 1 ]] || fail "config.yaml at HEAD has no single top-level '$1:'"
  printf '%s\n' "$value"
}

version=$(config_value version)
image=$(config_value image)
# A tag as the OCI distribution spec allows it; anything else would not be a tag the Supervisor can pull.
[[ $version =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$ ]] || fail "config.yaml's version '$version' is not a valid image tag"
[[ $image == ghcr.io/* ]] || fail "config.yaml's image '$image' is not on ghcr.io, the only registry this script knows how to ask"
name=${image#ghcr.io/}

if [[ $event != push ]]; then
  echo "publish-decision: a $event builds $image:$version without publishing it" >&2
  echo "publish=false"
  exit 0
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# Prints the HTTP status, or 000 when there was no answer (curl has already retried transient failures).
http() {
  local code
  code=$(curl --silent --show-error --retry 3 --max-time 30 --output "$body" --write-out '%{http_code}' "$@") || code=000
  printf '%s\n' "$code"
}

said() {
  if [[ $1 == 000 ]]; then echo "gave no answer"; else echo "answered HTTP $1"; fi
}

not_public() {
  echo "publish-decision: ghcr.io answered HTTP $1 for $image:$version: users, who pull anonymously, cannot have it" >&2
  echo "publish-decision: if the package exists, make it public (the package's settings on GitHub)" >&2
  echo "publish=true"
  exit 0
}

status=$(http "https://ghcr.io/token?service=ghcr.io&scope=repository:${name}:pull")
case $status in
  200) ;;
  # ghcr.io refuses an anonymous token for a package that is private or does not exist yet (the first release).
  401 | 403) not_public "$status to an anonymous token request" ;;
  *) fail "ghcr.io's token service $(said "$status"): cannot tell whether $image:$version is published" ;;
esac
token=$(sed -n 's/.*"token"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$body")
[[ -n $token ]] || fail "ghcr.io's token service answered without a token"

# The Accept header names the index types: ghcr.io answers 404 for a multi-arch index to a request that does not
# accept one (cyanheads/mcp-ts-core#262, "OCI index found, but Accept header does not support OCI indexes"), which
# would publish the same version again on every push.
accept='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json'
accept+=', application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
status=$(http --header "Authorization: Bearer ${token}" --header "Accept: ${accept}" "https://ghcr.io/v2/${name}/manifests/${version}")
case $status in
  200)
    echo "publish-decision: $image:$version is published already: nothing to publish" >&2
    echo "publish=false"
    ;;
  404)
    echo "publish-decision: $image:$version is not in the registry: publishing it" >&2
    echo "publish=true"
    ;;
  401 | 403) not_public "$status to the manifest request" ;;
  *) fail "ghcr.io $(said "$status") for $image:$version: cannot tell whether it is published" ;;
esac
