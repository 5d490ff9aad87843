# Training as map-reduce, run locally: split a corpus into shards, map them
# in parallel processes (newsclass count), sort, reduce (count --reduce),
# build (train --from-counts): the model must be byte-identical to one-pass
# training, pruning included.  On NewsDiscourse when ../shared is present,
# else on a small corpus written here.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1
sets=(--set cues=1 --set bigrams=1 --set position=1 --min-count 2)
if have_shared; then
    shards=("$ND/train/Business" "$ND/train/Crime" "$ND/train/Disaster" "$ND/train/Politics" "$ND/train/kbp")
    extra=(--label-map "$ND/label-map.tsv")
else
    echo "note: $ND not found; using a small corpus written by the test"
    for i in 1 2 3 4; do
        printf '# doc: d%s\nincident\tPolice arrested %s men on Monday.\nofficial_statement\tThe minister said %s times that it will act.\nanalysis\tAnalysts expect trouble.\n' \
            "$i" "$i" "$i" >"shard$i.tsv"
    done
    shards=(shard1.tsv shard2.tsv shard3.tsv shard4.tsv)
    extra=()
fi
pids=()
for i in "${!shards[@]}"; do
    "$NC" count "${sets[@]}" "${extra[@]}" "${shards[$i]}" >"map$i.counts" 2>"map$i.err" &
    pids+=($!)
done
for p in "${pids[@]}"; do
    check "mapper $p succeeded" wait "$p"
done
LC_ALL=C sort map*.counts >sorted.counts
expect_exit 0 "$NC" count --reduce sorted.counts
cp "$TMP/out" reduced.counts
expect_grep reduced.counts $'^O\tmin_count\t\t2$'
expect_grep reduced.counts $'^D\tdocuments\t\t[0-9]+$'
expect_exit 0 "$NC" train -q --from-counts -o mr.ncm reduced.counts
expect_exit 0 "$NC" train -q "${sets[@]}" "${extra[@]}" -o one.ncm "${shards[@]}"
check "map-reduce model == one-pass model, byte for byte" cmp mr.ncm one.ncm
# the reducer refuses unsorted input and disagreeing settings
expect_exit 2 "$NC" count --reduce map0.counts map1.counts
expect_exit 1 sh -c "cat map1.counts map0.counts | '$NC' count --reduce"
expect_grep "$TMP/err" 'out of order'
printf 'O\talpha\t\t1\nO\talpha\t\t2\n' >clash.counts
expect_exit 1 "$NC" count --reduce clash.counts
expect_grep "$TMP/err" "clash.counts:2: setting 'alpha' differs"
printf 'F\tw:x\tincident\tmany\n' >bad.counts
expect_exit 1 "$NC" train -q --from-counts -o x.ncm bad.counts
expect_grep "$TMP/err" '^newsclass: bad.counts:1: the count is not a whole number$'
finish
