/*
 * fuzz_text.c - libFuzzer harness for the raw-text path: UTF-8 sanitizing,
 * sentence splitting, tokenizing, stemming, featurizing and scoring.
 *
 * The first input byte seeds the chunking; the rest is the text.  The text
 * goes (1) to an nc_splitter in one feed, (2) to another in random chunks
 * (1..64 bytes, even inside UTF-8 sequences), (3) to an nc_classifier with
 * a small model trained at start-up with every feature family on (bigrams,
 * cues, position, context, HMM smoothing, length normalization), in random
 * chunks again, (4) in one feed to classifiers with and without posteriors
 * (nc_classifier_labels_only), with that model and with the built-in one,
 * and (5) its first 512 bytes to nc_explain.  Beyond "no crash, no
 * leak, no UB", it checks the contract of newsclass.h: every sentence is
 * non-empty valid UTF-8 without NUL, with single inner spaces and none at
 * the ends, at most NC_MAX_SENTENCE_TEXT long from at most
 * NC_MAX_SENTENCE_BYTES input bytes, with offsets inside the
 * input and in order; the chunking changes nothing (the same sentences,
 * offsets and flags); the classifier sees those same sentences; every
 * posterior is finite and they sum to 1; labels only are the labels of the
 * posteriors.
 */
#include <math.h>

#include "fuzz_util.h"

static nc_model *model;
static nc_model *dmodel; /* the built-in model: sub-labels, no HMM */
/* Classifiers kept across inputs (one document each; a classifier of the
 * built-in model costs milliseconds to make): [model][labels only]. */
static nc_classifier *kept[2][2];

/* The training text of the small model (written for this harness). */
static const char train_tsv[] =
    "# doc: one\n# para\n"
    "incident\tPolice arrested two men near the harbour on Monday.\n"
    "official_statement\t\"We will not tolerate this,\" the mayor said on Tuesday.\n"
    "# para\n"
    "background\tThe harbour has handled grain for a century.\n"
    "analysis\tThe arrests will probably calm the dock workers.\n\n"
    "# doc: two\n"
    "incident\tA bridge collapsed after heavy rain, killing 3 people.\n"
    "official_statement\tThe ministry said it would investigate.\n"
    "background\tThe bridge was built in 1962.\n"
    "analysis\tExperts expect repairs to take a year.\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char path[512];
    fuzz_write("train.tsv", train_tsv, sizeof train_tsv - 1, path, sizeof path);
    nc_options o;
    nc_options_default(&o);
    static const char *const set[][2] = {
        { "bigrams", "1" },      { "cues", "1" },          { "position", "1" },
        { "context", "1" },      { "hmm_weight", "0.5" },  { "length_norm", "12" },
        { "cues_fine", "1" },    { "entropy_weight", "1" }, { "binary", "1" },
    };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        (void)nc_options_set(&o, set[i][0], set[i][1]); /* a key may not exist yet */
    nc_source src = { path, NC_FORMAT_TSV, NULL, 0 };
    nc_diag d;
    if (nc_train_sources(&src, 1, &o, NULL, 1, NULL, &model, &d) != NC_OK) {
        fprintf(stderr, "fuzz_text: cannot train the model: %s\n", d.message);
        abort();
    }
    if (nc_model_load_default(&dmodel, &d) != NC_OK) {
        fprintf(stderr, "fuzz_text: cannot load the built-in model: %s\n", d.message);
        abort();
    }
    for (int i = 0; i < 2; i++)
        for (int lo = 0; lo < 2; lo++)
            if (nc_classifier_new(i ? dmodel : model, NULL, &kept[i][lo]) != NC_OK ||
                (lo && nc_classifier_labels_only(kept[i][lo]) != NC_OK))
                abort();
    return 0;
}

