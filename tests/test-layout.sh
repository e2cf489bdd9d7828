#!/bin/bash
# SPDX-License-Identifier: MIT
# The shape of the tree (issue 15): no include cycle between the modules of
# common/, daemon/, client/ and ical/, and no source file over 900 lines;
# closerd links no libical (its iCalendar work runs in the closerd-ical
# helper); json-c it may link, for the member folder's files
# (daemon/sharefile.h).
. "$(dirname "$0")/lib.sh"

check "include graph: no cycle between modules" "$TOP/tools/include-graph"
check "no source file over 900 lines" "$TOP/tools/file-sizes"
# Each artifact's sources are listed in the Makefile, one by one: a file
# that is in no list is built into nothing.
missing=
for f in "$TOP"/common/*.c "$TOP"/daemon/*.c "$TOP"/client/*.c "$TOP"/ical/*.c; do
        grep -q "${f#"$TOP"/}" "$TOP/Makefile" || missing="$missing ${f#"$TOP"/}"
done
is "every source file is in a list of the Makefile" "$missing" ""
if [ -x "$CLOSERD" ]; then
        libs=$(ldd "$CLOSERD" 2>/dev/null)
        case $libs in
        *libical*) not_ok "closerd links libical" ;;
        *) ok "closerd links no libical" ;;
        esac
fi
done_testing
