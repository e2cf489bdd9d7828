#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs INSIDE the systemd that tests/deb/test-deb.sh boots with sdci, as a
# new user logging in (PAM) after the package was installed at boot; asks
# root.sh for dpkg -r, dpkg --purge and dpkg -i again. Prints what tests/sdci/session-lib.sh says.
# usage: session.sh VERSION
# shellcheck disable=SC2317 # helpers run through wait_for
# shellcheck source=tests/sdci/session-lib.sh
. "$(dirname "$0")/session-lib.sh"
VERSION=$1
D=/run/closer-test
DATA=$HOME/.local/share/closer
ENABLED=/etc/systemd/user/default.target.wants/closerd.service

# as_root ACTION DESC: root.sh does ACTION (remove, purge); its log on failure.
as_root() {
        echo "$1" >"$D/.request" && mv "$D/.request" "$D/request"
        if wait_for 120 test -e "$D/$1.rc" && [[ $(cat "$D/$1.rc") == 0 ]]; then ok "$2"; else
                not_ok "$2"
                diag "$(cat "$D/$1.log" 2>&1)"
                return 1
        fi
}
# closer_paths: what is left with closer in its name outside the user's home
# and dpkg's database, but for this test's own files.
closer_paths() {
        find /etc /usr /var /opt \( -path /var/lib/dpkg -o -path "$SDCI_LIBEXEC" -o -path /var/cache/closer-test \
                -o -name 'closer-test*' \) -prune -o -name '*closer*' -print 2>/dev/null | sort
}
# package_left: the paths `dpkg -L closer` listed (in $HOME/files) that are
# still there, but directories that other packages own.
package_left() {
        local p
        while IFS= read -r p; do
                [[ $p != /. && ( -e $p || -L $p ) ]] || continue
                [[ -d $p && ! -L $p ]] && dpkg-query -S "$p" >/dev/null 2>&1 && continue
                echo "$p"
        done <"$HOME/files"
}
activatable() { busctl --user list --activatable --no-legend 2>/dev/null | grep -q "^$NAME "; }
no_closerd() { ! pgrep -x closerd >/dev/null; }
data_kept() {
        if [[ -f $DATA/closer.db && $(stat -c %a "$DATA") == 700 ]]; then ok "$1 keeps the user's data"; else
                not_ok "$1 keeps the user's data"
                diag "$(ls -la "$DATA" 2>&1)"
        fi
}

# --- installed at boot, before this login ---
SDCI_LIBEXEC=$(dirname "$0")
if [[ $(cat "$D/install.rc" 2>/dev/null) == 0 ]]; then ok "dpkg -i closer_${VERSION}_*.deb at boot"; else
        not_ok "dpkg -i closer_${VERSION}_*.deb at boot"
        diag "$(cat "$D/install.log" 2>&1)"
        finish
fi
[[ -e $D/policy-rc.d ]] && diag "root.sh moved the image's /usr/sbin/policy-rc.d aside"
is "dpkg: closer $VERSION is installed" "$(dpkg-query -W -f='${Status} ${Version}' closer 2>&1)" \
        "install ok installed $VERSION"
is "the unit is enabled for every user (systemctl --global enable)" \
        "$(readlink "$ENABLED") $(systemctl --user is-enabled closerd.service 2>&1)" "$UNIT_PATH enabled"

# --- a new user's login ---
wait_for 15 settled
if active; then ok "the login started closerd (closerd.service active)"; else
        not_ok "the login started closerd (closerd.service active)"
        unit_diag
fi
is "... from the packaged unit" "$(prop FragmentPath)" "$UNIT_PATH"
out=$(timeout 10 closerctl status 2>&1)
rc=$?
if ((rc == 0)) && [[ -n $out ]]; then ok "closerctl status answers"; else
        not_ok "closerctl status answers (exit $rc)"
        diag "$out"
fi
diag "closerctl status: $(head -1 <<<"$out")"
check "closerctl list add (data in ~/.local/share/closer)" closerctl list add "Kiss me every morning"
[[ -f $DATA/closer.db ]] || not_ok "closerd wrote $DATA/closer.db"

# --- dpkg -r ---
dpkg-query -L closer >"$HOME/files" 2>&1
as_root remove "dpkg -r closer" || finish
wait_for 10 no_closerd
is "dpkg -r stopped closerd.service in the running session" "$(systemctl --user is-active closerd.service)" inactive
if no_closerd; then ok "no closerd process left"; else
        not_ok "no closerd process left"
        diag "$(pgrep -a closerd)"
fi
is "no file of the package left (dpkg -L but shared directories)" "$(package_left)" ""
if wait_for 5 eval '! activatable'; then ok "$NAME is no longer activatable"; else
        not_ok "$NAME is no longer activatable"
fi
# Removal keeps the configuration, here that the unit was enabled: dpkg -r
# keeps deb-systemd-helper's enablement (a symlink to the removed unit, and
# its state) until purge, as for every Debian package with a unit.
is "left after dpkg -r: the unit's enablement only" "$(closer_paths | tr '\n' ' ')" \
        "$ENABLED /var/lib/systemd/deb-systemd-user-helper-enabled/closerd.service.dsh-also /var/lib/systemd/deb-systemd-user-helper-enabled/default.target.wants/closerd.service "
data_kept "dpkg -r"

# --- dpkg --purge ---
as_root purge "dpkg --purge closer"
is "dpkg: closer is gone" "$(dpkg-query -W -f='${Status}' closer 2>/dev/null)" ""
is "nothing of closer left after purge" "$(closer_paths)" ""
data_kept "dpkg --purge"

# --- installed again while logged in: the postinst starts it in this session ---
as_root reinstall "dpkg -i while the user is logged in"
if wait_for 15 active; then ok "... starts closerd in the running session"; else
        not_ok "... starts closerd in the running session"
        unit_diag
fi
is "... with the data kept" "$(closerctl --json list mine 2>&1 | grep -c 'Kiss me every morning')" 1
finish
