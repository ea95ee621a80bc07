#!/usr/bin/env bash
# Translations: English msgids in the code and templates, Bahasa Malaysia in aduan/translations.
#   scripts/translations.sh update   # extract new strings and merge them into ms/messages.po
#   scripts/translations.sh compile  # build the .mo files the app reads (make run/test do this)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
case "${1:-compile}" in
  update)
    pot=$(mktemp --suffix .pot)
    "$BIN/pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o "$pot" .
    "$BIN/pybabel" -q update -i "$pot" -d aduan/translations --no-fuzzy-matching
    rm -f "$pot" ;;
  compile)
    "$BIN/pybabel" -q compile -d aduan/translations ;;
  *) echo "usage: $0 update|compile" >&2; exit 2 ;;
esac
