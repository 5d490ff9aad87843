/*
 * test_hostile.c - out of memory, end to end, through the public API only
 * (issue 6: "never crash, never lose a model").
 *
 * The module tests fail allocations inside one module at a time
 * (test_nb.c, test_model_io.c, test_sentence.c ...).  This file runs the
 * whole paths a program runs, with nothing but newsclass.h, under the
 * failing allocator of alloc_fail.h (SQLite's loop: fail allocation 1, 2,
 * 3, ... once, then from then on, until a run completes without an
 * injected failure):
 *   - load:     nc_model_load_mem of a real model trained here, and of the
 *               built-in default model (nc_model_load_default);
 *   - classify: nc_classifier_new/feed/end_document/next over a text full
 *               of hostile bytes (invalid UTF-8, NUL, BOM, CRLF, a long
 *               word), fed whole and in small chunks, with the trained
 *               model and with the built-in one (its tuned settings use
 *               more feature families);
 *   - train:    nc_train_sources on a small TSV written to a temporary
 *               file, then nc_model_save over an existing model, and the
 *               brat reader through nc_corpus_read.
 * Every run must end in NC_OK or NC_ERR_NOMEM with no live block left, and
 * a run that reports NC_OK must give exactly the reference output (a
 * swallowed allocation failure must never change a result).  A save that
 * fails must leave the old model file byte for byte.  The number of
 * allocation sites failed on each path is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "newsclass.h"

/* ------------------------------------------------------------------------ */
/* Fixtures: a temporary directory with a small corpus and a model          */
/* ------------------------------------------------------------------------ */

static char dir[64];
static char tsv_path[96], model_path[96], brat_dir[96], map_path[96];
static unsigned char *model_bytes; /* the reference model, trained without failures */
static size_t model_len;

/* Written by hand for this test: four labels, three documents. */
static const char tsv_text[] =
    "# doc: harbour\n"
    "# para\n"
    "incident\tPolice arrested two men near the harbour on Monday.\n"
    "official_statement\t\"We will not tolerate this,\" the mayor said.\n"
    "# para\n"
    "background\tThe harbour has handled grain shipments for a century.\n"
    "analysis\tThe arrests will probably calm the dock workers.\n"
    "\n"
    "# doc: bridge\n"
    "incident\tA bridge collapsed after heavy rain late on Sunday.\n"
    "official_statement\tThe transport ministry said engineers were on site.\n"
    "background\tThe bridge was built in 1962 and last repaired in 2004.\n"
    "analysis\tExperts expect the repairs to take most of the year.\n"
    "\n"
    "# doc: caf\xc3\xa9\n"
    "incident\tA caf\xc3\xa9 owner in S\xc3\xa3o Paulo reported a break-in.\n"
    "analysis\tSuch thefts are likely to rise during the holidays.\n";

/* The text to classify: every kind of hostile byte the splitter handles. */
static const char hostile_text[] =
    "\xef\xbb\xbfThe mayor said the port would reopen.\r\n"
    "Police arrested \xc0\xaf two men\0near the harbour. \xed\xa0\x80 Surrogate \x80\xbf here.\r\n"
    "\r\n"
    "\"We will act,\" the minister said \xf4\x90\x80\x80 on Monday!!! ... ??? "
    "Analysts expect \xe2\x82 more \xf8\x88\x80\x80\x80 arrests.\n\n"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    " is a long word. Caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9.\r";

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    unsigned char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/nc_hostile.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(tsv_path, sizeof tsv_path, "%s/corpus.tsv", dir);
    snprintf(model_path, sizeof model_path, "%s/m.ncm", dir);
    snprintf(brat_dir, sizeof brat_dir, "%s/brat", dir);
    snprintf(map_path, sizeof map_path, "%s/map.tsv", dir);
    write_file(tsv_path, tsv_text, sizeof tsv_text - 1);
    if (mkdir(brat_dir, 0777) != 0)
        return -1;
    char p[128];
    static const char txt[] = "Bridge falls\n\nS1 A bridge collapsed on Sunday.\n"
                              "S2 The ministry said engineers were there.\n";
    static const char ann[] = "T1\tMain 18 20\tS1\nT2\tSpeech 49 51\tS2\n";
    static const char map[] = "Speech\tofficial_statement\nMain\tincident\n";
    snprintf(p, sizeof p, "%s/a.txt", brat_dir);
    write_file(p, txt, sizeof txt - 1);
    snprintf(p, sizeof p, "%s/a.ann", brat_dir);
    write_file(p, ann, sizeof ann - 1);
    write_file(map_path, map, sizeof map - 1);

    /* The reference model: trained and saved with the default allocator. */
    nc_source src = { tsv_path, NC_FORMAT_TSV, NULL, 0 };
    nc_model *m = NULL;
    nc_diag d;
    if (nc_train_sources(&src, 1, NULL, NULL, 1, NULL, &m, &d) != NC_OK)
        return -1;
    nc_status st = nc_model_save(m, model_path, &d);
    nc_model_free(m);
    if (st != NC_OK)
        return -1;
    model_bytes = read_file(model_path, &model_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    free(model_bytes);
    return system(cmd) == 0 ? 0 : -1;
}

