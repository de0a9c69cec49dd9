#!/bin/sh
# Extract the texts of "Min familie" into family.pot and merge them into each family.po (one per letter language).
set -e
cd "$(dirname "$0")/../.."
.venv/bin/pybabel extract --no-default-keywords -k t -k msg -F tik/translations/family.cfg -o /tmp/family.pot .
for po in tik/translations/*/LC_MESSAGES/letter.po; do
  lang=$(basename "$(dirname "$(dirname "$po")")")
  target=tik/translations/$lang/LC_MESSAGES/family.po
  if [ -f "$target" ]; then .venv/bin/pybabel update -q -D family -i /tmp/family.pot -l "$lang" -d tik/translations --no-fuzzy-matching
  else .venv/bin/pybabel init -q -D family -i /tmp/family.pot -l "$lang" -d tik/translations; fi
done
