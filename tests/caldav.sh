# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# A real CalDAV server (Radicale) and a real CalDAV client (vdirsyncer) on
# 127.0.0.1, for the CalDAV tests. Source it after tests/lib.sh. dav_start runs
# in the test's main shell, never in a subshell such as $(...) or lib.sh's
# check: Radicale is its child, and dies with it (setpriv --pdeathsig).
#   . "$(dirname "$0")/lib.sh"; . "$TESTS/caldav.sh"
#   dav_require                          # skip the test (exit 77) without them
#   dav_start || { echo "Bail out! Radicale does not start"; exit 1; }
#   cal=$(dav_mkcol dates calendar "Date nights")
#   vs_config out "$T/vdir" "$cal"; vs_sync out; vs_count_uploads out
#
# Nothing leaves 127.0.0.1. Radicale binds 127.0.0.1:PORT only (dav_start
# checks with ss that every socket it listens on is on 127.0.0.1, and fails
# otherwise); every URL these functions are given must be on
# http://127.0.0.1:$DAV_PORT/ (they refuse any other); curl runs with
# --noproxy '*', and Radicale and vdirsyncer with a clean environment (env -i:
# no proxy variables) whose HOME and XDG_* dirs are under $DAV_ROOT, so that
# nothing of the user's configuration is read. With DAV_STRACE set (by default
# wherever ptrace is allowed; DAV_STRACE= turns it off),
# vdirsyncer runs under strace (connect, sendto, sendmsg, bind), its calls
# logged to $DAV_ROOT/vs/strace.log for dav_assert_loopback.
#
# The server: `radicale --config ""` (no configuration file at all: Debian's
# /etc/radicale/config expects a front-end and its own users) with every
# option on the command line (see _dav_radicale_cmd): no authentication
# (auth type none: anyone, with any or no credentials) and rights type
# "authenticated", which with auth type none grants an anonymous user the
# same as a logged-in one: RW on the root and on /USER/ (plain collections),
# rw inside /USER/NAME/ (calendars and their items). A calendar therefore
# lives two levels down, at /closer/NAME/: dav_start makes the principal-like
# plain collection /closer/ ($DAV_HOME). (owner_only and owner_write give an
# anonymous user nothing; from_file needs a rights file.)
#
# Functions. URL arguments are absolute (http://127.0.0.1:PORT/...). Each
# returns non-zero on failure, with "# " lines on stderr saying why.
#   dav_available              radicale, vdirsyncer, curl and ss are installed
#   dav_require                prints "1..0 # SKIP ..." and exits 77 unless they are
#   dav_start                  starts Radicale on a free port of 127.0.0.1 with an
#                              empty storage; returns once it answers and its
#                              sockets are checked; sets DAV_PORT, DAV_URL,
#                              DAV_HOME, DAV_PID
#   dav_stop                   stops it (SIGTERM, then SIGKILL); the EXIT trap
#                              does (dav_teardown, before lib.sh's _cleanup)
#   dav_running                it is running
#   dav_mkcol NAME KIND [DISPLAYNAME]  extended MKCOL (RFC 5689) of a calendar
#                              collection ${DAV_HOME}NAME/: KIND calendar (VEVENT
#                              only) or tasks (VTODO only); prints its URL
#                              (ending in /); DISPLAYNAME defaults to NAME
#   dav_put COLLECTION_URL FILE_NAME ICS_FILE  PUT of ICS_FILE as
#                              COLLECTION_URL/FILE_NAME (text/calendar); prints
#                              the new ETag (as sent, with its quotes)
#   dav_get URL                prints the resource (fails unless 200)
#   dav_delete URL             DELETE (fails unless 200 or 204)
#   dav_list COLLECTION_URL    PROPFIND Depth 1: one "HREF ETAG" line per
#                              resource of the collection (not the collection
#                              itself), sorted; HREF is the path
#                              (/closer/NAME/FILE.ics), ETAG with its quotes
#   dav_collection_info COLLECTION_URL  PROPFIND Depth 0: "DISPLAYNAME|COMPS|TYPES"
#                              (COMPS: its supported components, comma-separated;
#                              TYPES: its resourcetype's elements, e.g.
#                              "collection,calendar")
#   dav_etag URL               the ETag of one resource (from dav_list of its
#                              collection); fails when it is not there
#   dav_storage_dir COLLECTION_URL  the folder in Radicale's storage that holds
#                              the collection's items
#   dav_files COLLECTION_URL   what the server holds, from its storage: one
#                              "FILE MTIME SIZE" line per item, sorted (MTIME
#                              in seconds with nanoseconds; Radicale writes an
#                              item's file only when that item is PUT)
#   dav_check_sockets          ss: every socket of Radicale is on loopback
#   dav_assert_loopback        the test's assertions (ok/not_ok of lib.sh):
#                              dav_check_sockets, and with DAV_STRACE the
#                              trace of every vdirsyncer run
#   vs_config PAIR LOCAL_DIR COLLECTION_URL [KEY=VALUE...]
#                              writes $DAV_ROOT/vs/PAIR/config: a pair PAIR
#                              between a filesystem storage PAIR_local (a = the
#                              vdir LOCAL_DIR, made when missing; fileext
#                              ".ics") and a caldav storage PAIR_remote (b = the
#                              collection, no auth), collections = null (one
#                              collection each side), its own status_path.
#                              KEYs: read_only=local|remote (that side is never
#                              written), conflict=local|remote ("a wins" or "b
#                              wins"; default: none, a conflict fails the
#                              sync), partial=revert|ignore|error
#                              (partial_sync), items=VTODO[,VEVENT] (the caldav
#                              storage's item_types).
#   vs_pull_config PAIR LOCAL_DIR COLLECTION_URL [KEY=VALUE...]
#                              the read-only pull of a server collection of
#                              tasks into a local vdir: vs_config with
#                              read_only=remote conflict=remote partial=revert
#                              items=VTODO. The server is the source: its new,
#                              changed and deleted items reach LOCAL_DIR; what
#                              changes there is reverted at the next sync.
#   vs_sync PAIR               `vdirsyncer discover` then `vdirsyncer sync`, at
#                              verbosity INFO, stdin /dev/null; their output
#                              (both commands) goes to $DAV_ROOT/vs/PAIR/sync.log
#                              (this run only; all runs: all.log). Fails when
#                              either fails (then prints its tail as "# " lines)
#   vs_log PAIR                prints sync.log (the last vs_sync's output)
#   vs_reset PAIR              forgets the pair's status: the next sync is a first
#   vs_count_uploads PAIR [local|remote]  in the last sync.log, how many items
#   vs_count_updates PAIR [local|remote]  vdirsyncer uploaded (new to that
#   vs_count_deletes PAIR [local|remote]  side), updated, deleted; without a
#                              side, to either. PAIR may be a log file instead.
#   vtodo_tasksorg FILE [KEY=VALUE...]  writes a VTODO the way tasks.org (ical4j,
#                              through ical4android) writes one, prints its UID;
#                              see there
#
# What the counts count: vdirsyncer 0.19 (vdirsyncer/sync/__init__.py, the
# Upload, Update and Delete actions) logs, at INFO, one line per item it
# writes, through click-log as "Copying (uploading) item IDENT to STORAGE",
# "Copying (updating) item IDENT to STORAGE" and "Deleting item IDENT from
# STORAGE", STORAGE being the storage's name (PAIR_local, PAIR_remote; with
# collections = null no "/COLLECTION" suffix). A write to a read_only side is
# not made and not logged (the status only is brought in line), so a revert
# of a local change in the pull flavour is an "updating ... to PAIR_local"
# line. "Syncing PAIR" starts each pair; "Doing conflict resolution for item
# IDENT..." a conflict. The counts match these lines, and nothing else.
#
# Gotchas:
#  - vdirsyncer's status (status_path, $DAV_ROOT/vs/PAIR/status/) is what
#    tells a new item from a deleted one: keep it between syncs of one pair;
#    remove it (vs_reset) to sync from scratch. Two pairs must not share it.
#  - `discover` asks "Should vdirsyncer attempt to create it?" when a storage
#    has no collection (a missing vdir, a missing server collection): stdin is
#    /dev/null, so the question fails the run instead of waiting. vs_config
#    makes the vdir; dav_mkcol must have made the collection.
#  - A filesystem storage's etag is the file's mtime and inode: a file
#    rewritten with the same bytes is fetched again but, its hash unchanged,
#    not uploaded. vdirsyncer identifies items by UID: two files with one UID
#    in a vdir fail the sync.
#  - Radicale's ETag is a hash of the item as stored: the same bytes PUT
#    again keep it; any change makes a new one.
#  - Radicale stores and serves an item re-serialized (vobject): properties
#    sorted by name, CRLF lines. vdirsyncer writes the local files with LF
#    lines. Neither is byte for byte what was written: compare items by
#    parsing them (UID, SUMMARY, ...), never with cmp.
#  - vdirsyncer names a file it makes after the item's UID (UID.ics) when
#    the UID is a safe file name, and after a random UUID otherwise (an "@"
#    is not safe): find items by UID, not by name.
#  - partial_sync "revert" (the pull flavour) takes two syncs: the first
#    after a local change only records it as if it had reached the read-only
#    side (nothing is written, nothing logged), the second sees the server's
#    item differ from that record and copies it back ("Copying (updating)
#    item IDENT to PAIR_local").
#  - Radicale's principal-like /closer/ is a plain collection: vdirsyncer's
#    discover of a caldav storage with collections = null lists the
#    collection at its url and syncs that one.

