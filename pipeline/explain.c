/*
 * explain.c - why the model says what it says: per-sentence feature
 * contributions (nc_explain) and each label's most informative features
 * (nc_top_features), plus nc_model_describe for `newsclass info`.
 *
 * Contributions are exact pieces of the naive Bayes score gap between the
 * chosen label and the runner-up (nb.c, nc_explain_sentence), so an analyst
 * can see which words and cues decided a sentence.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "nb.h"

void nc_model_describe(const nc_model *m, nc_model_info *out)
{
    memset(out, 0, sizeof *out);
    out->format_version = NC_MODEL_FORMAT_VERSION;
    out->documents = m->ndocs;
    out->label_sentences = m->label_sents;
    memcpy(out->corpus_digest, m->corpus_digest, sizeof out->corpus_digest);
}

typedef struct contrib_list {
    struct item {
        char *feature;
        double weight;
    } *items;
    size_t n, cap;
    int failed;
} contrib_list;

static void collect(void *ctx, const char *key, double w)
{
    contrib_list *c = ctx;
    if (c->failed)
        return;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct item *ni = nc_reallocarray(c->items, ncap, sizeof *ni);
        if (!ni) {
            c->failed = 1;
            return;
        }
        c->items = ni;
        c->cap = ncap;
    }
    char *k = nc_strndup(key, strlen(key));
    if (!k) {
        c->failed = 1;
        return;
    }
    c->items[c->n].feature = k;
    c->items[c->n].weight = w;
    c->n++;
}

static int by_weight_desc(const void *a, const void *b)
{
    const nc_contribution *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    return strcmp(x->feature, y->feature);
}

void nc_free_explanation(nc_contribution *c)
{
    nc_free(c);
}

nc_status nc_explain(const nc_model *m, const char *sentence, size_t len, size_t *label,
                     size_t *runner_up, nc_contribution **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (m->nlabels < 2)
        return NC_ERR_ARG;
    nc_scorer *sc;
    nc_status st = nc_scorer_new(m, &sc);
    if (st != NC_OK)
        return st;
    nc_arena a;
    nc_arena_init(&a);
    contrib_list cl = { 0 };
    double *probs = nc_calloc(m->nlabels, sizeof *probs);
    char *text = nc_strndup(sentence, len);
    if (!probs || !text) {
        st = NC_ERR_NOMEM;
        goto out;
    }
    nc_sent_in s = { text, len, NC_SENT_PARA_START | NC_SENT_DOC_LAST, 0, 0, 0 };
    st = nc_score_classes(sc, &s, 1, &a, probs);
    if (st != NC_OK)
        goto out;
    uint32_t best = nc_argmax(probs, m->nlabels);
    uint32_t second = best == 0 ? 1 : 0;
    for (uint32_t l = 0; l < m->nlabels; l++)
        if (l != best && probs[l] > probs[second])
            second = l;
    nc_arena_reset(&a);
    st = nc_explain_sentence(sc, &s, &a, best, second, collect, &cl);
    if (st == NC_OK && cl.failed)
        st = NC_ERR_NOMEM;
    if (st != NC_OK)
        goto out;
    /* One block: the array, then the strings. */
    size_t bytes = cl.n * sizeof(nc_contribution);
    for (size_t i = 0; i < cl.n; i++)
        bytes += strlen(cl.items[i].feature) + 1;
    nc_contribution *res = nc_malloc(bytes);
    if (!res) {
        st = NC_ERR_NOMEM;
        goto out;
    }
    char *p = (char *)(res + cl.n);
    for (size_t i = 0; i < cl.n; i++) {
        size_t l = strlen(cl.items[i].feature) + 1;
        memcpy(p, cl.items[i].feature, l);
        res[i].feature = p;
        res[i].weight = cl.items[i].weight;
        p += l;
    }
    qsort(res, cl.n, sizeof *res, by_weight_desc);
    *out = res;
    *n = cl.n;
    *label = best;
    *runner_up = second;
out:
    for (size_t i = 0; i < cl.n; i++)
        nc_free(cl.items[i].feature);
    nc_free(cl.items);
    nc_free(probs);
    nc_free(text);
    nc_arena_free(&a);
    nc_scorer_free(sc);
    return st;
}

nc_status nc_top_features(const nc_model *m, size_t label, size_t k, uint64_t min_count,
                          nc_contribution *out, size_t *n)
{
    *n = 0;
    uint32_t nl = m->nlabels;
    if (label >= nl || nl < 2)
        return NC_ERR_ARG;
    if (k == 0)
        return NC_OK;
    /* Keep the k best in out[] by insertion (k is small). */
    for (uint32_t f = 0; f < m->nfeatures; f++) {
        const uint64_t *c = &m->counts[(size_t)f * nl];
        uint64_t tot = 0;
        for (uint32_t l = 0; l < nl; l++)
            tot += c[l];
        if (tot < min_count || c[label] == 0)
            continue;
        const double *lp = nc_model_logp(m, f);
        double other = 0.0;
        for (uint32_t l = 0; l < nl; l++)
            if (l != label)
                other += exp(lp[l]);
        double w = lp[label] - log(other / (nl - 1));
        if (*n == k && w <= out[k - 1].weight)
            continue;
        size_t i = *n < k ? (*n)++ : k - 1;
        while (i > 0 && out[i - 1].weight < w) {
            out[i] = out[i - 1];
            i--;
        }
        out[i].feature = nc_vocab_key(m->features, f, NULL);
        out[i].weight = w;
    }
    return NC_OK;
}
