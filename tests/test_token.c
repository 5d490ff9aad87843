/*
 * test_token.c - the tokenizer and the Snowball stemmer.
 *
 * Tokenizer cases are a table: input sentence -> expected folded tokens
 * (words, numbers, kept punctuation) joined by '|'.  The stemmer is
 * checked against the Snowball reference vocabulary of the libstemmer
 * version Debian ships (../shared/testdata/snowball-english: 29,417 words)
 * when it is present, and its cache and failure paths always.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <utf8proc.h>

#include "alloc_fail.h"
#include "nb.h" /* nc_rand_next */
#include "stem.h"
#include "token.h"

struct tok_case {
    const char *in;
    const char *out;
};

static const struct tok_case tok_cases[] = {
    { "The ministry said.", "the|ministry|said" },
    { "China’s main agency", "china's|main|agency" },
    { "don't stop", "don't|stop" },
    { "invested $62 billion", "invested|$|62|billion" },
    { "rose 3.5% to 1,200", "rose|3.5|%|to|1,200" },
    { "at 2:30 p.m.", "at|2:30|p|m" },
    { "“Hello,” he said.", "“|hello|”|he|said" },
    { "\"Quoted\" text", "\"|quoted|\"|text" },
    { "China-Pakistan Economic Corridor", "china|pakistan|economic|corridor" },
    { "ÉCOLE Straße Ωμέγα", "école|strasse|ωμέγα" },
    { "Really?! Yes!", "really|?|!|yes|!" },
    { "the 1990s and 2nd place", "the|1990s|and|2nd|place" },
    { "’quoted’ word", "quoted|word" },
    { "...", "" },
    { "", "" },
    { "email sakshi.tiwari9555 (at) gmail.com", "email|sakshi|tiwari9555|at|gmail|com" },
};

static void join_tokens(const nc_token *t, size_t n, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(buf, "|", cap - strlen(buf) - 1);
        strncat(buf, t[i].text, cap - strlen(buf) - 1);
    }
}

static void test_tokenizer_table(void **state)
{
    (void)state;
    nc_arena a;
    nc_arena_init(&a);
    for (size_t i = 0; i < sizeof tok_cases / sizeof tok_cases[0]; i++) {
        nc_token *t;
        size_t n;
        assert_int_equal(nc_tokenize(tok_cases[i].in, strlen(tok_cases[i].in), &a, &t, &n), NC_OK);
        char buf[512];
        join_tokens(t, n, buf, sizeof buf);
        if (strcmp(buf, tok_cases[i].out) != 0)
            fail_msg("case %zu: '%s' -> '%s', expected '%s'", i, tok_cases[i].in, buf,
                     tok_cases[i].out);
        nc_arena_reset(&a);
    }
    nc_arena_free(&a);
}

static void test_token_shapes_and_cap(void **state)
{
    (void)state;
    nc_arena a;
    nc_arena_init(&a);
    nc_token *t;
    size_t n;
    const char *s = "Beijing NATO said";
    assert_int_equal(nc_tokenize(s, strlen(s), &a, &t, &n), NC_OK);
    assert_int_equal(n, 3);
    assert_true(t[0].shape & NC_SHAPE_CAP);
    assert_false(t[0].shape & NC_SHAPE_UPPER);
    assert_true(t[1].shape & NC_SHAPE_UPPER);
    assert_int_equal(t[2].shape, 0);
    assert_int_equal(t[0].type, NC_TOK_WORD);
    /* A 1 MB "word" becomes one token of NC_MAX_TOKEN_BYTES bytes. */
    size_t big = 1u << 20;
    char *w = malloc(big);
    assert_non_null(w);
    memset(w, 'a', big);
    assert_int_equal(nc_tokenize(w, big, &a, &t, &n), NC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].len, NC_MAX_TOKEN_BYTES);
    free(w);
    nc_arena_free(&a);
}

