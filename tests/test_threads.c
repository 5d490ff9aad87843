/*
 * test_threads.c - threads change speed, never results (issue 5).
 *
 * Classify a built-in text (several documents, one longer than a block of
 * 4096 sentences) fed in chunks of several sizes, and train on a built-in
 * corpus, with 1, 2 and 4 threads: the results (every label, posterior,
 * document, index and sentence) and the model bytes must be identical.
 * Also the contract of newsclass.h: a caller that drains after every call
 * gets every result once and in order; after end_document every result
 * of the document is available; a caller that never drains gets NC_ERR_ARG
 * instead of unbounded memory; and --update / --forget style training and
 * error reports are the same with threads.  Run under ASan/UBSan (and TSan
 * in a scratch build) these also check the pipeline's memory and locking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "model.h"
#include "newsclass.h"

/* Sentences to build text and corpora from: varied cues and words. */
static const char *const pool[] = {
    "The minister said on Tuesday that the government would review the policy.",
    "At least 12 people were killed when a bomb exploded in the market.",
    "Analysts expect prices to rise further next year, according to a survey.",
    "The company was founded in 1998 and has grown rapidly since then.",
    "Police arrested three men after the attack, officials said.",
    "\"We will not give up,\" the spokesman told reporters.",
    "Critics argue that the plan could hurt small businesses.",
    "The river burst its banks, flooding hundreds of homes.",
    "Shares fell 3.5% in early trading on Monday.",
    "Decades of conflict have left the region deeply divided.",
    "The president announced new sanctions against the regime.",
    "It is unclear whether the talks will resume.",
};
static const char *const labels[] = {
    "official_statement", "incident", "analysis", "background", "incident",
    "official_statement", "analysis", "incident", "incident", "background",
    "official_statement", "analysis",
};
#define NPOOL (sizeof pool / sizeof pool[0])

static uint64_t rng = 42;
static uint32_t rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33);
}

/* A growable string. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void putf(buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof tmp);
    put(b, tmp, (size_t)n);
}

/* Documents of raw text: sizes in sentences (one above a 4096 block). */
static const size_t doc_sizes[] = { 1, 30, 5000, 7, 200, 0, 64 };
#define NDOCS (sizeof doc_sizes / sizeof doc_sizes[0])

static void make_text(buf *docs)
{
    rng = 7;
    for (size_t d = 0; d < NDOCS; d++) {
        docs[d].n = 0;
        for (size_t i = 0; i < doc_sizes[d]; i++) {
            const char *s = pool[rnd() % NPOOL];
            put(&docs[d], s, strlen(s));
            if (rnd() % 5)
                put(&docs[d], " ", 1);
            else
                put(&docs[d], "\n\n", 2);
        }
    }
}

/* How classify_all runs and records: every field; every field but the
 * posteriors; with nc_classifier_labels_only (no posteriors to record). */
enum { ALL, LABELS_VIEW, LABELS_ONLY };

/* Record every field of a result (but the posteriors unless mode is ALL). */
static void record(buf *out, const nc_model *m, const nc_result *r, int mode)
{
    putf(out, "%zu %zu %zu", r->document, r->index, r->label);
    if (mode == LABELS_ONLY)
        assert_null(r->probs);
    for (size_t l = 0; mode == ALL && l < nc_model_labels(m); l++)
        putf(out, " %.17g", r->probs[l]);
    put(out, " ", 1);
    put(out, r->sentence.text, r->sentence.len);
    put(out, "\n", 1);
}

static size_t drain(nc_classifier *cl, const nc_model *m, buf *out, int mode)
{
    nc_result r;
    size_t n = 0;
    while (nc_classifier_next(cl, &r)) {
        record(out, m, &r, mode);
        n++;
    }
    return n;
}

/*
 * Classify the documents with the given threads and chunk size, draining
 * after every call (the old usage); also check that after end_document the
 * document's results are all out (count equals the one-thread count).
 */
