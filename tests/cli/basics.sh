# CLI basics: help, usage errors, classify/split with the built-in model,
# stdin, output formats, exit codes.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

expect_exit 0 "$NC" --help
expect_grep "$TMP/out" '^  classify'
expect_exit 2 "$NC"
expect_exit 2 "$NC" frobnicate
expect_grep "$TMP/err" "unknown command 'frobnicate'"
for cmd in classify split train eval cv info; do
    expect_exit 0 "$NC" "$cmd" --help
    expect_grep "$TMP/out" "^usage: newsclass $cmd"
    expect_grep "$TMP/out" '^example'
done
expect_exit 2 "$NC" classify --no-such-option
expect_grep "$TMP/err" "unknown option '--no-such-option'"
expect_exit 2 "$NC" eval --min-macro-f1 2 x.tsv
expect_exit 2 "$NC" train corpus.tsv
expect_grep "$TMP/err" 'no output model'

# classify the seed article with the built-in default model
art=$SRC/corpus/seed-article.txt
expect_exit 0 "$NC" classify "$art"
cp "$TMP/out" classify.out
expect_lines classify.out 39
expect_grep classify.out $'^(incident|official_statement|background|analysis)\tFollowing a deadly bomb blast'
check "every line is LABEL<TAB>SENTENCE" \
    awk -F'\t' 'NF != 2 || $1 !~ /^(incident|official_statement|background|analysis)$/ { exit 1 }' classify.out
# the same from stdin, and the same sentences as split
expect_exit 0 "$NC" classify - <"$art"
check "stdin gives the same output" cmp -s "$TMP/out" classify.out
expect_exit 0 "$NC" split "$art"
check "split gives the sentences classify labels" \
    sh -c "cut -f2 classify.out | cmp -s - '$TMP/out'"
expect_grep "$TMP/out" '^Chinese Nationals & Projects Under Threat$'
expect_grep "$TMP/out" '^- Contact the author'
# two files: two documents, in order
expect_exit 0 "$NC" classify "$art" "$art"
expect_lines "$TMP/out" 78
# probabilities and JSON lines
expect_exit 0 "$NC" classify --probs "$art"
expect_grep "$TMP/out" $'^[a-z_]+\t(0|1)\\.[0-9]{4}\t'
expect_exit 0 "$NC" classify --format jsonl "$art"
expect_lines "$TMP/out" 39
expect_grep "$TMP/out" '^\{"document":".*","index":0,"start":0,"end":[0-9]+,"text":"Following'
expect_grep "$TMP/out" '"probs":\{"analysis":[0-9.]+,"background":[0-9.]+,"incident":[0-9.]+,"official_statement":[0-9.]+\}\}$'
expect_exit 2 "$NC" classify --format xml "$art"
# the seed corpus evaluates with the built-in model
expect_exit 0 "$NC" eval "$SRC/corpus/seed-article.tsv"
expect_grep "$TMP/out" '^macro-F1   0\.[0-9]{4}$'
expect_exit 0 "$NC" eval --json "$SRC/corpus/seed-article.tsv"
expect_grep "$TMP/out" '^\{"sentences":39,"accuracy":[0-9.]+,"macro_f1":[0-9.]+,"per_class":\{"analysis":\{"precision"'
expect_grep "$TMP/out" '"confusion":\{"analysis":\{"analysis":[0-9]+'
# the gate: exit 3 below the threshold, 0 above
expect_exit 3 "$NC" eval --min-macro-f1 0.99 "$SRC/corpus/seed-article.tsv"
expect_grep "$TMP/err" 'below the gate'
expect_exit 0 "$NC" eval --min-macro-f1 0.01 "$SRC/corpus/seed-article.tsv"
expect_exit 0 "$NC" info
expect_grep "$TMP/out" '^labels     4: analysis background incident official_statement$'
# empty input and invalid bytes: no crash, exit 0
: >empty.txt
expect_exit 0 "$NC" classify empty.txt
expect_lines "$TMP/out" 0
printf 'Bad \xff\xfe bytes\x00 and a \xc0\xaf overlong.\r\nNext line.\r\n' >bad.txt
expect_exit 0 "$NC" classify bad.txt
expect_lines "$TMP/out" 2
expect_exit 1 "$NC" classify no-such-file.txt
expect_grep "$TMP/err" '^newsclass: no-such-file.txt: cannot open: No such file or directory$'
finish
