#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs as root INSIDE the systemd that tests/deb/test-deb.sh boots with sdci:
#   root.sh install USER   at boot, before any login (closer-test-install.service):
#                          makes /run/closer-test for USER, dpkg -i the package
#   root.sh                the action the test user wrote into /run/closer-test/request
#                          (closer-test-root.path): remove, purge, or install again
# Output goes to /run/closer-test/ACTION.log, the exit status to ACTION.rc.
set -u
D=/run/closer-test
if [ $# -gt 0 ]; then
        action=$1
        install -d -m 0755 -o "$2" "$D"
        # A container image's policy-rc.d (exit 101: "do not start services
        # while building an image") would keep deb-systemd-invoke from
        # stopping closerd on removal; this systemd is booted for real.
        [ -e /usr/sbin/policy-rc.d ] && mv /usr/sbin/policy-rc.d "$D/policy-rc.d"
else
        action=$(cat "$D/request")
        rm -f "$D/request"
fi
case $action in
install | reinstall) dpkg -i /var/cache/closer-test/closer.deb ;;
remove) dpkg -r closer ;;
purge) dpkg --purge closer ;;
*) echo "root.sh: unknown action '$action'" && false ;;
esac >"$D/$action.log" 2>&1
echo $? >"$D/$action.rc"
