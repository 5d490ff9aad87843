/*
 * test_featurize.c - the featurizer: which features a sentence yields in
 * each family (w: words, b: bigrams, c: cues, p: position, x: context),
 * as a table of sentence -> features that must and must not appear, and
 * that every family is off unless its option is on; key ids (nc_key.id)
 * name one string each, also after a failed allocation; a featurizer
 * restricted to a model's bigrams gives the same keys minus the bigrams
 * the model lacks.
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
    assert_false(has(&f[1], "b:^^ arrest"));
    nc_featurizer_free(fz);
    /* edge_words: words among the four tokens after the first pair with
     * "^^", words among the last two with "$$"; quotes do not */
    o.edge_words = 1;
    nc_arena_reset(&a);
    fz = featurize_two(&o, &a, f);
    assert_true(has(&f[1], "b:^^ arrest") && has(&f[1], "b:^^ two") && has(&f[1], "b:^^ men"));
    assert_false(has(&f[1], "b:^^ polic"));
    assert_true(has(&f[1], "b:$$ two") && has(&f[1], "b:$$ men"));
    assert_false(has(&f[1], "b:$$ arrest"));
    assert_true(has(&f[0], "b:^^ we") && has(&f[0], "b:^^ respond"));
    assert_false(has(&f[0], "b:^^ #quote") || has(&f[0], "b:^^ the"));
    assert_true(has(&f[0], "b:$$ minist") && has(&f[0], "b:$$ said"));
    assert_false(has(&f[0], "b:$$ the"));
    assert_true(has(&f[1], "b:polic arrest")); /* the plain bigrams stay */
    nc_featurizer_free(fz);
    o.edge_words = 0;
    nc_arena_free(&a);
    /* an unknown stemmer is refused */
    snprintf(o.stemmer, sizeof o.stemmer, "%s", "klingon");
    assert_int_equal(nc_featurizer_new(&o, &fz), NC_ERR_STEMMER);
}

/* A document with repeated words, bigrams, numbers and punctuation. */
static const char *const id_doc[] = {
    "\"We will respond,\" the minister said on Monday.",
    "The minister said 62 people were killed in 2019; $5 and 3%!",
    "Police said the minister will respond, the minister said?",
};
#define ID_NS (sizeof id_doc / sizeof id_doc[0])

static nc_status featurize_doc(nc_featurizer *fz, nc_arena *a, nc_sent_feats *f)
{
    nc_sent_in s[ID_NS];
    for (size_t i = 0; i < ID_NS; i++)
        s[i] = (nc_sent_in){ id_doc[i], strlen(id_doc[i]), i ? 0 : NC_SENT_PARA_START, 0,
                             (uint32_t)i, (uint32_t)i };
    s[ID_NS - 1].flags |= NC_SENT_DOC_LAST;
    return nc_featurize(fz, s, ID_NS, a, f);
}

/* The text of key k: its string, or for a restricted featurizer's model
 * bigram (s NULL) its feature's key in feats. */
static const char *key_text(const nc_key *k, const nc_vocab *feats)
{
    return k->s ? k->s : nc_vocab_key(feats, NC_KEY_INDEX(k->id), NULL);
}

/* Every two keys of f[0..ns) and g[0..ns) (from a featurizer restricted to
 * feats, or not: NULL): same id <=> same text (for ids other than
 * NC_KEY_UNCACHED and NC_KEY_ABSENT); 0 when one pair disagrees. */
static int ids_consistent(const nc_sent_feats *f, const nc_sent_feats *g, const nc_vocab *feats)
{
    const nc_sent_feats *d[2] = { f, g };
    for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++)
            for (size_t i = 0; i < ID_NS; i++)
                for (size_t j = 0; j < ID_NS; j++)
                    for (size_t k = 0; k < d[x][i].n; k++)
                        for (size_t l = 0; l < d[y][j].n; l++) {
                            const nc_key *p = &d[x][i].keys[k], *q = &d[y][j].keys[l];
                            if (p->id >= NC_KEY_ABSENT || q->id >= NC_KEY_ABSENT)
                                continue;
                            if ((p->id == q->id) !=
                                (strcmp(key_text(p, feats), key_text(q, feats)) == 0))
                                return 0;
                        }
    return 1;
}

static nc_options id_options(void)
{
    nc_options o;
    nc_options_default(&o);
    o.cues = o.cues_fine = o.position = o.context = o.bigrams = 1;
    o.start_bigram = o.edge_words = 1; /* their marks get ids too */
    return o;
}

