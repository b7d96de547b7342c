#!/usr/bin/env bash
# The project's one test command (`npm test`): typecheck, then every vitest
# suite (test/unit, test/integration, test/e2e). Extra arguments go to vitest,
# e.g. `npm test -- test/unit` or `npm test -- -t "welcome"`.
#
# Coverage (full runs only): lines and branches per folder, with floors CI enforces.
# Both steps always run so one report shows every problem; the exit status is
# non-zero when either failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

status=0

printf '==> typecheck (tsc --noEmit)\n'
if npx --no-install tsc --noEmit; then
  printf 'typecheck passed\n'
else
  printf 'typecheck FAILED\n'
  status=1
fi

# A full run measures coverage and enforces the per-folder floors (test/coverage-floors.ts);
# a run of chosen files or tests does not, since it would fall short of them.
coverage=()
if [[ $# -eq 0 ]]; then
  coverage=(--coverage)
fi

printf '\n==> tests (vitest run %s)\n' "${coverage[*]:-}"
if ! npx --no-install vitest run "${coverage[@]}" "$@"; then
  status=1
fi
if [[ ${#coverage[@]} -gt 0 && -f coverage/coverage-summary.json ]]; then
  node --import tsx scripts/coverage-summary.ts || status=1
fi

if [[ $status -ne 0 ]]; then
  printf '\nFAILED (see above: typecheck and/or tests)\n'
fi
exit "$status"
