# Bad corpora and bad models: one message naming the file and line, exit 1,
# nothing written.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

good=$'# doc: a\nincident\tTwo men were arrested on Monday.\nofficial_statement\t"We will act," the minister said.\n\n# doc: b\nanalysis\tThe move is likely to backfire.\nbackground\tThe city has long been a trade hub.\n'
printf '%s' "$good" >good.tsv
expect_exit 0 "$NC" train -q -o m.ncm good.tsv
check "model written" test -s m.ncm
cp m.ncm m.orig

# bad_case NAME CONTENT LINE MESSAGE: training on CONTENT fails at LINE.
bad_case() {
    printf '%s' "$2" >"$1.tsv"
    expect_exit 1 "$NC" train -q -o m.ncm "$1.tsv"
    expect_grep "$TMP/err" "^newsclass: $1.tsv:$3: $4"
    check "$1: old model intact" cmp -s m.ncm m.orig
    check "$1: no temporary file left" sh -c '! ls m.ncm.tmp* 2>/dev/null | grep -q .'
}
bad_case missing_tab $'incident\tfine sentence.\nno tab here\n' 2 'missing tab'
bad_case empty_label $'incident\tfine.\n\tno label\n' 2 'empty label'
bad_case label_space $'in cident\ttext\n' 1 'invalid label'
bad_case two_tabs $'incident\ta\tb\n' 1 'more than one tab'
bad_case empty_sentence $'incident\t   \n' 1 'empty sentence'
bad_case bad_utf8 $'incident\tok\nincident\tbad \xc3\x28 byte\n' 2 'invalid UTF-8'
bad_case overlong $'incident\t\xc0\xaf\n' 1 'invalid UTF-8'
bad_case surrogate $'incident\t\xed\xa0\x80\n' 1 'invalid UTF-8'
bad_case dup_id $'# doc: x\nincident\ta.\n\n# doc: x\nincident\tb.\n' 5 "duplicate document ID 'x'"
bad_case dup_text $'incident\tsame.\n\nincident\tsame.\n' 3 'duplicate document'
bad_case cr_only $'incident\ta.\rincident\tb.\r' 1 'carriage return inside a line'
printf 'inc\033[31mident\tx\n' >esc.tsv
expect_exit 1 "$NC" train -q -o m.ncm esc.tsv
expect_grep "$TMP/err" 'invalid label .inc\\x1b\[31mident'
printf 'incident\tnul \0 here\n' >nul.tsv
expect_exit 1 "$NC" train -q -o m.ncm nul.tsv
expect_grep "$TMP/err" '^newsclass: nul.tsv:1: NUL byte'

# an unknown label against a model
printf 'incident\tA raid.\nweather\tIt rained.\n' >unknown.tsv
expect_exit 1 "$NC" eval -m m.ncm unknown.tsv
expect_grep "$TMP/err" "^newsclass: unknown.tsv:2: label 'weather' is not one of the model's labels"

# damaged models: truncated, foreign, empty
head -c 100 m.ncm >trunc.ncm
expect_exit 1 "$NC" eval -m trunc.ncm good.tsv
expect_grep "$TMP/err" '^newsclass: trunc.ncm: '
printf 'PK\003\004 not a model at all' >foreign.ncm
expect_exit 1 "$NC" classify -m foreign.ncm good.tsv
expect_grep "$TMP/err" 'magic'
: >empty.ncm
expect_exit 1 "$NC" info empty.ncm
expect_exit 1 "$NC" info no-such.ncm

# brat: an annotation past the end of the text, a label missing from the map
mkdir -p brat
printf 'H A headline\n\nS1 Two men were arrested.\nS2 Police said so.\n' >brat/a.txt
printf 'T1\tMain 14 16\tS1\nT2\tSpeech 500 502\tS2\n' >brat/a.ann
printf 'Speech\tofficial_statement\nMain\tincident\n' >map.tsv
expect_exit 1 "$NC" train -q -o m.ncm --label-map map.tsv brat
expect_grep "$TMP/err" '^newsclass: brat/a.ann:2: offsets 500-502 point past the end'
printf 'T1\tMain 16 14\tS1\n' >brat/a.ann
expect_exit 1 "$NC" train -q -o m.ncm --label-map map.tsv brat
expect_grep "$TMP/err" '^newsclass: brat/a.ann:1: span 16-14 starts after it ends'
printf 'T1\tMain 14 16\tS1\nT2\tWeird 34 36\tS2\n' >brat/a.ann
expect_exit 1 "$NC" train -q -o m.ncm --label-map map.tsv brat
expect_grep "$TMP/err" "^newsclass: brat/a.txt:4: label 'Weird' of S2 has no row in the label map"
printf 'T1\tMain 14 16\tS1\nT2\tSpeech 34 36\tS2\n' >brat/a.ann
expect_exit 0 "$NC" train -q -o b.ncm --label-map map.tsv brat
expect_exit 2 "$NC" train -q -o b.ncm brat
expect_grep "$TMP/err" 'needs --label-map'

