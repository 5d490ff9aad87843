# tests/cli/html_report.sh - the HTML reports as a browser sees them.
#
# `classify --format html` and `eval --format html` write self-contained
# pages (pipeline/cli_html.c).  Checking their bytes with grep would not say
# whether a browser builds the page we meant, so this test opens both in a
# real headless Chromium: it reads back the rendered DOM (--dump-dom) and
# counts what an analyst would see (one coloured span per sentence, per
# label, a legend entry per label, an nlabels x nlabels confusion table, a
# per-class row per label), and it takes screenshots to prove the pages
# render to something non-trivial.  The screenshots are kept at a stable
# path beside the binary (screenshots/classify.png, screenshots/eval.png) so
# a reviewer can look at them.  Skips (77) when /usr/bin/chromium is absent;
# CI installs it (.ci/setup with NC_SETUP_FULL=1).  No network: the pages are
# opened as file:// URLs and must reference no external asset.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
    echo "SKIP: $CHROMIUM not installed (apt-get install chromium)"
    exit 77
fi
SHOTS=$(dirname "$NC")/screenshots
mkdir -p "$SHOTS" || exit 1

# chromium ARGS...: one headless run with a fresh profile, stdout to
# $TMP/chromium.out, stderr (D-Bus noise) to $TMP/chromium.err.
chromium() {
    local profile
    profile=$(mktemp -d "$TMP/profile.XXXXXX")
    timeout -k 5 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" >"$TMP/chromium.out" 2>"$TMP/chromium.err"
    local rc=$?
    rm -rf "$profile"
    return $rc
}

# tags FILE: the DOM one tag a line (every '<' starts a line), for counting.
tags() { tr '\n' ' ' <"$1" | sed 's/</\n</g'; }

# count_in FILE START TAG: lines starting with TAG between the line
# starting with START and the next closing tag of START's element type.
count_in() {
    tags "$1" | awk -v start="$2" -v tag="$3" '
        index($0, start) == 1 { on = 1; split(start, a, /[ >]/); endtag = "</" substr(a[1], 2); next }
        on && index($0, endtag) == 1 { on = 0 }
        on && index($0, tag) == 1 { n++ }
        END { print n + 0 }'
}

# rows_with_cells FILE START: rows (<tr>) holding at least one <td> inside
# the element opened by the line starting with START.
rows_with_cells() {
    tags "$1" | awk -v start="$2" '
        index($0, start) == 1 { on = 1; next }
        on && index($0, "</table") == 1 { on = 0 }
        on && index($0, "<tr") == 1 { seen = 0 }
        on && index($0, "<td") == 1 && !seen { n++; seen = 1 }
        END { print n + 0 }'
}

# png_ok FILE: a PNG (magic bytes) of more than 10 KB.
png_ok() {
    [ -f "$1" ] && [ "$(wc -c <"$1")" -gt 10240 ] &&
        [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

art=$SRC/corpus/seed-article.txt
tsv=$SRC/corpus/seed-article.tsv

# What the pages must show, from the plain outputs of the same runs.
expect_exit 0 "$NC" classify "$art"
cp "$TMP/out" classify.tsv
nsent=$(wc -l <classify.tsv)
check "classify gives 39 sentences (got $nsent)" [ "$nsent" = 39 ]
expect_exit 0 "$NC" info
labels=$(sed -n 's/^labels *[0-9]*: //p' "$TMP/out")
nlabels=$(echo "$labels" | wc -w)
check "the built-in model has labels" [ "$nlabels" -gt 0 ]

# The pages themselves: written, self-contained.
expect_exit 0 "$NC" classify --format html -o classify.html "$art"
expect_exit 0 "$NC" eval --format html -o eval.html "$tsv"
for page in classify.html eval.html; do
    check "$page written" [ -s "$page" ]
    for ref in 'http://' 'https://' 'src=' '<link' '@import'; do
        check "$page references no external asset ($ref)" \
            sh -c "! grep -qiF -- '$ref' '$page'"
    done
done

# (a) the rendered DOM of the classify page
check "chromium --dump-dom classify.html" chromium --dump-dom "file://$TMP/classify.html"
cp "$TMP/chromium.out" classify.dom
check "the classify DOM is a rendered page" grep -q '</html>' classify.dom
spans=$(tags classify.dom | grep -c '^<span class="s[ "]')
check "sentence spans ($spans) == classify lines ($nsent)" [ "$spans" = "$nsent" ]
for label in $labels; do
    want=$(awk -F'\t' -v l="$label" '$1 == l { n++ } END { print n + 0 }' classify.tsv)
    got=$(tags classify.dom | grep -c "^<span class=\"s[^\"]*\" data-label=\"$label\"")
    check "spans labelled $label ($got) == TSV count ($want)" [ "$got" = "$want" ]
done
entries=$(count_in classify.dom '<div class="legend"' '<span')
check "legend entries ($entries) == model labels ($nlabels)" [ "$entries" = "$nlabels" ]

# (a) the rendered DOM of the eval page
check "chromium --dump-dom eval.html" chromium --dump-dom "file://$TMP/eval.html"
cp "$TMP/chromium.out" eval.dom
cells=$(count_in eval.dom '<table id="confusion"' '<td class="cell')
check "confusion cells ($cells) == $nlabels x $nlabels" [ "$cells" = $((nlabels * nlabels)) ]
rows=$(rows_with_cells eval.dom '<table id="perclass"')
check "per-class rows ($rows) == labels ($nlabels)" [ "$rows" = "$nlabels" ]

# (b) screenshots, kept beside the binary for review
for page in classify eval; do
    shot=$SHOTS/$page.png
    rm -f "$shot"
    check "chromium --screenshot $page.html" \
        chromium --screenshot="$shot" --window-size=1200,1600 "file://$TMP/$page.html"
    check "$shot is a PNG of more than 10 KB" png_ok "$shot"
    echo "screenshot: $shot"
done
finish
