#!/bin/sh
# Install the Debian packages Xpiler uses, when they are missing and we are allowed to.
# Never fails the build: a missing tool makes the checks that need it say "unverified".
set -u
PKGS="hipcc libsimde-dev"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "xpiler: Debian packages missing:$missing (no root; checks needing them will report 'unverified')"
    exit 0
fi
echo "xpiler: installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq $missing >/dev/null 2>&1 || \
    echo "xpiler: could not install$missing (checks needing them will report 'unverified')"
exit 0
