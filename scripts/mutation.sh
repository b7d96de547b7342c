#!/usr/bin/env bash
# Mutation testing of src/ with Stryker (`npm run test:mutation [folder...]`), one folder of
# src/ at a time: `npm run test:mutation -- rpc cable`. Without arguments, every folder of src/.
# The application's bridge core is named by its path, `npm run test:mutation -- channels/bridge
# channels/media-stream`, and runs with stryker.channels.config.mjs (the application's tests).
#
# Each folder keeps its own incremental file, test/mutation/<folder>.incremental.json (committed):
# a run re-tests only the mutants whose code or covering tests changed since that file, so after
# the first full run of a folder the next one takes seconds to minutes, on any clone. The summary
# (score per folder, every surviving mutant) is rewritten to test/mutation/summary.md afterwards.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

folders=("$@")
if [[ ${#folders[@]} -eq 0 ]]; then
  mapfile -t folders < <(find src -mindepth 1 -maxdepth 1 -type d ! -name cli -printf '%f\n' | sort)
fi

status=0
for folder in "${folders[@]}"; do
  folder="${folder%/}"
  if [[ "$folder" == channels/* ]]; then
    # channels/bridge -> test/mutation/channels.bridge.incremental.json
    path="$folder"
    incremental="test/mutation/${folder//\//.}.incremental.json"
    config="stryker.channels.config.mjs"
    mutate="$path/**/*.ts,!$path/**/index.ts,!$path/main.ts"
  else
    folder="${folder#src/}"
    path="src/$folder"
    incremental="test/mutation/$folder.incremental.json"
    # A folder whose mutants are judged by its own tests only has its own config
    # (stryker.broadcast.config.mjs); the others share stryker.config.mjs.
    config="stryker.config.mjs"
    [[ -f "stryker.$folder.config.mjs" ]] && config="stryker.$folder.config.mjs"
    mutate="$path/**/*.ts,!$path/**/index.ts"
  fi
  if [[ ! -d "$path" ]]; then
    printf 'no folder %s\n' "$path" >&2
    exit 2
  fi
  printf '\n==> mutation testing %s\n' "$path"
  if ! npx --no-install stryker run "$config" --mutate "$mutate" --incrementalFile "$incremental"; then
    status=1
  fi
done

node --import tsx scripts/mutation-summary.ts
exit "$status"
