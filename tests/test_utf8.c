/*
 * test_utf8.c - unit tests of the UTF-8 stage (pipeline/utf8.c): the strict
 * decoder, the input policy of nc_utf8_sanitize, NFC through utf8proc into
 * hook-allocated memory, and its allocation failures; corpus.c's
 * nc_text_invalid_at against the decoder run at every position.  Table-driven; every
 * input is invented byte patterns, no corpus text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "corpus.h"
#include "nb.h" /* nc_rand_next */
#include "utf8.h"

struct decode_case {
    const char *name;
    const char *in;
    size_t len;
    size_t used; /* expected return */
    int32_t cp;  /* expected code point, -1 invalid/incomplete */
};

static const struct decode_case decode_cases[] = {
    {"ascii", "A", 1, 1, 'A'},
    {"nul", "\0", 1, 1, 0},
    {"two-byte", "\xC3\xA9", 2, 2, 0xE9},
    {"three-byte", "\xE2\x80\xA6", 3, 3, 0x2026},
    {"four-byte", "\xF0\x9F\x98\x80", 4, 4, 0x1F600},
    {"max", "\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF},
    {"overlong C0", "\xC0\x80", 2, 1, -1},
    {"overlong C1", "\xC1\xBF", 2, 1, -1},
    {"overlong E0", "\xE0\x80\x80", 3, 1, -1},
    {"overlong F0", "\xF0\x80\x80\x80", 4, 1, -1},
    {"surrogate", "\xED\xA0\x80", 3, 1, -1},
    {"above max", "\xF4\x90\x80\x80", 4, 1, -1},
    {"F5", "\xF5\x80\x80\x80", 4, 1, -1},
    {"FF", "\xFF", 1, 1, -1},
    {"lone continuation", "\x80", 1, 1, -1},
    {"bad continuation", "\xE2\x28\xA1", 3, 1, -1},
    {"bad third byte", "\xE2\x82\x28", 3, 1, -1},
    {"truncated 2 of 3", "\xE2\x82", 2, 0, -1},
    {"truncated 1 of 4", "\xF0", 1, 0, -1},
    {"truncated 3 of 4", "\xF0\x9F\x98", 3, 0, -1},
    {"empty", "", 0, 0, -1},
};

static void test_decode(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
        const struct decode_case *c = &decode_cases[i];
        int32_t cp = 12345;
        size_t used = nc_utf8_decode((const unsigned char *)c->in, c->len, &cp);
        if (used != c->used || cp != c->cp)
            fail_msg("decode case '%s': used %zu cp %ld, want %zu %ld", c->name, used, (long)cp,
                     c->used, (long)c->cp);
    }
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    const int32_t cps[] = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0x10000, 0x10FFFF};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        unsigned char b[4];
        size_t n = nc_utf8_encode(cps[i], b);
        int32_t cp;
        assert_int_equal(nc_utf8_decode(b, n, &cp), n);
        assert_int_equal(cp, cps[i]);
    }
}

struct sanitize_case {
    const char *name;
    const char *in;
    size_t len;
    unsigned flags;
    const char *out;
};

#define S(x) x, sizeof x - 1
static const struct sanitize_case sanitize_cases[] = {
    {"plain", S("Hello, world."), 0, "Hello, world."},
    {"invalid byte", S("a\xFF"
                       "b"),
     0, "a\xEF\xBF\xBD"
        "b"},
    {"each invalid byte", S("\xC0\x80"), 0, "\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"truncated at end", S("ok\xE2\x82"), 0, "ok\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"surrogate", S("\xED\xA0\x80"), 0, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
    {"nul to space", S("a\0b"), 0, "a b"},
    {"crlf", S("a\r\nb\rc\nd"), 0, "a\nb\nc\nd"},
    {"bom dropped", S("\xEF\xBB\xBFhi"), NC_UTF8_DROP_BOM, "hi"},
    {"bom kept mid-stream", S("\xEF\xBB\xBFhi"), 0, "\xEF\xBB\xBFhi"},
    {"fold", S("  a \t\r\n b\xC2\xA0 c  "), NC_UTF8_FOLD_SPACE, "a b c"},
    {"fold nul", S("a\0\0b"), NC_UTF8_FOLD_SPACE, "a b"},
    {"valid multibyte", S("caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D"), 0,
     "caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D"},
};

static void test_sanitize(void **state)
{
    (void)state;
    char out[256];
    for (size_t i = 0; i < sizeof sanitize_cases / sizeof sanitize_cases[0]; i++) {
        const struct sanitize_case *c = &sanitize_cases[i];
        size_t n = nc_utf8_sanitize(c->in, c->len, out, c->flags, NULL);
        if (n != strlen(c->out) || memcmp(out, c->out, n) != 0)
            fail_msg("sanitize case '%s': got '%.*s'", c->name, (int)n, out);
    }
}

static void test_space(void **state)
{
    (void)state;
    assert_int_equal(nc_utf8_space((const unsigned char *)" ", 1), 1);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\0", 1), 1);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\xC2\xA0", 2), 2);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\xE2\x80\x89", 3), 3);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\xE3\x80\x80", 3), 3);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\xE2\x80\x94", 3), 0);
    assert_int_equal(nc_utf8_space((const unsigned char *)"\xC2", 1), 0);
    assert_int_equal(nc_utf8_space((const unsigned char *)"x", 1), 0);
    assert_true(nc_utf8_is_ascii("abc", 3));
    assert_false(nc_utf8_is_ascii("ab\xC3\xA9", 4));
}