/* Run the loop once and then sticky; print and check; return sites. */
static unsigned long both_loops(const char *what, nc_status (*fn)(void *), void *arg)
{
    unsigned long bad = 0, bad2 = 0;
    af_install();
    unsigned long once = af_loop(fn, arg, 0, &bad);
    unsigned long sticky = af_loop(fn, arg, 1, &bad2);
    long live = af_live();
    af_uninstall();
    printf("%-38s %5lu allocation sites failed once, %5lu from then on\n", what, once, sticky);
    if (bad || bad2)
        printf("  first bad run: once #%lu, sticky #%lu\n", bad, bad2);
    assert_int_equal(bad, 0);
    assert_int_equal(bad2, 0);
    assert_int_equal(live, 0);
    assert_true(once > 0);
    return once;
}

/* ------------------------------------------------------------------------ */
/* load                                                                      */
/* ------------------------------------------------------------------------ */

/* A loaded model described as text, to compare runs that succeed. */
static int describe_ok(const nc_model *m)
{
    nc_model_info info;
    nc_model_describe(m, &info);
    return nc_model_labels(m) == 4 && nc_model_features(m) > 10 && info.documents == 3;
}

static nc_status run_load_mem(void *arg)
{
    (void)arg;
    nc_model *m = NULL;
    nc_diag d;
    nc_status st = nc_model_load_mem(model_bytes, model_len, &m, &d);
    if (st == NC_OK) {
        assert_true(describe_ok(m));
        nc_model_free(m);
    } else {
        assert_null(m);
    }
    return st;
}

static nc_status run_load_file(void *arg)
{
    (void)arg;
    nc_model *m = NULL;
    nc_diag d;
    nc_status st = nc_model_load(model_path, &m, &d);
    if (st == NC_OK) {
        assert_true(describe_ok(m));
        nc_model_free(m);
    }
    return st;
}

static size_t default_labels;
static nc_status run_load_default(void *arg)
{
    (void)arg;
    nc_model *m = NULL;
    nc_status st = nc_model_load_default(&m, NULL);
    if (st == NC_OK) {
        assert_int_equal(nc_model_labels(m), default_labels);
        nc_model_free(m);
    }
    return st;
}

static void test_load(void **state)
{
    (void)state;
    both_loops("load_mem (trained model)", run_load_mem, NULL);
    both_loops("load (file)", run_load_file, NULL);
    nc_model *m;
    if (nc_model_load_default(&m, NULL) == NC_OK) {
        default_labels = nc_model_labels(m);
        nc_model_free(m);
        both_loops("load_default (built-in model)", run_load_default, NULL);
    } else {
        printf("no default model built in; skipped\n");
    }
}

/* ------------------------------------------------------------------------ */
/* classify                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct classify_arg {
    const nc_model *m;
    size_t chunk;       /* feed size */
    char out[8192];     /* "label start end|" per result */
    size_t outlen;
    size_t results;
} classify_arg;

static void drain(nc_classifier *cl, classify_arg *a)
{
    nc_result r;
    while (nc_classifier_next(cl, &r)) {
        double sum = 0;
        for (size_t i = 0; i < nc_model_labels(a->m); i++)
            sum += r.probs[i];
        assert_true(sum > 0.999 && sum < 1.001);
        assert_true(r.label < nc_model_labels(a->m));
        int n = snprintf(a->out + a->outlen, sizeof a->out - a->outlen, "%zu:%zu %llu-%llu %.*s|",
                         r.document, r.label, (unsigned long long)r.sentence.start,
                         (unsigned long long)r.sentence.end,
                         (int)(r.sentence.len < 24 ? r.sentence.len : 24), r.sentence.text);
        assert_true(n > 0 && (size_t)n < sizeof a->out - a->outlen);
        a->outlen += (size_t)n;
        a->results++;
    }
}