static void classify_all(const nc_model *m, const buf *docs, unsigned threads, size_t chunk,
                         buf *out, size_t *per_doc, int mode)
{
    nc_run run = { threads, NULL, NULL, NULL };
    nc_classifier *cl;
    assert_int_equal(nc_classifier_new(m, &run, &cl), NC_OK);
    if (mode == LABELS_ONLY)
        assert_int_equal(nc_classifier_labels_only(cl), NC_OK);
    for (size_t d = 0; d < NDOCS; d++) {
        size_t got = 0;
        for (size_t off = 0; off < docs[d].n; off += chunk) {
            size_t n = docs[d].n - off < chunk ? docs[d].n - off : chunk;
            assert_int_equal(nc_classifier_feed(cl, docs[d].p + off, n), NC_OK);
            got += drain(cl, m, out, mode);
        }
        assert_int_equal(nc_classifier_end_document(cl), NC_OK);
        got += drain(cl, m, out, mode);
        if (per_doc[d] == SIZE_MAX)
            per_doc[d] = got;
        else
            assert_int_equal(got, per_doc[d]);
    }
    nc_classifier_free(cl);
}

/* Fresh test documents in docs, and per_doc set to "not counted yet". */
static void make_docs(buf *docs, size_t *per_doc)
{
    memset(docs, 0, NDOCS * sizeof *docs);
    make_text(docs);
    for (size_t d = 0; d < NDOCS; d++)
        per_doc[d] = SIZE_MAX;
}

static void free_docs(buf *docs)
{
    for (size_t d = 0; d < NDOCS; d++)
        free(docs[d].p);
}

/* One thread recording with ref_mode, then threads from first to last (by
 * step) recording with mode: the same records. */
static void classify_compare(const nc_model *m, const buf *docs, size_t chunk, size_t *per_doc,
                             int ref_mode, int mode, unsigned first, unsigned last,
                             unsigned step)
{
    buf ref = { 0 };
    classify_all(m, docs, 1, chunk, &ref, per_doc, ref_mode);
    assert_true(ref.n > 0);
    for (unsigned t = first; t <= last; t += step) {
        buf out = { 0 };
        classify_all(m, docs, t, chunk, &out, per_doc, mode);
        assert_int_equal(out.n, ref.n);
        assert_memory_equal(out.p, ref.p, ref.n);
        free(out.p);
    }
    free(ref.p);
}

static void test_classify_identical(void **state)
{
    (void)state;
    nc_model *m;
    assert_int_equal(nc_model_load_default(&m, NULL), NC_OK);
    buf docs[NDOCS];
    size_t per_doc[NDOCS];
    make_docs(docs, per_doc);
    static const size_t chunks[] = { 65536, 997 };
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++)
        classify_compare(m, docs, chunks[c], per_doc, ALL, ALL, 2, 4, 2);
    size_t total = 0;
    for (size_t d = 0; d < NDOCS; d++)
        total += per_doc[d];
    assert_true(total > 4096);
    free_docs(docs);
    nc_model_free(m);
}

/*
 * nc_classifier_labels_only gives the labels of the full computation, with
 * one thread and two, for the default model (sub-labels: a group's
 * posterior is a sum) and with the sequence layer on (which needs every
 * posterior); and it must come before the first feed.
 */
static void test_classify_labels_only(void **state)
{
    (void)state;
    nc_model *m;
    assert_int_equal(nc_model_load_default(&m, NULL), NC_OK);
    buf docs[NDOCS];
    size_t per_doc[NDOCS];
    for (int hmm = 0; hmm < 2; hmm++) {
        m->opt.hmm_weight = hmm ? 0.3 : 0.0;
        make_docs(docs, per_doc);
        classify_compare(m, docs, 65536, per_doc, LABELS_VIEW, LABELS_ONLY, 1, 2, 1);
        free_docs(docs);
    }
    nc_classifier *cl;
    assert_int_equal(nc_classifier_new(m, NULL, &cl), NC_OK);
    assert_int_equal(nc_classifier_feed(cl, "One. Two.", 9), NC_OK);
    assert_int_equal(nc_classifier_labels_only(cl), NC_ERR_ARG);
    nc_classifier_free(cl);
    nc_model_free(m);
}