/*
 * The tokenizer's rules (token.h) one code point at a time through
 * utf8proc, with no fast path and no ASCII special case: the reference the
 * fast paths of nc_tokenize (a word of up to 15 ASCII bytes in one
 * 16-byte step with its shape from masks, 16-byte runs of longer words,
 * the byte table for separators and word ends, kept punctuation copied,
 * the tail of a sentence read from its zero-padded copy) must match byte
 * for byte.
 */
enum { R_SEP, R_LETTER, R_DIGIT, R_APOS, R_NUMSEP, R_KEEP };

static int ref_class(int32_t cp)
{
    if (cp < 0x80) {
        if (cp == '\'')
            return R_APOS;
        if (cp && strchr(".,:", cp))
            return R_NUMSEP;
        if (cp && strchr("\"?!$%", cp))
            return R_KEEP;
    }
    if (cp == 0x2019)
        return R_APOS;
    if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0xAB || cp == 0xBB ||
        cp == 0x2018 || cp == 0x20AC || cp == 0xA3 || cp == 0xA5)
        return R_KEEP;
    const char *cat = utf8proc_category_string(cp);
    if (cat[0] == 'L' || cat[0] == 'M')
        return R_LETTER;
    if (cat[0] == 'N')
        return R_DIGIT;
    return R_SEP;
}

/* Code point at s[i] (U+FFFD, a separator, for a byte that is not UTF-8); its width. */
static size_t ref_cp(const unsigned char *s, size_t len, size_t i, int32_t *cp, int *cl)
{
    utf8proc_ssize_t w = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), cp);
    if (w <= 0) {
        *cp = 0xFFFD;
        *cl = R_SEP;
        return 1;
    }
    *cl = ref_class(*cp);
    return (size_t)w;
}

/* Append the case fold of cp while it fits NC_MAX_TOKEN_BYTES; shape as token.h says. */
static void ref_fold(char *buf, size_t *blen, int32_t cp, unsigned *shape, int first)
{
    int32_t out[8];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, out, 8, UTF8PROC_CASEFOLD, &last);
    if (n <= 0 || n > 8) {
        out[0] = cp;
        n = 1;
    }
    int upper = utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
    if (first && upper)
        *shape |= NC_SHAPE_CAP;
    if (!upper)
        *shape &= ~NC_SHAPE_UPPER;
    for (utf8proc_ssize_t k = 0; k < n; k++) {
        unsigned char enc[4];
        utf8proc_ssize_t e = utf8proc_encode_char(out[k], enc);
        if (*blen + (size_t)e > NC_MAX_TOKEN_BYTES)
            return;
        memcpy(buf + *blen, enc, (size_t)e);
        *blen += (size_t)e;
    }
}

/* Tokens of s[0..len) as "type shape punct text" lines into out. */
static void ref_tokenize(const unsigned char *s, size_t len, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    out[0] = '\0';
    while (i < len) {
        int32_t cp;
        int cl;
        size_t w = ref_cp(s, len, i, &cp, &cl);
        if (cl == R_SEP || cl == R_APOS || cl == R_NUMSEP) {
            i += w;
            continue;
        }
        char buf[NC_MAX_TOKEN_BYTES + 1];
        size_t blen = 0;
        unsigned type, shape = 0, punct = 0, junk = 0;
        if (cl == R_KEEP) {
            type = NC_TOK_PUNCT;
            punct = (unsigned)cp;
            ref_fold(buf, &blen, cp, &junk, 0);
            i += w;
        } else if (cl == R_DIGIT) {
            type = NC_TOK_NUMBER;
            for (; i < len; i += w) {
                w = ref_cp(s, len, i, &cp, &cl);
                if (cl == R_LETTER)
                    type = NC_TOK_WORD; /* "2nd", "1990s": a word with digits */
                if (cl == R_DIGIT || cl == R_LETTER)
                    ref_fold(buf, &blen, cp, &junk, 0);
                else if (cl == R_NUMSEP && i + 1 < len && (unsigned)s[i + 1] - '0' < 10u)
                    ref_fold(buf, &blen, cp, &junk, 0);
                else
                    break;
            }
        } else {
            type = NC_TOK_WORD;
            shape = NC_SHAPE_UPPER;
            int letters = 0;
            for (; i < len; i += w) {
                w = ref_cp(s, len, i, &cp, &cl);
                if (cl == R_LETTER || cl == R_DIGIT) {
                    ref_fold(buf, &blen, cp, &shape, letters++ == 0);
                } else if (cl == R_APOS && i + w < len) {
                    int32_t ncp;
                    int ncl;
                    ref_cp(s, len, i + w, &ncp, &ncl);
                    if (ncl != R_LETTER)
                        break;
                    ref_fold(buf, &blen, '\'', &junk, 0);
                } else {
                    break;
                }
            }
            if (letters < 2)
                shape &= ~NC_SHAPE_UPPER;
        }
        if (blen)
            o += (size_t)snprintf(out + o, cap - o, "%u %u %u %.*s\n", type, shape, punct,
                                  (int)blen, buf);
    }
}