struct nfc_case {
    const char *in, *out;
};

static const struct nfc_case nfc_cases[] = {
    {"plain", "plain"},
    {"Cafe\xCC\x81", "Caf\xC3\xA9"},             /* e + combining acute */
    {"\xE2\x84\xAB", "\xC3\x85"},                 /* ANGSTROM SIGN -> A ring */
    {"A\xCC\x8A\xCC\xA3", "\xE1\xBA\xA0\xCC\x8A"}, /* reordered marks, then composed */
    {"\xE1\x84\x80\xE1\x85\xA1", "\xEA\xB0\x80"}, /* Hangul jamo -> syllable */
    {"", ""},
};

static void test_nfc(void **state)
{
    (void)state;
    nc_utf8_nfcbuf work = {0};
    for (size_t i = 0; i < sizeof nfc_cases / sizeof nfc_cases[0]; i++) {
        const char *out;
        size_t n;
        assert_int_equal(nc_utf8_nfc(nfc_cases[i].in, strlen(nfc_cases[i].in), &work, &out, &n),
                         NC_OK);
        if (n != strlen(nfc_cases[i].out) || memcmp(out, nfc_cases[i].out, n) != 0)
            fail_msg("nfc case %zu: got '%.*s'", i, (int)n, out);
    }
    nc_utf8_nfc_free(&work);
}

static void test_nfc_quick(void **state)
{
    (void)state;
    assert_true(nc_utf8_is_nfc_quick("plain", 5));
    assert_true(nc_utf8_is_nfc_quick("caf\xC3\xA9 \xE2\x80\x9Cq\xE2\x80\x9D \xE2\x80\x94", 14));
    assert_false(nc_utf8_is_nfc_quick("e\xCC\x81", 3));     /* combining mark */
    assert_false(nc_utf8_is_nfc_quick("\xE2\x84\xAB", 3)); /* Angstrom sign */
    assert_false(nc_utf8_is_nfc_quick("\xE2\x80\x80", 3)); /* U+2000, a singleton */
    /* everything the quick test passes is unchanged by NFC */
    nc_utf8_nfcbuf work = {0};
    for (int32_t cp = 1; cp < 0x2100; cp++) {
        unsigned char b[4];
        size_t n = nc_utf8_encode(cp, b);
        if (!nc_utf8_is_nfc_quick((const char *)b, n))
            continue;
        const char *out;
        size_t m;
        assert_int_equal(nc_utf8_nfc((const char *)b, n, &work, &out, &m), NC_OK);
        if (m != n || memcmp(out, b, n) != 0)
            fail_msg("U+%04lX passes the quick test but NFC changes it", (long)cp);
    }
    nc_utf8_nfc_free(&work);
}

static nc_status nfc_once(void *arg)
{
    (void)arg;
    nc_utf8_nfcbuf work = {0};
    const char *out;
    size_t n;
    nc_status st = nc_utf8_nfc("Cafe\xCC\x81 au lait", 15, &work, &out, &n);
    if (st == NC_OK && (n != 14 || memcmp(out, "Caf\xC3\xA9 au lait", 14) != 0))
        st = NC_ERR_FORMAT;
    nc_utf8_nfc_free(&work);
    if (af_failed() && st == NC_OK)
        st = NC_ERR_FORMAT; /* a failed allocation must not be swallowed */
    return st;
}

static void test_nfc_alloc_failure(void **state)
{
    (void)state;
    af_install();
    unsigned long bad = 0;
    unsigned long sites = af_loop(nfc_once, NULL, 0, &bad);
    af_uninstall();
    assert_true(sites >= 1);
    assert_int_equal(bad, 0);
}

/* nc_text_invalid_at's definition: the strict decoder at every position
 * (a NUL decodes as code point 0). */
static size_t invalid_at_ref(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        size_t n = nc_utf8_decode(u + i, len - i, &cp);
        if (n == 0 || cp <= 0)
            return i;
        i += n;
    }
    return len;
}

/* nc_utf8_sanitize's policy one code point at a time (utf8.h), for the
 * random comparison below. */