/* Two documents of hostile text, fed a->chunk bytes at a time. */
static nc_status classify_all(classify_arg *a)
{
    a->outlen = 0;
    a->results = 0;
    a->out[0] = '\0';
    nc_classifier *cl = NULL;
    nc_status st = nc_classifier_new(a->m, NULL, &cl);
    if (st != NC_OK) {
        assert_null(cl);
        return st;
    }
    for (int doc = 0; doc < 2 && st == NC_OK; doc++) {
        size_t len = sizeof hostile_text - 1;
        for (size_t off = 0; off < len && st == NC_OK; off += a->chunk) {
            size_t n = len - off < a->chunk ? len - off : a->chunk;
            st = nc_classifier_feed(cl, hostile_text + off, n);
            if (st == NC_OK)
                drain(cl, a);
        }
        if (st == NC_OK)
            st = nc_classifier_end_document(cl);
        if (st == NC_OK)
            drain(cl, a);
    }
    nc_classifier_free(cl);
    return st;
}

static char reference[8192];
static size_t reference_results;

static nc_status run_classify(void *arg)
{
    classify_arg *a = arg;
    nc_status st = classify_all(a);
    if (st == NC_OK) {
        /* a run that succeeds gives exactly the reference results */
        assert_int_equal(a->results, reference_results);
        assert_string_equal(a->out, reference);
    }
    return st;
}

static void test_classify(void **state)
{
    (void)state;
    nc_model *m;
    assert_int_equal(nc_model_load_mem(model_bytes, model_len, &m, NULL), NC_OK);
    static classify_arg a;
    a.m = m;
    a.chunk = sizeof hostile_text; /* one feed per document */
    assert_int_equal(classify_all(&a), NC_OK);
    memcpy(reference, a.out, a.outlen + 1);
    reference_results = a.results;
    printf("hostile text: %zu sentences in 2 documents\n", reference_results);
    assert_true(reference_results >= 10);
    /* The output is valid UTF-8 with U+FFFD for the invalid bytes. */
    assert_non_null(strstr(reference, "\xef\xbf\xbd"));
    /* The same results whatever the chunking, even 1 byte at a time. */
    static const size_t chunks[] = { 1, 3, 7, 64 };
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        a.chunk = chunks[i];
        assert_int_equal(classify_all(&a), NC_OK);
        assert_string_equal(a.out, reference);
    }
    a.chunk = sizeof hostile_text;
    both_loops("classify (whole feeds)", run_classify, &a);
    a.chunk = 7;
    both_loops("classify (7-byte feeds)", run_classify, &a);
    nc_model_free(m);

    /* The built-in model: tuned settings, so every feature family it uses. */
    if (nc_model_load_default(&m, NULL) != NC_OK) {
        printf("no default model built in; skipped\n");
        return;
    }
    a.m = m;
    a.chunk = sizeof hostile_text;
    assert_int_equal(classify_all(&a), NC_OK);
    memcpy(reference, a.out, a.outlen + 1);
    reference_results = a.results;
    a.chunk = 5;
    both_loops("classify (default model, 5-byte)", run_classify, &a);
    nc_model_free(m);
}

/* ------------------------------------------------------------------------ */
/* train and save                                                            */
/* ------------------------------------------------------------------------ */

/* Train from the TSV; on success the model must serialize to the reference. */
static nc_status run_train(void *arg)
{
    const nc_options *opt = arg; /* NULL: defaults */
    nc_source src = { tsv_path, NC_FORMAT_TSV, NULL, 0 };
    nc_model *m = NULL;
    nc_diag d;
    nc_status st = nc_train_sources(&src, 1, opt, NULL, 1, NULL, &m, &d);
    if (st != NC_OK) {
        assert_null(m);
        return st;
    }
    /* the model is the reference: same labels and feature count; its bytes are
     * checked by run_train_save */
    assert_int_equal(nc_model_labels(m), 4);
    assert_true(describe_ok(m));
    nc_model_free(m);
    return st;
}

