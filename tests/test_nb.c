/*
 * test_nb.c - naive Bayes arithmetic against the worked example of
 * Manning, Raghavan & Schütze, Introduction to Information Retrieval,
 * Example 13.1, and the training operations that must be exact on counts:
 * update == training on both corpora, merge of shards == one pass, forget
 * undoes update and refuses to go below zero, and every allocation of
 * training and scoring fails cleanly.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_fail.h"
#include "corpus.h"
#include "model.h"
#include "nb.h"

/* A document of (label, text) pairs. */
static void make_doc(nc_doc *d, const char *const *pairs, size_t n)
{
    nc_doc_init(d);
    for (size_t i = 0; i < n; i++) {
        const char *label = pairs[2 * i], *text = pairs[2 * i + 1];
        assert_int_equal(nc_doc_add(d, text, strlen(text), label, strlen(label),
                                    NC_SENT_PARA_START, (uint32_t)i, 0, i + 1),
                         NC_OK);
    }
    d->id = "doc";
    d->file = "test";
    d->s[n - 1].flags |= NC_SENT_DOC_LAST;
}

static nc_options plain_options(void)
{
    nc_options o;
    nc_options_default(&o);
    assert_int_equal(nc_options_set(&o, "stemmer", "none"), NC_OK);
    return o;
}

static const char *const iir_train[] = {
    "c", "Chinese Beijing Chinese",
    "c", "Chinese Chinese Shanghai",
    "c", "Chinese Macao",
    "j", "Tokyo Japan Chinese",
};

static nc_model *train_iir(void)
{
    nc_options o = plain_options();
    nc_trainer *t;
    assert_int_equal(nc_trainer_new(&o, &t), NC_OK);
    nc_doc d;
    make_doc(&d, iir_train, 4);
    assert_int_equal(nc_trainer_add(t, &d, 1, NULL), NC_OK);
    nc_doc_free(&d);
    nc_model *m;
    assert_int_equal(nc_trainer_finish(t, &m), NC_OK);
    return m;
}

static double logp(const nc_model *m, const char *feat, const char *label)
{
    uint32_t f, l;
    assert_true(nc_vocab_find(m->features, feat, strlen(feat), &f));
    assert_true(nc_vocab_find(m->labels, label, strlen(label), &l));
    return nc_model_logp(m, f)[l];
}

static void test_iir_13_1(void **state)
{
    (void)state;
    nc_model *m = train_iir();
    assert_int_equal(m->nlabels, 2);
    assert_int_equal(m->nfeatures, 6);
    /* Conditional probabilities of the textbook, with add-one smoothing. */
    assert_true(fabs(exp(logp(m, "w:chinese", "c")) - 3.0 / 7) < 1e-12);
    assert_true(fabs(exp(logp(m, "w:tokyo", "c")) - 1.0 / 14) < 1e-12);
    assert_true(fabs(exp(logp(m, "w:japan", "c")) - 1.0 / 14) < 1e-12);
    assert_true(fabs(exp(logp(m, "w:chinese", "j")) - 2.0 / 9) < 1e-12);
    assert_true(fabs(exp(logp(m, "w:tokyo", "j")) - 2.0 / 9) < 1e-12);
    assert_true(fabs(exp(logp(m, "w:japan", "j")) - 2.0 / 9) < 1e-12);
    assert_true(fabs(exp(m->log_prior[0]) - 3.0 / 4) < 1e-12); /* labels sorted: c, j */
    /* Features with the same counts share one row: tokyo and japan (0, 1);
     * beijing, shanghai and macao (1, 0); chinese its own: 3 rows. */
    uint32_t ft, fj, fc;
    assert_true(nc_vocab_find(m->features, "w:tokyo", 7, &ft));
    assert_true(nc_vocab_find(m->features, "w:japan", 7, &fj));
    assert_true(nc_vocab_find(m->features, "w:chinese", 9, &fc));
    assert_int_equal(m->row_of[ft], m->row_of[fj]);
    assert_true(m->row_of[ft] != m->row_of[fc]);
    assert_int_equal(m->nrows, 3);

    /* The test document: 3/4 (3/7)^3 (1/14)^2 ~ 0.0003 vs 1/4 (2/9)^5 ~ 0.0001. */
    nc_scorer *sc;
    assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
    nc_arena a;
    nc_arena_init(&a);
    const char *text = "Chinese Chinese Chinese Tokyo Japan";
    nc_sent_in s = { text, strlen(text), NC_SENT_PARA_START | NC_SENT_DOC_LAST, 0, 0, 0 };
    double probs[2];
    uint32_t label;
    assert_int_equal(nc_score_document(sc, &s, 1, &a, probs, &label), NC_OK);
    double pc = 0.75 * pow(3.0 / 7, 3) * pow(1.0 / 14, 2);
    double pj = 0.25 * pow(2.0 / 9, 5);
    assert_true(fabs(pc - 0.0003) < 0.00005);
    assert_true(fabs(pj - 0.0001) < 0.00005);
    assert_int_equal(label, 0);
    assert_true(fabs(probs[0] - pc / (pc + pj)) < 1e-9);
    assert_true(fabs(probs[0] + probs[1] - 1.0) < 1e-12);
    nc_arena_free(&a);
    nc_scorer_free(sc);
    nc_model_free(m);
}

