# The analyst-facing commands: classify --top-k/--threshold, explain (per
# sentence and per model), info, merge of shard models, eval --bootstrap.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1
art=$SRC/corpus/seed-article.txt

expect_exit 0 "$NC" classify --top-k 2 "$art"
expect_lines "$TMP/out" 39
check "top-k: two label:probability pairs, best first" \
    awk -F'\t' '{ n = split($1, p, ","); if (n != 2) exit 1;
                  split(p[1], a, ":"); split(p[2], b, ":"); if (a[2] + 0 < b[2] + 0) exit 1 }' "$TMP/out"
expect_exit 0 "$NC" classify --threshold 0.999999 "$art"
expect_grep "$TMP/out" $'^uncertain\t'
expect_exit 0 "$NC" classify --threshold 0.000001 "$art"
check "a tiny threshold leaves every label" sh -c "! grep -q '^uncertain' '$TMP/out'"
expect_exit 2 "$NC" classify --threshold 1.5 "$art"

expect_exit 0 "$NC" explain "The ministry said it would respond to the attack."
# explain speaks of the model's classes (GROUP/SUB with sublabels=1)
expect_grep "$TMP/out" '^  label official_statement(/[A-Za-z_]+)?, runner-up [a-z_]+(/[A-Za-z_]+)?, log-odds \+[0-9.]+$'
expect_grep "$TMP/out" '^ +\+[0-9.]+  w:said$'
printf 'Police arrested two men on Monday.\nAnalysts expect more unrest.\n' >lines.txt
expect_exit 0 "$NC" explain --top 3 <lines.txt
check "explain reads one sentence a line" test "$(grep -c '^  label ' "$TMP/out")" = 2
expect_exit 0 "$NC" explain --top 5 --model-features
classes=$("$NC" info | awk '$1 == "labels" { l = $2 + 0 } $1 == "classes" { c = $2 + 0 }
                            END { print c ? c : l }')
check "five features for each of the $classes classes" test "$(grep -cE '^ +[+-][0-9]' "$TMP/out")" = $((5 * classes))

expect_exit 0 "$NC" info
expect_grep "$TMP/out" '^format     1$'
expect_grep "$TMP/out" '^documents  [0-9]+$'
expect_grep "$TMP/out" '^corpus     [0-9a-f]{16}$'
expect_grep "$TMP/out" '^labels +4: analysis background incident official_statement$'
expect_grep "$TMP/out" '^  official_statement(/[A-Za-z_]+)? +[0-9]+$'
expect_grep "$TMP/out" '^  cues=1$'

# merging shard models == one pass
printf '# doc: a\nincident\tTwo men were arrested on Monday.\nofficial_statement\tThe police said so.\n' >s1.tsv
printf '# doc: b\nanalysis\tThe arrests will likely anger residents.\nbackground\tThe town has a long history of unrest.\n' >s2.tsv
printf '# doc: c\nincident\tA bomb exploded near the market.\n' >s3.tsv
for i in 1 2 3; do expect_exit 0 "$NC" train -q --set cues=1 -o "s$i.ncm" "s$i.tsv"; done
expect_exit 0 "$NC" train -q --set cues=1 -o all.ncm s1.tsv s2.tsv s3.tsv
expect_exit 0 "$NC" merge -q -o merged.ncm s1.ncm s2.ncm s3.ncm
check "merge of shards == one-pass training" cmp -s merged.ncm all.ncm
expect_exit 0 "$NC" train -q --set alpha=0.5 -o other.ncm s1.tsv
expect_exit 1 "$NC" merge -q -o x.ncm s1.ncm other.ncm
expect_grep "$TMP/err" '^newsclass: other.ncm: the models were trained with different settings$'
check "refused merge writes nothing" test ! -e x.ncm
expect_exit 2 "$NC" merge s1.ncm

expect_exit 0 "$NC" eval --bootstrap 200 "$SRC/corpus/seed-article.tsv"
expect_grep "$TMP/out" '^macro-F1 95% bootstrap interval \(200 document resamples\): [0-9.]+ - [0-9.]+$'
finish
