#!/bin/sh
# Re-extract the fixed texts of the family letter, the child's page, the consent form and the family's
# right-of-access export (templates/pdf/letter.html, templates/pdf/consent.html,
# templates/lifecycle/access_export.html) and merge them into every letter catalogue.
#
#   sh tik/translations/update-letter.sh            # update every tik/translations/*/LC_MESSAGES/letter.po
#   sh tik/translations/update-letter.sh fa         # also start a catalogue for a new language
#   sh tik/translations/update-letter.sh --strict   # exit 1 if anything is untranslated or fuzzy
#
# The catalogues are read as .po files at run time (no compile step). Bokmål is the source language.
set -eu

cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
DIR=tik/translations
POT=$(mktemp)
trap 'rm -f "$POT"' EXIT

"$BIN/pybabel" -q extract --no-default-keywords -k t -k own:2 -F "$DIR/letter.cfg" -o "$POT" templates

STRICT=""
for arg in "$@"; do
    case "$arg" in
        --strict) STRICT=1 ;;
        *) [ -f "$DIR/$arg/LC_MESSAGES/letter.po" ] || "$BIN/pybabel" -q init -D letter -i "$POT" -d "$DIR" -l "$arg" ;;
    esac
done

missing=0
for po in "$DIR"/*/LC_MESSAGES/letter.po; do
    lang=$(basename "$(dirname "$(dirname "$po")")")
    "$BIN/pybabel" -q update -D letter -i "$POT" -d "$DIR" -l "$lang" --no-wrap
    left=$("$BIN/python" -c "
import sys
from babel.messages.pofile import read_po
c = read_po(open(sys.argv[1], 'rb'))
print(sum(1 for m in c if m.id and (not m.string or m.fuzzy)))" "$po")
    echo "$lang: $left untranslated or fuzzy"
    missing=$((missing + left))
done
[ -z "$STRICT" ] || [ "$missing" -eq 0 ]