static const char *const corpus_a[] = {
    "incident", "Two soldiers were killed on Monday in a raid.",
    "official_statement", "\"We will respond,\" the ministry said.",
    "background", "The region has been contested for decades.",
};
static const char *const corpus_b[] = {
    "analysis", "Analysts expect the tension to rise further.",
    "incident", "Police arrested three men after the blast.",
};

static void bytes_of(const nc_model *m, unsigned char **b, size_t *n)
{
    assert_int_equal(nc_model_to_bytes(m, b, n), NC_OK);
}

static nc_model *train_docs(const nc_options *o, const nc_doc *const *docs, size_t n)
{
    nc_trainer *t;
    assert_int_equal(nc_trainer_new(o, &t), NC_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(nc_trainer_add(t, docs[i], 1, NULL), NC_OK);
    nc_model *m;
    assert_int_equal(nc_trainer_finish(t, &m), NC_OK);
    return m;
}

static void test_update_merge_forget(void **state)
{
    (void)state;
    nc_options o;
    nc_options_default(&o);
    o.cues = o.position = o.context = 1;
    nc_doc a, b;
    make_doc(&a, corpus_a, 3);
    make_doc(&b, corpus_b, 2);
    b.id = "doc-b";
    const nc_doc *ab[] = { &a, &b };
    nc_model *both = train_docs(&o, ab, 2);
    nc_model *ma = train_docs(&o, ab, 1);
    nc_model *mb = train_docs(&o, ab + 1, 1);
    unsigned char *x, *y;
    size_t nx, ny;
    bytes_of(both, &x, &nx);

    /* A, then update with B == A and B together. */
    nc_trainer *t;
    assert_int_equal(nc_trainer_from_model(ma, &t), NC_OK);
    assert_int_equal(nc_trainer_add(t, &b, 1, NULL), NC_OK);
    nc_model *upd;
    assert_int_equal(nc_trainer_finish(t, &upd), NC_OK);
    bytes_of(upd, &y, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    nc_free(y);

    /* merge(A, B) == one pass. */
    nc_model *mg;
    unsigned char *ab_bytes;
    size_t nab;
    bytes_of(ma, &ab_bytes, &nab);
    assert_int_equal(nc_model_load_mem(ab_bytes, nab, &mg, NULL), NC_OK);
    nc_free(ab_bytes);
    assert_int_equal(nc_model_merge(mg, mb, NULL), NC_OK);
    bytes_of(mg, &y, &ny);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    nc_free(y);

    /* forget B from (A+B) == A; forgetting B again goes below zero. */
    assert_int_equal(nc_trainer_from_model(both, &t), NC_OK);
    assert_int_equal(nc_trainer_add(t, &b, -1, NULL), NC_OK);
    nc_model *fa;
    assert_int_equal(nc_trainer_finish(t, &fa), NC_OK);
    /* Pruned of zero-count features, the counts equal A's (bytes too). */
    unsigned char *za;
    size_t nza;
    bytes_of(ma, &za, &nza);
    bytes_of(fa, &y, &ny);
    assert_int_equal(nza, ny);
    assert_memory_equal(za, y, ny);
    nc_free(za);
    nc_free(y);
    /* B's own label is gone from A: forgetting B again names it. */
    assert_int_equal(nc_trainer_from_model(fa, &t), NC_OK);
    nc_diag diag = { 0 };
    assert_int_equal(nc_trainer_add(t, &b, -1, &diag), NC_ERR_LABEL);
    assert_int_equal(diag.line, 1);
    nc_trainer_free(t);
    /* A sentence never trained on cannot be forgotten. */
    static const char *const unseen[] = { "incident", "Zebras crossed the xylophone." };
    nc_doc u;
    make_doc(&u, unseen, 1);
    assert_int_equal(nc_trainer_from_model(fa, &t), NC_OK);
    assert_int_equal(nc_trainer_add(t, &u, -1, &diag), NC_ERR_RANGE);
    nc_trainer_free(t);
    nc_doc_free(&u);

    /* Incompatible settings refuse to merge. */
    nc_options o2 = o;
    o2.alpha = 0.5;
    nc_model *other = train_docs(&o2, ab, 1);
    assert_int_equal(nc_model_merge(mg, other, NULL), NC_ERR_INCOMPATIBLE);

    nc_free(x);
    nc_model_free(other);
    nc_model_free(fa);
    nc_model_free(mg);
    nc_model_free(upd);
    nc_model_free(ma);
    nc_model_free(mb);
    nc_model_free(both);
    nc_doc_free(&a);
    nc_doc_free(&b);
}

/* Whole training + scoring run, for the allocation-failure loop. */
static nc_status train_and_score(void *arg)
{
    const nc_doc *d = arg;
    nc_options o;
    nc_options_default(&o);
    o.cues = o.position = o.context = o.bigrams = o.binary = 1;
    o.sublabels = 1; /* the grouped scoring path, too */
    o.hmm_weight = 1.0;
    nc_trainer *t;
    nc_status st = nc_trainer_new(&o, &t);
    if (st != NC_OK)
        return st;
    st = nc_trainer_add(t, d, 1, NULL);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    nc_model *m;
    st = nc_trainer_finish(t, &m);
    if (st != NC_OK)
        return st;
    nc_scorer *sc;
    st = nc_scorer_new(m, &sc);
    if (st == NC_OK) {
        nc_arena a;
        nc_arena_init(&a);
        double probs[3 * 3];
        uint32_t labels[3];
        st = nc_score_document(sc, d->s, d->n, &a, probs, labels);
        nc_arena_free(&a);
        nc_scorer_free(sc);
    }
    nc_model_free(m);
    return st;
}

/*
 * sublabels=1: "a/x" and "a/y" are trained as classes of their own and
 * reported as "a", with the sum of their posteriors; a label without '/'
 * is its own group.  Without the option a '/' is just a character.
 */
static const char *const sub_train[] = {
    "a/x", "Soldiers were killed in a raid.",
    "a/y", "The raid was the first in years.",
    "b", "The ministry said it would respond.",
    "/z", "A leading slash does not start a group: this is group /z.",
};

static void test_sublabels(void **state)
{
    (void)state;
    nc_doc d;
    make_doc(&d, sub_train, 4);
    const nc_doc *docs[] = { &d };
    for (int sub = 0; sub <= 1; sub++) {
        nc_options o = plain_options();
        assert_int_equal(nc_options_set(&o, "sublabels", sub ? "1" : "0"), NC_OK);
        nc_model *m = train_docs(&o, docs, 1);
        /* classes in byte order: "/z" "a/x" "a/y" "b" */
        assert_int_equal(nc_model_classes(m), 4);
        assert_string_equal(nc_model_class(m, 1), "a/x");
        assert_int_equal(nc_model_labels(m), sub ? 3 : 4);
        assert_string_equal(nc_model_label(m, 0), "/z");
        assert_string_equal(nc_model_label(m, 1), sub ? "a" : "a/x");
        assert_string_equal(nc_model_label(m, sub ? 2 : 3), "b");
        assert_int_equal(nc_model_class_label(m, 2), sub ? 1 : 2);
        assert_int_equal(nc_model_class_label(m, 3), sub ? 2 : 3);
        uint32_t g = 99;
        assert_true(nc_model_find_output(m, "a/y", &g));
        assert_int_equal(g, sub ? 1 : 2);
        assert_int_equal(nc_model_find_output(m, "a", &g), sub);
        assert_int_equal(nc_model_find_output(m, "a/unseen", &g), sub);
        assert_false(nc_model_find_output(m, "c", &g));
        g = 99; /* with sublabels "/z/deeper" is in group "/z": a leading '/' does not count */
        assert_int_equal(nc_model_find_output(m, "/z/deeper", &g), sub);
        assert_int_equal(g, sub ? 0 : 99);

        nc_scorer *sc;
        assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
        nc_arena a;
        nc_arena_init(&a);
        double cp[4], p[4];
        uint32_t label;
        assert_int_equal(nc_score_classes(sc, d.s, 1, &a, cp), NC_OK);
        assert_int_equal(nc_score_document(sc, d.s, 1, &a, p, &label), NC_OK);
        if (sub) {
            assert_true(fabs(p[0] - cp[0]) < 1e-12);
            assert_true(fabs(p[1] - (cp[1] + cp[2])) < 1e-12);
            assert_true(fabs(p[2] - cp[3]) < 1e-12);
        } else {
            for (int l = 0; l < 4; l++)
                assert_true(fabs(p[l] - cp[l]) < 1e-12);
        }
        assert_int_equal(label, 1); /* the training sentence of a/x */
        nc_arena_free(&a);
        nc_scorer_free(sc);
        nc_model_free(m);
    }
    nc_doc_free(&d);
}

/* Sum of the explain contributions of the features whose key starts with ctx's prefix. */
typedef struct prefix_sum {
    const char *prefix;
    double sum;
    int n;
} prefix_sum;

static void add_prefixed(void *ctx, const char *key, double contribution)
{
    prefix_sum *ps = ctx;
    if (strncmp(key, ps->prefix, strlen(ps->prefix)) == 0) {
        ps->sum += contribution;
        ps->n++;
    }
}

/* position_weight scales exactly the position features' evidence. */
static void test_position_weight(void **state)
{
    (void)state;
    nc_doc d;
    make_doc(&d, corpus_a, 3);
    const nc_doc *docs[] = { &d };
    prefix_sum pos[2] = { { "p:", 0, 0 }, { "p:", 0, 0 } }, cue[2] = { { "c:", 0, 0 }, { "c:", 0, 0 } };
    for (int i = 0; i < 2; i++) {
        nc_options o = plain_options();
        o.cues = o.position = 1;
        o.cue_weight = 0.5;
        o.position_weight = i ? 3.0 : 1.0;
        nc_model *m = train_docs(&o, docs, 1);
        nc_scorer *sc;
        assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
        nc_arena a;
        nc_arena_init(&a);
        assert_int_equal(nc_explain_sentence(sc, &d.s[0], &a, 0, 1, add_prefixed, &pos[i]), NC_OK);
        nc_arena_reset(&a);
        assert_int_equal(nc_explain_sentence(sc, &d.s[0], &a, 0, 1, add_prefixed, &cue[i]), NC_OK);
        nc_arena_free(&a);
        nc_scorer_free(sc);
        nc_model_free(m);
    }
    assert_true(pos[0].n > 0 && cue[0].n > 0);
    assert_true(fabs(pos[0].sum) > 1e-6);
    assert_true(fabs(pos[1].sum - 3.0 * pos[0].sum) < 1e-9);
    assert_true(fabs(cue[1].sum - cue[0].sum) < 1e-12);
    nc_doc_free(&d);
}

/* nc_label_from_emissions with bounds and with posteriors on a copy of e;
 * the labels must agree.  how[] counts what decided the bounded one. */
static void check_label(const nc_scorer *sc, const double *e, uint32_t nl, unsigned how[3])
{
    double a[16], b[16];
    assert_true(nl <= 16);
    memcpy(a, e, nl * sizeof *e);
    memcpy(b, e, nl * sizeof *e);
    int by = -1;
    uint32_t bounded = nc_label_from_emissions(sc, a, 0, &by);
    uint32_t exact = nc_label_from_emissions(sc, b, 1, NULL);
    assert_int_equal(bounded, exact);
    assert_true(by >= 0 && by <= 2);
    how[by]++;
}

static double uniform(uint64_t *rng)
{
    return (double)(nc_rand_next(rng) >> 11) * 0x1p-53;
}

/*
 * Labels only: the label taken from bounds (the emissions' gaps, or
 * approximate posteriors) is the posteriors' argmax, also at and near
 * ties between groups, where the bounds must give up; on the default
 * model's 9 classes in 4 groups and on a small model with groups of one
 * and two classes.
 */
static void test_labels_near_ties(void **state)
{
    (void)state;
    unsigned how[3] = { 0, 0, 0 };
    uint64_t rng = 7;
    /* "/z" "a/x" "a/y" "b": groups {0} {1 2} {3}. */
    nc_doc d;
    make_doc(&d, sub_train, 4);
    const nc_doc *docs[] = { &d };
    nc_options o = plain_options();
    assert_int_equal(nc_options_set(&o, "sublabels", "1"), NC_OK);
    nc_model *m = train_docs(&o, docs, 1);
    nc_scorer *sc;
    assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
    /* Group a (two classes at x) against /z at x + log 2 + d: a tie at d = 0,
     * /z ahead for d > 0; the same from b's side, at several scales. */
    static const double deltas[] = { 0,     1e-16, 1e-15, 1e-13, 1e-11, 1e-9, 1e-8, 1e-7,
                                     1e-6, 3e-6,  1e-5,  1e-4,  1e-2,  0.5,  1,    30 };
    static const double bases[] = { 0, -7.25, -1234.5, 3e5 };
    for (size_t i = 0; i < sizeof bases / sizeof *bases; i++)
        for (size_t j = 0; j < sizeof deltas / sizeof *deltas; j++)
            for (int sign = -1; sign <= 1; sign += 2) {
                double x = bases[i], dd = sign * deltas[j];
                double e1[4] = { x + log(2.0) + dd, x, x, x - 3 };
                double e2[4] = { x - 40, x, x + dd, x + log(exp(dd) + 1.0) };
                double e3[4] = { x, x - 1000, x + dd, x + dd * 0.5 };
                check_label(sc, e1, 4, how);
                check_label(sc, e2, 4, how);
                check_label(sc, e3, 4, how);
            }
    /* Emissions that are not finite go to the posteriors. */
    double bad[][4] = { { NAN, 0, 0, 0 }, { 0, INFINITY, 0, 0 }, { 0, 0, -INFINITY, -1 } };
    for (size_t i = 0; i < 3; i++)
        check_label(sc, bad[i], 4, how);
    nc_scorer_free(sc);
    nc_model_free(m);
    nc_doc_free(&d);

    /* The default model: random emissions, spread from near ties to wide. */
    assert_int_equal(nc_model_load_default(&m, NULL), NC_OK);
    assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
    uint32_t nl = m->nlabels;
    assert_true(nl <= 16);
    for (int r = 0; r < 200000; r++) {
        double e[16], spread = pow(10.0, -12.0 + 15.0 * uniform(&rng)), base = -500 * uniform(&rng);
        for (uint32_t l = 0; l < nl; l++)
            e[l] = base + spread * (uniform(&rng) - 0.5);
        if (r % 7 == 0) /* groups close together: one class a log 2 or log 3 above */
            e[nc_rand_next(&rng) % nl] += log(2.0 + (double)(nc_rand_next(&rng) % 2));
        check_label(sc, e, nl, how);
    }
    nc_scorer_free(sc);
    nc_model_free(m);
    /* Each way of deciding was taken. */
    assert_true(how[0] > 0 && how[1] > 0 && how[2] > 0);
}

/* softmax_row's arithmetic (nb.c), for reference_classes. */
static void softmax_reference(double *p, uint32_t nl)
{
    double mx = -INFINITY;
    for (uint32_t l = 0; l < nl; l++)
        if (p[l] > mx)
            mx = p[l];
    double s = 1.0;
    int seen_max = 0;
    for (uint32_t l = 0; l < nl; l++) {
        if (!seen_max && p[l] == mx)
            seen_max = 1;
        else
            s += exp(p[l] - mx);
    }
    double z = mx + log(s);
    for (uint32_t l = 0; l < nl; l++)
        p[l] = exp(p[l] - z);
}

/*
 * The class posteriors of s[0..n) the plain way (no sequence layer): the
 * keys of an unrestricted featurizer looked up by string, each feature
 * once a sentence when binary, its log P row added in key order to the
 * word or the cue sum (position rows times position_weight), the scores
 * from nb.h's formula, then softmax_row's arithmetic.
 */
static void reference_classes(const nc_model *m, const nc_sent_in *s, size_t n, double *out)
{
    const nc_options *o = &m->opt;
    uint32_t nl = m->nlabels;
    nc_featurizer *fz;
    assert_int_equal(nc_featurizer_new(o, &fz), NC_OK);
    nc_arena a;
    nc_arena_init(&a);
    nc_sent_feats *sf = calloc(n, sizeof *sf);
    unsigned char *seen = calloc(m->nfeatures + 1, 1);
    double *ws = calloc(nl, sizeof *ws), *cs = calloc(nl, sizeof *cs);
    assert_non_null(sf);
    assert_non_null(seen);
    assert_non_null(ws);
    assert_non_null(cs);
    assert_int_equal(nc_featurize(fz, s, n, &a, sf), NC_OK);
    for (size_t i = 0; i < n; i++) {
        size_t nwords = 0;
        memset(seen, 0, m->nfeatures + 1);
        for (uint32_t l = 0; l < nl; l++)
            ws[l] = cs[l] = 0.0;
        for (size_t k = 0; k < sf[i].n; k++) {
            const nc_key *key = &sf[i].keys[k];
            uint32_t f;
            assert_non_null(key->s);
            if (!nc_vocab_find(m->features, key->s, key->len, &f))
                continue;
            if (o->binary) {
                if (seen[f])
                    continue;
                seen[f] = 1;
            }
            const char *name = nc_vocab_key(m->features, f, NULL);
            const double *lp = nc_model_logp(m, f);
            if (nc_feature_is_word(name)) {
                nwords++;
                for (uint32_t l = 0; l < nl; l++)
                    ws[l] += lp[l];
            } else if (name[0] == 'p' && name[1] == ':') {
                for (uint32_t l = 0; l < nl; l++)
                    cs[l] += o->position_weight * lp[l];
            } else {
                for (uint32_t l = 0; l < nl; l++)
                    cs[l] += lp[l];
            }
        }
        double w = (o->length_norm > 0 && nwords) ? o->length_norm / (double)nwords : 1.0;
        double *e = &out[i * nl];
        for (uint32_t l = 0; l < nl; l++)
            e[l] = (o->prior_weight * m->log_prior[l] + w * ws[l] + o->cue_weight * cs[l]) *
                   o->emission_scale;
        softmax_reference(e, nl);
    }
    free(cs);
    free(ws);
    free(seen);
    free(sf);
    nc_arena_free(&a);
    nc_featurizer_free(fz);
}

/* A sentence of nw words drawn from a vocabulary of the first nvocab of
 * words[] (some of them twice), into buf: words the same sentence repeats
 * and, past nvocab, words no model has seen. */
static const char *random_sentence(char *buf, size_t cap, uint64_t *rng, size_t nw, size_t nvocab)
{
    static const char *const words[] = {
        "army",   "attack", "said",   "minister", "border",  "talks",  "killed", "police",
        "expect", "growth", "region", "decades",  "\"we",    "will",   "rise",   "raid",
        "monday", "three",  "men",    "blast",    "claimed", "govern", "report", "today",
        "zebra",  "quartz", "lumen",  "vortex",
    };
    size_t len = 0, nwords = sizeof words / sizeof *words;
    buf[0] = '\0';
    for (size_t i = 0; i < nw; i++) {
        const char *w = words[nc_rand_next(rng) % (nvocab < nwords ? nvocab : nwords)];
        size_t wl = strlen(w);
        assert_true(len + wl + 3 < cap);
        if (i)
            buf[len++] = ' ';
        memcpy(buf + len, w, wl);
        len += wl;
    }
    buf[len++] = '.';
    buf[len] = '\0';
    return buf;
}

/*
 * Scoring against reference_classes, bit for bit: every path of
 * score_sentence (binary or not, restricted featurizer or not, label
 * counts with and without a copy of their own, odd and even, long
 * sentences with repeated and unknown words, cue and position features).
 */
static void test_scores_reference(void **state)
{
    (void)state;
    static const struct {
        uint32_t labels;
        const char *set[8][2];
    } cases[] = {
        { 3, { { NULL, NULL } } },
        { 2, { { "bigrams", "1" }, { "binary", "1" }, { NULL, NULL } } },
        { 9,
          { { "bigrams", "1" },
            { "cues", "1" },
            { "position", "1" },
            { "position_weight", "2.5" },
            { "length_norm", "6" },
            { NULL, NULL } } },
        { 13,
          { { "bigrams", "1" },
            { "binary", "1" },
            { "cues", "1" },
            { "position", "1" },
            { "position_weight", "0.75" },
            { "cue_weight", "0.6" },
            { "prior_weight", "0.9" },
            { "emission_scale", "1.3" } } },
        { 13, { { "binary", "1" }, { "cues", "1" }, { "length_norm", "4" }, { NULL, NULL } } },
    };
    uint64_t rng = 11;
    char text[40][1200];
    char label[40][8];
    const char *pairs[80];
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        nc_options o = plain_options();
        for (size_t k = 0; k < 8 && cases[c].set[k][0]; k++)
            assert_int_equal(nc_options_set(&o, cases[c].set[k][0], cases[c].set[k][1]), NC_OK);
        /* Training: 40 sentences, the labels in turn, from 24 words. */
        for (size_t i = 0; i < 40; i++) {
            snprintf(label[i], sizeof label[i], "l%02u", (unsigned)(i % cases[c].labels));
            random_sentence(text[i], sizeof text[i], &rng, 3 + i % 9, 24);
            pairs[2 * i] = label[i];
            pairs[2 * i + 1] = text[i];
        }
        nc_doc d;
        make_doc(&d, pairs, 40);
        const nc_doc *docs[] = { &d };
        nc_model *m = train_docs(&o, docs, 1);
        nc_doc_free(&d);
        assert_int_equal(m->nlabels, cases[c].labels);
        /* Scoring: 12 sentences of up to 300 words (the scratch lists grow)
         * with the four words training never saw; twice, so that the second
         * round finds its keys in the caches. */
        for (size_t i = 0; i < 12; i++) {
            random_sentence(text[i], sizeof text[i], &rng, i == 5 ? 150 : 1 + i * 3, 28);
            pairs[2 * i] = "x";
            pairs[2 * i + 1] = text[i];
        }
        make_doc(&d, pairs, 12);
        nc_scorer *sc;
        assert_int_equal(nc_scorer_new(m, &sc), NC_OK);
        nc_arena a;
        nc_arena_init(&a);
        uint32_t nl = m->nlabels;
        double *got = calloc(12 * nl, sizeof *got), *want = calloc(12 * nl, sizeof *want);
        assert_non_null(got);
        assert_non_null(want);
        reference_classes(m, d.s, 12, want);
        for (int round = 0; round < 2; round++) {
            assert_int_equal(nc_score_classes(sc, d.s, 12, &a, got), NC_OK);
            assert_memory_equal(got, want, 12 * nl * sizeof *got);
            nc_arena_reset(&a);
        }
        free(got);
        free(want);
        nc_arena_free(&a);
        nc_scorer_free(sc);
        nc_model_free(m);
        nc_doc_free(&d);
    }
}

static void test_alloc_failures(void **state)
{
    (void)state;
    nc_doc d;
    make_doc(&d, corpus_a, 3);
    af_install();
    for (int sticky = 0; sticky <= 1; sticky++) {
        unsigned long bad;
        unsigned long sites = af_loop(train_and_score, &d, sticky, &bad);
        print_message("train+score: %lu allocation sites failed (%s), first bad: %lu\n", sites,
                      sticky ? "from then on" : "once", bad);
        assert_true(sites > 10);
        assert_int_equal(bad, 0);
    }
    af_uninstall();
    nc_doc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iir_13_1),
        cmocka_unit_test(test_update_merge_forget),
        cmocka_unit_test(test_sublabels),
        cmocka_unit_test(test_position_weight),
        cmocka_unit_test(test_labels_near_ties),
        cmocka_unit_test(test_scores_reference),
        cmocka_unit_test(test_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
