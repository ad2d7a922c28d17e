#!/usr/bin/env bash
# `make data`: runs dp-gen (the command given) unless DATA_DIR already holds
# exactly the files it would write (`--verify`). Data that verifies is kept:
# rewriting identical data would only bump file times and make later
# per-file targets redo their work. dp-gen records each file in DATA_DIR's
# manifest the moment it is in place (what `make clean` removes), and
# refuses, before writing anything, to replace a file it did not write.
# FILES, COUNT and DIST only word the message.
#
#   DATA_DIR=DIR FILES=N COUNT=N DIST=NAME scripts/data.sh DP_GEN [FLAG...]
set -euo pipefail

if "$@" --verify > /dev/null 2>&1; then
    echo "data: $DATA_DIR already holds these $FILES files"
    exit 0
fi
"$@" > /dev/null
echo "data: wrote $FILES files of $COUNT values ($DIST) into $DATA_DIR"
