#!/usr/bin/env bash
# Lint and compile the flovyn.v1 protobuf contract with buf (config: buf.yaml next to this script).
# buf comes from npm (@bufbuild/buf, pinned below), installed once into a cache dir.
set -euo pipefail

BUF_VERSION="1.75.0"
BUF_HOME="${BUF_HOME:-$HOME/.cache/dispatch-buf}"
BUF="$BUF_HOME/node_modules/.bin/buf"

if [[ ! -x "$BUF" ]] || [[ "$("$BUF" --version 2>/dev/null || true)" != "$BUF_VERSION" ]]; then
  echo "Installing buf $BUF_VERSION into $BUF_HOME" >&2
  mkdir -p "$BUF_HOME"
  npm install --prefix "$BUF_HOME" --no-save --no-audit --no-fund "@bufbuild/buf@$BUF_VERSION" >&2
fi

cd "$(dirname "${BASH_SOURCE[0]}")"
echo "buf $("$BUF" --version): lint" >&2
"$BUF" lint
echo "buf: build" >&2
"$BUF" build -o /dev/null
echo "OK" >&2
