# Hostile input at the CLI (issue 6): damaged models, hostile text, corpora
# the library must refuse, saves that cannot complete.
#
# The library tests (test_model_io.c) already prove that every truncation
# and bit flip of a reference model is rejected by nc_model_load_mem; this
# script proves the same end to end for a small real model written by
# `newsclass train`: `classify -m` on each damaged copy must exit 1 with
# exactly one "newsclass: FILE: ..." line on stderr and nothing on stdout,
# never crash (exit >= 128) and never hang (timeout).  Every truncation is
# tried; bit flips are every bit of the 24-byte header and of the CRC
# trailer plus one bit of every other byte (the bit rotates with the
# offset; every third byte only in a sanitized build, which starts 10x
# slower), or all 8 bits of every byte with NC_HOSTILE_FLIPS=all.  Crafted
# files with a valid CRC (newer version, absurd counts) are also rejected,
# under a 512 MB address-space limit when the binary is not sanitized.
# Then hostile text (invalid UTF-8, NUL, BOM, CRLF, punctuation only, empty)
# must classify with exit 0 and clean UTF-8 output, and the corpus and save
# failures not covered by corpus_errors.sh must give one message, exit 1 and
# leave the old model byte for byte.  The policies checked here are written
# down in tests/HOSTILE.md.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

# A sanitized binary is slower and cannot run under ulimit -v.
sanitized=0
grep -qa __asan_init "$NC" && sanitized=1

printf '%s' $'# doc: a\nincident\tPolice arrested two men near the harbour on Monday.\nofficial_statement\t"We will respond," the mayor said.\n\n# doc: b\nanalysis\tThe decision will probably hurt exports.\nbackground\tThe port has handled grain for a century.\n' >tiny.tsv
expect_exit 0 "$NC" train -q -o m.ncm tiny.tsv
cp m.ncm m.orig
printf 'The mayor said the police arrested a man.\n' >in.txt
expect_exit 0 "$NC" classify -m m.ncm in.txt
size=$(wc -c <m.ncm)

# ---------------------------------------------------------------------------
# Byte helpers: a model as an array of decimal bytes, written back with %b.
read_bytes() { mapfile -t B < <(od -An -v -tu1 "$1" | tr -s ' ' '\n' | sed '/^$/d'); }
write_bytes() { printf '%b' "$(printf '\\0%03o' "$@")" >"$OUT"; }

# CRC-32 (IEEE, as zlib) of the decimal bytes given as arguments.
crc32() {
    local c=$((0xFFFFFFFF)) b k
    for b in "$@"; do
        c=$((c ^ b))
        for k in 0 1 2 3 4 5 6 7; do
            if ((c & 1)); then c=$(((c >> 1) ^ 0xEDB88320)); else c=$((c >> 1)); fi
        done
    done
    echo $((c ^ 0xFFFFFFFF))
}

