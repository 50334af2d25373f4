#!/bin/sh
# The VS Code extension's tests, as `make vscode-test` runs them (from the repository root:
# `sh vscode-extension/scripts/test.sh [PYTHON]`). Steps: npm ci (when package-lock.json changed),
# type-check, bundle, unit tests (stand-in vscode module), smoke test (the real server over
# vscode-jsonrpc), package the .vsix and check its file list, end to end in code-server.
# Without Node/npm, or where code-server cannot be installed, the steps that need them print
# "unverified: ..." and do not fail the build.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
REPO=$(cd "$HERE/.." && pwd)
PY=${1:-$REPO/.venv/bin/python}
case "$PY" in /*) ;; *) PY="$REPO/$PY" ;; esac
cd "$HERE"

now() { date +%s.%N; }
T=$(now)
step() {
    t=$(now)
    awk -v a="$T" -v b="$t" -v s="$STEP" 'BEGIN { printf "vscode-test: %-22s %6.1f s\n", s, b - a }'
    T=$t
}

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "unverified: node/npm not installed (the VS Code extension was not built or tested)"
    exit 0
fi

STEP="npm ci"
if [ ! -f node_modules/.xpiler-ci ] || [ package-lock.json -nt node_modules/.xpiler-ci ] || [ package.json -nt node_modules/.xpiler-ci ]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.xpiler-ci
fi
step

STEP="tsc --noEmit"; npx tsc --noEmit -p .; step
STEP="bundle (esbuild)"; node esbuild.mjs --production; step
STEP="unit tests"
npx tsc -p tsconfig.test.json
node --require ./out/test/unit/register-vscode.js --test --test-reporter=spec out/test/unit/
step
STEP="smoke test (server)"
XPILER_PYTHON="$PY" node --test --test-reporter=spec out/test/smoke/
step

STEP="package .vsix"
VERSION=$(node -p 'require("./package.json").version')
VSIX="$HERE/xpiler-$VERSION.vsix"
rm -f "$VSIX"
npx vsce package --skip-license --allow-missing-repository --no-dependencies --no-rewrite-relative-links --out "$VSIX" >/dev/null
node scripts/check-vsix.mjs "$VSIX"
step

STEP="e2e setup"
set +e
SETUP_OUT=$(sh scripts/e2e-setup.sh)
rc=$?
set -e
CODE_SERVER=$(printf '%s\n' "$SETUP_OUT" | tail -n 1)
step
if [ $rc -ne 0 ] || [ ! -x "$CODE_SERVER" ]; then
    echo "unverified: code-server not installed (the end-to-end test in VS Code did not run)"
    exit 0
fi
STEP="e2e (code-server)"
node e2e/run.mjs --code-server "$CODE_SERVER" --vsix "$VSIX" --python "$PY" --artifacts "$HERE/e2e/artifacts"
step