DAV_TIMEOUT=${DAV_TIMEOUT:-20}
# Traced wherever ptrace is allowed, unless the test says otherwise.
if [[ -z ${DAV_STRACE+set} ]] && ptrace_allowed; then DAV_STRACE=1; fi
DAV_STRACE=${DAV_STRACE:-}
_DAV_PY=${PY:-/usr/bin/python3}
_DAV_ST_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/syncthing.py
# shellcheck disable=SC2054 # the commas are strace's
_DAV_STRACE=(strace -f --seccomp-bpf -qq -e signal=none -e trace=connect,sendto,sendmsg,sendmmsg,bind)
DAV_PORT= DAV_URL= DAV_HOME= DAV_PID=

# Everything of the harness is under $DAV_ROOT, made now (in the test's shell)
# and removed at exit: by lib.sh's _cleanup when lib.sh is sourced (which
# also keeps it for KEEP_WORLD), by this file's own trap otherwise.
DAV_ROOT=$(mktemp -d /tmp/closer-test.dav.XXXXXX) || return 1
if declare -p _worlds >/dev/null 2>&1; then
        _worlds+=("$DAV_ROOT")
        _dav_own_root=
else
        _dav_own_root=1
fi
mkdir -p "$DAV_ROOT/home/.config" "$DAV_ROOT/home/.local/share" "$DAV_ROOT/home/.cache" "$DAV_ROOT/vs"
DAV_STORAGE=$DAV_ROOT/radicale
DAV_LOG=$DAV_ROOT/radicale.log
export DAV_ROOT DAV_STORAGE

