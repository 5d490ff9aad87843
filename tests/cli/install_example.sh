# tests/cli/install_example.sh - the README's library example, built the way
# a user builds it: against an installed newsclass, through pkg-config.
#
# Installs the build tree into a scratch prefix (cmake --install), checks
# the installed layout (binary, static and shared library with its soname,
# header, man page, default model, newsclass.pc), extracts the program
# between <!-- example:begin --> and <!-- example:end --> in README.md,
# compiles it against the shared library and statically (pkg-config
# --static, so Libs.private is tested), and checks both print exactly what
# `newsclass classify` prints for the seed article.  So the README example
# cannot rot, and the install rules and the .pc file are exercised in CI.
. "$(dirname "$0")/lib.inc"
cd "$TMP" || exit 1

BUILD=$(dirname "$NC")
P=$TMP/p
for tool in cmake cc pkg-config readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool not found"
        exit 77
    fi
done
# A sanitizer build installs an instrumented library: the example needs the
# same flags, and ASan cannot link statically.
sanitize=0
grep -q '^NC_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" 2>/dev/null && sanitize=1

expect_exit 0 cmake --install "$BUILD" --prefix "$P"
for f in bin/newsclass lib/libnewsclass.a lib/libnewsclass.so include/newsclass.h \
    share/man/man1/newsclass.1 share/newsclass/default.ncm lib/pkgconfig/newsclass.pc; do
    check "installed $f" [ -e "$P/$f" ]
done
check "libnewsclass.so has a soname" \
    sh -c "readelf -d '$P/lib/libnewsclass.so' | grep -q 'SONAME.*libnewsclass\\.so\\.[0-9]'"

export PKG_CONFIG_PATH=$P/lib/pkgconfig
expect_exit 0 pkg-config --modversion newsclass
check "pkg-config version is the binary's" \
    sh -c "'$P/bin/newsclass' --version | grep -qF \"\$(cat '$TMP/out')\""
expect_exit 0 pkg-config --cflags --libs newsclass
expect_grep "$TMP/out" "^-I$P/include -L$P/lib -lnewsclass *\$"
expect_exit 0 pkg-config --static --libs newsclass
expect_grep "$TMP/out" '-lstemmer -lutf8proc -lm'

# The example program: the ```c block between the README markers.
awk '/<!-- example:begin -->/ { on = 1; next } /<!-- example:end -->/ { on = 0 } on' \
    "$SRC/README.md" | awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' >label.c
check "README.md has the example program between its markers" grep -q 'int main' label.c

art=$SRC/corpus/seed-article.txt
expect_exit 0 "$P/bin/newsclass" classify "$art"
cp "$TMP/out" want.out
check "the reference output has 39 lines" [ "$(wc -l <want.out)" = 39 ]

cflags=(-std=c11 -Wall -Wextra -Werror)
[ "$sanitize" = 1 ] && cflags+=("-fsanitize=address,undefined")
# shellcheck disable=SC2046 # pkg-config output is meant to be split
expect_exit 0 cc "${cflags[@]}" -o label-shared label.c $(pkg-config --cflags --libs newsclass)
sed 's/^/  cc: /' "$TMP/err" | head -10 >&2
check "label-shared links libnewsclass.so" \
    sh -c "readelf -d label-shared | grep -q 'NEEDED.*libnewsclass\\.so'"
expect_exit 0 env LD_LIBRARY_PATH="$P/lib" ./label-shared "$art"
check "the example (shared) prints what newsclass classify prints" cmp -s "$TMP/out" want.out
expect_exit 0 env LD_LIBRARY_PATH="$P/lib" ./label-shared <"$art"
check "the example (shared, stdin) prints the same" cmp -s "$TMP/out" want.out

if [ "$sanitize" = 1 ]; then
    echo "note: static link skipped (sanitizer build)"
else
    # shellcheck disable=SC2046
    expect_exit 0 cc "${cflags[@]}" -static -o label-static label.c \
        $(pkg-config --static --cflags --libs newsclass)
    sed 's/^/  cc: /' "$TMP/err" | head -10 >&2
    check "label-static needs no libnewsclass.so" \
        sh -c "! readelf -d label-static 2>/dev/null | grep -q 'NEEDED.*libnewsclass'"
    expect_exit 0 ./label-static "$art"
    check "the example (static) prints what newsclass classify prints" cmp -s "$TMP/out" want.out
fi
expect_exit 1 env LD_LIBRARY_PATH="$P/lib" ./label-shared "$TMP/no-such-file"
finish
