# tests/cli/manpage.sh - the manual page renders and covers every command.
#
# pipeline/newsclass.1 is written by hand, so nothing else stops it from
# falling behind the CLI: this test renders it with man(1) (no groff
# warnings allowed) and checks that every command `newsclass --help` lists
# has its own section (.SS COMMAND, rendered as an indented heading), that
# every --option of each command's --help is mentioned, and that the
# required sections are present.  Skips (77) when man is not installed.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

if ! command -v man >/dev/null 2>&1; then
    echo "SKIP: man is not installed (apt-get install man-db)"
    exit 77
fi
page=$SRC/pipeline/newsclass.1
check "the man page exists" [ -f "$page" ]

MANWIDTH=80 man --warnings -l "$page" >man.txt 2>man.err
check "man -l renders the page" [ -s man.txt ]
check "no warnings from man --warnings" [ ! -s man.err ]
sed 's/^/  warning: /' man.err | head -5 >&2
for section in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS' FILES ENVIRONMENT EXAMPLES 'SEE ALSO'; do
    expect_grep man.txt "^$section\$"
done
expect_grep man.txt 'NO_COLOR'
expect_grep man.txt 'share/newsclass/default\.ncm'

expect_exit 0 "$NC" --help
commands=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$TMP/out")
check "newsclass --help lists commands" [ -n "$commands" ]
for cmd in $commands; do
    # A command's section: its name alone as a sub-heading (three spaces).
    expect_grep man.txt "^   $cmd\$"
    # Every long option of its --help appears in the page.
    expect_exit 0 "$NC" "$cmd" --help
    for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$TMP/out" | sort -u); do
        expect_grep man.txt "$opt([^a-z0-9-]|\$)"
    done
done
finish
