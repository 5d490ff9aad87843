# The default model against the real corpora: retraining it reproduces the
# committed bytes, and its accuracy on NewsDiscourse validation and on the
# seed article stays above the recorded thresholds (models/thresholds).
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1
if ! have_shared; then
    echo "skipping: $ND not found (NewsDiscourse lives in ../shared; the default-model checks need it)"
    exit 77
fi
. "$SRC/models/thresholds"
expect_exit 0 "$SRC/models/train-default" "$NC" retrained.ncm "$SHARED"
check "retraining reproduces models/default.ncm byte for byte" cmp retrained.ncm "$SRC/models/default.ncm"
expect_exit 0 "$NC" eval --json --min-macro-f1 "$VALIDATION_MIN_MACRO_F1" \
    --label-map "$ND/label-map.tsv" "$ND/validation"
cat "$TMP/out"
expect_grep "$TMP/out" '"macro_f1"'
expect_exit 0 "$NC" eval --json --min-macro-f1 "$SEED_MIN_MACRO_F1" "$SRC/corpus/seed-article.tsv"
cat "$TMP/out"
finish
