#!/bin/sh
# SPDX-License-Identifier: MIT
# usage: tools/dist.sh NAME   (run from the top of the tree, as `make dist` does)
# Writes NAME.tar.gz holding NAME/ with everything needed to build: in a git
# checkout whose top is this directory, git archive of the tracked files as
# they are now (uncommitted changes included, untracked files not); elsewhere
# (an unpacked tarball) tar of the tree without build outputs.
set -eu
name=$1
out=$name.tar.gz
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT

if top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$(pwd -P)" ]; then
        if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
                echo "dist: uncommitted changes go into $out" >&2
        fi
        # stash create: a commit of the index and work tree, nothing if clean.
        tree=$(git stash create)
        git archive --format=tar.gz --prefix="$name/" -o "$tmp" "${tree:-HEAD}"
else
        # What building writes: make's build*/, debhelper's files in debian/,
        # the tarballs themselves.
        tar -czf "$tmp" --sort=name --owner=0 --group=0 --numeric-owner \
                --exclude=./.git --exclude='./build*' --exclude='./closer-*.tar.gz*' \
                --exclude=./debian/closer --exclude=./debian/.debhelper --exclude=./debian/tmp \
                --exclude=./debian/files --exclude='./debian/*.substvars' \
                --exclude='./debian/*debhelper*' \
                --transform="s|^\.|$name|" .
fi
chmod 0644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "dist: $out"