static void test_key_ids(void **state)
{
    (void)state;
    nc_options o = id_options();
    nc_featurizer *fz;
    assert_int_equal(nc_featurizer_new(&o, &fz), NC_OK);
    nc_arena a, b;
    nc_arena_init(&a);
    nc_arena_init(&b);
    nc_sent_feats f[ID_NS], g[ID_NS];
    assert_int_equal(featurize_doc(fz, &a, f), NC_OK);
    assert_int_equal(featurize_doc(fz, &b, g), NC_OK); /* now from the caches */
    size_t kinds[4] = { 0 };
    for (size_t i = 0; i < ID_NS; i++) {
        assert_int_equal(f[i].n, g[i].n);
        for (size_t k = 0; k < f[i].n; k++) {
            assert_string_equal(f[i].keys[k].s, g[i].keys[k].s);
            assert_int_equal(f[i].keys[k].len, strlen(f[i].keys[k].s));
            assert_int_equal(f[i].keys[k].id, g[i].keys[k].id);
            kinds[NC_KEY_KIND(f[i].keys[k].id)]++;
        }
    }
    assert_true(ids_consistent(f, g, NULL));
    /* words, bigrams and static keys all get ids here */
    assert_true(kinds[0] && kinds[1] && kinds[2]);
    nc_arena_free(&a);
    nc_arena_free(&b);
    nc_featurizer_free(fz);
}

static nc_sent_feats id_ref[ID_NS];
static nc_status featurize_after_failure(void *arg);

/* id_ref from a fresh featurizer *fz, keys in *a (the caller frees both). */
static void make_id_ref(nc_featurizer **fz, nc_arena *a)
{
    nc_options o = id_options();
    assert_int_equal(nc_featurizer_new(&o, fz), NC_OK);
    nc_arena_init(a);
    assert_int_equal(featurize_doc(*fz, a, id_ref), NC_OK);
}

/* fn(arg) with the 1st, 2nd ... allocation failing once: no leak, no bad status. */
static void assert_af_loop(nc_status (*fn)(void *), void *arg)
{
    unsigned long bad = 0;
    af_install();
    unsigned long sites = af_loop(fn, arg, 0, &bad);
    af_uninstall();
    assert_true(sites > 3);
    assert_int_equal(bad, 0);
}

static void test_key_ids_alloc_failure(void **state)
{
    (void)state;
    nc_featurizer *fz;
    nc_arena a;
    make_id_ref(&fz, &a);
    assert_af_loop(featurize_after_failure, NULL);
    nc_arena_free(&a);
    nc_featurizer_free(fz);
}

/* A feature set: every key of id_ref except every other distinct bigram
 * and every other distinct word (which a restricted featurizer still
 * gives, as NC_KEY_ABSENT). */
static nc_status restrict_vocab(nc_vocab **out)
{
    nc_status st = nc_vocab_new(out);
    int skip[2] = { 0, 0 }; /* bigrams, words */
    for (size_t i = 0; i < ID_NS && st == NC_OK; i++)
        for (size_t k = 0; k < id_ref[i].n && st == NC_OK; k++) {
            const nc_key *key = &id_ref[i].keys[k];
            uint32_t id;
            int w = key->s[0] == 'w';
            if ((key->s[0] == 'b' || w) && !nc_vocab_find(*out, key->s, key->len, &id) &&
                (skip[w] ^= 1))
                continue;
            st = nc_vocab_intern(*out, key->s, key->len, &id, NULL);
        }
    return st;
}

/* 1 when key k of a restricted featurizer names its feature in feats:
 * NC_KEY_FEATURE + the key's index there, or NC_KEY_ABSENT when it has
 * none (NC_KEY_UNCACHED keys name none). */
static int names_feature(const nc_key *k, const nc_vocab *feats)
{
    uint32_t f;
    if (!k->s) /* a model bigram: named by its id alone */
        return NC_KEY_KIND(k->id) == NC_KEY_KIND(NC_KEY_FEATURE) && k->id < NC_KEY_ABSENT &&
               NC_KEY_INDEX(k->id) < nc_vocab_size(feats);
    int in = nc_vocab_find(feats, k->s, k->len, &f);
    if (k->id == NC_KEY_UNCACHED)
        return 1;
    if (k->id == NC_KEY_ABSENT)
        return !in;
    return in && k->id == NC_KEY_FEATURE + f;
}

/*
 * af_loop body: a featurizer, restricted to the feature set arg unless it
 * is NULL; a featurize that may fail, then the same document again.  The
 * keys must be id_ref's, less the bigrams not in the set when restricted
 * (when the restriction itself failed, all of them), and a restricted
 * featurizer's ids must name their features.
 */
