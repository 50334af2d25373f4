#!/bin/sh
# Set up what the end-to-end test needs, idempotently (quick when done):
#   - Debian packages: Chromium (driven by playwright-core), ripgrep, and the headers code-server's
#     native modules build against;
#   - code-server (VS Code in the browser) from npm, cached outside the git tree in
#     $XPILER_CODE_SERVER_CACHE (default ~/.cache/xpiler/code-server/<version>).
# Nothing is downloaded from outside the package registries: @vscode/ripgrep's postinstall would
# fetch rg from GitHub, so Debian's rg is put in the download cache it looks in first.
# Prints the code-server executable on the last line of stdout, or exits 3 when it cannot be
# installed here (no root, no network...): the e2e test then reports "unverified".
set -eu

CS_VERSION="${XPILER_CODE_SERVER_VERSION:-4.100.3}"
CACHE="${XPILER_CODE_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xpiler/code-server}/$CS_VERSION"
BIN="$CACHE/node_modules/.bin/code-server"
STAMP="$CACHE/.installed"
PKGS="libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config ripgrep chromium"
log() { echo "e2e-setup: $*" >&2; }

# ---- Debian packages
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
        log "Debian packages missing:$missing (no root to install them)"; exit 3
    fi
    if ! command -v apt-get >/dev/null 2>&1; then log "no apt-get: install$missing by hand"; exit 3; fi
    log "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    if ! $SUDO apt-get install -y -qq $missing >/dev/null 2>&1; then log "could not install:$missing"; exit 3; fi
fi

# ---- code-server
if [ -f "$STAMP" ] && [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi
command -v npm >/dev/null 2>&1 || { log "npm not found"; exit 3; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || { log "code-server $CS_VERSION needs Node 20 (found $node_major)"; exit 3; }
log "installing code-server $CS_VERSION into $CACHE (once; a few minutes)"
rm -rf "$CACHE"
mkdir -p "$CACHE/tmp" "$CACHE/peek"
cd "$CACHE"

# Which @vscode/ripgrep code-server's VS Code pins, and which ripgrep release that version fetches.
( cd peek && npm pack --silent "code-server@$CS_VERSION" >/dev/null && tar xzf "code-server-$CS_VERSION.tgz" ) || { log "npm pack code-server failed"; exit 3; }
RG_NPM=$(node -p "require('./peek/package/lib/vscode/npm-shrinkwrap.json').packages['node_modules/@vscode/ripgrep'].version")
( cd peek && npm pack --silent "@vscode/ripgrep@$RG_NPM" >/dev/null && mkdir rg && tar xzf "vscode-ripgrep-$RG_NPM.tgz" -C rg ) || { log "npm pack @vscode/ripgrep failed"; exit 3; }
RG_TAG=$(sed -n "s/^const VERSION = '\([^']*\)'.*/\1/p" peek/rg/package/lib/postinstall.js)
case "$(uname -m)" in
    x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
    aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
    *) log "unsupported machine $(uname -m)"; exit 3 ;;
esac
RG_CACHE="$CACHE/tmp/vscode-ripgrep-cache-$RG_NPM"
mkdir -p "$RG_CACHE" peek/rgbin
cp "$(command -v rg)" peek/rgbin/rg
tar czf "$RG_CACHE/ripgrep-$RG_TAG-$RG_TARGET.tar.gz" -C peek/rgbin rg
log "ripgrep: Debian's rg as @vscode/ripgrep $RG_NPM's $RG_TAG download"
rm -rf peek

echo '{"name": "xpiler-e2e-code-server", "private": true}' > package.json
# Install scripts must run (code-server's postinstall installs VS Code's modules and builds the
# native ones); npm 11 skips dependencies' scripts unless allowed.
if ! TMPDIR="$CACHE/tmp" npm_config_yes=true npm_config_unsafe_perm=true npm_config_dangerously_allow_all_scripts=true \
        npm_config_fund=false npm_config_audit=false \
        npm install --no-save "code-server@$CS_VERSION" > install.log 2>&1; then
    log "npm install code-server failed (see $CACHE/install.log):"
    tail -20 install.log >&2
    exit 3
fi
if [ ! -x "$BIN" ] || [ ! -e node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg ]; then
    log "code-server installed incompletely (see $CACHE/install.log)"
    exit 3
fi
XDG_CONFIG_HOME="$CACHE/tmp/config" "$BIN" --version >&2 || { log "code-server does not run"; exit 3; }
touch "$STAMP"
echo "$BIN"
