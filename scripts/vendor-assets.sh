#!/usr/bin/env bash
# Copies the files vaxel serves from the npm packages (installed by `npm ci` from
# package-lock.json) into vaxel/web/static/vendor: gitignored, shipped as package data, so
# `vaxel run` serves them itself and no page needs a route to the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
src=node_modules/swagger-ui-dist
dest=vaxel/web/static/vendor/swagger-ui
if [[ ! -f $src/swagger-ui-bundle.js ]]; then
  echo "vaxel: $src is missing; run: npm ci --ignore-scripts" >&2
  exit 1
fi
mkdir -p "$dest"
for name in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE package.json; do
  cmp -s "$src/$name" "$dest/$name" || cp "$src/$name" "$dest/$name"
done
