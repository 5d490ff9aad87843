/*
 * fuzz_brat.c - libFuzzer harness for the brat standoff reader.
 *
 * The input is three parts separated by the line "%%": the article text
 * (a.txt), its annotations (a.ann) and the label map; without separators
 * the whole input is the .ann and the text and map are fixed ones, with
 * fewer the map is the fixed one.  The parts are written to a directory on
 * a tmpfs and read with nc_corpus_read (brat).  Beyond "no crash, no leak,
 * no UB" it checks that a failure fills the diag with a message, that the
 * corpus is unchanged after a failure, and that a corpus that reads with
 * sentences also trains by streaming (nc_train_sources) and evaluates,
 * plain and with sublabels=1 (evaluated on the same, plain labels).
 */
#include "fuzz_util.h"

static char dir[512], txt[600], ann[600], map[600];

static const char fixed_txt[] = "Bridge falls\n\nS1 A bridge collapsed on Sunday.\n"
                                "S2 The ministry said engineers were there.\n";
static const char fixed_map[] = "Main\tincident\nSpeech\tofficial_statement\n"
                                "Cause_General\tbackground\nEvaluation\tanalysis\nDistant\t-\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "%s/brat", fuzz_scratch());
    if (mkdir(dir, 0777) != 0)
        abort();
    snprintf(txt, sizeof txt, "%s/a.txt", dir);
    snprintf(ann, sizeof ann, "%s/a.ann", dir);
    snprintf(map, sizeof map, "%s/map.tsv", fuzz_scratch());
    return 0;
}

static void put(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0)
        abort();
}

/* Find "\n%%\n" (or a leading "%%\n") from p; returns its start or NULL. */
static const uint8_t *sep(const uint8_t *p, const uint8_t *e, size_t *skip)
{
    if (e - p >= 3 && memcmp(p, "%%\n", 3) == 0) {
        *skip = 3;
        return p;
    }
    for (const uint8_t *q = p; e - q >= 4; q++)
        if (memcmp(q, "\n%%\n", 4) == 0) {
            *skip = 3;
            return q + 1; /* the part before keeps its final newline */
        }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *e = data + size, *s1, *s2 = NULL;
    size_t k1 = 0, k2 = 0;
    s1 = sep(data, e, &k1);
    if (s1)
        s2 = sep(s1 + k1, e, &k2);
    if (!s1) {
        put(txt, fixed_txt, sizeof fixed_txt - 1);
        put(ann, data, size);
        put(map, fixed_map, sizeof fixed_map - 1);
    } else if (!s2) {
        put(txt, data, (size_t)(s1 - data));
        put(ann, s1 + k1, (size_t)(e - s1 - k1));
        put(map, fixed_map, sizeof fixed_map - 1);
    } else {
        put(txt, data, (size_t)(s1 - data));
        put(ann, s1 + k1, (size_t)(s2 - s1 - k1));
        put(map, s2 + k2, (size_t)(e - s2 - k2));
    }

    nc_corpus *c;
    if (nc_corpus_new(&c) != NC_OK)
        abort();
    nc_source src = { dir, NC_FORMAT_BRAT, map, 0 };
    nc_diag d;
    memset(&d, 0, sizeof d);
    nc_status rs = nc_corpus_read(c, &src, &d);
    FUZZ_CHECK(rs != NC_ERR_NOMEM);
    if (rs != NC_OK) {
        fuzz_check_diag(&d);
        FUZZ_CHECK(nc_corpus_documents(c) == 0);
    }
    if (rs == NC_OK && nc_corpus_sentences(c) > 0) {
        nc_model *m = NULL;
        nc_diag td;
        memset(&td, 0, sizeof td);
        nc_status ts = nc_train_sources(&src, 1, NULL, NULL, 1, NULL, &m, &td);
        if (ts != NC_OK)
            fprintf(stderr, "train: %s:%lu: %s\n", td.file, td.line, td.message);
        FUZZ_CHECK(ts == NC_OK);
        nc_eval *ev = NULL;
        FUZZ_CHECK(nc_evaluate(m, c, &ev, NULL) == NC_OK);
        FUZZ_CHECK(ev->total == nc_corpus_sentences(c));
        nc_eval_free(ev);
        nc_model_free(m);
        /* sublabels=1: classes TARGET/SOURCE, which may only fail for a
         * class name over the label limit; the model reports the targets,
         * so the corpus read without sublabels evaluates against it. */
        nc_options so;
        nc_options_default(&so);
        so.sublabels = 1;
        memset(&td, 0, sizeof td);
        ts = nc_train_sources(&src, 1, &so, NULL, 1, NULL, &m, &td);
        FUZZ_CHECK(ts == NC_OK || ts == NC_ERR_FORMAT);
        if (ts != NC_OK) {
            fuzz_check_diag(&td);
        } else {
            FUZZ_CHECK(nc_model_labels(m) <= nc_model_classes(m));
            FUZZ_CHECK(nc_evaluate(m, c, &ev, NULL) == NC_OK);
            FUZZ_CHECK(ev->total == nc_corpus_sentences(c));
            nc_eval_free(ev);
            nc_model_free(m);
        }
    }
    nc_corpus_free(c);
    return 0;
}