static nc_status featurize_after_failure(void *arg)
{
    const nc_vocab *feats = arg;
    nc_options o = id_options();
    nc_featurizer *fz;
    nc_status st = nc_featurizer_new(&o, &fz);
    if (st != NC_OK)
        return st;
    nc_arena a;
    nc_arena_init(&a);
    nc_sent_feats f[ID_NS];
    nc_status rs = feats ? nc_featurizer_restrict_bigrams(fz, feats) : NC_OK;
    st = featurize_doc(fz, &a, f);
    nc_arena_reset(&a);
    if (st == NC_ERR_NOMEM)
        st = featurize_doc(fz, &a, f); /* the failure was injected once */
    size_t absent = 0;
    for (size_t i = 0; i < ID_NS && st == NC_OK; i++) {
        size_t n = 0;
        for (size_t k = 0; k < id_ref[i].n; k++) {
            const nc_key *r = &id_ref[i].keys[k];
            uint32_t id;
            if (feats && rs == NC_OK && r->s[0] == 'b' && !nc_vocab_find(feats, r->s, r->len, &id))
                continue;
            if (n >= f[i].n || strcmp(key_text(&f[i].keys[n], feats), r->s) != 0 ||
                f[i].keys[n].len != r->len)
                st = NC_ERR_ARG;
            else if (feats && rs == NC_OK && !names_feature(&f[i].keys[n], feats))
                st = NC_ERR_ARG;
            else
                absent += f[i].keys[n].id == NC_KEY_ABSENT;
            n++;
        }
        if (n != f[i].n)
            st = NC_ERR_ARG;
    }
    if (st == NC_OK && !ids_consistent(f, f, rs == NC_OK ? feats : NULL))
        st = NC_ERR_ARG;
    if (st == NC_OK && feats && rs == NC_OK && !absent) /* restrict_vocab left words out */
        st = NC_ERR_ARG;
    nc_arena_free(&a);
    nc_featurizer_free(fz);
    return st == NC_OK ? rs : st;
}

static void test_restricted_bigrams(void **state)
{
    (void)state;
    nc_featurizer *fz;
    nc_arena a;
    make_id_ref(&fz, &a);
    /* only before the first nc_featurize */
    nc_vocab *feats;
    assert_int_equal(restrict_vocab(&feats), NC_OK);
    assert_int_equal(nc_featurizer_restrict_bigrams(fz, feats), NC_ERR_ARG);
    assert_int_equal(featurize_after_failure(feats), NC_OK);
    assert_af_loop(featurize_after_failure, feats);
    nc_vocab_free(feats);
    /* Bigrams with more stems than the model-bigram table indexes
     * (65,532): restricting refuses with NC_ERR_RANGE and leaves the
     * featurizer unrestricted, so it gives every key of id_ref. */
    assert_int_equal(nc_vocab_new(&feats), NC_OK);
    for (int i = 0; i < 32768; i++) {
        char k[32];
        int n = snprintf(k, sizeof k, "b:p%d q%d", i, i);
        uint32_t id;
        assert_int_equal(nc_vocab_intern(feats, k, (size_t)n, &id, NULL), NC_OK);
    }
    assert_int_equal(featurize_after_failure(feats), NC_ERR_RANGE);
    nc_vocab_free(feats);
    nc_arena_free(&a);
    nc_featurizer_free(fz);
}

/* The stem cache's front table: more distinct words than it has slots,
 * so they collide; every word keeps its id and stem. */
static void test_stem_cache_front(void **state)
{
    (void)state;
    enum { NW = 40000 };
    nc_stemmer *st;
    assert_int_equal(nc_stemmer_new("english", &st), NC_OK);
    static uint32_t ids[NW];
    for (int pass = 0; pass < 3; pass++)
        for (int i = 0; i < NW; i++) {
            char w[32];
            int n = snprintf(w, sizeof w, "zq%dings", i);
            const char *stem;
            size_t slen;
            uint32_t id;
            assert_int_equal(nc_stemmer_stem(st, w, (size_t)n, &stem, &slen, &id), NC_OK);
            assert_true(id != NC_STEM_UNCACHED);
            if (pass == 0)
                ids[i] = id;
            assert_int_equal(id, ids[i]);
            char want[32];
            int wl = snprintf(want, sizeof want, "zq%ding", i);
            assert_int_equal(slen, (size_t)wl);
            assert_memory_equal(stem, want, slen);
            size_t kl;
            const char *key = nc_stemmer_word_key(st, id, &kl);
            assert_ptr_equal(key, stem - 2);
            assert_int_equal(kl, slen + 2);
        }
    nc_stemmer_free(st);
}

