#!/usr/bin/env bash
# Prepares a machine to run and test this project. Idempotent: when everything
# is already present it only checks and prints versions.
#
#   system packages  redis-server, nats-server, chromium, h2load, sox, pocketsphinx (+ en-us
#                    model), espeak-ng (Debian/Ubuntu apt)
#   npm packages     npm ci, when node_modules is missing or older than package-lock.json
#   anycable-go      scripts/anycable-go.sh (PATH, $ANYCABLE_GO_BIN, bin/, or a Go build)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

section() { printf '\n==> %s\n' "$*"; }

# --- system packages ---------------------------------------------------------
# command the project runs -> Debian package that provides it
declare -A PACKAGE_FOR=(
  [redis-server]=redis-server
  [nats-server]=nats-server
  [chromium]=chromium
  [h2load]=nghttp2-client
  # The call simulator's replay mode: sox resamples, pocketsphinx transcribes; espeak-ng
  # speaks known sentences for the recognizer's own test.
  [sox]=sox
  [pocketsphinx_continuous]=pocketsphinx
  [espeak-ng]=espeak-ng
)
# packages without a command of their own
DATA_PACKAGES=(pocketsphinx-en-us)

section "system packages"
missing=()
for cmd in "${!PACKAGE_FOR[@]}"; do
  pkg="${PACKAGE_FOR[$cmd]}"
  # PATH first: a non-Debian install (Homebrew, a downloaded binary) is just as good.
  if command -v "$cmd" >/dev/null 2>&1; then
    continue
  fi
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # Installed but not on this PATH (nats-server lives in /usr/sbin on Debian).
    echo "note: package $pkg is installed but '$cmd' is not on PATH ($PATH)"
    continue
  fi
  missing+=("$pkg")
done
for pkg in "${DATA_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "all present"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "installing: ${missing[*]}"
  # Debian starts daemons (redis-server) from postinst. Tests never use default
  # ports, and a stray system redis on 6379 only confuses people, so keep
  # services from starting during this install unless a policy is already set.
  policy=/usr/sbin/policy-rc.d
  added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    added_policy=1
  fi
  cleanup_policy() { if [[ $added_policy == 1 ]]; then rm -f "$policy"; fi; }
  trap cleanup_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
  cleanup_policy
  trap - EXIT
else
  {
    echo "ERROR: missing system packages: ${missing[*]}"
    echo "Install them, then re-run this script:"
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    echo "(on other systems install the commands: redis-server, nats-server, chromium, h2load)"
  } >&2
  exit 1
fi

# --- node and npm packages ----------------------------------------------------
section "npm packages"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "ERROR: node and npm are required (Node >= 20.19, see package.json engines)" >&2
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "ERROR: Node $(node -v) is too old; this project needs Node >= 20.19" >&2
  exit 1
fi

# npm writes node_modules/.package-lock.json on every install: it is the marker
# of what is installed, and it is older than package-lock.json after a change.
marker=node_modules/.package-lock.json
if [[ ! -d node_modules || ! -f $marker || package-lock.json -nt $marker ]]; then
  npm ci --no-audit --no-fund
else
  echo "node_modules is up to date with package-lock.json"
fi

# --- anycable-go --------------------------------------------------------------
section "anycable-go"
bash "$ROOT/scripts/anycable-go.sh"

# --- summary ------------------------------------------------------------------
section "versions"
version_of() {
  local label="$1"
  shift
  if command -v "$1" >/dev/null 2>&1; then
    # stdout first: Debian's chromium launcher writes shell noise to stderr
    local out
    out="$("$@" 2>/dev/null | head -n 1 || true)"
    [[ -n "$out" ]] || out="$("$@" 2>&1 | head -n 1 || true)"
    printf '%-14s %s\n' "$label" "$out"
  else
    printf '%-14s %s\n' "$label" "(not on PATH)"
  fi
}
version_of node node --version
version_of npm npm --version
version_of anycable-go "$(bash "$ROOT/scripts/anycable-go.sh" --print-path)" -v
version_of redis-server redis-server --version
version_of nats-server nats-server --version
version_of chromium chromium --version
version_of h2load h2load --version
if command -v go >/dev/null 2>&1; then version_of go go version; fi