static size_t sanitize_ref(const unsigned char *s, size_t len, unsigned char *o, int fold)
{
    size_t n = 0, i = 0;
    int owed = 0;
    while (i < len) {
        size_t w = fold ? nc_utf8_space(s + i, len - i) : 0;
        if (w) {
            owed = n > 0;
            i += w;
            continue;
        }
        if (owed)
            o[n++] = ' ';
        owed = 0;
        int32_t cp;
        size_t k = nc_utf8_decode(s + i, len - i, &cp);
        if (cp < 0) {
            memcpy(o + n, "\xEF\xBF\xBD", 3);
            n += 3;
            k = 1;
        } else if (cp == 0 || cp == '\r') {
            o[n++] = cp ? '\n' : ' ';
            k = cp && i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
        } else {
            memcpy(o + n, s + i, k);
            n += k;
        }
        i += k;
    }
    return n;
}

/* Random mixes of ASCII runs, valid and broken sequences and NULs, at
 * every length and alignment around the 8-byte steps. */
static void test_text_invalid_at(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "abcdefgh", "a", "xyz ", "\xC3\xA9", "\xE2\x80\x9C", "\xF0\x9F\x98\x80",
        "\xC3", "\x80", "\xED\xA0\x80", "\xFF", "\xE2\x80",
    };
    char buf[96];
    uint64_t seed = 12345;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        int npieces = (int)(nc_rand_next(&seed) % 12);
        for (int k = 0; k < npieces; k++) {
            uint64_t r = nc_rand_next(&seed);
            const char *p = pieces[r % (sizeof pieces / sizeof pieces[0])];
            size_t pl = strlen(p);
            if (len + pl + 1 > sizeof buf)
                break;
            memcpy(buf + len, p, pl);
            len += pl;
            if ((r >> 8) % 40 == 0)
                buf[len++] = '\0';
        }
        size_t off = nc_rand_next(&seed) % 8;
        if (off > len)
            off = len;
        size_t got = nc_text_invalid_at(buf + off, len - off);
        size_t want = invalid_at_ref(buf + off, len - off);
        if (got != want)
            fail_msg("iteration %d: %zu, the decoder gives %zu", iter, got, want);
    }
}

/* The 8-byte fast path against sanitize_ref: runs of words and spaces
 * (single, double, leading, trailing), tabs, CR LF, NUL, UTF-8 spaces and
 * broken bytes, at every alignment, folding and not. */
static void test_sanitize_fast_path(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "abcdefgh", "word ", " ", "  ", "x", "Hello, world. ", "\t", "\r\n", "\r", "\0",
        "\xC2\xA0", "\xE2\x80\x89", "\xC3\xA9", "\xFF", "\x7F", "~}|{ ", "a b c d e f ",
    };
    unsigned char in[160], got[600], want[600];
    uint64_t seed = 777;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        int np = (int)(nc_rand_next(&seed) % 16);
        for (int k = 0; k < np; k++) {
            uint64_t r = nc_rand_next(&seed);
            size_t pi = r % (sizeof pieces / sizeof pieces[0]);
            size_t pl = pi == 9 ? 1 : strlen(pieces[pi]); /* "\0" */
            if (len + pl > sizeof in)
                break;
            memcpy(in + len, pieces[pi], pl);
            len += pl;
        }
        for (int fold = 0; fold < 2; fold++) {
            size_t off = nc_rand_next(&seed) % 8;
            if (off > len)
                off = len;
            int nonascii;
            size_t g = nc_utf8_sanitize((const char *)in + off, len - off, (char *)got,
                                        fold ? NC_UTF8_FOLD_SPACE : 0, &nonascii);
            size_t w = sanitize_ref(in + off, len - off, want, fold);
            if (g != w || memcmp(got, want, g) != 0)
                fail_msg("iteration %d fold %d: '%.*s' != '%.*s'", iter, fold, (int)g, got,
                         (int)w, want);
            /* the flag says whether the output has a byte >= 0x80 */
            if (nonascii != !nc_utf8_is_ascii((const char *)got, g))
                fail_msg("iteration %d fold %d: nonascii %d", iter, fold, nonascii);
        }
    }
}

/* nc_utf8_fold_as_is against the sanitizer: when it says "as is", folding
 * gives the input back (and the NFC quick check agrees with its verdict);
 * when the input has no control byte or DEL and folding gives it back, it
 * says "as is"; nc_utf8_fold_as_is_from agrees with it from every point
 * where it may start.  Long ASCII runs reach its 16-byte steps and their
 * overlapping last step; the rest its byte-at-a-time path. */
