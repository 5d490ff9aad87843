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

#include "alloc_fail.h"
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
        cmocka_unit_test(test_stemmer_basics),
        cmocka_unit_test(test_stemmer_alloc_failures),
        cmocka_unit_test(test_snowball_vocabulary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
