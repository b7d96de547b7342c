#!/usr/bin/env bash
# Provides a stock anycable-go binary for this project and reports which one.
#
# Resolution order (first that works wins):
#   1. $ANYCABLE_GO_BIN                      (explicit choice; an unusable path is an error)
#   2. anycable-go on PATH
#   3. bin/anycable-go                       (left here by a previous build)
#   4. a build from the Go module proxy into bin/anycable-go:
#        a. newest v1.6.x (else v1.5.x) through a throwaway wrapper module that imports
#           github.com/anycable/anycable-go/cli and runs it exactly like cmd/anycable-go does
#           (a dependency's `replace` lines are ignored, so the go-mruby replace stops mattering);
#        b. the same version from `go mod download` with the go-mruby replace line dropped;
#        c. `go install github.com/anycable/anycable-go/cmd/anycable-go@v1.4.8` (no replace lines).
#      The code is always the released code; nothing is patched.
#
# Usage:
#   scripts/anycable-go.sh               provide the binary, print its path and version
#   scripts/anycable-go.sh --print-path  same, but stdout carries only the path (for $(...))
#
# Knobs: ANYCABLE_GO_BIN, ANYCABLE_GO_VERSION (e.g. v1.6.3: build exactly this version),
# plus the usual Go environment (GOPROXY, GOFLAGS, GOTOOLCHAIN, ...).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="$ROOT/bin"
TARGET="$BIN_DIR/anycable-go"
MODULE="github.com/anycable/anycable-go"
LEGACY_VERSION="v1.4.8"
# Used when the proxy will not list versions (e.g. GOPROXY=off with a warm module
# cache): the newest release this project has been exercised against.
KNOWN_VERSION="v1.5.6"

PRINT_PATH=0
case "${1:-}" in
  --print-path) PRINT_PATH=1 ;;
  "") ;;
  -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "anycable-go.sh: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

# Progress goes to stderr so that --print-path output stays machine-readable.
log() { echo "[anycable-go] $*" >&2; }

# Prints the version of a candidate binary, or fails when it does not run or
# does not answer like anycable-go does (`-v` prints e.g. "1.5.6").
binary_version() {
  local out
  out="$("$1" -v 2>/dev/null | head -n 1)" || return 1
  [[ "$out" =~ ^v?[0-9]+\.[0-9]+ ]] || return 1
  echo "$out"
}

settle() {
  local path="$1" version="$2"
  if [[ "$version" =~ ^v?(1\.[0-3]|0)\. ]]; then
    log "warning: $path is anycable-go $version; this project expects 1.4.5 or newer"
  fi
  if [[ $PRINT_PATH == 1 ]]; then
    echo "$path"
  else
    echo "anycable-go: $path"
    echo "version: $version"
  fi
  exit 0
}

# 1. explicit choice
if [[ -n "${ANYCABLE_GO_BIN:-}" ]]; then
  if [[ ! -x "$ANYCABLE_GO_BIN" ]]; then
    log "error: ANYCABLE_GO_BIN=$ANYCABLE_GO_BIN is not an executable file"
    exit 1
  fi
  if ! version="$(binary_version "$ANYCABLE_GO_BIN")"; then
    log "error: ANYCABLE_GO_BIN=$ANYCABLE_GO_BIN does not answer '-v' like anycable-go"
    exit 1
  fi
  settle "$ANYCABLE_GO_BIN" "$version"
fi

# 2. PATH
if path_bin="$(command -v anycable-go 2>/dev/null)"; then
  if version="$(binary_version "$path_bin")"; then
    settle "$path_bin" "$version"
  fi
  log "ignoring $path_bin on PATH: it does not answer '-v' like anycable-go"
fi

# 3. an earlier build
if [[ -x "$TARGET" ]]; then
  if version="$(binary_version "$TARGET")"; then
    settle "$TARGET" "$version"
  fi
  log "ignoring $TARGET: it does not answer '-v' like anycable-go (will rebuild)"
fi

# 4. build from the Go module proxy
ATTEMPTS=()   # human-readable summary of each attempt, for the final error
WORK="$(mktemp -d "${TMPDIR:-/tmp}/anycable-go-build.XXXXXX")"
trap 'chmod -R u+w "$WORK" 2>/dev/null || true; rm -rf "$WORK"' EXIT

