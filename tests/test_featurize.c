/*
 * test_featurize.c - the featurizer: which features a sentence yields in
 * each family (w: words, b: bigrams, c: cues, p: position, x: context),
 * as a table of sentence -> features that must and must not appear, and
 * that every family is off unless its option is on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "featurize.h"

int nc_features_table_sorted(void);

struct feat_case {
    const char *text;
    const char *present[8]; /* NULL-terminated */
    const char *absent[4];
};

/* With cues, position, context and bigrams on, for a one-sentence document. */
static const struct feat_case cases[] = {
    { "\"We will respond,\" the minister said.",
      { "w:#quote", "w:respond", "c:quote", "c:quote_start", "c:report", "c:report_end", "c:modal", NULL },
      { "c:event", NULL } },
    { "Two soldiers were killed on Monday in a raid.",
      { "w:soldier", "w:kill", "c:event", "c:time", "b:two soldier", NULL },
      { "c:quote", "c:report", NULL } },
    { "The company invested $62 billion in 2019, up 3.5%.",
      { "w:#num", "w:#year", "c:money", "c:percent", "c:year", "c:num", NULL },
      { "c:quote", NULL } },
    { "Analysts expect the tension to rise further.",
      { "w:analyst", "c:eval", "c:modal", NULL },
      { "c:event", NULL } },
};

static void test_table_sorted(void **state)
{
    (void)state;
    assert_true(nc_features_table_sorted());
}

static int has(const nc_sent_feats *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->keys[i].s, key) == 0)
            return 1;
    return 0;
}

static void test_feature_table(void **state)
{
    (void)state;
    nc_options o;
    nc_options_default(&o);
    o.cues = o.position = o.context = o.bigrams = 1;
    nc_featurizer *fz;
    assert_int_equal(nc_featurizer_new(&o, &fz), NC_OK);
    nc_arena a;
    nc_arena_init(&a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *t = cases[i].text;
        nc_sent_in s = { t, strlen(t), NC_SENT_PARA_START | NC_SENT_DOC_LAST, 0, 0, 0 };
        nc_sent_feats f;
        assert_int_equal(nc_featurize(fz, &s, 1, &a, &f), NC_OK);
        for (size_t k = 0; cases[i].present[k]; k++)
            if (!has(&f, cases[i].present[k]))
                fail_msg("case %zu: '%s' lacks %s", i, t, cases[i].present[k]);
        for (size_t k = 0; cases[i].absent[k]; k++)
            if (has(&f, cases[i].absent[k]))
                fail_msg("case %zu: '%s' has %s", i, t, cases[i].absent[k]);
        /* one-sentence document: first, last, no neighbours */
        assert_true(has(&f, "p:s0") && has(&f, "p:last"));
        for (size_t k = 0; k < f.n; k++) /* no start bigram unless asked for */
            assert_false(strncmp(f.keys[k].s, "b:^ ", 4) == 0);
        assert_true(has(&f, "x:p:none") && has(&f, "x:n:none"));
        nc_arena_reset(&a);
    }
    nc_arena_free(&a);
    nc_featurizer_free(fz);
}

/*
 * The two sentences below featurized as one document with options o; the
 * featurizer is returned, since word keys live in its stem cache.
 */
static nc_featurizer *featurize_two(const nc_options *o, nc_arena *a, nc_sent_feats f[2])
{
    static const char t1[] = "\"We will respond,\" the minister said.";
    static const char t2[] = "Police arrested two men.";
    static const nc_sent_in s[2] = {
        { t1, sizeof t1 - 1, NC_SENT_PARA_START, 0, 0, 0 },
        { t2, sizeof t2 - 1, NC_SENT_PARA_START | NC_SENT_DOC_LAST, 1, 0, 1 } };
    nc_featurizer *fz;
    assert_int_equal(nc_featurizer_new(o, &fz), NC_OK);
    assert_int_equal(nc_featurize(fz, s, 2, a, f), NC_OK);
    return fz;
}

static void test_families_off_and_context(void **state)
{
    (void)state;
    nc_options o;
    nc_options_default(&o); /* words only */
    nc_arena a;
    nc_arena_init(&a);
    nc_sent_feats f[2];
    nc_featurizer *fz = featurize_two(&o, &a, f);
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < f[d].n; i++)
            assert_true(strncmp(f[d].keys[i].s, "w:", 2) == 0);
    nc_featurizer_free(fz);
    /* context: the second sentence sees the first one's cues */
    o.cues = o.context = 1;
    nc_arena_reset(&a);
    fz = featurize_two(&o, &a, f);
    assert_true(has(&f[1], "x:p:c:quote"));
    assert_true(has(&f[1], "x:n:none"));
    assert_true(has(&f[0], "x:p:none"));
    assert_false(has(&f[0], "x:p:c:quote"));
    nc_featurizer_free(fz);
    /* start_bigram: the first word (a number or a quote too) pairs with "^" */
    o.cues = o.context = 0;
    o.bigrams = o.start_bigram = 1;
    nc_arena_reset(&a);
    fz = featurize_two(&o, &a, f);
    assert_true(has(&f[0], "b:^ #quote"));
    assert_true(has(&f[1], "b:^ polic"));
    assert_true(has(&f[1], "b:polic arrest"));
    assert_false(has(&f[1], "b:^ arrest"));
    nc_featurizer_free(fz);
    nc_arena_free(&a);
    /* an unknown stemmer is refused */
    snprintf(o.stemmer, sizeof o.stemmer, "%s", "klingon");
    assert_int_equal(nc_featurizer_new(&o, &fz), NC_ERR_STEMMER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_feature_table),
        cmocka_unit_test(test_families_off_and_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
