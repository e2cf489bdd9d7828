#!/bin/bash
# SPDX-License-Identifier: MIT
# The bash completion of closerctl (completion/closerctl), sourced with
# bash-completion's helpers, against the real closerd on a private bus:
# commands and two-word commands (the same as closerctl --help lists),
# options, known values, and item and rain check IDs from the daemon; quietly
# nothing and no hang when the daemon cannot be reached; the same without
# bash-completion and without python3.
# Lists of expected words are split into words on purpose.
# shellcheck disable=SC2086,SC2119

# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

COMPLETION=$TOP/completion/closerctl
BASH_COMPLETION=/usr/share/bash-completion/bash_completion
if [[ ! -r $BASH_COMPLETION ]]; then
        echo "1..0 # SKIP no $BASH_COMPLETION (bash-completion is not installed)"
        exit 77
fi

# The completion runs in this shell, as in an interactive one: no nounset.
set +u
# shellcheck source=/dev/null
. "$BASH_COMPLETION"
# shellcheck source=completion/closerctl
. "$COMPLETION"
export PATH=$TOP/$B:$PATH

# comp LINE: the candidates (COMPREPLY) for LINE with the cursor at its end,
# sorted, on one line. LINE is split at blanks and around "=" as readline
# does with the default COMP_WORDBREAKS.
comp() {
        local line=$1 w
        COMP_LINE=$line
        COMP_POINT=${#line}
        COMP_WORDS=()
        for w in $line; do
                if [[ $w == --*=* ]]; then
                        COMP_WORDS+=("${w%%=*}" "=")
                        [[ -n ${w#*=} ]] && COMP_WORDS+=("${w#*=}")
                else
                        COMP_WORDS+=("$w")
                fi
        done
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _closerctl closerctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
        printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | paste -sd ' '
}

# candidates DESC LINE WANT: the candidates for LINE are WANT (any order).
candidates() {
        is "$1" "$(comp "$2")" "$(printf '%s\n' $3 | sort | paste -sd ' ')"
}

# has DESC LINE WORD...: the candidates for LINE include every WORD.
has() {
        local desc=$1 got missing=() w
        got=" $(comp "$2") "
        shift 2
        for w in "$@"; do [[ $got == *" $w "* ]] || missing+=("$w"); done
        if ((${#missing[@]} == 0)); then ok "$desc"; else
                not_ok "$desc"
                diag "missing: ${missing[*]}"
                diag "got:    $got"
        fi
}

is "complete -F _closerctl closerctl" "$(complete -p closerctl)" "complete -F _closerctl closerctl"

# --- what needs no daemon ---
COMMANDS="status today done reroll extra mood pause resume history stats monitor list partner datenight away
        export-ics calendar advance raincheck promise share set get ramp"
candidates "closerctl: every command" "closerctl " "$COMMANDS"
candidates "closerctl with a prefix" "closerctl st" "status stats"
candidates "after a global option" "closerctl --json " "$COMMANDS"
candidates "global options" "closerctl --" "--help --json --version"

# Every command and two-word command of closerctl --help is completed.
help_words=$("$CLOSERCTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z-]*\)\( \([a-z]\{2,\}\)\)\?.*/\1 \3/p')
missing=()
while read -r first second; do
        [[ " $(comp "closerctl ") " == *" $first "* ]] || missing+=("$first")
        case $first in list | partner | datenight | promise | ramp)
                [[ -n $second && " $(comp "closerctl $first ") " != *" $second "* ]] && missing+=("$first $second") ;;
        esac
done <<<"$help_words"
if ((${#missing[@]} == 0)) && [[ -n $help_words ]]; then ok "every command of closerctl --help is completed"; else
        not_ok "every command of closerctl --help is completed"
        diag "missing: ${missing[*]}"
fi

candidates "closerctl list" "closerctl list " "add edit rm show ideas export mine partner"
candidates "closerctl partner" "closerctl partner " "import review discuss forget follow"
candidates "closerctl datenight" "closerctl datenight " "set move skip unskip log"
candidates "closerctl away" "closerctl away " "cancel"
candidates "closerctl promise" "closerctl promise " "kept broken reopen cancel move"
candidates "closerctl --json list (option first)" "closerctl --json list " "add edit rm show ideas export mine partner"
candidates "nothing after list mine" "closerctl list mine " ""
candidates "partner review ID: the verdicts" "closerctl partner review 3 " "ok discuss no"
candidates "partner review ID with a prefix" "closerctl partner review 3 d" "discuss"
candidates "--category values" "closerctl list add --category " "affection love lust fun"
candidates "--category=l" "closerctl list add --category=l" "love lust"
candidates "--category after a title" "closerctl list add \"Kiss\" --category f" "fun"
candidates "--intensity values" "closerctl list add --intensity " "1 2 3"
candidates "--response values" "closerctl done --response " "1 2 3 4 5"
candidates "--mood values" "closerctl done --mood " "1 2 3 4 5"
candidates "mood N" "closerctl mood " "1 2 3 4 5"
candidates "--weekday values" "closerctl datenight set --weekday " "mon tue wed thu fri sat sun"
candidates "--weekdays completes the last of a list" "closerctl datenight set --vary --weekdays fri,s" "fri,sat fri,sun"
candidates "--by values" "closerctl advance --by " "me partner"
candidates "advance outcome" "closerctl advance --by partner " "accepted declined"
candidates "datenight log" "closerctl datenight log " "happened missed"
candidates "datenight log ID" "closerctl datenight log 3 " "happened missed"
candidates "set KEY" "closerctl set " "me.name partner.name daily.time start datenight.remind notify notify.reveal ics.weeks discreet"
candidates "get KEY" "closerctl get n" "notify notify.reveal"
candidates "set start VALUE" "closerctl set start " "cold cooling warm"
candidates "set notify VALUE" "closerctl set notify " "on off"
candidates "options of done" "closerctl done --" "--json --help --response --mood --note"
candidates "options of list add" "closerctl list add --" \
        "--json --help --category --intensity --private --public --details --from --idea"
candidates "options of list edit after the ID" "closerctl list edit 1 --" \
        "--json --help --title --details --category --intensity --private --public"
candidates "options of list" "closerctl list --" "--json --help --discreet"
candidates "options of datenight set" "closerctl datenight set --" \
        "--json --help --weekday --time --vary --weekdays --duration"
candidates "options of advance" "closerctl advance --" "--json --help --by --raincheck --what --where --note"
candidates "options of promise move" "closerctl promise move 1 --" "--json --help --by-partner"
candidates "options of partner import" "closerctl partner import f.ics --" "--json --help --replace"
candidates "options of promise" "closerctl promise --" "--json --help --all"
candidates "options of raincheck" "closerctl raincheck +2h --" "--json --help --what --where --owed-by"
candidates "--owed-by: me or partner" "closerctl raincheck +2h --owed-by " "me partner"
candidates "options of stats" "closerctl stats --" "--json --help --weeks"
candidates "options of history" "closerctl history --" "--json --help --since --until --item --discreet"
candidates "options of list show" "closerctl list show 1 --" "--json --help --discreet"
candidates "an unknown command completes nothing" "closerctl frobnicate " ""

files=$(mktemp -d /tmp/closer-test.completion-files.XXXXXX)
_worlds+=("$files")
cd "$files" && touch my-list.txt other.ics
candidates "--from: files and -" "closerctl list add --from " "my-list.txt other.ics -"
candidates "partner import: files" "closerctl partner import o" "other.ics"
candidates "export-ics: files" "closerctl export-ics m" "my-list.txt"

# --- IDs from the daemon ---
new_world alex
A=$W
enable_activation
ctl list add "Kiss me every morning" >/dev/null
ctl list add "Dance with me in the kitchen" --category fun >/dev/null
ctl list add "Write me a note" --category love >/dev/null
ctl list export "$A/alex.ics" >/dev/null

new_world sam
start_daemon
ctl list add "Hold my hand" >/dev/null
ctl list add "Cook for me" --category love >/dev/null
ctl list add "Sing to me" --category fun >/dev/null
ctl list rm 2 >/dev/null
ctl partner import "$A/alex.ics" >/dev/null
ctl raincheck +2h --what "a long bath" >/dev/null
ctl raincheck +3h >/dev/null
ctl raincheck +4h >/dev/null
ctl promise kept 2 >/dev/null
ctl datenight skip >/dev/null
ctl away "$(date -d '+20 days' +%F)" "$(date -d '+22 days' +%F)" >/dev/null

ids() { jget "$(json "$@")" '" ".join(str(i["id"]) for i in d)'; }
mine=$(ids list mine)
partner=$(ids list partner)
is "my list for the test" "$(wc -w <<<"$mine")" 2
is "partner list for the test" "$(wc -w <<<"$partner")" 3
open=$(jget "$(json promise)" '" ".join(str(i["id"]) for i in d if i["status"] in ("open", "moved"))')
planned=$(jget "$(json datenight)" '" ".join(str(i["id"]) for i in d if i["status"] == "planned")')
skipped=$(jget "$(json datenight)" '" ".join(str(i["id"]) for i in d if i["status"] == "skipped")')
aways=$(ids away)

candidates "list edit: the IDs of my list" "closerctl list edit " "$mine"
candidates "list rm: the IDs of my list" "closerctl list rm " "$mine"
candidates "partner review: the IDs of my partner's list" "closerctl partner review " "$partner"
candidates "extra: the IDs of my partner's list" "closerctl extra " "$partner"
candidates "list show: the IDs of both lists" "closerctl list show " "$mine $partner"
candidates "history --item: the IDs of my partner's list" "closerctl history --item " "$partner"
candidates "promise kept: the open rain checks" "closerctl promise kept " "$open"
candidates "promise move: the open rain checks" "closerctl promise move " "$open"
candidates "promise broken: the open rain checks, not the kept one" "closerctl promise broken " "$open"
candidates "promise cancel: the open rain checks" "closerctl promise cancel " "$open"
candidates "promise reopen: the kept one, not the open ones" "closerctl promise reopen " 2
candidates "datenight skip: the planned nights" "closerctl datenight skip " "$planned"
candidates "datenight unskip: the skipped nights" "closerctl datenight unskip " "$skipped"
candidates "away cancel: the away periods" "closerctl away cancel " "$aways"
has "--idea: the numbers of the starter ideas" "closerctl list add --idea " 1 2 3 10
candidates "list edit ID: nothing more" "closerctl list edit 1 " ""

# --- the same without bash-completion, and without python3 ---
fallback() { # fallback PATH LINE CWORD WORD...: COMPREPLY in a bare bash
        local path=$1 line=$2
        shift 2
        # shellcheck disable=SC2016 # expanded by the inner bash
        PATH=$path COMP_LINE_=$line "$BASH" --norc --noprofile -c '
                . "$1"; shift
                COMP_LINE=$COMP_LINE_ COMP_POINT=${#COMP_LINE_} COMP_CWORD=$1; shift
                COMP_WORDS=("$@")
                _closerctl closerctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" "$@" | sed '/^$/d' | sort | paste -sd ' '
}
sorted() { printf '%s\n' "$@" | sort | paste -sd ' '; }
is "no bash-completion: closerctl list" "$(fallback "$PATH" "closerctl list " 2 closerctl list "")" \
        "$(sorted add edit rm show ideas export mine partner)"
is "no bash-completion: --category=l" \
        "$(fallback "$PATH" "closerctl list add --category=l" 5 closerctl list add --category = l)" "love lust"
is "no bash-completion: --category=" \
        "$(fallback "$PATH" "closerctl list add --category=" 4 closerctl list add --category =)" \
        "$(sorted affection love lust fun)"
is "no bash-completion: list edit IDs" "$(fallback "$PATH" "closerctl list edit " 3 closerctl list edit "")" \
        "$(sorted $mine)"
nopy=$W/nopy
mkdir -p "$nopy"
for t in timeout awk; do ln -s "$(type -P "$t")" "$nopy/$t"; done
ln -s "$CLOSERCTL" "$nopy/closerctl"
is "no python3: list edit IDs (awk)" "$(fallback "$nopy" "closerctl list edit " 3 closerctl list edit "")" \
        "$(sorted $mine)"
is "no python3: partner review IDs (awk)" \
        "$(fallback "$nopy" "closerctl partner review " 3 closerctl partner review "")" "$(sorted $partner)"
is "no python3: open rain checks (awk)" "$(fallback "$nopy" "closerctl promise kept " 3 closerctl promise kept "")" \
        "$(sorted $open)"
is "no python3: skipped date nights (awk)" \
        "$(fallback "$nopy" "closerctl datenight unskip " 3 closerctl datenight unskip "")" "$(sorted $skipped)"
is "no python3: resolved rain checks (awk)" \
        "$(fallback "$nopy" "closerctl promise reopen " 3 closerctl promise reopen "")" 2

# --- no daemon, a hung daemon: quietly nothing, quickly ---
err=$(DBUS_SESSION_BUS_ADDRESS=unix:path=$W/no-such-bus PATH=$PATH bash -c '
        . "$1"; . "$2"; COMP_WORDS=(closerctl list edit ""); COMP_CWORD=3; COMP_LINE="closerctl list edit "
        COMP_POINT=${#COMP_LINE}; _closerctl closerctl "" edit; printf "%s\n" "${COMPREPLY[@]}"' \
        bash "$BASH_COMPLETION" "$COMPLETION" 2>&1)
is "no daemon: nothing, and nothing on stderr" "$(sed '/^$/d' <<<"$err")" ""

hang=$W/hang
mkdir -p "$hang"
printf '#!/bin/sh\nexec sleep 30\n' >"$hang/closerctl"
chmod +x "$hang/closerctl"
start=$(date +%s%N)
out=$(PATH=$hang:$PATH comp "closerctl list edit ")
ms=$((($(date +%s%N) - start) / 1000000))
is "a daemon that does not answer: nothing" "$out" ""
if ((ms < 4000)); then ok "a daemon that does not answer: given up after about 2 s (${ms} ms)"; else
        not_ok "a daemon that does not answer: given up after about 2 s (${ms} ms)"
fi

cd /
done_testing