dav_available() {
        command -v radicale >/dev/null 2>&1 && command -v vdirsyncer >/dev/null 2>&1 &&
                command -v curl >/dev/null 2>&1 && command -v ss >/dev/null 2>&1
}
dav_require() {
        dav_available && return 0
        local m=() c
        for c in radicale vdirsyncer curl ss; do command -v $c >/dev/null 2>&1 || m+=("$c"); done
        echo "1..0 # SKIP not installed: ${m[*]} (apt-get install radicale vdirsyncer curl)"
        exit 77
}

# _dav_env CMD...: CMD with nothing of the caller's environment but PATH,
# TZ and a HOME and XDG dirs of the harness's own (an array, not a function:
# a background job of it must be the command itself, whose PID is $!).
_dav_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 TZ="${TZ:-UTC}"
        HOME="$DAV_ROOT/home" XDG_CONFIG_HOME="$DAV_ROOT/home/.config"
        XDG_DATA_HOME="$DAV_ROOT/home/.local/share" XDG_CACHE_HOME="$DAV_ROOT/home/.cache"
        XDG_RUNTIME_DIR="$DAV_ROOT/home")
_dav_alive() {
        local stat
        stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
        stat=${stat##*) }
        [[ ${stat%% *} != Z ]]
}
dav_running() { [[ -n $DAV_PID ]] && _dav_alive "$DAV_PID"; }

# _dav_url URL: URL is on this server (http://127.0.0.1:$DAV_PORT/...).
_dav_url() {
        if [[ -z $DAV_PORT ]]; then
                echo "# caldav.sh: no dav_start yet" >&2
                return 1
        fi
        if [[ $1 != "$DAV_URL"/* ]]; then
                echo "# caldav.sh: $1 is not on $DAV_URL/ (refused: nothing leaves 127.0.0.1)" >&2
                return 1
        fi
}

# _dav_curl OUT URL CURL-ARGS...: one request; the body to OUT, the headers
# to OUT.h; prints the HTTP status.
_dav_curl() {
        local out=$1 url=$2
        shift 2
        _dav_url "$url" || return 1
        curl -sS --noproxy '*' --max-time 10 -o "$out" -D "$out.h" -w '%{http_code}' "$@" "$url"
}

_dav_radicale_cmd() {
        _dav_radicale=(radicale --config ""
                --server-hosts "127.0.0.1:$1"
                --storage-type multifilesystem --storage-filesystem-folder "$DAV_STORAGE"
                --auth-type none --rights-type authenticated
                --web-type none --logging-level info)
}

dav_start() {
        if dav_running; then return 0; fi
        if [[ $BASHPID != "$$" ]]; then
                echo "# dav_start: call it in the test's main shell, not in \$(...), a pipe or check" >&2
                return 1
        fi
        mkdir -p "$DAV_STORAGE" || return 1
        local try port pid _ up
        # A random high port; when it is taken, Radicale cannot bind and ends
        # (before it says "ready"): then another. No port is picked and freed
        # first, so no other program can take it in between.
        for try in 1 2 3 4 5 6 7 8; do
                port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
                _dav_radicale_cmd "$port"
                command -v setpriv >/dev/null && _dav_radicale=(setpriv --pdeathsig KILL "${_dav_radicale[@]}")
                echo "=== start on 127.0.0.1:$port $(date '+%F %T.%N')" >>"$DAV_LOG"
                local mark
                mark=$(wc -l <"$DAV_LOG")
                "${_dav_env[@]}" "${_dav_radicale[@]}" >>"$DAV_LOG" 2>&1 &
                pid=$!
                up=
                for _ in $(seq $((DAV_TIMEOUT * 20))); do
                        _dav_alive "$pid" || break
                        if tail -n +"$((mark + 1))" "$DAV_LOG" | grep -q 'Radicale server ready'; then
                                up=1
                                break
                        fi
                        sleep 0.05
                done
                if [[ -n $up ]]; then break; fi
                if _dav_alive "$pid"; then
                        echo "# dav_start: Radicale did not get ready in ${DAV_TIMEOUT} s; the end of $DAV_LOG:" >&2
                        tail -8 "$DAV_LOG" | sed 's/^/#   /' >&2
                        kill -KILL "$pid" 2>/dev/null
                        wait "$pid" 2>/dev/null
                        return 1
                fi
                wait "$pid" 2>/dev/null
                # Anything but a port in use is not worth another try.
                if ! tail -n +"$((mark + 1))" "$DAV_LOG" | grep -qi 'address already in use'; then
                        echo "# dav_start: Radicale ended at its start; the end of $DAV_LOG:" >&2
                        tail -8 "$DAV_LOG" | sed 's/^/#   /' >&2
                        return 1
                fi
        done
        if [[ -z $up ]]; then
                echo "# dav_start: no free port in $try tries" >&2
                return 1
        fi
        DAV_PID=$pid DAV_PORT=$port DAV_URL=http://127.0.0.1:$port DAV_HOME=http://127.0.0.1:$port/closer/
        export DAV_PID DAV_PORT DAV_URL DAV_HOME
        # It listens on 127.0.0.1 only, and on nothing else.
        local listen bad
        listen=$(ss -ltnupH 2>/dev/null | grep "pid=$pid,")
        bad=$(printf '%s\n' "$listen" | awk 'NF && $5 !~ /^127\.0\.0\.1:/')
        if [[ -z $listen || -n $bad || $listen != *"127.0.0.1:$port "* ]]; then
                echo "# dav_start: Radicale must listen on 127.0.0.1:$port only; ss says:" >&2
                printf '%s\n' "${listen:-(nothing)}" | sed 's/^/#   /' >&2
                dav_stop
                return 1
        fi
        # It answers, and the home of the calendars is there.
        local code
        code=$(_dav_curl "$DAV_ROOT/mkcol.out" "$DAV_HOME" -X MKCOL) || { dav_stop; return 1; }
        if [[ $code != 201 ]]; then
                echo "# dav_start: MKCOL $DAV_HOME answered $code" >&2
                dav_stop
                return 1
        fi
}

dav_stop() {
        [[ -n $DAV_PID ]] || return 0
        local _
        if _dav_alive "$DAV_PID"; then
                kill -TERM "$DAV_PID" 2>/dev/null
                for _ in $(seq 100); do _dav_alive "$DAV_PID" || break; sleep 0.05; done
                _dav_alive "$DAV_PID" && kill -KILL "$DAV_PID" 2>/dev/null
        fi
        wait "$DAV_PID" 2>/dev/null
        DAV_PID=
        return 0
}

_dav_xml_text() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' <<<"$1"; }

dav_mkcol() {
        local name=${1:-} kind=${2:-} display=${3:-${1:-}} comp
        if [[ ! $name =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]]; then
                echo "# dav_mkcol: NAME '$name' must be one path segment of [A-Za-z0-9._-]" >&2
                return 1
        fi
        case $kind in
        calendar) comp=VEVENT ;;
        tasks) comp=VTODO ;;
        *)
                echo "# dav_mkcol: KIND '$kind' is calendar or tasks" >&2
                return 1
                ;;
        esac
        local url=$DAV_HOME$name/ body=$DAV_ROOT/mkcol.$name.xml code
        cat >"$body" <<XML
<?xml version="1.0" encoding="utf-8"?>
<D:mkcol xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set>
    <D:prop>
      <D:resourcetype><D:collection/><C:calendar/></D:resourcetype>
      <D:displayname>$(_dav_xml_text "$display")</D:displayname>
      <C:supported-calendar-component-set><C:comp name="$comp"/></C:supported-calendar-component-set>
    </D:prop>
  </D:set>
</D:mkcol>
XML
        code=$(_dav_curl "$DAV_ROOT/mkcol.out" "$url" -X MKCOL \
                -H 'Content-Type: application/xml; charset=utf-8' --data-binary @"$body") || return 1
        if [[ $code != 201 ]]; then
                echo "# dav_mkcol: MKCOL $url answered $code" >&2
                return 1
        fi
        echo "$url"
}

dav_put() {
        if (($# != 3)); then
                echo "# usage: dav_put COLLECTION_URL FILE_NAME ICS_FILE" >&2
                return 1
        fi
        local col=${1%/}/ out=$DAV_ROOT/put.out code
        code=$(_dav_curl "$out" "$col$2" -X PUT -H 'Content-Type: text/calendar; charset=utf-8' \
                --data-binary @"$3") || return 1
        if [[ $code != 201 && $code != 204 ]]; then
                echo "# dav_put: PUT $col$2 answered $code: $(head -c 300 "$out")" >&2
                return 1
        fi
        sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$out.h" | tr -d '\r'
}

dav_get() {
        local out=$DAV_ROOT/get.out code
        code=$(_dav_curl "$out" "$1") || return 1
        if [[ $code != 200 ]]; then
                echo "# dav_get: GET $1 answered $code" >&2
                return 1
        fi
        cat "$out"
}

dav_delete() {
        local out=$DAV_ROOT/delete.out code
        code=$(_dav_curl "$out" "$1" -X DELETE) || return 1
        if [[ $code != 200 && $code != 204 ]]; then
                echo "# dav_delete: DELETE $1 answered $code" >&2
                return 1
        fi
}

dav_list() {
        local col=${1%/}/ out=$DAV_ROOT/propfind.out code
        code=$(_dav_curl "$out" "$col" -X PROPFIND -H 'Depth: 1' -H 'Content-Type: application/xml; charset=utf-8' \
                --data-binary '<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:resourcetype/></D:prop></D:propfind>') || return 1
        if [[ $code != 207 ]]; then
                echo "# dav_list: PROPFIND $col answered $code" >&2
                return 1
        fi
        "$_DAV_PY" - "$out" <<'PY'
import sys, urllib.parse
import xml.etree.ElementTree as ET
D = "{DAV:}"
rows = []
for r in ET.parse(sys.argv[1]).getroot().iter(D + "response"):
    href = urllib.parse.unquote(r.findtext(D + "href", "").strip())
    etag = None
    collection = False
    for ps in r.iter(D + "propstat"):
        if " 200 " not in ps.findtext(D + "status", ""):
            continue
        e = ps.find(D + "prop/" + D + "getetag")
        if e is not None and e.text:
            etag = e.text.strip()
        if ps.find(D + "prop/" + D + "resourcetype/" + D + "collection") is not None:
            collection = True
    if not collection:
        rows.append("%s %s" % (href, etag or "-"))
print("\n".join(sorted(rows)))
PY
}

dav_collection_info() {
        local col=${1%/}/ out=$DAV_ROOT/propfind0.out code
        code=$(_dav_curl "$out" "$col" -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml; charset=utf-8' \
                --data-binary '<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:displayname/><D:resourcetype/>
<C:supported-calendar-component-set/></D:prop></D:propfind>') || return 1
        if [[ $code != 207 ]]; then
                echo "# dav_collection_info: PROPFIND $col answered $code" >&2
                return 1
        fi
        "$_DAV_PY" - "$out" <<'PY'
import sys
import xml.etree.ElementTree as ET
D, C = "{DAV:}", "{urn:ietf:params:xml:ns:caldav}"
root = ET.parse(sys.argv[1]).getroot()
name = root.findtext(".//" + D + "displayname") or ""
comps = [c.get("name") for c in root.iter(C + "comp")]
rt = root.find(".//" + D + "resourcetype")
types = [t.tag.rsplit("}", 1)[-1] for t in rt] if rt is not None else []
print("%s|%s|%s" % (name, ",".join(comps), ",".join(types)))
PY
}

dav_etag() {
        local col=${1%/*}/ path etag
        _dav_url "$1" || return 1
        path=/${1#"$DAV_URL"/}
        etag=$(dav_list "$col" | awk -v p="$path" '$1 == p {print $2}')
        [[ -n $etag ]] || { echo "# dav_etag: no $path on the server" >&2; return 1; }
        echo "$etag"
}

dav_storage_dir() {
        local col=${1%/}
        _dav_url "$col/" || return 1
        echo "$DAV_STORAGE/collection-root/${col#"$DAV_URL"/}"
}

dav_files() {
        local dir
        dir=$(dav_storage_dir "$1") || return 1
        [[ -d $dir ]] || { echo "# dav_files: no $dir" >&2; return 1; }
        find "$dir" -maxdepth 1 -type f ! -name '.*' -printf '%f %T@ %s\n' | sort
}

dav_check_sockets() {
        dav_running || { echo "# Radicale is not running" >&2; return 1; }
        "$_DAV_PY" "$_DAV_ST_PY" check-sockets "$DAV_PID"
}

dav_assert_loopback() {
        local out
        if out=$(dav_check_sockets 2>&1); then ok "ss: Radicale: $out"; else
                not_ok "ss: a socket of Radicale off loopback"
                printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
        fi
        if [[ -n $DAV_STRACE ]]; then
                if [[ ! -s $DAV_ROOT/vs/strace.log ]]; then
                        not_ok "strace: vdirsyncer: no trace (no vs_sync under DAV_STRACE?)"
                elif out=$("$_DAV_PY" "$_DAV_ST_PY" check-trace "$DAV_ROOT/vs/strace.log" 2>&1); then
                        ok "strace: every vdirsyncer run: $out"
                else
                        not_ok "strace: vdirsyncer: an address off loopback"
                        printf '%s\n' "$out" | head -10 | sed 's/^/#   /'
                fi
        else
                skip "vdirsyncer not traced (DAV_STRACE unset, or ptrace refused here)"
        fi
}

# --- vdirsyncer ---

# _vs_toml STRING: a TOML/JSON string literal (vdirsyncer's config values).
_vs_toml() { "$_DAV_PY" -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$1"; }

vs_config() {
        if (($# < 3)); then
                echo "# usage: vs_config PAIR LOCAL_DIR COLLECTION_URL [KEY=VALUE...]" >&2
                return 1
        fi
        local pair=$1 dir=$2 url=$3
        shift 3
        if [[ ! $pair =~ ^[A-Za-z0-9_]+$ ]]; then
                echo "# vs_config: PAIR '$pair' must be [A-Za-z0-9_]" >&2
                return 1
        fi
        _dav_url "$url" || return 1
        local ro= conflict= partial= items= kv
        for kv in "$@"; do
                case $kv in
                read_only=local | read_only=remote) ro=${kv#*=} ;;
                read_only=none) ro= ;;
                conflict=local | conflict=a) conflict="a wins" ;;
                conflict=remote | conflict=b) conflict="b wins" ;;
                conflict=none) conflict= ;;
                partial=revert | partial=ignore | partial=error) partial=${kv#*=} ;;
                items=*) items=${kv#*=} ;;
                *)
                        echo "# vs_config: unknown option '$kv'" >&2
                        return 1
                        ;;
                esac
        done
        local d=$DAV_ROOT/vs/$pair
        mkdir -p "$d/status" "$dir" || return 1
        dir=$(realpath "$dir")
        {
                echo "# vdirsyncer $(vdirsyncer --version 2>/dev/null | awk '{print $NF}'), written by tests/caldav.sh"
                echo "[general]"
                echo "status_path = $(_vs_toml "$d/status/")"
                echo
                echo "[pair $pair]"
                echo "a = \"${pair}_local\""
                echo "b = \"${pair}_remote\""
                echo "collections = null"
                [[ -n $conflict ]] && echo "conflict_resolution = \"$conflict\""
                [[ -n $partial ]] && echo "partial_sync = \"$partial\""
                echo
                echo "[storage ${pair}_local]"
                echo 'type = "filesystem"'
                echo "path = $(_vs_toml "$dir/")"
                echo 'fileext = ".ics"'
                [[ $ro == local ]] && echo "read_only = true"
                echo
                echo "[storage ${pair}_remote]"
                echo 'type = "caldav"'
                echo "url = $(_vs_toml "$url")"
                [[ $ro == remote ]] && echo "read_only = true"
                if [[ -n $items ]]; then
                        local t list=
                        for t in ${items//,/ }; do list+="${list:+, }\"$t\""; done
                        echo "item_types = [$list]"
                fi
        } >"$d/config"
}

vs_pull_config() {
        (($# >= 3)) || { echo "# usage: vs_pull_config PAIR LOCAL_DIR COLLECTION_URL [KEY=VALUE...]" >&2; return 1; }
        vs_config "$1" "$2" "$3" read_only=remote conflict=remote partial=revert items=VTODO "${@:4}"
}

# vs_reset PAIR: forgets what the pair synced (its status): the next sync is
# a first one.
vs_reset() { rm -rf "${DAV_ROOT:?}/vs/$1/status" && mkdir -p "$DAV_ROOT/vs/$1/status"; }

_vs_run() {
        local d=$1
        shift
        local pre=()
        [[ -n $DAV_STRACE ]] && pre=("${_DAV_STRACE[@]}" -A -o "$DAV_ROOT/vs/strace.log")
        "${_dav_env[@]}" "${pre[@]}" vdirsyncer -v INFO -c "$d/config" "$@" </dev/null >>"$d/sync.log" 2>&1
}

vs_sync() {
        local pair=$1 d=$DAV_ROOT/vs/$1 rc=0
        [[ -f $d/config ]] || { echo "# vs_sync: no vs_config $pair yet" >&2; return 1; }
        : >"$d/sync.log"
        echo "=== $(date '+%F %T.%N') discover" >>"$d/sync.log"
        _vs_run "$d" discover "$pair" || rc=$?
        if ((rc == 0)); then
                echo "=== $(date '+%F %T.%N') sync" >>"$d/sync.log"
                _vs_run "$d" sync "$pair" || rc=$?
        fi
        cat "$d/sync.log" >>"$d/all.log"
        if ((rc != 0)); then
                echo "# vs_sync $pair: vdirsyncer failed ($rc); the end of its output:" >&2
                tail -10 "$d/sync.log" | sed 's/^/#   /' >&2
        fi
        return $rc
}

vs_log() { cat "$DAV_ROOT/vs/$1/sync.log"; }

# _vs_count WORDING PAIR|LOG [local|remote]
_vs_count() {
        local what=$1 log=$2 side=${3:-} re
        [[ -f $log ]] || log=$DAV_ROOT/vs/$2/sync.log
        [[ -f $log ]] || { echo "# no vdirsyncer output for '$2'" >&2; echo 0; return 1; }
        case $what in
        upload) re='Copying \(uploading\) item .* to ' ;;
        update) re='Copying \(updating\) item .* to ' ;;
        delete) re='Deleting item .* from ' ;;
        esac
        case $side in
        '') re+='[A-Za-z0-9_]+_(local|remote)(/.*)?$' ;;
        local | remote) re+="[A-Za-z0-9_]+_$side(/.*)?\$" ;;
        *)
                echo "# side '$side' is local or remote" >&2
                echo 0
                return 1
                ;;
        esac
        grep -cE "$re" "$log"
        return 0
}
vs_count_uploads() { _vs_count upload "$@"; }
vs_count_updates() { _vs_count update "$@"; }
vs_count_deletes() { _vs_count delete "$@"; }

# --- tasks.org ---

# vtodo_tasksorg FILE [KEY=VALUE...]: a task as tasks.org (13.x, ical4j 3
# through ical4android) puts it on a CalDAV server: CRLF lines; PRODID
# "+//IDN tasks.org//android-VERSIONCODE//EN"; a numeric UID (a random
# positive 64-bit number); properties in ical4android's order: DTSTAMP, UID,
# CREATED, LAST-MODIFIED, SUMMARY, DESCRIPTION, PRIORITY, STATUS,
# CATEGORIES, X-APPLE-SORT-ORDER, COMPLETED, PERCENT-COMPLETE; no SEQUENCE
# (a task it made itself has none), no VTIMEZONE without dates, nothing of
# closer's (no X-CLOSER-*). KEYs (all optional):
#   uid=NUMBER         default: a random 19-digit number
#   summary=TEXT       default "Task"
#   description=TEXT   none by default
#   categories=A,B     tags, one CATEGORIES line ("intimate" e.g.)
#   priority=N         default 9 (tasks.org's "low", what it writes for none);
#                      priority=none omits it
#   status=NEEDS-ACTION|COMPLETED  default NEEDS-ACTION; COMPLETED adds
#                      COMPLETED: (the completion time) and PERCENT-COMPLETE:100
#   created=, modified=, completed=, stamp=  UTC times YYYYMMDDTHHMMSSZ
#                      (default: now; modified defaults to created, stamp to
#                      modified, completed to modified)
#   sort=N             X-APPLE-SORT-ORDER (tasks.org writes it once a task is
#                      moved by hand); none by default
#   version=N          the version code in PRODID (default 130804)
# TEXT is escaped as RFC 5545 says (\\, \;, \, and \n); lines are not folded
# beyond 75 octets (keep texts short, or let a reader unfold what it must).
vtodo_tasksorg() {
        local file=${1:?vtodo_tasksorg FILE [KEY=VALUE...]}
        shift
        local now
        now=$(date -u +%Y%m%dT%H%M%SZ)
        local uid summary=Task description= categories= priority=9 status=NEEDS-ACTION created=$now modified= \
                completed= stamp= sort= version=130804 kv
        uid=$(printf '%d%09d' $((RANDOM % 8000 + 1000)) $(((RANDOM * 32768 + RANDOM) % 1000000000)))
        uid=$uid$(printf '%06d' $((RANDOM * 30 % 1000000)))
        for kv in "$@"; do
                case $kv in
                uid=* | summary=* | description=* | categories=* | priority=* | status=* | created=* | modified=* | \
                        completed=* | stamp=* | sort=* | version=*)
                        printf -v "${kv%%=*}" '%s' "${kv#*=}"
                        ;;
                *)
                        echo "# vtodo_tasksorg: unknown option '$kv'" >&2
                        return 1
                        ;;
                esac
        done
        modified=${modified:-$created}
        stamp=${stamp:-$modified}
        completed=${completed:-$modified}
        local esc='s/\\/\\\\/g; s/;/\\;/g; s/,/\\,/g; :a; N; $!ba; s/\n/\\n/g'
        {
                echo "BEGIN:VCALENDAR"
                echo "VERSION:2.0"
                echo "PRODID:+//IDN tasks.org//android-$version//EN"
                echo "BEGIN:VTODO"
                echo "DTSTAMP:$stamp"
                echo "UID:$uid"
                echo "CREATED:$created"
                echo "LAST-MODIFIED:$modified"
                echo "SUMMARY:$(sed "$esc" <<<"$summary")"
                [[ -n $description ]] && echo "DESCRIPTION:$(sed "$esc" <<<"$description")"
                [[ $priority != none ]] && echo "PRIORITY:$priority"
                echo "STATUS:$status"
                if [[ -n $categories ]]; then
                        local c out= IFS=,
                        for c in $categories; do out+="${out:+,}$(sed 's/\\/\\\\/g; s/;/\\;/g' <<<"$c")"; done
                        echo "CATEGORIES:$out"
                fi
                [[ -n $sort ]] && echo "X-APPLE-SORT-ORDER:$sort"
                if [[ $status == COMPLETED ]]; then
                        echo "COMPLETED:$completed"
                        echo "PERCENT-COMPLETE:100"
                fi
                echo "END:VTODO"
                echo "END:VCALENDAR"
        } | sed 's/$/\r/' >"$file"
        # The UID, for the caller's file names and checks.
        echo "$uid"
}

# Radicale ends with the test, failed or not, before lib.sh's _cleanup
# (which removes $DAV_ROOT), whatever EXIT trap was set before.
dav_teardown() {
        dav_stop
        [[ -n $_dav_own_root && -z ${KEEP_WORLD:-} ]] && rm -rf "$DAV_ROOT"
        return 0
}
_dav_prev_exit=$(trap -p EXIT)
_dav_prev_exit=${_dav_prev_exit#trap -- }
_dav_prev_exit=${_dav_prev_exit% EXIT}
[[ -n $_dav_prev_exit ]] && eval "_dav_prev_exit=$_dav_prev_exit"
# shellcheck disable=SC2064 # the previous trap is expanded now, on purpose
trap "dav_teardown; $_dav_prev_exit" EXIT