/*
 * A caller that never drains: without threads the second call fails; with
 * threads, a bounded number of blocks is accepted and then NC_ERR_ARG;
 * draining then gives the results in order and feeding works again.
 */
static void test_classify_no_drain(void **state)
{
    (void)state;
    nc_model *m;
    assert_int_equal(nc_model_load_default(&m, NULL), NC_OK);
    buf text = { 0 };
    rng = 3;
    for (size_t i = 0; i < 4200; i++) {
        const char *s = pool[rnd() % NPOOL];
        put(&text, s, strlen(s));
        put(&text, " ", 1);
    }
    for (unsigned t = 1; t <= 4; t *= 2) {
        nc_run run = { t, NULL, NULL, NULL };
        nc_classifier *cl;
        assert_int_equal(nc_classifier_new(m, &run, &cl), NC_OK);
        nc_status st = NC_OK;
        size_t calls = 0;
        while (st == NC_OK && calls < 50) {
            st = nc_classifier_feed(cl, text.p, text.n); /* a block every call */
            calls++;
        }
        assert_int_equal(st, NC_ERR_ARG);
        assert_true(calls >= 2 && calls <= t + 3);
        /* Drain (results come in order), then the classifier goes on. */
        nc_result r;
        size_t n = 0, last_index = 0;
        for (;;) {
            while (nc_classifier_next(cl, &r)) {
                if (n)
                    assert_int_equal(r.index, last_index + 1);
                last_index = r.index;
                n++;
            }
            if (nc_classifier_end_document(cl) == NC_OK)
                break;
        }
        while (nc_classifier_next(cl, &r)) {
            if (n)
                assert_int_equal(r.index, last_index + 1);
            last_index = r.index;
            n++;
        }
        assert_int_equal(r.index + 1, n);
        nc_classifier_free(cl);
    }
    free(text.p);
    nc_model_free(m);
}

/* A document-TSV corpus file in dir: ndocs documents of varied length. */
static void write_corpus(const char *path, size_t ndocs, uint64_t seed)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    rng = seed;
    for (size_t d = 0; d < ndocs; d++) {
        fprintf(f, "# doc: d%llu-%zu\n", (unsigned long long)seed, d);
        /* Unique content: the reader rejects duplicate documents. */
        fprintf(f, "background\tThis is report %llu-%zu.\n", (unsigned long long)seed, d);
        size_t n = 1 + rnd() % 30;
        for (size_t i = 0; i < n; i++) {
            size_t k = rnd() % NPOOL;
            if (rnd() % 4 == 0)
                fprintf(f, "# para\n");
            fprintf(f, "%s\t%s\n", labels[k], pool[k]);
        }
        fprintf(f, "\n");
    }
    fclose(f);
}

static void model_bytes(const nc_model *m, unsigned char **b, size_t *n)
{
    assert_int_equal(nc_model_to_bytes(m, b, n), NC_OK);
}

/* Training path with 1, 2 and 4 threads fails with st at line, with a
 * message that mentions what. */
static void expect_train_error(const char *path, const nc_options *o, nc_status st,
                               unsigned long line, const char *what)
{
    nc_source src = { path, NC_FORMAT_TSV, NULL, 0 };
    for (unsigned t = 1; t <= 4; t *= 2) {
        nc_run run = { t, NULL, NULL, NULL };
        nc_model *m = NULL;
        nc_diag d;
        memset(&d, 0, sizeof d);
        assert_int_equal(nc_train_sources(&src, 1, o, NULL, 1, &run, &m, &d), st);
        assert_int_equal(d.line, line);
        assert_non_null(strstr(d.message, what));
        assert_null(m);
    }
}