/*
 * The front's keys: words of every length from 1 to past the longest the
 * front holds, each also with one byte changed at every position and
 * with every shorter or longer run of the same byte, so that words
 * sharing their first and last eight bytes, or differing only in length,
 * must still be told apart.  They are all given one where, so each is
 * compared with every front word before it (fewer than fill the first
 * front; a wrong where costs only probes).  With "none" each stem is its
 * word, and ids come in first-seen order, so a word taken for another
 * shows as a wrong id or stem.  Then more than a front's first size of
 * long words (past 16 bytes, their middle bytes kept apart), so the front
 * grows and rehashes them.
 */
static void test_stem_cache_front_keys(void **state)
{
    (void)state;
    enum { MAXLEN = 48, NLONG = 6000 };
    nc_stemmer *st;
    assert_int_equal(nc_stemmer_new("none", &st), NC_OK);
    static char words[MAXLEN * (MAXLEN + 1) * 2][MAXLEN + 1];
    size_t nw = 0;
    for (int len = 1; len <= MAXLEN; len++) {
        memset(words[nw], 'a', (size_t)len);
        nw++;
        for (int i = 0; i < len; i++)
            for (int c = 0; c < 2; c++) {
                memset(words[nw], 'a', (size_t)len);
                words[nw][i] = c ? 'b' : '\xc3';
                nw++;
            }
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < nw; i++) {
            const char *stem;
            size_t slen;
            uint32_t id;
            nc_word_aux *aux;
            size_t len = strlen(words[i]);
            assert_int_equal(nc_stemmer_stem_aux(st, 0, words[i], len, &stem, &slen, &id, &aux),
                             NC_OK);
            assert_int_equal(id, (uint32_t)i);
            assert_int_equal(slen, len);
            assert_memory_equal(stem, words[i], len);
        }
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < NLONG; i++) {
            char w[64];
            int n = snprintf(w, sizeof w, "headhead%.*d%stailtail", 1 + i % 22, i,
                             i % 3 ? "" : "x");
            const char *stem;
            size_t slen;
            uint32_t id;
            assert_int_equal(nc_stemmer_stem(st, w, (size_t)n, &stem, &slen, &id), NC_OK);
            assert_int_equal(id, (uint32_t)(nw + (size_t)i));
            assert_int_equal(slen, (size_t)n);
            assert_memory_equal(stem, w, slen);
        }
    nc_stemmer_free(st);
}

/*
 * A full stem cache: past its limit a word's stem lives in the stemmer's
 * scratch buffer only until the next uncached word.  The bigram of two
 * such words (the second longer, so the buffer grows and moves) must still
 * read the first one's stem: under ASan the old code read freed memory
 * here, without it a wrong key.
 */
static void test_stem_cache_full(void **state)
{
    (void)state;
    nc_options o;
    nc_options_default(&o);
    o.bigrams = 1;
    nc_featurizer *fz;
    assert_int_equal(nc_featurizer_new(&o, &fz), NC_OK);
    nc_stemmer_set_limit(nc_featurizer_stemmer(fz), 2);
    static const char t[] = "alpha beta xkcdq plmnbvcxzqwrtqsdfghjklm xkcdq";
    nc_sent_in s = { t, sizeof t - 1, NC_SENT_PARA_START | NC_SENT_DOC_LAST, 0, 0, 0 };
    nc_arena a;
    nc_arena_init(&a);
    nc_sent_feats f;
    for (int round = 0; round < 2; round++) { /* the second: all from the caches */
        nc_arena_reset(&a);
        assert_int_equal(nc_featurize(fz, &s, 1, &a, &f), NC_OK);
        assert_true(has(&f, "b:alpha beta"));
        assert_true(has(&f, "b:beta xkcdq"));
        assert_true(has(&f, "b:xkcdq plmnbvcxzqwrtqsdfghjklm"));
        assert_true(has(&f, "b:plmnbvcxzqwrtqsdfghjklm xkcdq"));
        assert_true(has(&f, "w:xkcdq") && has(&f, "w:plmnbvcxzqwrtqsdfghjklm"));
    }
    nc_arena_free(&a);
    nc_featurizer_free(fz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_feature_table),
        cmocka_unit_test(test_families_off_and_context),
        cmocka_unit_test(test_key_ids),
        cmocka_unit_test(test_key_ids_alloc_failure),
        cmocka_unit_test(test_restricted_bigrams),
        cmocka_unit_test(test_stem_cache_front),
        cmocka_unit_test(test_stem_cache_front_keys),
        cmocka_unit_test(test_stem_cache_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