static void got_tokens(const nc_token *t, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(strlen(t[k].text), t[k].len);
        o += (size_t)snprintf(out + o, cap - o, "%u %u %u %s\n", t[k].type, t[k].shape,
                              t[k].type == NC_TOK_PUNCT ? (unsigned)t[k].punct : 0u, t[k].text);
    }
}

static void test_tokenizer_reference(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "the ", "ministry ", "said", ". ", ", ", " ", "The ", "China", "NATO ", "McDonald ",
        "internationalization", "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmn", "x", "A", "I ",
        "2nd", "1990s", "v1", "3.5", "62,000", "2:30", "1.", "7", "don't", "China's", "'", "''",
        "China\xE2\x80\x99s", "\xE2\x80\x99", "\"", "?", "!", "$", "%", ":", ".", ",", "-", "/",
        "(", ")", "\t", "\n", "\r", "\x01", "\x7F", "\0", "\xC3\x89", "\xC3\xA9", "\xC3\x9F",
        "\xCE\xA9", "\xCE\x90", "\xC4\xB0", "\xD9\xA3", "\xEF\xBC\x93", "\xE2\x80\x9C",
        "\xE2\x80\x9D", "\xC2\xAB", "\xC2\xBB", "\xE2\x82\xAC", "\xC2\xA3", "\xC2\xA5",
        "\xC2\xA0", "\xE2\x80\x94", "\xCC\x81", "\xFF", "\xC3", "\xE2\x80", "\xF0\x9F\x98\x80",
        "ABCDEFGHIJ", "AbCdEfGh", "a1b2c3d4e5", "ZZ", "z", "@", "[", "`", "{", "0", "9",
        /* 14 to 17 bytes, about the fast path's 16-byte step (token.c) */
        "abcdefghijklmn", "ABCDEFGHIJKLMNO", "Abcdefghijklmnop", "ABCDEFGHIJKLMNOPQ", "A1B2C3D4E5F6G7H",
        "\xCE\x90\xCE\x90\xCE\x90\xCE\x90\xCE\x90\xCE\x90", "\xE2\x80\x99t", "'s", " \"", "\"A", "],", "1-2", "10/20", "3 4", "5%", "$7", "2nd.5",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    char in[400], want[16384], got[16384];
    uint64_t seed = 5;
    nc_arena a;
    nc_arena_init(&a);
    int long_seen = 0;
    for (int iter = 0; iter < 60000; iter++) {
        size_t len = 0;
        int np = (int)(nc_rand_next(&seed) % 16);
        for (int k = 0; k < np; k++) {
            uint64_t r = nc_rand_next(&seed);
            /* mostly the first pieces (words, spaces), as in sentences */
            size_t pi = r % 3 ? (r >> 8) % 11 : (r >> 8) % npieces;
            size_t pl = pieces[pi][0] ? strlen(pieces[pi]) : 1;
            if (len + pl > sizeof in)
                break;
            memcpy(in + len, pieces[pi], pl);
            len += pl;
        }
        /* an exact-size copy, so a read past the end is caught under ASan */
        char *s = malloc(len ? len : 1);
        assert_non_null(s);
        memcpy(s, in, len);
        nc_token *t;
        size_t n;
        assert_int_equal(nc_tokenize(s, len, &a, &t, &n), NC_OK);
        ref_tokenize((const unsigned char *)s, len, want, sizeof want);
        got_tokens(t, n, got, sizeof got);
        if (strcmp(want, got) != 0)
            fail_msg("iteration %d: '%.*s'\nexpected:\n%s\ngot:\n%s", iter, (int)len, s, want, got);
        for (size_t k = 0; k < n; k++)
            long_seen += t[k].len == NC_MAX_TOKEN_BYTES;
        free(s);
        nc_arena_reset(&a);
    }
    assert_true(long_seen > 100);
    /* Folds that grow (U+0390: 2 bytes to 6) more than the text room the
     * tokenizer sets aside for ASCII (2 bytes a byte): it must take more;
     * words between them keep the fast path. */
    for (int m = 0; m < 3; m++) {
        size_t len = 0;
        while (len + 24 < sizeof in) {
            static const char *const mix[3] = { "\xCE\x90 ", "\xCE\x90\xCE\x90\xCE\x90 ab ",
                                                "\xCE\x90\xCE\x90\xCE\x90\xCE\x90\xCE\x90\xCE\x90"
                                                "\xCE\x90\xCE\x90\xCE\x90\xCE\x90\xCE\x90 X" };
            memcpy(in + len, mix[m], strlen(mix[m]));
            len += strlen(mix[m]);
        }
        char *s = malloc(len);
        assert_non_null(s);
        memcpy(s, in, len);
        nc_token *t;
        size_t n;
        assert_int_equal(nc_tokenize(s, len, &a, &t, &n), NC_OK);
        ref_tokenize((const unsigned char *)s, len, want, sizeof want);
        got_tokens(t, n, got, sizeof got);
        assert_string_equal(want, got);
        free(s);
        nc_arena_reset(&a);
    }
    /* one-byte tokens, more than the first token array holds (it grows) */
    size_t len = 300;
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t k = 0; k < len; k++)
        s[k] = k % 2 ? '!' : (char)('A' + k % 26);
    nc_token *t;
    size_t n;
    assert_int_equal(nc_tokenize(s, len, &a, &t, &n), NC_OK);
    assert_int_equal(n, len);
    ref_tokenize((const unsigned char *)s, len, want, sizeof want);
    got_tokens(t, n, got, sizeof got);
    assert_string_equal(want, got);
    free(s);
    nc_arena_free(&a);
}