static void test_fold_as_is(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "The quick brown fox ", "abcdefghijklmnopq", "word ", " ", "  ", "x", ". ", "\t",
        "\r\n", "\n", "\x7F", "\x01", "\xC2\xA0", "\xE2\x80\x89", "\xE3\x80\x80",
        "\xE2\x80\x9C", "\xE2\x80\x9D ", "\xC3\xA9", "e\xCC\x81", "\xE2\x84\xAB", "\xFF",
        "\xE2\x80", "\xED\xA0\x80", "\xF0\x9F\x98\x80", "0123456789abcdef ",
        "\xE2\x80\xA6", "\xE2\x80\xA8", "\xE2\x80\xAF", "\xE2\x80\xAA", "\xE2\x80\xB0",
        "\xE2\x80\x8F", "\xE2\x81\x9F",
    };
    unsigned char in[200], got[700];
    uint64_t seed = 4242;
    int as_is_seen = 0, nfc_seen = 0;
    long from_seen = 0;
    for (int iter = 0; iter < 40000; iter++) {
        size_t len = 0;
        int np = (int)(nc_rand_next(&seed) % 14);
        for (int k = 0; k < np; k++) {
            uint64_t r = nc_rand_next(&seed);
            /* mostly words and spaces, as in sentences */
            size_t pi = r % 4 ? (r >> 8) % 6 : (r >> 8) % (sizeof pieces / sizeof pieces[0]);
            size_t pl = strlen(pieces[pi]);
            if (len + pl > sizeof in)
                break;
            memcpy(in + len, pieces[pi], pl);
            len += pl;
        }
        size_t off = nc_rand_next(&seed) % 8, cut = nc_rand_next(&seed) % 4;
        if (off + cut > len)
            off = cut = 0;
        const char *t = (const char *)in + off;
        size_t n = len - off - cut;
        int v = nc_utf8_fold_as_is(t, n);
        size_t g = nc_utf8_sanitize(t, n, (char *)got, NC_UTF8_FOLD_SPACE, NULL);
        int same = g == n && memcmp(got, t, n) == 0;
        int plain = 1;
        for (size_t i = 0; i < n; i++)
            plain &= (unsigned char)t[i] >= 0x20 && (unsigned char)t[i] != 0x7F;
        if (v && !same)
            fail_msg("iteration %d: as is (%d), but folding changes '%.*s' (%zu) to '%.*s'", iter, v, (int)n, t, n, (int)g, got);
        if (!v && same && plain)
            fail_msg("iteration %d: folding keeps '%.*s', not seen", iter, (int)n, t);
        if (v && (v == NC_UTF8_AS_IS_NFC) != nc_utf8_is_nfc_quick(t, n))
            fail_msg("iteration %d: NFC verdict %d on '%.*s'", iter, v, (int)n, t);
        as_is_seen += v != 0;
        nfc_seen += v == NC_UTF8_AS_IS;
        /* _from gives the same verdict from every character boundary of
         * the clean prefix its caller may name (utf8.h) */
        size_t from = 0;
        for (;;) {
            int vf = nc_utf8_fold_as_is_from(t, n, from);
            if (vf != v)
                fail_msg("iteration %d: from %zu: %d, not %d, on '%.*s'", iter, from, vf, v,
                         (int)n, t);
            from_seen += from > 0;
            const unsigned char *u = (const unsigned char *)t + from;
            if (from < n && u[0] > ' ' && u[0] < 0x7F)
                from++;
            else if (from < n && u[0] == ' ' && from > 0 && u[-1] != ' ')
                from++;
            else if (n - from >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
                     ((u[2] >= 0x90 && u[2] <= 0xA7) || (u[2] >= 0xB0 && u[2] <= 0xBF)))
                from += 3;
            else
                break;
        }
    }
    assert_true(from_seen > 100000);
    /* the cases are not all of one kind */
    assert_true(as_is_seen > 1000 && as_is_seen < 39000);
    assert_true(nfc_seen > 10);
    assert_int_equal(nc_utf8_fold_as_is("", 0), NC_UTF8_AS_IS_NFC);
    assert_int_equal(nc_utf8_fold_as_is(" a", 2), 0);
    assert_int_equal(nc_utf8_fold_as_is("a ", 2), 0);
    assert_int_equal(nc_utf8_fold_as_is("0123456789abcdef ", 17), 0);
    assert_int_equal(nc_utf8_fold_as_is("0123456789abcde  f", 18), 0);
    assert_int_equal(nc_utf8_fold_as_is("0123456789abcdef g", 18), NC_UTF8_AS_IS_NFC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),   cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_sanitize), cmocka_unit_test(test_space),
        cmocka_unit_test(test_nfc),      cmocka_unit_test(test_nfc_quick),
        cmocka_unit_test(test_nfc_alloc_failure),
        cmocka_unit_test(test_text_invalid_at),
        cmocka_unit_test(test_sanitize_fast_path),
        cmocka_unit_test(test_fold_as_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