# sublabels=1: brat sentences train as TARGET/SOURCE classes, reported as TARGET
expect_exit 0 "$NC" train -q -o sub.ncm --label-map map.tsv --set sublabels=1 brat
expect_exit 0 "$NC" info sub.ncm
expect_grep "$TMP/out" '^labels +2: incident official_statement$'
expect_grep "$TMP/out" '^classes +2: incident/Main official_statement/Speech$'
expect_exit 0 "$NC" eval -m sub.ncm --label-map map.tsv brat
expect_grep "$TMP/out" '^sentences +2$'
printf 'Two men were arrested.\n' | expect_exit 0 "$NC" classify -m sub.ncm -
expect_grep "$TMP/out" '^(incident|official_statement)	'
expect_exit 0 "$NC" explain -m sub.ncm "Police said so."
expect_grep "$TMP/out" 'label (incident/Main|official_statement/Speech), runner-up'
mkdir -p brat2
printf 'S1 A car bomb exploded.\nS2 The governor said it was terrible.\n' >brat2/b.txt
printf 'T1\tMain 3 23\tS1\nT2\tSpeech 27 60\tS2\n' >brat2/b.ann
expect_exit 0 "$NC" cv -k 2 --label-map map.tsv --set sublabels=1 brat brat2
expect_grep "$TMP/out" '^mean '
long=$(printf 'x%.0s' $(seq 1 60))
printf 'Speech\t%s\nMain\tincident\n' "$long" >longmap.tsv
expect_exit 1 "$NC" train -q -o x.ncm --label-map longmap.tsv --set sublabels=1 brat
expect_grep "$TMP/err" "^newsclass: longmap.tsv:1: '$long/Speech' is longer than 64 bytes"
check "old model intact after all failures" cmp -s m.ncm m.orig

# saving where it cannot: the old model stays, no temporary file
expect_exit 1 "$NC" train -q -o no-such-dir/m.ncm good.tsv
expect_grep "$TMP/err" '^newsclass: no-such-dir/m.ncm'
if [ -w /dev/full ] && [ "$(id -u)" = 0 ] && command -v mount >/dev/null && mkdir -p small &&
   mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
    cp m.ncm small/m.ncm
    head -c 60000 /dev/zero >small/filler 2>/dev/null
    big=$'# doc: big\n'
    for i in $(seq 1 3000); do big+=$'incident\tword'"$i"$' appears once here\n'; done
    printf '%s' "$big" >big.tsv
    expect_exit 1 "$NC" train -q -o small/m.ncm big.tsv
    expect_grep "$TMP/err" 'No space left on device'
    check "full disk: old model intact" cmp -s small/m.ncm m.orig
    check "full disk: no temporary file" sh -c '! ls small/m.ncm.tmp* 2>/dev/null | grep -q .'
    umount small
else
    echo "note: no tmpfs mount here; the full-disk case runs in test_model_io"
fi

# update then forget gives the original bytes back
printf '# doc: c\nincident\tA third document about a raid.\n' >more.tsv
expect_exit 0 "$NC" train -q --update m.ncm -o up.ncm more.tsv
check "update changes the model" sh -c '! cmp -s up.ncm m.orig'
cat good.tsv - <<'X' >both.tsv

# doc: c
incident	A third document about a raid.
X
expect_exit 0 "$NC" train -q -o both.ncm both.tsv
check "update == training on both" cmp -s up.ncm both.ncm
expect_exit 0 "$NC" train -q --forget up.ncm -o back.ncm more.tsv
check "forget undoes update" cmp -s back.ncm m.orig
expect_exit 1 "$NC" train -q --forget m.ncm -o x.ncm more.tsv
finish
