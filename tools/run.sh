#!/bin/bash
# SPDX-License-Identifier: MIT
# make run: closerd in the foreground on the session bus. Where there is no
# session bus, a private one is started for as long as closerd runs, and the
# line for a second terminal is printed.
set -u
B=${B:-build}
bus_pid=

bus_ok() {
        [[ -n ${DBUS_SESSION_BUS_ADDRESS:-} ]] &&
                busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId \
                        >/dev/null 2>&1
}

if ! bus_ok; then
        if [[ -z ${DBUS_SESSION_BUS_ADDRESS:-} && -S ${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/bus ]]; then
                export DBUS_SESSION_BUS_ADDRESS=unix:path=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/bus
        fi
fi
if ! bus_ok; then
        dir=$(mktemp -d /tmp/closer-bus.XXXXXX)
        dbus-daemon --session --address="unix:path=$dir/bus" --fork --print-pid=3 3>"$dir/pid" >/dev/null
        bus_pid=$(cat "$dir/pid")
        export DBUS_SESSION_BUS_ADDRESS=unix:path=$dir/bus
        trap 'kill $bus_pid 2>/dev/null; rm -rf "$dir"' EXIT
        echo "No session bus here: started a private one. In a second terminal:"
        echo
        echo "    export DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
        echo "    $PWD/$B/closerctl status"
        echo
fi
echo "closerd runs in the foreground (Ctrl-C stops it)."
"$B/closerd" "$@"
