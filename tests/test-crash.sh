#!/bin/bash
# SPDX-License-Identifier: MIT
# Crash safety: two clients flood writes (list add and edit, done, extra,
# mood, raincheck) while closerd is killed with SIGKILL at random moments,
# CRASH_KILLS times (default 200), and started again. Each write that got a
# reply is logged with a unique marker; afterwards every one of them must be
# in the database. PRAGMA integrity_check must say ok after every kill (on a
# copy taken while the daemon is dead, so the daemon's own recovery of the
# WAL is what the next start exercises), and no DailyAct may be emitted
# twice for a day (dbus-monitor listens throughout).
. "$(dirname "$0")/lib.sh"

# Under valgrind each start takes a second or more: fewer kills there.
KILLS=${CRASH_KILLS:-$([[ -n ${CLOSER_VALGRIND:-} ]] && echo 20 || echo 200)}

for tool in sqlite3 dbus-monitor; do
        if ! command -v "$tool" >/dev/null; then
                echo "1..0 # SKIP $tool is not installed"
                exit 77
        fi
done

new_world crash
dbus-monitor --session "type='signal',interface='io.github.closer.Closer1'" >"$W/monitor.log" 2>&1 &
MONITOR_PID=$!
# dbus-monitor prints its own NameAcquired/NameLost once it is a monitor.
for _ in $(seq 100); do grep -q NameLost "$W/monitor.log" 2>/dev/null && break; sleep 0.05; done

start_daemon || { echo "Bail out! closerd does not start"; exit 1; }
DB=$XDG_DATA_HOME/closer/closer.db

# A partner list (my own, exported and made my partner's) so that there is a
# daily act to do, and the daily act due from midnight: it is emitted at the
# import, before the first kill.
for i in 1 2 3 4 5 6; do ctl list add "seed item $i" >/dev/null; done
ctl list export "$W/seed.ics" >/dev/null 2>&1
as_partner "$W/seed.ics"
check "set daily.time" ctl set daily.time 00:00
check "import the partner list" ctl partner import "$W/seed.ics"
partner_id=$(jget "$(json list partner)" 'd[0]["id"]')
check "today has an act" bash -c "'$CLOSERCTL' --json today | grep -q '\"item\"'"

# flood PREFIX LOG: writes until $W/stop exists; logs each acknowledged
# write as "KIND MARKER [ID]". Only client "a" marks the daily act done, so
# the notes of done are ordered.
flood() {
        local p=$1 log=$2 n=0 out id kind
        local -a ids=()
        while [[ ! -e $W/stop ]]; do
                n=$((n + 1))
                kind=$((n % 8))
                [[ $p != a && $kind == 4 ]] && kind=0
                case $kind in
                0 | 1 | 2)
                        if out=$("$CLOSERCTL" --json list add "w-$p-$n" --category fun 2>/dev/null); then
                                id=${out//[!0-9]/}
                                echo "item w-$p-$n $id" >>"$log"
                                ids+=("$id")
                        else sleep 0.01; fi
                        ;;
                3)
                        if ((${#ids[@]})); then
                                id=${ids[0]}
                                ids=("${ids[@]:1}")
                                if "$CLOSERCTL" list edit "$id" --details "e-$p-$n" >/dev/null 2>&1; then
                                        echo "edit e-$p-$n $id" >>"$log"
                                else sleep 0.01; fi
                        fi
                        ;;
                4)
                        if "$CLOSERCTL" done --note "d-$p-$n" >/dev/null 2>&1; then
                                echo "done d-$p-$n" >>"$log"
                        else sleep 0.01; fi
                        ;;
                5)
                        local what="x-$p-$n"
                        ((n % 16 == 5)) && what=$partner_id
                        if "$CLOSERCTL" extra "$what" --note "x-$p-$n" >/dev/null 2>&1; then
                                echo "extra x-$p-$n" >>"$log"
                        else sleep 0.01; fi
                        ;;
                6)
                        if "$CLOSERCTL" mood $((n % 5 + 1)) --note "m-$p-$n" >/dev/null 2>&1; then
                                echo "mood m-$p-$n" >>"$log"
                        else sleep 0.01; fi
                        ;;
                7)
                        if "$CLOSERCTL" raincheck +1h --what "r-$p-$n" >/dev/null 2>&1; then
                                echo "promise r-$p-$n" >>"$log"
                        else sleep 0.01; fi
                        ;;
                esac
        done
}

: >"$W/acked-a" && : >"$W/acked-b"
flood a "$W/acked-a" &
FLOOD_A=$!
flood b "$W/acked-b" &
FLOOD_B=$!

