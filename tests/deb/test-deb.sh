#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package, end to end (make check-deb; kept out of make check's
# tests/test-*.sh, which also run under ASan and valgrind):
# - make deb: make dist, then dpkg-buildpackage -us -uc -b in the unpacked
#   tarball, with Debian's flags and no -Werror; make dist again from that
#   tree (no git: the tar fallback) gives the same files;
# - the Makefile's VERSION, debian/changelog, the .deb, closerd --version,
#   closerctl --version, the man pages and the tarball's name agree;
# - lintian -I --pedantic on the .deb and the .changes: no error, no warning;
# - dpkg -c lists exactly what make install DESTDIR=... PREFIX=/usr installs;
# - under a real systemd booted with sdci: dpkg -i at boot, then a new user
#   logs in (PAM): closerd.service is active, closerctl status answers;
#   dpkg -r stops it, leaves no file of the package and no unit running;
#   dpkg --purge removes the enablement; dpkg -i again starts closerd in the
#   running session; the user's data stays throughout.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/sdci/host.sh
. "$TESTS/sdci/host.sh"

for c in dpkg-buildpackage dh lintian; do
        command -v "$c" >/dev/null || skip_all "no $c: make deps-deb installs it"
done
VERSION=$(make -s -C "$TOP" --no-print-directory version)
ARCH=$(dpkg --print-architecture)
DEB_DIR=$TOP/$B/deb
DEB=$DEB_DIR/closer_${VERSION}_$ARCH.deb
CHANGES=$DEB_DIR/closer_${VERSION}_$ARCH.changes
TARBALL=$TOP/closer-$VERSION.tar.gz

# Scratch space in the build directory, away from other tests' /tmp.
T=$(mktemp -d "$TOP/$B/test-deb.XXXXXX")
trap 'if [[ -n ${KEEP_WORLD:-} ]]; then echo "# kept $T"; else rm -rf "$T"; fi; _cleanup' EXIT
start=$SECONDS

# --- the package, built from the dist tarball ---
if make -C "$TOP" --no-print-directory deb B="$B" >"$T/deb.log" 2>&1 && [[ -f $DEB && -f $CHANGES ]]; then
        ok "make deb: dpkg-buildpackage -us -uc -b in the unpacked closer-$VERSION.tar.gz ($((SECONDS - start)) s)"
else
        not_ok "make deb: dpkg-buildpackage -us -uc -b in the unpacked closer-$VERSION.tar.gz"
        tail -30 "$T/deb.log" | sed 's/^/#   /'
        done_testing
fi
compiles=$(grep -E '^cc .* -c ' "$T/deb.log")
is "every compilation with Debian's flags (-O2, fortify, stack protector)" \
        "$(grep -vcE -- '-O2 .*-fstack-protector-strong' <<<"$compiles"; grep -c -- '-D_FORTIFY_SOURCE=2' <<<"$compiles")" \
        "0"$'\n'"$(wc -l <<<"$compiles")"
is "... and without -Werror (WERROR=0)" "$(grep -cE -- '-Werror( |$)' <<<"$compiles")" 0
is "every link with relro and bindnow" "$(grep -E '^cc .* -o build/closer' "$T/deb.log" | grep -vc -- '-Wl,-z,relro -Wl,-z,now')" 0

mkdir "$T/src"
tar -xzf "$TARBALL" -C "$T/src"
if make -C "$T/src/closer-$VERSION" --no-print-directory dist >"$T/dist.log" 2>&1; then
        is "make dist outside git (tar) gives the files of git archive" \
                "$(diff <(tar -tzf "$TARBALL" | grep -v '/$' | sort) \
                        <(tar -tzf "$T/src/closer-$VERSION/closer-$VERSION.tar.gz" | grep -v '/$' | sort))" ""
else
        not_ok "make dist outside git"
        sed 's/^/#   /' "$T/dist.log"
fi

