# Progress on stderr only when it is a terminal (run under script(1) for a
# pseudo-terminal), never with --quiet, never when stderr is a file.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1
art=$SRC/corpus/seed-article.txt
if ! command -v script >/dev/null; then
    echo "skipping: script(1) not found (util-linux)"
    exit 77
fi
script -qec "'$NC' classify '$art' >/dev/null" /dev/null >tty.out 2>&1
expect_grep tty.out 'sentences/s'
script -qec "'$NC' classify --quiet '$art' >/dev/null" /dev/null >quiet.out 2>&1
check "--quiet: no progress on a terminal" sh -c "! grep -q 'sentences/s' quiet.out"
expect_exit 0 "$NC" classify "$art"
check "no progress when stderr is not a terminal" test ! -s "$TMP/err"
printf '# doc: a\nincident\tTwo men were arrested.\n' >c.tsv
script -qec "'$NC' train -o m.ncm c.tsv" /dev/null >train.out 2>&1
expect_grep train.out 'documents'
finish