/*
 * Every token's text has NC_TOKEN_READ bytes readable from it inside one
 * block the arena got from the allocation hook (the stemmer reads 8 bytes
 * of a shorter word, stem.h): the hook records each block, and each
 * token's [text, text + NC_TOKEN_READ) must lie in one.  Sentences of
 * short words (the last one nearest its block's end), of longest-token
 * words, and of characters whose case folding grows them.
 */
#define MAX_BLOCKS 256
static struct {
    const char *p;
    size_t n;
} blocks[MAX_BLOCKS];
static size_t nblocks;

static void *recording_alloc(void *ud, void *p, size_t n)
{
    (void)ud;
    for (size_t i = 0; p && i < nblocks; i++)
        if (blocks[i].p == p)
            blocks[i] = blocks[--nblocks];
    if (n == 0) {
        free(p);
        return NULL;
    }
    void *q = realloc(p, n);
    if (q && nblocks < MAX_BLOCKS)
        blocks[nblocks++].p = q, blocks[nblocks - 1].n = n;
    return q;
}

static void test_token_text_readable(void **state)
{
    (void)state;
    static const char *const pieces[] = {
        "a ", "of ", "the ", "I ", "x", "!", "Ã", "ï¬", "Ä°",
        "Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ", "7 ",
    };
    const size_t npieces = sizeof pieces / sizeof pieces[0];
    uint64_t seed = 11;
    nc_set_allocator(recording_alloc, NULL);
    for (int iter = 0; iter < 3000; iter++) {
        char in[600];
        size_t len = 0;
        int np = 1 + (int)(nc_rand_next(&seed) % 40);
        for (int k = 0; k < np; k++) {
            const char *pc = pieces[nc_rand_next(&seed) % npieces];
            size_t pl = strlen(pc);
            if (len + pl > sizeof in)
                break;
            memcpy(in + len, pc, pl);
            len += pl;
        }
        nc_arena a;
        nc_arena_init(&a);
        nc_token *t;
        size_t n;
        assert_int_equal(nc_tokenize(in, len, &a, &t, &n), NC_OK);
        for (size_t k = 0; k < n; k++) {
            size_t b = 0;
            while (b < nblocks && !(t[k].text >= blocks[b].p &&
                                    t[k].text + NC_TOKEN_READ <= blocks[b].p + blocks[b].n))
                b++;
            if (b == nblocks)
                fail_msg("iteration %d: token %zu ('%s') has fewer than %u bytes in its block",
                         iter, k, t[k].text, NC_TOKEN_READ);
        }
        nc_arena_free(&a);
    }
    nc_set_allocator(NULL, NULL);
}

