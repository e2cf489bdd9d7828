#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages that building and testing closer need,
# only those missing: as root with apt-get, otherwise through sudo.
# usage: tools/deps.sh [deb]   (deb: also what `make deb` and `make check-deb` need)
set -eu

PACKAGES="gcc make pkg-config libsystemd-dev libsqlite3-dev libical-dev libjson-c-dev
libcmocka-dev dbus dbus-daemon systemd faketime sqlite3 python3 python3-icalendar
python3-vobject python3-dbus khal mandoc strace util-linux bash-completion clang
libclang-rt-14-dev cppcheck clang-tidy valgrind remind procps syncthing
radicale vdirsyncer curl"
if [ "${1:-}" = deb ]; then
        PACKAGES="$PACKAGES build-essential debhelper dpkg-dev lintian"
fi

missing=""
for p in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
                missing="$missing $p"
        fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
else
        echo "deps: missing packages:$missing (run 'make deps' as root)" >&2
        exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
