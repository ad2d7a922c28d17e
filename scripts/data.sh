#!/usr/bin/env bash
# `make data`: runs dp-gen (the command given) unless DATA_DIR already holds
# exactly the files it would write (`--verify`), and appends the records of
# what it wrote to MANIFEST, the list `make clean` removes. Data that
# verifies is kept: rewriting identical data would only bump file times and
# make later per-file targets redo their work. FILES, COUNT and DIST only
# word the message.
#
#   MANIFEST=PATH DATA_DIR=DIR FILES=N COUNT=N DIST=NAME \
#       scripts/data.sh DP_GEN [FLAG...]
set -euo pipefail

if [ -f "$MANIFEST" ] && "$@" --verify > /dev/null 2>&1; then
    echo "data: $DATA_DIR already holds these $FILES files"
    exit 0
fi

records=$(mktemp)
trap 'rm -f "$records"' EXIT
status=0
"$@" > "$records" || status=$?
# What dp-gen wrote before it failed is dp's to remove too.
if [ -s "$records" ]; then
    cat "$records" >> "$MANIFEST"
fi
if [ "$status" -eq 0 ]; then
    echo "data: wrote $FILES files of $COUNT values ($DIST) into $DATA_DIR"
fi
exit "$status"
