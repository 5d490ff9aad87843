# SIGKILL and SIGINT against `newsclass train -o m.ncm` (issue 6): the
# model file is always the old model or the new one, byte for byte, and a
# concurrent reader never sees anything else.
#
# A generated corpus (unique words, so the model is large and its save takes
# a few milliseconds) is trained once to learn the time T a full run takes
# and the new model's bytes.  Then 100 runs start `train -o m.ncm` over the
# old model and are killed with SIGKILL: 50 at random delays in [0, 1.1 T]
# (mostly mid-training, some after the end), and 50 aimed at the save: the
# script polls for the temporary file "m.ncm.tmp.*" to appear and kills
# right then or after a short random spin, so the kill lands between the
# temporary's creation and the rename.  After each kill m.ncm must be the
# old or the new model byte for byte and must load (`info`).  A temporary
# left behind by SIGKILL cannot be cleaned by the dying process; it is
# counted, reported and removed (that is the accepted cost: the target is
# intact).  Meanwhile a reader loops `newsclass info m.ncm` and must never
# fail.  Finally SIGINT at several points of training must exit 130 with
# m.ncm untouched and no temporary file.  Delays come from a fixed seed.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

docs=${NC_KILL_DOCS:-600}
grep -qa __asan_init "$NC" && docs=${NC_KILL_DOCS:-150}
kills=${NC_KILLS:-100}
RANDOM=4242

gen() { # DOCS SEED: a corpus of DOCS documents of 8 sentences of unique-ish words
    awk -v n="$1" -v seed="$2" 'BEGIN {
        srand(seed)
        split("incident background analysis official_statement", labs, " ")
        for (d = 0; d < n; d++) {
            printf "# doc: d%d-%d\n", seed, d
            for (s = 0; s < 8; s++) {
                printf "%s\tThe", labs[(d + s) % 4 + 1]
                for (w = 0; w < 12; w++) printf " w%dq%d", int(rand() * 200000), w
                printf ".\n"
            }
            printf "\n"
        }
    }'
}
gen 40 1 >old.tsv
gen "$docs" 2 >new.tsv
expect_exit 0 "$NC" train -q -o old.ncm old.tsv
reset_old() { cp old.ncm m.reset && mv -f m.reset m.ncm; }
reset_old

# The concurrent reader: every load of m.ncm must succeed.
: >reader.run
(
    reads=0 bad=0
    while [ -e reader.run ]; do
        if "$NC" info m.ncm >/dev/null 2>reader.err; then
            reads=$((reads + 1))
        else
            bad=$((bad + 1))
            cp reader.err "reader.fail.$bad"
        fi
    done
    echo "$reads $bad" >reader.counts
) &
reader=$!

now_ms() { echo $(($(date +%s%N) / 1000000)); }
s=$(now_ms)
expect_exit 0 "$NC" train -q -o new.ncm new.tsv
T=$(($(now_ms) - s))
[ "$T" -gt 0 ] || T=1
echo "one training run (with the reader running): ${T} ms, model $(wc -c <new.ncm) bytes (old $(wc -c <old.ncm))"
check "old and new models differ" sh -c '! cmp -s old.ncm new.ncm'

n_old=0 n_new=0 damaged=0 temps=0 killed=0 finished=0 aimed_hits=0
for ((k = 0; k < kills; k++)); do
    rm -f m.ncm.tmp.*
    "$NC" train -q -o m.ncm new.tsv >/dev/null 2>&1 &
    pid=$!
    if ((k % 2 == 0)); then
        # random delay in [0, 1.1 T]
        d=$((RANDOM * T * 11 / 10 / 32768))
        sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
    else
        # aimed: wait for the temporary file, then spin 0..399 rounds
        while kill -0 "$pid" 2>/dev/null && ! compgen -G 'm.ncm.tmp.*' >/dev/null; do :; done
        spin=$((RANDOM % 400))
        for ((j = 0; j < spin; j++)); do :; done
    fi
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$rc" = 137 ]; then killed=$((killed + 1)); elif [ "$rc" = 0 ]; then finished=$((finished + 1)); fi
    left=$(compgen -G 'm.ncm.tmp.*' | wc -l)
    if [ "$left" -gt 0 ]; then
        temps=$((temps + left))
        ((k % 2)) && aimed_hits=$((aimed_hits + 1))
    fi
    if cmp -s m.ncm old.ncm; then
        n_old=$((n_old + 1))
    elif cmp -s m.ncm new.ncm; then
        n_new=$((n_new + 1))
    else
        damaged=$((damaged + 1))
        cp m.ncm "damaged.$k"
    fi
    "$NC" info m.ncm >/dev/null 2>&1 || damaged=$((damaged + 1))
    reset_old
done
rm -f reader.run m.ncm.tmp.*
wait "$reader"
read -r reads readfails <reader.counts
echo "SIGKILL: $kills runs, $killed killed, $finished finished first; m.ncm old $n_old," \
     "new $n_new, damaged $damaged; $temps temporary files left by kills mid-save" \
     "($aimed_hits of the aimed kills); reader: $reads loads, $readfails failures"
check "100 kills, 0 damaged files" test "$damaged" = 0
check "every kill left the old or the new model" test $((n_old + n_new)) = "$kills"
check "the reader never saw a damaged model" test "$readfails" = 0
check "some kills landed mid-save (temporary left, target intact)" test "$temps" -gt 0
check "some kills landed before the save (old model kept)" test "$n_old" -gt 0

# SIGINT during training: exit 130, m.ncm untouched, no temporary file.
# A corpus five times larger, timed again now that the reader has stopped,
# so that 5..60 % of a run is surely inside training.
gen $((docs * 5)) 3 >int.tsv
s=$(now_ms)
expect_exit 0 "$NC" train -q -o int.ncm int.tsv
TI=$(($(now_ms) - s))
echo "one training run on the SIGINT corpus: ${TI} ms"
ints=0
for pct in 5 15 30 45 60; do
    reset_old
    rm -f m.ncm.tmp.*
    "$NC" train -q -o m.ncm int.tsv >/dev/null 2>int.err &
    pid=$!
    d=$((TI * pct / 100))
    sleep "$((d / 1000)).$(printf '%03d' $((d % 1000)))"
    kill -INT "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$rc" = 0 ]; then
        # finished before the signal came (a fast run); must be the new model
        check "SIGINT at ${pct}%: finished, so the new model" cmp -s m.ncm int.ncm
        continue
    fi
    ints=$((ints + 1))
    check "SIGINT at ${pct}%: exit 130 (got $rc)" test "$rc" = 130
    check "SIGINT at ${pct}%: one message" grep -q '^newsclass: interrupted; m.ncm left as it was$' int.err
    check "SIGINT at ${pct}%: old model intact" cmp -s m.ncm old.ncm
    check "SIGINT at ${pct}%: no temporary file" sh -c '! ls m.ncm.tmp.* 2>/dev/null | grep -q .'
done
echo "SIGINT: $ints runs interrupted mid-training"
check "at least 3 SIGINTs landed mid-training" test "$ints" -ge 3
finish
