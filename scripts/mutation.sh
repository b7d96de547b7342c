#!/usr/bin/env bash
# Mutation testing of src/ with Stryker (`npm run test:mutation [folder...]`), one folder of
# src/ at a time: `npm run test:mutation -- rpc cable`. Without arguments, every folder.
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
  folder="${folder#src/}"
  folder="${folder%/}"
  if [[ ! -d "src/$folder" ]]; then
    printf 'no folder src/%s\n' "$folder" >&2
    exit 2
  fi
  printf '\n==> mutation testing src/%s\n' "$folder"
  if ! npx --no-install stryker run \
    --mutate "src/$folder/**/*.ts,!src/$folder/**/index.ts" \
    --incrementalFile "test/mutation/$folder.incremental.json"; then
    status=1
  fi
done

node --import tsx scripts/mutation-summary.ts
exit "$status"
