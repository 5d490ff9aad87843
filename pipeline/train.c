/*
 * train.c - training from corpus files and cross-validation: the
 * orchestration over readers (corpus.c), the trainer (nb.c) and the
 * evaluator (eval.c) behind nc_train_sources and nc_cross_validate.
 */
#include <string.h>

#include "corpus.h"
#include "eval.h"
#include "nb.h"

static nc_status open_source(const nc_source *src, nc_reader **r, nc_diag *diag)
{
    if (src->format == NC_FORMAT_BRAT)
        return nc_reader_open_brat(src->path, src->label_map, r, diag);
    return nc_reader_open_tsv(src->path, r, diag);
}

nc_status nc_corpus_read(nc_corpus *c, const nc_source *src, nc_diag *diag)
{
    if (src->format == NC_FORMAT_BRAT)
        return nc_corpus_read_brat(c, src->path, src->label_map, diag);
    return nc_corpus_read_tsv(c, src->path, diag);
}

nc_status nc_train_sources(const nc_source *src, size_t nsrc, const nc_options *opt,
                           const nc_model *base, int sign, const nc_run *run, nc_model **out,
                           nc_diag *diag)
{
    *out = NULL;
    if (sign != 1 && sign != -1)
        return NC_ERR_ARG;
    nc_options o;
    if (opt)
        o = *opt;
    else
        nc_options_default(&o);
    nc_trainer *t;
    nc_status st = base ? nc_trainer_from_model(base, &t) : nc_trainer_new(&o, &t);
    if (st == NC_ERR_STEMMER)
        return nc_diag_set(diag, st, "", 0, "libstemmer has no stemmer '%s'", o.stemmer);
    if (st != NC_OK)
        return st;
    nc_vocab *seen;
    st = nc_vocab_new(&seen);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    nc_doc doc;
    nc_doc_init(&doc);
    uint64_t ndocs = 0, nsent = 0, nbytes = 0;
    for (size_t i = 0; i < nsrc && st == NC_OK; i++) {
        nc_reader *r = NULL;
        st = open_source(&src[i], &r, diag);
        while (st == NC_OK) {
            int got;
            st = nc_reader_next(r, &doc, seen, &got, diag);
            if (st != NC_OK || !got)
                break;
            st = nc_trainer_add(t, &doc, sign, diag);
            ndocs++;
            nsent += doc.n;
            for (size_t k = 0; k < doc.n; k++)
                nbytes += doc.s[k].len + 1;
            if (run && run->progress)
                run->progress(run->progress_ctx, ndocs, nsent, nbytes);
            if (st == NC_OK && run && run->cancel && *run->cancel)
                st = NC_ERR_INTERRUPTED;
        }
        nc_reader_free(r);
    }
    nc_doc_free(&doc);
    nc_vocab_free(seen);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    st = nc_trainer_finish(t, out);
    if (st == NC_ERR_EMPTY)
        nc_diag_set(diag, st, nsrc ? src[0].path : "", 0, "the corpus has no labelled sentences");
    return st;
}

/* splitmix64: a small, well-mixed generator for reproducible shuffles. */
uint64_t nc_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

nc_status nc_cross_validate(const nc_corpus *c, const nc_options *opt, unsigned k,
                            uint64_t seed, double *macro_f1, double *accuracy, nc_diag *diag)
{
    if (k < 2 || k > c->n)
        return nc_diag_set(diag, NC_ERR_ARG, "", 0,
                           "cross-validation needs 2 <= k <= documents (%zu)", c->n);
    size_t n = c->n;
    size_t *order = nc_calloc(n, sizeof *order);
    if (!order)
        return NC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rs = seed;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(nc_rand_next(&rs) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    nc_status st = NC_OK;
    for (unsigned f = 0; f < k && st == NC_OK; f++) {
        nc_trainer *t;
        st = nc_trainer_new(opt, &t);
        if (st != NC_OK)
            break;
        /* Views of the folds: the documents are shared, not copied. */
        nc_corpus test = { 0 };
        test.docs = nc_calloc(n / k + 1, sizeof *test.docs);
        if (!test.docs) {
            nc_trainer_free(t);
            st = NC_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n && st == NC_OK; i++) {
            const nc_doc *d = c->docs[order[i]];
            if (i % k == f) {
                test.docs[test.n++] = (nc_doc *)d;
                test.sentences += d->n;
            } else {
                st = nc_trainer_add(t, d, 1, diag);
            }
        }
        nc_model *m = NULL;
        if (st == NC_OK)
            st = nc_trainer_finish(t, &m);
        else
            nc_trainer_free(t);
        nc_eval *e = NULL;
        if (st == NC_OK)
            st = nc_evaluate(m, &test, &e, diag);
        if (st == NC_OK) {
            macro_f1[f] = e->macro_f1;
            accuracy[f] = e->accuracy;
        }
        nc_eval_free(e);
        nc_model_free(m);
        nc_free(test.docs);
    }
    nc_free(order);
    return st;
}