/*
 * The CLI's `train -o m.ncm` over an existing model: train, then save over
 * a copy of another model.  When anything fails the old file must be
 * there byte for byte and no temporary left; when all succeeds the new
 * file must be the reference bytes.
 */
static char save_path[128];
static unsigned char *old_bytes;
static size_t old_len;

static int temp_left(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls '%s'.tmp.* >/dev/null 2>&1", save_path);
    return system(cmd) == 0;
}

static nc_status run_train_save(void *arg)
{
    (void)arg;
    write_file(save_path, old_bytes, old_len);
    nc_source src = { tsv_path, NC_FORMAT_TSV, NULL, 0 };
    nc_model *m = NULL;
    nc_diag d;
    nc_status st = nc_train_sources(&src, 1, NULL, NULL, 1, NULL, &m, &d);
    if (st == NC_OK) {
        st = nc_model_save(m, save_path, &d);
        nc_model_free(m);
    }
    size_t len;
    unsigned char *now = read_file(save_path, &len);
    if (st == NC_OK) {
        assert_int_equal(len, model_len);
        assert_memory_equal(now, model_bytes, len);
    } else {
        assert_int_equal(len, old_len);
        assert_memory_equal(now, old_bytes, len);
    }
    free(now);
    assert_false(temp_left());
    return st;
}

/* --update with the same corpus over the reference model. */
static nc_status run_update(void *arg)
{
    const nc_model *base = arg;
    nc_source src = { tsv_path, NC_FORMAT_TSV, NULL, 0 };
    nc_model *m = NULL;
    nc_diag d;
    nc_status st = nc_train_sources(&src, 1, NULL, base, 1, NULL, &m, &d);
    if (st == NC_OK) {
        nc_model_info info;
        nc_model_describe(m, &info);
        assert_int_equal(info.documents, 6);
        nc_model_free(m);
    }
    return st;
}

static nc_status run_brat(void *arg)
{
    (void)arg;
    nc_corpus *c = NULL;
    nc_status st = nc_corpus_new(&c);
    if (st != NC_OK)
        return st;
    nc_source src = { brat_dir, NC_FORMAT_BRAT, map_path, 0 };
    nc_diag d;
    st = nc_corpus_read(c, &src, &d);
    if (st == NC_OK) {
        assert_int_equal(nc_corpus_documents(c), 1);
        assert_int_equal(nc_corpus_sentences(c), 2);
    }
    nc_corpus_free(c);
    return st;
}

static void test_train(void **state)
{
    (void)state;
    both_loops("train_sources (TSV)", run_train, NULL);
    /* every feature family on */
    nc_options o;
    nc_options_default(&o);
    static const char *const set[][2] = {
        { "bigrams", "1" },   { "cues", "1" },         { "position", "1" },
        { "context", "1" },   { "hmm_weight", "0.5" }, { "length_norm", "12" },
        { "binary", "1" },    { "cues_fine", "1" },    { "entropy_weight", "1" },
        { "min_count", "2" }, { "max_features", "20" },
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        (void)nc_options_set(&o, set[i][0], set[i][1]); /* a key may be newer than this test */
    both_loops("train_sources (all features, pruned)", run_train, &o);

    /* the old model: trained on a different corpus (the brat one) */
    snprintf(save_path, sizeof save_path, "%s/saved.ncm", dir);
    nc_source bs = { brat_dir, NC_FORMAT_BRAT, map_path, 0 };
    nc_model *old = NULL;
    assert_int_equal(nc_train_sources(&bs, 1, NULL, NULL, 1, NULL, &old, NULL), NC_OK);
    assert_int_equal(nc_model_save(old, save_path, NULL), NC_OK);
    nc_model_free(old);
    old_bytes = read_file(save_path, &old_len);
    assert_true(old_len != model_len || memcmp(old_bytes, model_bytes, old_len) != 0);
    both_loops("train_sources + save over a model", run_train_save, NULL);
    free(old_bytes);

    nc_model *base;
    assert_int_equal(nc_model_load_mem(model_bytes, model_len, &base, NULL), NC_OK);
    both_loops("train_sources --update", run_update, base);
    nc_model_free(base);
    both_loops("corpus_read (brat)", run_brat, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_train),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
