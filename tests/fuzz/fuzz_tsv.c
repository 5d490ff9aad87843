/*
 * fuzz_tsv.c - libFuzzer harness for the document-TSV corpus reader.
 *
 * The input is written to a file on a tmpfs and read twice, as eval and
 * training read corpora: whole into an nc_corpus (nc_corpus_read_tsv), and
 * streaming by nc_train_sources.  Beyond "no crash, no leak, no UB" it
 * checks that a failure fills the diag with a message, that both readers
 * agree (a corpus that reads with sentences trains, a corpus the in-memory
 * reader refuses is refused by training too), and, for small corpora that
 * train, that the model serializes, reloads and evaluates on its own
 * corpus without error.
 */
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_scratch();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    fuzz_write("in.tsv", data, size, path, sizeof path);

    nc_corpus *c;
    if (nc_corpus_new(&c) != NC_OK)
        abort();
    nc_diag d;
    memset(&d, 0, sizeof d);
    nc_status rs = nc_corpus_read_tsv(c, path, &d);
    FUZZ_CHECK(rs != NC_ERR_NOMEM);
    if (rs != NC_OK) {
        fuzz_check_diag(&d);
        FUZZ_CHECK(nc_corpus_documents(c) == 0); /* the corpus is unchanged */
    }
    char digest[17];
    nc_corpus_digest(c, digest);
    FUZZ_CHECK(strlen(digest) == 16);

    nc_source src = { path, NC_FORMAT_TSV, NULL, 0 };
    nc_model *m = NULL;
    nc_diag td;
    memset(&td, 0, sizeof td);
    nc_status ts = nc_train_sources(&src, 1, NULL, NULL, 1, NULL, &m, &td);
    FUZZ_CHECK(ts != NC_ERR_NOMEM);
    if (ts != NC_OK) {
        fuzz_check_diag(&td);
        FUZZ_CHECK(m == NULL);
    }
    if (rs == NC_OK && nc_corpus_sentences(c) > 0)
        FUZZ_CHECK(ts == NC_OK);
    if (rs != NC_OK)
        FUZZ_CHECK(ts != NC_OK);

    if (ts == NC_OK && rs == NC_OK) {
        FUZZ_CHECK(nc_model_labels(m) >= 1);
        nc_eval *e = NULL;
        nc_status es = nc_evaluate(m, c, &e, NULL);
        FUZZ_CHECK(es == NC_OK);
        FUZZ_CHECK(e->total == nc_corpus_sentences(c));
        nc_eval_free(e);
        char mpath[512];
        snprintf(mpath, sizeof mpath, "%s/m.ncm", fuzz_scratch());
        FUZZ_CHECK(nc_model_save(m, mpath, NULL) == NC_OK);
        nc_model *l = NULL;
        FUZZ_CHECK(nc_model_load(mpath, &l, NULL) == NC_OK);
        FUZZ_CHECK(nc_model_labels(l) == nc_model_labels(m));
        FUZZ_CHECK(nc_model_features(l) == nc_model_features(m));
        nc_model_free(l);
    }
    nc_model_free(m);
    nc_corpus_free(c);
    return 0;
}
