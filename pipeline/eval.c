/*
 * eval.c - evaluation of a model on a labelled corpus (see eval.h).
 *
 * Macro-F1 is the mean of the per-class F1 over the model's labels that
 * occur in the gold data or the predictions (a label absent from both
 * says nothing about the model and is left out of the mean); a class with
 * no prediction has precision 0, as scikit-learn reports it with
 * zero_division=0.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "nb.h"

nc_status nc_eval_new(const nc_model *m, nc_eval **out)
{
    *out = NULL;
    size_t nl = m->noutputs;
    nc_eval *e = nc_calloc(1, sizeof *e);
    if (!e)
        return NC_ERR_NOMEM;
    e->nlabels = nl;
    e->labels = (const char *const *)m->output_names;
    e->confusion = nc_calloc(nl * nl, sizeof *e->confusion);
    e->precision = nc_calloc(nl, sizeof *e->precision);
    e->recall = nc_calloc(nl, sizeof *e->recall);
    e->f1 = nc_calloc(nl, sizeof *e->f1);
    e->support = nc_calloc(nl, sizeof *e->support);
    if (!e->confusion || !e->precision || !e->recall || !e->f1 || !e->support) {
        nc_eval_free(e);
        return NC_ERR_NOMEM;
    }
    *out = e;
    return NC_OK;
}

void nc_eval_free(nc_eval *e)
{
    if (!e)
        return;
    nc_free(e->confusion);
    nc_free(e->precision);
    nc_free(e->recall);
    nc_free(e->f1);
    nc_free(e->support);
    nc_free(e);
}

void nc_eval_finish(nc_eval *e)
{
    size_t nl = e->nlabels;
    uint64_t correct = 0, total = 0;
    double f1sum = 0.0;
    size_t classes = 0;
    for (size_t l = 0; l < nl; l++) {
        uint64_t tp = e->confusion[l * nl + l], gold = 0, pred = 0;
        for (size_t k = 0; k < nl; k++) {
            gold += e->confusion[l * nl + k];
            pred += e->confusion[k * nl + l];
        }
        e->support[l] = gold;
        e->precision[l] = pred ? (double)tp / (double)pred : 0.0;
        e->recall[l] = gold ? (double)tp / (double)gold : 0.0;
        double pr = e->precision[l] + e->recall[l];
        e->f1[l] = pr > 0 ? 2 * e->precision[l] * e->recall[l] / pr : 0.0;
        correct += tp;
        total += gold;
        if (gold || pred) {
            f1sum += e->f1[l];
            classes++;
        }
    }
    e->total = total;
    e->accuracy = total ? (double)correct / (double)total : 0.0;
    e->macro_f1 = classes ? f1sum / (double)classes : 0.0;
}

nc_status nc_eval_add(const nc_model *m, const nc_corpus *c, nc_eval *e, uint32_t *pred,
                      nc_diag *diag)
{
    uint32_t nl = m->noutputs;
    nc_scorer *sc;
    nc_status st = nc_scorer_new(m, &sc);
    if (st != NC_OK)
        return st;
    nc_arena a;
    nc_arena_init(&a);
    double *probs = NULL;
    uint32_t *labels = NULL, *gold = NULL;
    size_t cap = 0, k = 0;
    for (size_t d = 0; d < c->n && st == NC_OK; d++) {
        const nc_doc *doc = c->docs[d];
        if (doc->n > cap) {
            nc_free(probs);
            nc_free(labels);
            nc_free(gold);
            cap = doc->n;
            probs = nc_reallocarray(NULL, cap * nl, sizeof *probs);
            labels = nc_reallocarray(NULL, cap, sizeof *labels);
            gold = nc_reallocarray(NULL, cap, sizeof *gold);
            if (!probs || !labels || !gold) {
                st = NC_ERR_NOMEM;
                break;
            }
        }
        for (size_t i = 0; i < doc->n; i++) {
            const char *g = doc->label[i];
            if (!g || !nc_model_find_output(m, g, &gold[i])) {
                st = nc_diag_set(diag, NC_ERR_LABEL, doc->file, doc->line[i],
                                 "label '%s' is not one of the model's labels", g ? g : "");
                break;
            }
        }
        if (st != NC_OK)
            break;
        nc_arena_reset(&a);
        st = nc_score_document(sc, doc->s, doc->n, &a, probs, labels);
        for (size_t i = 0; i < doc->n && st == NC_OK; i++) {
            e->confusion[(size_t)gold[i] * nl + labels[i]]++;
            if (pred)
                pred[k] = labels[i];
            k++;
        }
    }
    nc_free(probs);
    nc_free(labels);
    nc_free(gold);
    nc_arena_free(&a);
    nc_scorer_free(sc);
    if (st == NC_OK)
        nc_eval_finish(e);
    return st;
}

nc_status nc_evaluate(const nc_model *m, const nc_corpus *c, nc_eval **out, nc_diag *diag)
{
    nc_status st = nc_eval_new(m, out);
    if (st != NC_OK)
        return st;
    st = nc_eval_add(m, c, *out, NULL, diag);
    if (st != NC_OK) {
        nc_eval_free(*out);
        *out = NULL;
    }
    return st;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

nc_status nc_eval_bootstrap(const nc_model *m, const nc_corpus *c, unsigned rounds,
                            uint64_t seed, double *lo, double *hi, nc_diag *diag)
{
    if (rounds == 0 || c->n == 0)
        return NC_ERR_ARG;
    size_t total = c->sentences, nd = c->n, nl = m->noutputs;
    uint32_t *pred = nc_calloc(total ? total : 1, sizeof *pred);
    uint32_t *gold = nc_calloc(total ? total : 1, sizeof *gold);
    size_t *first = nc_calloc(nd + 1, sizeof *first);
    double *scores = nc_calloc(rounds, sizeof *scores);
    nc_eval *e = NULL;
    nc_status st = (!pred || !gold || !first || !scores) ? NC_ERR_NOMEM : nc_eval_new(m, &e);
    if (st == NC_OK)
        st = nc_eval_add(m, c, e, pred, diag);
    if (st == NC_OK) {
        size_t k = 0;
        for (size_t d = 0; d < nd; d++) {
            first[d] = k;
            for (size_t i = 0; i < c->docs[d]->n; i++, k++) {
                const char *g = c->docs[d]->label[i];
                nc_model_find_output(m, g, &gold[k]);
            }
        }
        first[nd] = k;
        uint64_t rs = seed;
        for (unsigned r = 0; r < rounds; r++) {
            memset(e->confusion, 0, nl * nl * sizeof *e->confusion);
            for (size_t s = 0; s < nd; s++) {
                size_t d = (size_t)(nc_rand_next(&rs) % nd);
                for (size_t i = first[d]; i < first[d + 1]; i++)
                    e->confusion[(size_t)gold[i] * nl + pred[i]]++;
            }
            nc_eval_finish(e);
            scores[r] = e->macro_f1;
        }
        qsort(scores, rounds, sizeof *scores, cmp_double);
        *lo = scores[(size_t)(0.025 * (rounds - 1) + 0.5)];
        *hi = scores[(size_t)(0.975 * (rounds - 1) + 0.5)];
    }
    nc_eval_free(e);
    nc_free(pred);
    nc_free(gold);
    nc_free(first);
    nc_free(scores);
    return st;
}