/* xorshift32: the chunk sizes. */
static uint32_t rng;
static size_t next_chunk(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return 1 + rng % 64;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Check one sentence and fold it into the running digest. */
static uint64_t check_sentence(uint64_t h, const nc_sentence *s, size_t total, uint64_t *last)
{
    FUZZ_CHECK(s->len > 0);
    FUZZ_CHECK(s->len <= NC_MAX_SENTENCE_TEXT);
    FUZZ_CHECK(s->end - s->start <= NC_MAX_SENTENCE_BYTES);
    FUZZ_CHECK(fuzz_utf8_valid(s->text, s->len));
    FUZZ_CHECK(memchr(s->text, '\0', s->len) == NULL);
    FUZZ_CHECK(s->text[0] != ' ' && s->text[s->len - 1] != ' ');
    for (size_t i = 1; i < s->len; i++)
        FUZZ_CHECK(!(s->text[i] == ' ' && s->text[i - 1] == ' '));
    FUZZ_CHECK(s->start <= s->end && s->end <= total);
    FUZZ_CHECK(s->start >= *last);
    *last = s->start;
    h = fnv(h, s->text, s->len);
    uint64_t meta[5] = { s->start, s->end, s->flags, s->paragraph, s->index_in_paragraph };
    return fnv(h, meta, sizeof meta);
}

static uint64_t split(const char *text, size_t len, int chunked, size_t *count)
{
    nc_splitter *sp;
    if (nc_splitter_new(&sp) != NC_OK)
        abort();
    uint64_t h = 0xcbf29ce484222325ull, last = 0;
    nc_sentence s;
    *count = 0;
    for (size_t off = 0; off < len;) {
        size_t n = chunked ? next_chunk() : len;
        if (n > len - off)
            n = len - off;
        FUZZ_CHECK(nc_splitter_feed(sp, text + off, n) == NC_OK);
        off += n;
        while (nc_splitter_next(sp, &s)) {
            h = check_sentence(h, &s, off, &last);
            ++*count;
        }
    }
    FUZZ_CHECK(nc_splitter_finish(sp) == NC_OK);
    while (nc_splitter_next(sp, &s)) {
        h = check_sentence(h, &s, len, &last);
        ++*count;
    }
    nc_splitter_free(sp);
    return h;
}

static size_t drain(nc_classifier *cl, size_t nl, size_t total, uint64_t *h, uint64_t *last,
                    size_t doc)
{
    nc_result r;
    size_t n = 0;
    while (nc_classifier_next(cl, &r)) {
        FUZZ_CHECK(r.document == doc);
        FUZZ_CHECK(r.label < nl);
        double sum = 0;
        for (size_t i = 0; i < nl; i++) {
            FUZZ_CHECK(isfinite(r.probs[i]) && r.probs[i] >= 0 && r.probs[i] <= 1);
            sum += r.probs[i];
        }
        FUZZ_CHECK(fabs(sum - 1) < 1e-6);
        *h = check_sentence(*h, &r.sentence, total, last);
        n++;
    }
    return n;
}

/*
 * The labels of text (one document, one feed) by kept classifier cl of
 * model m, folded into a hash, with posteriors or (labels_only) without;
 * *n counts the sentences.
 */
static uint64_t label_run(nc_classifier *cl, const nc_model *m, const char *text, size_t len,
                          int labels_only, size_t *n)
{
    FUZZ_CHECK(nc_classifier_feed(cl, text, len) == NC_OK);
    FUZZ_CHECK(nc_classifier_end_document(cl) == NC_OK);
    uint64_t h = 0xcbf29ce484222325ull;
    nc_result r;
    *n = 0;
    while (nc_classifier_next(cl, &r)) {
        FUZZ_CHECK(r.label < nc_model_labels(m));
        FUZZ_CHECK(labels_only ? r.probs == NULL : r.probs != NULL);
        h = fnv(h, &r.label, sizeof r.label);
        ++*n;
    }
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;

    size_t n1, n2;
    uint64_t whole = split(text, len, 0, &n1);
    rng = 0x9e3779b9u ^ data[0] * 0x01000193u;
    uint64_t chunked = split(text, len, 1, &n2);
    FUZZ_CHECK(n1 == n2);
    FUZZ_CHECK(whole == chunked);

    /* The same text through the classifier, in other random chunks. */
    nc_classifier *cl;
    if (nc_classifier_new(model, NULL, &cl) != NC_OK)
        abort();
    size_t nl = nc_model_labels(model);
    uint64_t h = 0xcbf29ce484222325ull, last = 0;
    size_t n = 0;
    for (size_t off = 0; off < len;) {
        size_t k = next_chunk();
        if (k > len - off)
            k = len - off;
        FUZZ_CHECK(nc_classifier_feed(cl, text + off, k) == NC_OK);
        off += k;
        n += drain(cl, nl, off, &h, &last, 0);
    }
    FUZZ_CHECK(nc_classifier_end_document(cl) == NC_OK);
    n += drain(cl, nl, len, &h, &last, 0);
    FUZZ_CHECK(n == n1);
    FUZZ_CHECK(h == whole);
    nc_classifier_free(cl);

    /* Labels only gives the labels of the posteriors: through the chain
     * (the small model has HMM smoothing) and from bounds on the scores
     * (the built-in model: sub-labels, no HMM; nb.c label_from_bounds). */
    const nc_model *both[2] = { model, dmodel };
    for (int i = 0; i < 2; i++) {
        size_t na, nb;
        uint64_t ha = label_run(kept[i][0], both[i], text, len, 0, &na);
        uint64_t hb = label_run(kept[i][1], both[i], text, len, 1, &nb);
        FUZZ_CHECK(ha == hb && na == n1 && nb == n1);
    }

    /* One "sentence" of arbitrary bytes explained. */
    size_t label, runner, nc;
    nc_contribution *c = NULL;
    nc_status st = nc_explain(model, text, len < 512 ? len : 512, &label, &runner, &c, &nc);
    if (st == NC_OK) {
        FUZZ_CHECK(label < nl && runner < nl && label != runner);
        for (size_t i = 0; i < nc; i++)
            FUZZ_CHECK(isfinite(c[i].weight) && c[i].feature != NULL);
        nc_free_explanation(c);
    } else {
        FUZZ_CHECK(st != NC_ERR_NOMEM);
    }
    return 0;
}