fail_with_summary() {
  {
    echo
    echo "ERROR: could not provide an anycable-go binary."
    echo
    echo "What was tried:"
    echo "  - \$ANYCABLE_GO_BIN: not set"
    echo "  - anycable-go on PATH: not found"
    echo "  - $TARGET: not present"
    local a
    for a in "${ATTEMPTS[@]}"; do
      echo "  - $a"
    done
    echo
    echo "How to fix (any one of these):"
    echo "  - download a release binary from https://github.com/anycable/anycable-go/releases"
    echo "    (v1.5 or v1.6, linux amd64/arm64), make it executable and either"
    echo "      put it on PATH, or"
    echo "      export ANYCABLE_GO_BIN=/path/to/anycable-go, or"
    echo "      copy it to $TARGET"
    echo "  - on a machine with a working Go module proxy, re-run this script (needs Go >= 1.21;"
    echo "    it builds the released module into $TARGET)"
    echo "  - macOS: brew install anycable-go"
    echo "Then re-run: bash scripts/setup.sh"
  } >&2
  exit 1
}

# Keeps the last lines of a failed command's output; the interesting part of a
# Go error (e.g. the proxy's "403 Forbidden ... not available") is at the end.
tail_of() { tail -n "${2:-4}" "$1" | sed 's/^/        /'; }

if ! command -v go >/dev/null 2>&1; then
  ATTEMPTS+=("build from the Go module proxy: skipped, 'go' is not installed (https://go.dev/dl/)")
  fail_with_summary
fi

log "no anycable-go binary found; building one from the Go module proxy ($(go env GOPROXY))"
log "this takes a few minutes on a cold Go cache"

export GO111MODULE=on
export CGO_ENABLED=0   # mruby (the only cgo user) is behind the 'mrb' build tag

# Installs a freshly built binary atomically, so an interrupted or broken build
# never leaves a half-written bin/anycable-go behind.
install_built() {
  local built="$1" version
  if ! version="$(binary_version "$built")"; then
    return 1
  fi
  mkdir -p "$BIN_DIR"
  cp "$built" "$TARGET.tmp.$$"
  chmod 0755 "$TARGET.tmp.$$"
  mv -f "$TARGET.tmp.$$" "$TARGET"
  log "built anycable-go $version into $TARGET"
  settle "$TARGET" "$version"
}

# Sets PICKED (no command substitution: ATTEMPTS must survive).
pick_version() {
  local listing="$WORK/versions.log" versions best
  mkdir -p "$WORK/probe"
  if ! (cd "$WORK/probe" && go mod init probe >/dev/null 2>&1 &&
        go list -m -versions "$MODULE") >"$listing" 2>&1; then
    ATTEMPTS+=("list versions of $MODULE via the Go module proxy: failed"$'\n'"$(tail_of "$listing")")
    return 1
  fi
  # "github.com/anycable/anycable-go v1.0.0 v1.0.1 ..." -> newest release (no -rc) per minor
  versions="$(tr ' ' '\n' <"$listing" | grep -E '^v1\.[0-9]+\.[0-9]+$' | sort -V || true)"
  best="$(grep -E '^v1\.6\.' <<<"$versions" | tail -n 1 || true)"
  [[ -n "$best" ]] || best="$(grep -E '^v1\.5\.' <<<"$versions" | tail -n 1 || true)"
  if [[ -z "$best" ]]; then
    ATTEMPTS+=("list versions of $MODULE: no v1.6.x or v1.5.x release listed ($(head -c 300 "$listing"))")
    return 1
  fi
  PICKED="$best"
}

build_with_wrapper() {
  local version="$1" dir="$WORK/wrapper" out="$WORK/wrapper.log"
  mkdir -p "$dir"
  # Mirrors main() of cmd/anycable-go/main.go as released in v1.4.x-v1.6.x; the
  # release's //go:linkname logging tweak is left out (newer Go linkers reject it,
  # and it only saves a runtime.Callers call per log line).
  cat >"$dir/main.go" <<'GO'
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/anycable/anycable-go/cli"
	_ "github.com/anycable/anycable-go/diagnostics"
)

