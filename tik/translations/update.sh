#!/bin/sh
# Re-extract TIK's interface strings and merge them into the nn and en catalogues.
#
#   sh tik/translations/update.sh            # from the repo root (works from anywhere)
#   sh tik/translations/update.sh --strict   # also exit 1 if anything is untranslated or fuzzy
#
# Then translate the new/fuzzy entries in tik/translations/{nn,en}/LC_MESSAGES/messages.po
# and compile with:  .venv/bin/pybabel compile -d tik/translations
# (.mo files are build output and are not committed.)
set -eu

cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
DIR=tik/translations
POT=$DIR/messages.pot
LANGS="nn en sv"

"$BIN/pybabel" -q extract -F babel.cfg -k _l -k lazy_gettext \
    --project TIK --copyright-holder TIK --add-comments=Translators: \
    -o "$POT" .

for lang in $LANGS; do
    if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
        "$BIN/pybabel" -q update -i "$POT" -d "$DIR" -D messages -l "$lang"
    else
        "$BIN/pybabel" -q init -i "$POT" -d "$DIR" -D messages -l "$lang"
    fi
done

"$BIN/python" - "$DIR" $LANGS "${1:-}" <<'PY'
import sys
from babel.messages.pofile import read_po

directory, *langs, flag = sys.argv[1:]
missing_total = 0
for lang in langs:
    with open(f"{directory}/{lang}/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog if m.id]
    untranslated = [m for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m for m in messages if m.fuzzy and m not in untranslated]
    missing_total += len(untranslated) + len(fuzzy)
    print(f"{lang}: {len(messages)} messages, {len(untranslated)} untranslated, {len(fuzzy)} fuzzy")
    todo = [("missing", m) for m in untranslated] + [("fuzzy", m) for m in fuzzy]
    for kind, m in todo[:20]:
        print(f"    {kind}: {m.id!r}")
    if len(todo) > 20:
        print(f"    … and {len(todo) - 20} more")
if flag == "--strict" and missing_total:
    sys.exit(1)
PY