static void test_stemmer_basics(void **state)
{
    (void)state;
    nc_stemmer *s;
    assert_int_equal(nc_stemmer_new("klingon", &s), NC_ERR_STEMMER);
    assert_null(s);
    assert_int_equal(nc_stemmer_new("english", &s), NC_OK);
    const char *st1, *st2;
    size_t l1, l2;
    uint32_t id1, id2;
    assert_int_equal(nc_stemmer_stem(s, "running", 7, &st1, &l1, &id1), NC_OK);
    assert_int_equal(l1, 3);
    assert_memory_equal(st1, "run", 3);
    /* The second call is served from the cache: same copy, same id. */
    assert_int_equal(nc_stemmer_stem(s, "running", 7, &st2, &l2, &id2), NC_OK);
    assert_ptr_equal(st1, st2);
    assert_int_equal(id1, id2);
    /* The stem outlives later calls (it is a copy, not libstemmer's buffer). */
    assert_int_equal(nc_stemmer_stem(s, "generously", 10, &st2, &l2, &id2), NC_OK);
    assert_memory_equal(st1, "run", 3);
    nc_stemmer_free(s);
    assert_int_equal(nc_stemmer_new("none", &s), NC_OK);
    assert_int_equal(nc_stemmer_stem(s, "running", 7, &st1, &l1, NULL), NC_OK);
    assert_int_equal(l1, 7);
    nc_stemmer_free(s);
    assert_int_equal(nc_stemmer_new("french", &s), NC_OK);
    nc_stemmer_free(s);
}

/*
 * Words shorter than the 8 bytes the stem cache reads at once: the bytes
 * after such a word must not matter (the same word followed by zeros or
 * by other bytes gets the same id and stem, through nc_stemmer_where and
 * nc_stemmer_stem_aux as the featurizer calls them), and nc_stemmer_stem
 * takes a word at the very end of a block of its own size (read past it,
 * caught under ASan and valgrind).
 */
static void test_stemmer_short_words(void **state)
{
    (void)state;
    static const char *const words[] = { "a", "of", "the", "said", "china", "voters", "running",
                                         "ministry", "I", "ab", "ba" };
    nc_stemmer *s;
    assert_int_equal(nc_stemmer_new("english", &s), NC_OK);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            size_t len = strlen(words[i]);
            char zero[16] = { 0 }, junk[16];
            memset(junk, pass ? 0xFF : 'x', sizeof junk);
            memcpy(zero, words[i], len);
            memcpy(junk, words[i], len);
            const char *st1, *st2, *st3;
            size_t l1, l2, l3;
            uint32_t id1, id2, id3;
            nc_word_aux *aux;
            assert_int_equal(nc_stemmer_stem_aux(s, nc_stemmer_where(s, zero, len), zero, len,
                                                 &st1, &l1, &id1, &aux),
                             NC_OK);
            assert_int_equal(nc_stemmer_stem_aux(s, nc_stemmer_where(s, junk, len), junk, len,
                                                 &st2, &l2, &id2, &aux),
                             NC_OK);
            char *exact = malloc(len);
            assert_non_null(exact);
            memcpy(exact, words[i], len);
            assert_int_equal(nc_stemmer_stem(s, exact, len, &st3, &l3, &id3), NC_OK);
            free(exact);
            assert_int_equal(id1, (uint32_t)i); /* first-seen order: no word taken for another */
            assert_int_equal(id2, id1);
            assert_int_equal(id3, id1);
            assert_ptr_equal(st2, st1);
            assert_ptr_equal(st3, st1);
            assert_int_equal(l2, l1);
        }
    nc_stemmer_free(s);
}