# --- one version everywhere ---
dpkg-deb -x "$DEB" "$T/pkg"
is "debian/changelog is at the Makefile's VERSION" "$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)" "$VERSION"
is "the .deb's Version" "$(dpkg-deb -f "$DEB" Version)" "$VERSION"
is "closerd --version (packaged)" "$("$T/pkg/usr/bin/closerd" --version 2>&1)" "closerd $VERSION"
is "closerctl --version (packaged)" "$("$T/pkg/usr/bin/closerctl" --version 2>&1)" "closerctl $VERSION"
is "the man pages say closer $VERSION" \
        "$(zcat "$T/pkg"/usr/share/man/man*/*.gz | grep -c "^\.TH .*\"closer $VERSION\"")" 2
is "the tarball unpacks to closer-$VERSION/" "$(tar -tzf "$TARBALL" | cut -d/ -f1 | sort -u)" "closer-$VERSION"

# --- lintian ---
lint=$(lintian -I --pedantic "$DEB" "$CHANGES" 2>&1 | grep -v '^running with root privileges')
if grep -qE '^[EW]: ' <<<"$lint"; then
        not_ok "lintian -I --pedantic on the .deb and the .changes: no error, no warning"
else
        ok "lintian -I --pedantic on the .deb and the .changes: no error, no warning ($(grep -c . <<<"$lint") lines)"
fi
[[ -n $lint ]] && printf '%s\n' "$lint" | sed 's/^/#   /'

# --- the package's files are make install's ---
# Compared: type, mode and path of every entry. Only the package has
# /usr/share/doc/ and what is below it (copyright, changelog.gz, README.md.gz
# and NEWS.md.gz, which Debian puts there), and its man pages are gzipped
# (dh_compress): the doc tree is left out and .gz taken off the man pages.
make -C "$TOP" --no-print-directory install B="$B" DESTDIR="$T/inst" PREFIX=/usr >"$T/install.log" 2>&1 ||
        { not_ok "make install DESTDIR=... PREFIX=/usr"; tail -20 "$T/install.log" | sed 's/^/#   /'; }
pkg_list=$(dpkg -c "$DEB" | awk '{print $1, $6}' | sed -E 's| \./| /|; s|([^ ])/$|\1|' |
        grep -vE ' /(usr/share/doc(/.*)?)?$' | sed -E 's|^(.* /usr/share/man/.*)\.gz$|\1|' | sort -k2)
inst_list=$(cd "$T/inst" && find . -mindepth 1 -printf '%M %P\n' | sed 's| | /|' | sort -k2)
is "dpkg -c lists exactly what make install installs ($(grep -c . <<<"$inst_list") entries; not /usr/share/doc)" \
        "$(diff <(echo "$pkg_list") <(echo "$inst_list") | grep '^[<>]')" ""

# --- under a real systemd: install, a new user's login, remove, purge ---
if ! sdci_find; then
        skip "installing and removing under systemd: $SDCI_MISSING"
        done_testing
fi
U=$T/units
mkdir -p "$U"
cat >"$U/closer-test-install.service" <<UNIT
[Unit]
Description=closer test: dpkg -i the package, before any login
Before=systemd-user-sessions.service
[Service]
Type=oneshot
ExecStart=$SDCI_LIBEXEC/root.sh install ciuser
UNIT
printf '[Path]\nPathExists=/run/closer-test/request\n' >"$U/closer-test-root.path"
printf '[Service]\nType=oneshot\nExecStart=%s/root.sh\n' "$SDCI_LIBEXEC" >"$U/closer-test-root.service"
printf '[Unit]\nWants=closer-test-install.service closer-test-root.path\n' >"$U/closer-test.conf"
SPECS=(-i "$DEB:/var/cache/closer-test/closer.deb" -i "$U/closer-test.conf:/etc/systemd/system/multi-user.target.d/closer-test.conf")
for f in "$U"/*.service "$U"/*.path; do SPECS+=(-i "$f:/etc/systemd/system/${f##*/}"); done
sdci_scripts "$TESTS/deb/session.sh" "$TESTS/deb/root.sh"
sdci_start=$SECONDS
timeout -k 10 300 "$SDCI" -p "${SPECS[@]}" -- bash "$SDCI_LIBEXEC/session.sh" "$VERSION" >"$T/out" 2>"$T/err"
sdci_report "$T/out" "$T/err" $? "$sdci_start"
diag "test-deb.sh: $((SECONDS - start)) s"
done_testing