func main() {
	c, err, ok := cli.NewConfigFromCLI(os.Args)
	if err != nil {
		log.Fatalf("%v", err)
	}
	if ok {
		os.Exit(0)
	}

	opts := []cli.Option{
		cli.WithName("AnyCable"),
		cli.WithDefaultRPCController(),
		cli.WithDefaultBroker(),
		cli.WithDefaultSubscriber(),
		cli.WithDefaultBroadcaster(),
		cli.WithTelemetry(),
	}

	runner, err := cli.NewRunner(c, opts)
	if err != nil {
		fmt.Printf("%+v\n", err)
		os.Exit(1)
	}

	if err := runner.Run(); err != nil {
		fmt.Printf("%+v\n", err)
		os.Exit(1)
	}
}
GO
  log "building $MODULE@$version via a wrapper module"
  if (cd "$dir" &&
      go mod init anycable-go-local-build &&
      go get "$MODULE@$version" &&
      go mod tidy &&
      go build -trimpath -ldflags "-s -w" -o "$WORK/anycable-go.wrapper" .) >"$out" 2>&1 &&
     install_built "$WORK/anycable-go.wrapper"; then
    return 0
  fi
  ATTEMPTS+=("wrapper module importing $MODULE/cli@$version: failed"$'\n'"$(tail_of "$out")")
  return 1
}

build_from_module_copy() {
  local version="$1" out="$WORK/copy.log" src
  log "building $MODULE@$version from a copy of the module without the go-mruby replace"
  if ! (cd "$WORK/probe" && go mod download -json "$MODULE@$version") >"$WORK/download.json" 2>"$out"; then
    ATTEMPTS+=("go mod download $MODULE@$version: failed"$'\n'"$(tail_of "$out")")
    return 1
  fi
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' "$WORK/download.json" | head -n 1)"
  if [[ -z "$src" || ! -d "$src" ]]; then
    ATTEMPTS+=("go mod download $MODULE@$version: no module directory in its output")
    return 1
  fi
  cp -R "$src" "$WORK/module"
  chmod -R u+w "$WORK/module"
  # Only the replace line goes; it points at a directory that release archives do
  # not ship. Without the 'mrb' tag the mruby package is never compiled.
  sed -i.orig '/^replace github.com\/mitchellh\/go-mruby/d' "$WORK/module/go.mod"
  if (cd "$WORK/module" &&
      GOFLAGS="${GOFLAGS:-} -mod=mod" go build -trimpath -ldflags "-s -w" -o "$WORK/anycable-go.copy" ./cmd/anycable-go) >>"$out" 2>&1 &&
     install_built "$WORK/anycable-go.copy"; then
    return 0
  fi
  ATTEMPTS+=("build of a copy of $MODULE@$version without the replace line: failed"$'\n'"$(tail_of "$out")")
  return 1
}

build_legacy() {
  local out="$WORK/legacy.log"
  log "building $MODULE@$LEGACY_VERSION with go install"
  mkdir -p "$WORK/gobin"
  if (cd "$WORK" && GOBIN="$WORK/gobin" go install "$MODULE/cmd/anycable-go@$LEGACY_VERSION") >"$out" 2>&1 &&
     install_built "$WORK/gobin/anycable-go"; then
    return 0
  fi
  ATTEMPTS+=("go install $MODULE/cmd/anycable-go@$LEGACY_VERSION: failed"$'\n'"$(tail_of "$out")")
  return 1
}

PICKED=""
if [[ -n "${ANYCABLE_GO_VERSION:-}" ]]; then
  PICKED="$ANYCABLE_GO_VERSION"
  [[ "$PICKED" == v* ]] || PICKED="v$PICKED"
  mkdir -p "$WORK/probe" && (cd "$WORK/probe" && go mod init probe >/dev/null 2>&1)
else
  pick_version || PICKED="$KNOWN_VERSION"
fi

if [[ -n "$PICKED" ]]; then
  build_with_wrapper "$PICKED" || build_from_module_copy "$PICKED" || true
fi
build_legacy || true
fail_with_summary