# --- the kill loop ---
kills=0 bad_integrity=0 bad_start=0
mkdir -p "$W/copy"
start=$SECONDS
for ((i = 1; i <= KILLS; i++)); do
        # Anywhere from right after the name is taken to a third of a second.
        sleep "0.$(printf '%03d' $((RANDOM % 300)))"
        kill -KILL "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_PID=
        kills=$((kills + 1))
        # The bus drops the name when the connection dies; a new closerd
        # must not find it still taken.
        for _ in $(seq 200); do name_owned || break; sleep 0.01; done

        # The database as the next start will find it, checked on a copy.
        rm -f "$W"/copy/*
        cp "$DB" "$W/copy/closer.db"
        [[ -e $DB-wal ]] && cp "$DB-wal" "$W/copy/closer.db-wal"
        res=$(sqlite3 "$W/copy/closer.db" 'PRAGMA integrity_check' 2>&1)
        if [[ $res != ok ]]; then
                bad_integrity=$((bad_integrity + 1))
                diag "kill $i: integrity_check: $(head -3 <<<"$res")"
                cp -r "$W/copy" "$W/bad-copy-$i"
        fi

        if ! start_daemon; then
                bad_start=$((bad_start + 1))
                diag "kill $i: closerd did not start again"
                break
        fi
done
elapsed=$((SECONDS - start))
touch "$W/stop"
wait "$FLOOD_A" "$FLOOD_B"
diag "$kills kills in ${elapsed}s"

is "closerd killed $KILLS times" "$kills" "$KILLS"
is "closerd started again after every kill" "$bad_start" 0
is "integrity_check ok after every kill" "$bad_integrity" 0

# The daemon is still up and answers.
check "closerd serves after the loop" ctl status
stop_daemon

# --- every acknowledged write is there ---
cat "$W/acked-a" "$W/acked-b" >"$W/acked"
n_acked=$(wc -l <"$W/acked")
diag "acknowledged writes: $n_acked ($(cut -d' ' -f1 "$W/acked" | sort | uniq -c | tr -s ' ' | tr '\n' ','))"
((n_acked >= 50)) && ok "the clients got replies ($n_acked)" || not_ok "the clients got replies ($n_acked)"

res=$(sqlite3 "$DB" 'PRAGMA integrity_check' 2>&1)
is "integrity_check ok at the end" "$res" ok

# missing KIND DESC SQL: the markers of KIND (field 2) that SQL does not list.
missing() {
        local kind=$1 desc=$2 sql=$3
        awk -v k="$kind" '$1 == k { print $2 }' "$W/acked" | sort -u >"$W/want.$kind"
        sqlite3 "$DB" "$sql" | sort -u >"$W/have.$kind"
        local lost
        lost=$(comm -23 "$W/want.$kind" "$W/have.$kind")
        local n
        n=$(wc -l <"$W/want.$kind")
        if [[ -z $lost ]]; then ok "$desc: all $n acknowledged are stored"; else
                not_ok "$desc: acknowledged but lost: $(wc -l <<<"$lost") of $n"
                diag "lost: $(head -10 <<<"$lost" | tr '\n' ' ')"
        fi
}
missing item "list add" "SELECT title FROM items WHERE side = 0 AND removed = 0"
missing edit "list edit" "SELECT details FROM items WHERE side = 0"
missing extra "extra" "SELECT note FROM acts WHERE kind = 1"
missing mood "mood" "SELECT note FROM moods"
missing promise "raincheck" "SELECT what FROM promises"

# Each acknowledged edit is on the item it was made to.
bad=0
while read -r _ marker id; do
        got=$(sqlite3 "$DB" "SELECT details FROM items WHERE id = $id")
        [[ $got == "$marker" ]] || { bad=$((bad + 1)); diag "item $id: details '$got', want '$marker'"; }
done < <(awk '$1 == "edit"' "$W/acked")
is "edits landed on their items" "$bad" 0

# Each acknowledged add has the ID its reply named.
bad=0
while read -r _ marker id; do
        got=$(sqlite3 "$DB" "SELECT title FROM items WHERE id = $id")
        [[ $got == "$marker" ]] || bad=$((bad + 1))
done < <(awk '$1 == "item"' "$W/acked" | head -300)
is "added items have the IDs of their replies" "$bad" 0

# done: a later done only overwrites the note, so the last acknowledged one
# (or a later one that landed without its reply) is the note of a done act.
last_done=$(awk '$1 == "done" { sub("d-a-", "", $2); print $2 }' "$W/acked" | sort -n | tail -1)
if [[ -n $last_done ]]; then
        best=$(sqlite3 "$DB" "SELECT note FROM acts WHERE kind = 0 AND status = 1 AND note LIKE 'd-a-%'" |
                sed 's/^d-a-//' | sort -n | tail -1)
        ((${best:-0} >= last_done)) && ok "the last acknowledged done is stored (d-a-$last_done, stored d-a-$best)" ||
                not_ok "the last acknowledged done is stored (d-a-$last_done, stored d-a-${best:-none})"
else
        skip "no done was acknowledged"
fi

# --- DailyAct: once a day, never twice ---
sleep 0.2
kill "$MONITOR_PID" 2>/dev/null
wait "$MONITOR_PID" 2>/dev/null
awk '/member=DailyAct/ { getline; if (match($0, /"[0-9-]+"/)) print substr($0, RSTART + 1, RLENGTH - 2) }' \
        "$W/monitor.log" | sort | uniq -c >"$W/dailyact"
diag "DailyAct per day: $(tr -s ' ' <"$W/dailyact" | tr '\n' ';')"
twice=$(awk '$1 > 1' "$W/dailyact")
is "no DailyAct emitted twice for a day" "$twice" ""
days=$(sqlite3 "$DB" "SELECT count(*) FROM emitted WHERE kind = 'daily'")
signals=$(awk '{ s += $1 } END { print s + 0 }' "$W/dailyact")
((signals >= 1 && signals <= days)) && ok "DailyAct emitted $signals times for $days claimed days" ||
        not_ok "DailyAct emitted $signals times for $days claimed days"
is "the emitted table has one daily row per day" \
        "$(sqlite3 "$DB" "SELECT count(*) - count(DISTINCT key) FROM emitted WHERE kind = 'daily'")" 0

# No crash of the daemon's own making in the log (SIGKILL leaves no trace).
errs=$(grep -E 'AddressSanitizer|runtime error|Assertion|Failed to use the database' "$W/closerd.log" | head -5)
is "no sanitizer reports or storage failures in the log" "$errs" ""

done_testing