static nc_status stem_some(void *arg)
{
    (void)arg;
    nc_stemmer *s;
    nc_status st = nc_stemmer_new("english", &s);
    if (st != NC_OK)
        return st;
    static const char *const words[] = { "running", "ran", "runs", "running", "generously" };
    for (size_t i = 0; i < 5 && st == NC_OK; i++) {
        const char *out;
        size_t len;
        st = nc_stemmer_stem(s, words[i], strlen(words[i]), &out, &len, NULL);
    }
    nc_stemmer_free(s);
    return st;
}

static void test_stemmer_alloc_failures(void **state)
{
    (void)state;
    af_install();
    unsigned long bad;
    unsigned long sites = af_loop(stem_some, NULL, 0, &bad);
    af_uninstall();
    print_message("stemmer: %lu allocation sites failed\n", sites);
    assert_true(sites > 3);
    assert_int_equal(bad, 0);
}

/* Read a file into lines (NUL-separated in one buffer). */
static char **read_lines(const char *path, size_t *n, char **buf)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = malloc((size_t)size + 1);
    size_t got = fread(*buf, 1, (size_t)size, f);
    fclose(f);
    (*buf)[got] = '\0';
    size_t cap = 1024;
    char **lines = malloc(cap * sizeof *lines);
    *n = 0;
    for (char *p = *buf; *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*n == cap)
            lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[(*n)++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    return lines;
}

static void test_snowball_vocabulary(void **state)
{
    (void)state;
    const char *shared = getenv("NC_SHARED_DIR");
    char voc[4096], out[4096];
    snprintf(voc, sizeof voc, "%s/testdata/snowball-english/voc.txt", shared ? shared : "");
    snprintf(out, sizeof out, "%s/testdata/snowball-english/output.txt", shared ? shared : "");
    size_t nv = 0, no = 0;
    char *bv = NULL, *bo = NULL;
    char **v = read_lines(voc, &nv, &bv), **o = v ? read_lines(out, &no, &bo) : NULL;
    if (!v || !o) {
        print_message("skipping: %s not found (the Snowball reference vocabulary lives in "
                      "../shared/testdata)\n", voc);
        free(v);
        free(bv);
        skip();
    }
    assert_int_equal(nv, no);
    nc_stemmer *s;
    assert_int_equal(nc_stemmer_new("english", &s), NC_OK);
    size_t wrong = 0;
    for (size_t i = 0; i < nv; i++) {
        const char *st;
        size_t len;
        assert_int_equal(nc_stemmer_stem(s, v[i], strlen(v[i]), &st, &len, NULL), NC_OK);
        if (len != strlen(o[i]) || memcmp(st, o[i], len) != 0) {
            if (wrong++ < 5)
                print_message("%s -> %.*s, expected %s\n", v[i], (int)len, st, o[i]);
        }
    }
    print_message("snowball english: %zu words, %zu wrong\n", nv, wrong);
    assert_int_equal(nv, 29417);
    assert_int_equal(wrong, 0);
    nc_stemmer_free(s);
    free(v);
    free(o);
    free(bv);
    free(bo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenizer_table),
        cmocka_unit_test(test_token_shapes_and_cap),
        cmocka_unit_test(test_tokenizer_reference),
        cmocka_unit_test(test_token_text_readable),
        cmocka_unit_test(test_stemmer_basics),
        cmocka_unit_test(test_stemmer_short_words),
        cmocka_unit_test(test_stemmer_alloc_failures),
        cmocka_unit_test(test_snowball_vocabulary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