# fix_and_write FILE BYTES...: set the length field and the CRC trailer of
# a model body given as bytes (header and body, without trailer), write FILE.
fix_and_write() {
    OUT=$1
    shift
    local -a a=("$@")
    local len=$((${#a[@]} + 4)) i
    for i in 0 1 2 3 4 5 6 7; do a[16 + i]=$(((len >> (8 * i)) & 255)); done
    local c
    c=$(crc32 "${a[@]}")
    for i in 0 1 2 3; do a+=($(((c >> (8 * i)) & 255))); done
    write_bytes "${a[@]}"
}

# Decode the varint at offset $1 of B: sets VAL and NEXT (offset after it).
varint() {
    local p=$1 shift_=0
    VAL=0
    while :; do
        VAL=$((VAL | ((B[p] & 127) << shift_)))
        shift_=$((shift_ + 7))
        p=$((p + 1))
        ((B[p - 1] & 128)) || break
    done
    NEXT=$p
}

# reject FILE WHAT: classify -m FILE exits 1 with exactly one message.
# Counts crashes (exit >= 128 or timeout) separately.
crashes=0
hangs=0
reject() {
    local rc
    timeout 10 "$NC" classify -m "$1" in.txt >out 2>err
    rc=$?
    checks=$((checks + 1))
    if [ "$rc" = 124 ]; then
        hangs=$((hangs + 1))
        echo "FAIL: $2: hung (timeout)" >&2
        failed=$((failed + 1))
    elif [ "$rc" -ge 128 ]; then
        crashes=$((crashes + 1))
        cp "$1" "$SRC_KEEP/crash-$2.ncm" 2>/dev/null
        echo "FAIL: $2: crashed with exit $rc" >&2
        failed=$((failed + 1))
    elif [ "$rc" != 1 ] || [ -s out ] || [ "$(wc -l <err)" != 1 ] ||
        ! grep -q "^newsclass: $1: ." err; then
        echo "FAIL: $2: exit $rc, $(wc -l <err) stderr lines, $(wc -c <out) stdout bytes" >&2
        sed 's/^/  stderr: /' err | head -3 >&2
        failed=$((failed + 1))
    fi
}
SRC_KEEP=${NC_HOSTILE_KEEP:-$TMP}

# ---------------------------------------------------------------------------
# 1. Every truncation of the model.
t0=$(date +%s)
for ((t = 0; t < size; t++)); do
    head -c "$t" m.orig >d.ncm
    reject d.ncm "truncated-$t"
done
ntrunc=$size

# 2. Bit flips: all of the header and trailer, one bit elsewhere (or all).
read_bytes m.orig
orig=("${B[@]}")
nflip=0
for ((i = 0; i < size; i++)); do
    if [ "${NC_HOSTILE_FLIPS:-sample}" = all ] || ((i < 24 || i >= size - 4)); then
        bits="0 1 2 3 4 5 6 7"
    elif ((sanitized && i % 3 != 0)); then
        continue # a sanitized binary starts 10x slower: every third byte
    else
        bits=$(((i * 3) % 8))
    fi
    for bit in $bits; do
        { head -c "$i" m.orig
          printf '%b' "$(printf '\\0%03o' $((orig[i] ^ (1 << bit))))"
          tail -c +$((i + 2)) m.orig; } >d.ncm
        reject d.ncm "flip-$i-$bit"
        nflip=$((nflip + 1))
    done
done
echo "model damage: $ntrunc truncations and $nflip bit flips of a $size-byte model," \
     "$crashes crashes, $hangs hangs, $(($(date +%s) - t0)) s"

# 3. Foreign formats, empty, devices, directories.
: >empty.ncm
reject empty.ncm empty
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >png.ncm
reject png.ncm png
head -c 64 "$NC" >elf.ncm
reject elf.ncm elf
printf 'incident\tThis is a corpus, not a model.\n' >text.ncm
reject text.ncm text
printf '\x1f\x8b\x08\0\0\0\0\0' >gz.ncm
reject gz.ncm gzip
# the magic of a model but nothing else, and the header alone
head -c 8 m.orig >magic.ncm
reject magic.ncm magic-only
head -c 24 m.orig >header.ncm
reject header.ncm header-only
mkdir dir.ncm
reject dir.ncm directory
expect_exit 1 timeout 10 "$NC" classify -m /dev/zero in.txt
expect_lines "$TMP/err" 1
expect_exit 1 timeout 10 "$NC" classify -m /dev/urandom in.txt
expect_lines "$TMP/err" 1
expect_exit 1 timeout 10 "$NC" classify -m no-such.ncm in.txt
expect_lines "$TMP/err" 1
# Twice the model: the length field no longer matches the file.
cat m.orig m.orig >double.ncm
reject double.ncm doubled

# 4. Crafted files with a correct length and CRC that still lie.
# Limit the address space when we can: a loader that believed an absurd
# count would fail its allocation (NOMEM, not the FORMAT we want) or worse.
limit=()
[ "$sanitized" = 0 ] && limit=(prlimit --as=536870912)
command -v prlimit >/dev/null || limit=()
lie() { # NAME: B holds the crafted body (trailer removed)
    fix_and_write "$1.ncm" "${B[@]}"
    timeout 10 "${limit[@]}" "$NC" classify -m "$1.ncm" in.txt >out 2>err
    local rc=$?
    checks=$((checks + 1))
    if [ "$rc" != 1 ] || [ "$(wc -l <err)" != 1 ] || ! grep -qE "$2" err; then
        echo "FAIL: crafted $1: exit $rc, expected 1 and /$2/" >&2
        sed 's/^/  stderr: /' err | head -3 >&2
        failed=$((failed + 1))
    fi
}
body=("${orig[@]:0:size-4}")
# sanity: the helpers rebuild the original bytes exactly
B=("${body[@]}")
fix_and_write same.ncm "${B[@]}"
check "crc32/fix_and_write reproduce the model" cmp -s same.ncm m.orig
# a newer format version
B=("${body[@]}"); B[8]=2
lie newer_version 'version'
B=("${body[@]}"); B[8]=255; B[11]=255
lie huge_version 'version'
B=("${body[@]}"); B[12]=1
lie flags 'flag'
# absurd options length: 2^62
B=("${body[@]}")
varint 24
B=("${B[@]:0:24}" 128 128 128 128 128 128 128 128 64 "${B[@]:NEXT}")
lie options_length 'options|length|truncated|past|remaining'
# absurd label count 2^62 and 1025 (one more than the format allows)
B=("${body[@]}")
varint 24; p=$((NEXT + VAL))     # options
varint $p; p=$((NEXT + VAL))     # digest
varint $p; p=$NEXT               # ndocs
varint $p; off_nlabels=$p; after_nlabels=$NEXT; nlabels=$VAL
B=("${body[@]:0:off_nlabels}" 128 128 128 128 128 128 128 128 64 "${body[@]:after_nlabels}")
lie label_count 'label'
B=("${body[@]:0:off_nlabels}" 129 8 "${body[@]:after_nlabels}")
lie label_count_1025 'label'
B=("${body[@]:0:off_nlabels}" 0 "${body[@]:after_nlabels}")
lie label_count_0 'label'
# absurd feature count: walk the labels, sentence counts and transitions
B=("${body[@]}")
p=$after_nlabels
for ((k = 0; k < nlabels; k++)); do
    varint $p; varint $NEXT; p=$((NEXT + VAL))
done
for ((k = 0; k < nlabels + (nlabels + 1) * nlabels; k++)); do varint $p; p=$NEXT; done
varint $p; off_nfeat=$p; after_nfeat=$NEXT
B=("${body[@]:0:off_nfeat}" 255 255 255 255 255 255 255 255 255 1 "${body[@]:after_nfeat}")
lie feature_count 'feature'
B=("${body[@]:0:off_nfeat}" 255 255 255 255 15 "${body[@]:after_nfeat}")
lie feature_count_2e32 'feature'
# a varint of 11 bytes and a non-shortest varint for ndocs
B=("${body[@]:0:off_nlabels-1}" 255 255 255 255 255 255 255 255 255 255 1 "${body[@]:off_nlabels}")
lie long_varint 'varint|too long|overflow'
# trailing garbage after the last feature
B=("${body[@]}" 0)
lie trailing 'trailing|left over|end'
check "the model was never touched" cmp -s m.ncm m.orig

# ---------------------------------------------------------------------------
# 5. Hostile text: classify must exit 0 with valid UTF-8 output, one
# "label<TAB>sentence" line per sentence, no NUL, no CR, no BOM.
valid_utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; }
no_byte() { [ "$(LC_ALL=C tr -cd "$2" <"$1" | wc -c)" = 0 ]; }
text_case() { # NAME BYTES(printf %b) [EXPECT-FFFD]
    printf '%b' "$2" >"$1.txt"
    expect_exit 0 timeout 30 "$NC" classify -m m.ncm "$1.txt"
    check "$1: output is valid UTF-8" valid_utf8 "$TMP/out"
    check "$1: no NUL in output" no_byte "$TMP/out" '\000'
    check "$1: no CR in output" no_byte "$TMP/out" '\r'
    [ "${4:-}" = bom ] &&
        check "$1: no BOM in output" sh -c "! grep -q \$(printf '\357\273\277') '$TMP/out'"
    check "$1: every line is label<TAB>text" sh -c "! grep -qvE '^[a-z_]+	[^	]+\$' '$TMP/out'"
    check "$1: nothing on stderr" test ! -s "$TMP/err"
    if [ "${3:-}" = fffd ]; then
        expect_grep "$TMP/out" $'\xef\xbf\xbd'
    fi
    # the splitter alone, and jsonl, must survive too
    expect_exit 0 timeout 30 "$NC" split "$1.txt"
    check "$1: split output is valid UTF-8" valid_utf8 "$TMP/out"
    expect_exit 0 timeout 30 "$NC" classify -m m.ncm --format jsonl "$1.txt"
    check "$1: jsonl output is valid UTF-8" valid_utf8 "$TMP/out"
}
text_case overlong 'Overlong \xc0\xaf slash \xe0\x80\xaf and \xf0\x80\x80\xaf here. Also \xc1\xbf.\n' fffd
text_case surrogates 'High \xed\xa0\x80 and low \xed\xbf\xbf surrogates. A pair \xed\xa0\xbd\xed\xb8\x80 too.\n' fffd
text_case continuation '\x80\xbf Lone continuation \x80 bytes \xbf. Second one.\n' fffd
text_case truncated_seq 'A sequence cut short \xe2\x82 here. And at the end \xf0\x9f\x98' fffd
text_case five_six_byte 'Old forms \xf8\x88\x80\x80\x80 and \xfc\x84\x80\x80\x80\x80 and \xfe\xff bytes.\n' fffd
text_case above_max 'Above U+10FFFF: \xf4\x90\x80\x80 and \xf7\xbf\xbf\xbf.\n' fffd
text_case nul 'The minister\0said so.\0\0Police arrested\0two men.\0' ''
text_case bom '\xef\xbb\xbfThe mayor said the port would reopen. A second sentence.\n' '' bom
text_case bom_twice '\xef\xbb\xbf\xef\xbb\xbfTwo marks at the start. Then text.\n' ''
text_case crlf 'First sentence here.\r\nSecond sentence here.\r\n\r\nA new paragraph.\r\n' ''
text_case lone_cr 'Old Mac line endings.\rAnother line.\r\rA paragraph?\r' ''
text_case punctuation '!!! ... ??? ,,, ;;; --- ((( ))) """ \x27\x27\x27 ... !?!?\n' ''
text_case empty '' ''
text_case blank '   \n\n\t\t\n \r\n\f\v\n' ''
text_case controls 'Bell\a and escape\x1b[2J and DEL\x7f inside. Next.\n' ''
text_case mixed 'Caf\xc3\xa9 \xff\xfe na\xc3\xafve \xed\xa0\x80\0 \xef\xbb\xbf r\xc3\xa9sum\xc3\xa9.\r\n\x80' fffd
# the first sentence of the BOM case starts with "The", not with the BOM
printf '%b' '\xef\xbb\xbfThe mayor said so.\n' >bom1.txt
expect_exit 0 "$NC" split bom1.txt
expect_grep "$TMP/out" '^The mayor said so\.$'
# NUL became a space: "The minister said so."
printf '%b' 'The minister\0said so.\n' >nul1.txt
expect_exit 0 "$NC" split nul1.txt
expect_grep "$TMP/out" '^The minister said so\.$'

# A long word and a long line: bounded time (measured, not asserted) and
# bounded output.  100 MB in a plain build; 8 MB under the sanitizers.
mb=${NC_HOSTILE_MB:-100}
[ "$sanitized" = 1 ] && mb=${NC_HOSTILE_MB:-8}
timed() { # NAME FILE: classify FILE, print the time taken
    local s e
    s=$(date +%s%N)
    timeout 300 "$NC" classify -m m.ncm "$2" >out.big 2>err.big
    local rc=$?
    e=$(date +%s%N)
    checks=$((checks + 1))
    if [ "$rc" != 0 ] || [ -s err.big ] || ! valid_utf8 out.big; then
        echo "FAIL: $1: exit $rc" >&2
        head -3 err.big >&2
        failed=$((failed + 1))
    fi
    echo "$1: $(wc -c <"$2") bytes in $(((e - s) / 1000000)) ms, $(wc -l <out.big) sentences out"
}
head -c 1048576 /dev/zero | tr '\0' 'x' >word1m.txt
timed "1 MiB word" word1m.txt
# a 1 MiB word is cut into 64 KiB sentences, each one token cut to 64 bytes
check "1 MiB word: 16 sentences of at most 64 KiB" test "$(wc -l <out.big)" = 16
head -c $((mb * 1000000)) /dev/zero | tr '\0' 'a' >wordbig.txt
timed "$mb MB word" wordbig.txt
yes 'The minister said that police arrested two men, and the army' |
    head -c $((mb * 1000000)) | tr -d '\n' >linebig.txt
timed "$mb MB line without a full stop" linebig.txt
yes 'Police arrested two men. The mayor said so.' | head -c $((mb * 1000000)) | tr -d '\n' >sentbig.txt
timed "$mb MB line of short sentences" sentbig.txt
rm -f wordbig.txt linebig.txt sentbig.txt out.big

# ---------------------------------------------------------------------------
# 6. Corpora the library must refuse (beyond corpus_errors.sh): one message
# with file and line, exit 1, the old model byte for byte, no temporary.
bad_corpus() { # NAME LINE PATTERN: corpus NAME.tsv already written
    expect_exit 1 timeout 30 "$NC" train -q -o m.ncm "$1.tsv"
    expect_lines "$TMP/err" 1
    expect_grep "$TMP/err" "^newsclass: $1.tsv:$2: $3"
    check "$1: old model intact" cmp -s m.ncm m.orig
    check "$1: no temporary file" sh -c '! ls m.ncm.tmp* 2>/dev/null | grep -q .'
}
{ printf 'incident\tFine.\nincident\t'; head -c 1100000 /dev/zero | tr '\0' a; printf '\n'; } >longline.tsv
bad_corpus longline 2 '(line|sentence) longer than'
printf '%b' 'incident\tA raid.\r\rbackground\tOld.\r' >cr_only.tsv
bad_corpus cr_only 1 ''
printf '%b' 'incident\tlone \x80 byte\n' >lone.tsv
bad_corpus lone 1 'invalid UTF-8'
printf '%b' 'incident\tcut \xe2\x82\n' >cutseq.tsv
bad_corpus cutseq 1 'invalid UTF-8'
printf '%b' 'incident\tabove \xf4\x90\x80\x80 max\n' >abovemax.tsv
bad_corpus abovemax 1 'invalid UTF-8'
printf '%b' 'incident\tfine.\ninc\x01dent\tcontrol in a label.\n' >ctl_label.tsv
bad_corpus ctl_label 2 'invalid label'
printf '%b' 'incident\tfine.\n\xff\tbad label bytes.\n' >utf8_label.tsv
bad_corpus utf8_label 2 'invalid'
printf '%b' 'incident\tfine.\n\tno label\n' >empty_label.tsv
bad_corpus empty_label 2 'empty label'
printf '%b' 'incident\tfine.\nofficial statement\tspaces in a label.\n' >space_label.tsv
bad_corpus space_label 2 'invalid label'
printf '%b' '# doc: a\nincident\tSame text.\nbackground\tMore.\n\n# doc: b\nincident\tSame text.\nbackground\tMore.\n' >dup_doc.tsv
bad_corpus dup_doc 6 'duplicate document'
# the same document in two files
printf '%b' 'incident\tShared document.\n' >dup1.tsv
cp dup1.tsv dup2.tsv
expect_exit 1 "$NC" train -q -o m.ncm dup1.tsv dup2.tsv
expect_grep "$TMP/err" '^newsclass: dup2.tsv:1: duplicate document'
check "dup across files: old model intact" cmp -s m.ncm m.orig
: >empty.tsv
expect_exit 1 "$NC" train -q -o m.ncm empty.tsv
expect_grep "$TMP/err" '^newsclass: empty.tsv: '
check "empty corpus: old model intact" cmp -s m.ncm m.orig
# eval against the model: an unknown label names file and line
printf 'incident\tA raid.\nsports\tA match.\n' >unknown.tsv
expect_exit 1 "$NC" eval -m m.ncm unknown.tsv
expect_grep "$TMP/err" "^newsclass: unknown.tsv:2: label 'sports'"
# brat: offsets past the text, reversed, garbage, a .txt without .ann
printf 'Main\tincident\nSpeech\tofficial_statement\n' >map.tsv
bad_brat() { # NAME ANN FILE:LINE PATTERN
    rm -rf "brat_$1"
    mkdir "brat_$1"
    printf 'H A headline\n\nS1 Two men were arrested.\nS2 Police said so.\n' >"brat_$1/a.txt"
    printf '%b' "$2" >"brat_$1/a.ann"
    expect_exit 1 timeout 30 "$NC" train -q -o m.ncm --label-map map.tsv "brat_$1"
    expect_lines "$TMP/err" 1
    expect_grep "$TMP/err" "^newsclass: brat_$1/$3: $4"
    check "brat $1: old model intact" cmp -s m.ncm m.orig
}
bad_brat past 'T1\tMain 14 16\tS1\nT2\tSpeech 500 502\tS2\n' a.ann:2 'offsets 500-502'
bad_brat huge 'T1\tMain 14 18446744073709551617\tS1\n' a.ann:1 ''
bad_brat reversed 'T1\tMain 16 14\tS1\n' a.ann:1 ''
bad_brat negative 'T1\tMain -3 16\tS1\n' a.ann:1 ''
bad_brat garbage 'T1\tMain x y\tS1\n' a.ann:1 ''
bad_brat notab 'T1 Main 14 16 S1\n' a.ann:1 ''
# a label map whose target label has a space, is empty, or has a control byte
mkdir -p brat_map
printf 'H A headline\n\nS1 Two men were arrested.\nS2 Police said so.\n' >brat_map/a.txt
printf 'T1\tMain 14 16\tS1\nT2\tSpeech 34 36\tS2\n' >brat_map/a.ann
for target in 'official statement' '' $'inc\x1bident'; do
    printf 'Main\tincident\nSpeech\t%s\n' "$target" >badmap.tsv
    expect_exit 1 "$NC" train -q -o m.ncm --label-map badmap.tsv brat_map
    expect_lines "$TMP/err" 1
    expect_grep "$TMP/err" '^newsclass: badmap.tsv:2: '
done
check "brat failures: old model intact" cmp -s m.ncm m.orig

# ---------------------------------------------------------------------------
# 7. Saving that cannot complete: a write error (file-size limit, SIGXFSZ
# ignored so write() fails with EFBIG) leaves the old model and no
# temporary; a new model gets the umask's permissions, an existing one
# keeps its own.
big=$'# doc: big\n'
for i in $(seq 1 2000); do big+=$'incident\tword'"$i"$' appears once here\n'; done
printf '%s' "$big" >big.tsv
(trap '' XFSZ; ulimit -f 4; exec "$NC" train -q -o m.ncm big.tsv) >out 2>err
rc=$?
checks=$((checks + 1))
[ "$rc" = 1 ] || { echo "FAIL: write error: exit $rc" >&2; failed=$((failed + 1)); }
expect_grep "$TMP/err" '^newsclass: m.ncm: cannot write model'
expect_lines "$TMP/err" 1
check "write error: old model intact" cmp -s m.ncm m.orig
check "write error: no temporary file" sh -c '! ls m.ncm.tmp* 2>/dev/null | grep -q .'
rm -f new.ncm
(umask 022; exec "$NC" train -q -o new.ncm tiny.tsv)
check "new model is 0644 under umask 022" test "$(stat -c %a new.ncm)" = 644
rm -f new.ncm
(umask 002; exec "$NC" train -q -o new.ncm tiny.tsv)
check "new model is 0664 under umask 002" test "$(stat -c %a new.ncm)" = 664
chmod 640 new.ncm
(umask 022; exec "$NC" train -q -o new.ncm big.tsv)
check "an existing model keeps its mode 0640" test "$(stat -c %a new.ncm)" = 640
# a disk that fills up mid-write (tmpfs of 64 KiB), when we may mount
if [ "$(id -u)" = 0 ] && mkdir -p small && mount -t tmpfs -o size=64k tmpfs small 2>/dev/null; then
    cp m.orig small/m.ncm
    head -c 60000 /dev/zero >small/filler 2>/dev/null
    expect_exit 1 "$NC" train -q -o small/m.ncm big.tsv
    expect_grep "$TMP/err" 'No space left on device'
    check "full disk: old model intact" cmp -s small/m.ncm m.orig
    check "full disk: no temporary file" sh -c '! ls small/m.ncm.tmp* 2>/dev/null | grep -q .'
    umount small
else
    echo "note: cannot mount a tmpfs here; the write-error case above stands in for a full disk"
fi
# /dev/full as the corpus output of split (a write error on stdout): exit 1
if [ -w /dev/full ]; then
    expect_exit 1 "$NC" split -o /dev/full in.txt
    expect_lines "$TMP/err" 1
    "$NC" classify -m m.ncm in.txt >/dev/full 2>err
    rc=$?
    check "classify to /dev/full: exit 1, got $rc" test "$rc" = 1
fi
finish