static void test_train_identical(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_threads.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char a[64], b[64], bad[64];
    snprintf(a, sizeof a, "%s/a.tsv", dir);
    snprintf(b, sizeof b, "%s/b.tsv", dir);
    snprintf(bad, sizeof bad, "%s/bad.tsv", dir);
    write_corpus(a, 300, 1);
    write_corpus(b, 40, 2);
    nc_source src[2] = { { a, NC_FORMAT_TSV, NULL, 0 }, { b, NC_FORMAT_TSV, NULL, 0 } };
    nc_options o;
    nc_options_default(&o);
    assert_int_equal(nc_options_set(&o, "bigrams", "1"), NC_OK);

    unsigned char *ref = NULL, *ref_up = NULL, *ref_fg = NULL;
    size_t nref = 0, nref_up = 0, nref_fg = 0;
    for (unsigned t = 1; t <= 4; t *= 2) {
        nc_run run = { t, NULL, NULL, NULL };
        nc_model *m = NULL, *up = NULL, *fg = NULL;
        nc_diag d;
        memset(&d, 0, sizeof d);
        nc_status st = nc_train_sources(src, 1, &o, NULL, 1, &run, &m, &d);
        if (st != NC_OK)
            fail_msg("%s:%lu: %s", d.file, d.line, d.message);
        /* --update with the second file, then --forget it again. */
        assert_int_equal(nc_train_sources(&src[1], 1, NULL, m, 1, &run, &up, NULL), NC_OK);
        assert_int_equal(nc_train_sources(&src[1], 1, NULL, up, -1, &run, &fg, NULL), NC_OK);
        unsigned char *x, *y, *z;
        size_t nx, ny, nz;
        model_bytes(m, &x, &nx);
        model_bytes(up, &y, &ny);
        model_bytes(fg, &z, &nz);
        if (t == 1) {
            ref = x, nref = nx, ref_up = y, nref_up = ny, ref_fg = z, nref_fg = nz;
        } else {
            assert_int_equal(nx, nref);
            assert_memory_equal(x, ref, nref);
            assert_int_equal(ny, nref_up);
            assert_memory_equal(y, ref_up, nref_up);
            assert_int_equal(nz, nref_fg);
            assert_memory_equal(z, ref_fg, nref_fg);
            nc_free(x);
            nc_free(y);
            nc_free(z);
        }
        nc_model_free(m);
        nc_model_free(up);
        nc_model_free(fg);
    }
    /* Forget a corpus never trained on: the same error and diagnostic. */
    char ref_msg[sizeof ((nc_diag *)0)->message];
    nc_status ref_st = NC_OK;
    for (unsigned t = 1; t <= 4; t *= 2) {
        nc_run run = { t, NULL, NULL, NULL };
        nc_model *m = NULL, *fg = NULL;
        assert_int_equal(nc_train_sources(&src[1], 1, &o, NULL, 1, &run, &m, NULL), NC_OK);
        nc_diag d;
        memset(&d, 0, sizeof d);
        nc_status st = nc_train_sources(src, 1, NULL, m, -1, &run, &fg, &d);
        assert_int_not_equal(st, NC_OK);
        assert_null(fg);
        if (t == 1) {
            ref_st = st;
            memcpy(ref_msg, d.message, sizeof ref_msg);
        } else {
            assert_int_equal(st, ref_st);
            assert_string_equal(d.message, ref_msg);
        }
        nc_model_free(m);
    }
    /* A malformed line after good documents: the same error. */
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    for (int i = 0; i < 50; i++)
        fprintf(f, "# doc: g%d\nincident\tThere were %d blasts.\n\n", i, i);
    fprintf(f, "no tab here\n");
    fclose(f);
    expect_train_error(bad, &o, NC_ERR_FORMAT, 151, "tab");
    /* One label too many, late in the input: the threads count into
     * trainers of their own, each seeing only some of the labels, and the
     * reading thread must still fail at the same document and line. */
    f = fopen(bad, "w");
    assert_non_null(f);
    for (int i = 0; i < (int)NC_MAX_LABELS + 5; i++)
        fprintf(f, "# doc: l%d\nlabel%d\tThere were %d blasts.\n\n", i, i, i);
    fclose(f);
    expect_train_error(bad, &o, NC_ERR_RANGE, 3 * NC_MAX_LABELS + 2, "labels");
    nc_free(ref);
    nc_free(ref_up);
    nc_free(ref_fg);
    remove(a);
    remove(b);
    remove(bad);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_identical),
        cmocka_unit_test(test_classify_labels_only),
        cmocka_unit_test(test_classify_no_drain),
        cmocka_unit_test(test_train_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
