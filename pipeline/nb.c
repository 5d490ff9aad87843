/*
 * nb.c - naive Bayes counting and scoring (see nb.h).
 *
 * Training: features of each sentence go into counts[feature][label];
 * sentence counts per label give the prior; consecutive labels of a
 * document give the transition counts.  With binary=1 a feature counts
 * once per sentence (a stamp per feature avoids sorting).
 *
 * Scoring, for sentence x and label c, in log space:
 *   s(c) = prior_weight * log P(c)
 *        + w * sum over word features f of x of log P(f | c)
 *        + cue_weight * sum over cue features f of x of log P(f | c)
 * where w = length_norm / (number of word features of x) when length_norm
 * is set, else 1; features the model never saw are skipped.  Posteriors
 * are softmax(emission_scale * s).  With hmm_weight > 0 the document is
 * decoded as a chain: forward-backward over emission_scale * s and
 * hmm_weight * log P(c_i | c_{i-1}), and each sentence takes the label
 * with the highest marginal (which maximises expected accuracy).
 *
 * Both halves find a key's feature through an nc_key_cache indexed by the
 * key's id (featurize.h): words, bigrams and the static cue and position
 * keys are hashed once per featurizer, not once per occurrence.  A
 * scorer's featurizer, restricted to its model (models with bigrams),
 * names the model feature in the key's id itself, and the cache serves
 * only the other scorers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nb.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------ */
/* Training                                                                  */

/*
 * Key id (nc_key.id: a word, bigram or static key of one featurizer) ->
 * model feature, so a key seen before costs an array read, not a hash of
 * its string: the key with a given id is the same feature every time.
 * One per featurizer, since key ids are per featurizer (a trainer's, and
 * an unrestricted scorer's); zero-initialise it.  Values: 0 not looked up
 * yet, 1 not in the model (scoring only), f + 2 feature f.
 */
typedef struct nc_key_cache {
    uint32_t *v[3];  /* [NC_KEY_KIND][NC_KEY_INDEX] */
    size_t cap[3];
} nc_key_cache;
static void key_cache_free(nc_key_cache *kc);

struct nc_trainer {
    nc_model *m;
    nc_featurizer *fz;
    nc_arena arena;
    nc_sent_feats *feats;
    size_t feats_cap;
    uint64_t *stamp;     /* [feature] last sentence serial that counted it (binary) */
    size_t stamp_cap;
    uint64_t serial;
    uint64_t digest;     /* sum of document digests (mod 2^64): order-free, so
                            merge adds and forget subtracts it */
    nc_key_cache kc;     /* key id of fz -> feature */
};

static nc_status trainer_init(nc_trainer *t)
{
    nc_arena_init(&t->arena);
    t->digest = strtoull(t->m->corpus_digest, NULL, 16); /* "" gives 0 */
    return nc_featurizer_new(&t->m->opt, &t->fz);
}

nc_status nc_trainer_new(const nc_options *o, nc_trainer **out)
{
    *out = NULL;
    nc_trainer *t = nc_calloc(1, sizeof *t);
    if (!t)
        return NC_ERR_NOMEM;
    nc_status st = nc_model_new_empty(o, &t->m);
    if (st == NC_OK)
        st = trainer_init(t);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    *out = t;
    return NC_OK;
}

nc_status nc_trainer_from_model(const nc_model *m, nc_trainer **out)
{
    *out = NULL;
    unsigned char *bytes;
    size_t len;
    nc_status st = nc_model_to_bytes(m, &bytes, &len);
    if (st != NC_OK)
        return st;
    nc_trainer *t = nc_calloc(1, sizeof *t);
    if (!t) {
        nc_free(bytes);
        return NC_ERR_NOMEM;
    }
    st = nc_model_load_mem(bytes, len, &t->m, NULL);
    nc_free(bytes);
    if (st == NC_OK)
        st = trainer_init(t);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    *out = t;
    return NC_OK;
}

void nc_trainer_free(nc_trainer *t)
{
    if (!t)
        return;
    nc_model_free(t->m);
    nc_featurizer_free(t->fz);
    nc_arena_free(&t->arena);
    nc_free(t->feats);
    nc_free(t->stamp);
    key_cache_free(&t->kc);
    nc_free(t);
}

/* Add delta (+1/-1) to *c; NC_ERR_RANGE instead of wrapping. */
static nc_status bump(uint64_t *c, int sign)
{
    if (sign > 0) {
        if (*c == UINT64_MAX)
            return NC_ERR_RANGE;
        (*c)++;
    } else {
        if (*c == 0)
            return NC_ERR_RANGE;
        (*c)--;
    }
    return NC_OK;
}

const nc_options *nc_trainer_options(const nc_trainer *t)
{
    return &t->m->opt;
}

static void key_cache_free(nc_key_cache *kc)
{
    for (int k = 0; k < 3; k++) {
        nc_free(kc->v[k]);
        kc->v[k] = NULL;
        kc->cap[k] = 0;
    }
}

/* key_slot's growth: room for index i of kind k (static keys: all at once). */
static nc_status key_cache_grow(nc_key_cache *kc, uint32_t k, uint32_t i)
{
    int is_static = k == NC_KEY_KIND(NC_KEY_STATIC);
    if (is_static && i >= NC_KEY_NSTATIC)
        return NC_ERR_ARG; /* not an id the featurizer gives */
    uint32_t *n = nc_grow_zeroed(kc->v[k], &kc->cap[k], is_static ? NC_KEY_NSTATIC - 1 : i,
                                 sizeof *n, is_static ? NC_KEY_NSTATIC : 4096);
    if (!n)
        return NC_ERR_NOMEM;
    kc->v[k] = n;
    return NC_OK;
}

/*
 * The entry of key id in *slot (the array grown to hold it), or NULL for
 * NC_KEY_UNCACHED.  NC_ERR_NOMEM leaves the cache as it was.  Inline: it
 * runs for every key of every sentence.
 */
static inline nc_status key_slot(nc_key_cache *kc, uint32_t id, uint32_t **slot)
{
    uint32_t k = NC_KEY_KIND(id), i = NC_KEY_INDEX(id);
    *slot = NULL;
    if (id >= NC_KEY_FEATURE) /* uncached, or named by a model feature */
        return NC_OK;
    if (i >= kc->cap[k]) {
        nc_status st = key_cache_grow(kc, k, i);
        if (st != NC_OK)
            return st;
    }
    *slot = &kc->v[k][i];
    return NC_OK;
}

/*
 * doc's term of the corpus digest (FNV-1a over each sentence's label, its
 * NUL and its text), which a successful count adds to the model's.
 * Sentences without a label are skipped: their document fails to count
 * anyway.
 */
static uint64_t doc_digest(const nc_doc *doc)
{
    uint64_t h = NC_FNV_INIT;
    for (size_t i = 0; i < doc->n; i++)
        if (doc->label[i]) {
            h = nc_fnv1a(h, doc->label[i], strlen(doc->label[i]) + 1);
            h = nc_fnv1a(h, doc->s[i].text, doc->s[i].len);
        }
    return h;
}

/* The id in m of sentence i's label, added when new (sign > 0) or looked
 * up (sign < 0); the error, with its diagnostic, when it cannot be. */
static nc_status sentence_label(nc_model *m, const nc_doc *doc, size_t i, int sign, uint32_t *l,
                                nc_diag *diag)
{
    const char *lab = doc->label[i];
    if (!lab)
        return nc_diag_set(diag, NC_ERR_LABEL, doc->file, doc->line[i],
                           "sentence without a label");
    if (sign < 0) {
        if (!nc_vocab_find(m->labels, lab, strlen(lab), l))
            return nc_diag_set(diag, NC_ERR_LABEL, doc->file, doc->line[i],
                               "label '%s' is not in the model", lab);
        return NC_OK;
    }
    nc_status st = nc_model_add_label(m, lab, strlen(lab), l);
    if (st == NC_ERR_RANGE)
        return nc_diag_set(diag, st, doc->file, doc->line[i], "more than %u labels",
                           NC_MAX_LABELS);
    return st;
}

nc_status nc_trainer_labels(nc_trainer *t, const nc_doc *doc, nc_diag *diag)
{
    for (size_t i = 0; i < doc->n; i++) {
        uint32_t l;
        nc_status st = sentence_label(t->m, doc, i, 1, &l, diag);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

/* The counting half of nc_trainer_add: feats[0..doc->n) are doc's features
 * from t's featurizer. */
static nc_status trainer_count(nc_trainer *t, const nc_doc *doc, const nc_sent_feats *feats,
                               int sign, nc_diag *diag)
{
    nc_model *m = t->m;
    nc_status st;
    if (doc->n == 0)
        return NC_OK;
    uint32_t prev = UINT32_MAX; /* document start */
    for (size_t i = 0; i < doc->n; i++) {
        uint32_t l;
        if ((st = sentence_label(m, doc, i, sign, &l, diag)) != NC_OK)
            return st;
        uint32_t nl = m->nlabels;
        t->serial++;
        const nc_sent_feats *sf = &feats[i];
        for (size_t k = 0; k < sf->n; k++) {
            uint32_t f, *slot;
            if ((st = key_slot(&t->kc, sf->keys[k].id, &slot)) != NC_OK)
                return st;
            if (slot && *slot) {
                f = *slot - 2; /* a key seen before: no hashing */
            } else {
                if (sign < 0) {
                    if (!nc_vocab_find(m->features, sf->keys[k].s, sf->keys[k].len, &f))
                        return nc_diag_set(diag, NC_ERR_RANGE, doc->file, doc->line[i],
                                           "this sentence was never trained on (feature '%s' is not in the model)",
                                           sf->keys[k].s);
                } else {
                    st = nc_model_add_feature(m, sf->keys[k].s, sf->keys[k].len, &f);
                    if (st != NC_OK)
                        return st;
                }
                if (slot)
                    *slot = f + 2;
            }
            if (m->opt.binary) {
                if (f >= t->stamp_cap) {
                    uint64_t *ns = nc_grow_zeroed(t->stamp, &t->stamp_cap, f, sizeof *ns, 1024);
                    if (!ns)
                        return NC_ERR_NOMEM;
                    t->stamp = ns;
                }
                if (t->stamp[f] == t->serial)
                    continue;
                t->stamp[f] = t->serial;
            }
            if (bump(&m->counts[(size_t)f * nl + l], sign) != NC_OK)
                return nc_diag_set(diag, NC_ERR_RANGE, doc->file, doc->line[i],
                                   "count of feature '%s' would go below zero: this sentence was not trained on",
                                   sf->keys[k].s);
        }
        if (bump(&m->label_sents[l], sign) != NC_OK ||
            bump(&m->trans[(size_t)(prev == UINT32_MAX ? nl : prev) * nl + l], sign) != NC_OK)
            return nc_diag_set(diag, NC_ERR_RANGE, doc->file, doc->line[i],
                               "label count would go below zero: this document was not trained on");
        prev = l;
    }
    /* every sentence had a label, so this is the digest of the whole document */
    uint64_t h = doc_digest(doc);
    t->digest += sign > 0 ? h : (uint64_t)0 - h;
    if (bump(&m->ndocs, sign) != NC_OK)
        return nc_diag_set(diag, NC_ERR_RANGE, doc->file, doc->first_line,
                           "document count would go below zero");
    return NC_OK;
}

nc_status nc_trainer_add(nc_trainer *t, const nc_doc *doc, int sign, nc_diag *diag)
{
    if (doc->n == 0)
        return NC_OK;
    nc_sent_feats *nf = nc_grow_zeroed(t->feats, &t->feats_cap, doc->n - 1, sizeof *nf, 64);
    if (!nf)
        return NC_ERR_NOMEM;
    t->feats = nf;
    nc_arena_reset(&t->arena);
    nc_status st = nc_featurize(t->fz, doc->s, doc->n, &t->arena, t->feats);
    if (st != NC_OK)
        return st;
    return trainer_count(t, doc, t->feats, sign, diag);
}

/*
 * Row order for max_features: higher total first, then key bytes.  The row
 * carries its key, so the comparator needs no global (qsort has no context
 * argument in C11, and models may be finished on several threads).
 */
typedef struct prune_row {
    uint64_t total;
    uint32_t id;
    const char *key;
} prune_row;

static int prune_cmp(const void *a, const void *b)
{
    const prune_row *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return strcmp(x->key, y->key);
}

/*
 * A copy of m without what pruning drops: features below min_count or past
 * max_features, features and labels whose counts are all zero (after a
 * forget), so that forgetting B from A+B gives exactly A's bytes.
 */
static nc_status prune(nc_model *m, nc_model **out)
{
    *out = NULL;
    uint32_t nl = m->nlabels, nf = m->nfeatures;
    uint32_t lmap[NC_MAX_LABELS]; /* old label -> new label, UINT32_MAX = dropped */
    prune_row *rows = nc_calloc(nf ? nf : 1, sizeof *rows);
    if (!rows)
        return NC_ERR_NOMEM;
    size_t keep = 0;
    for (uint32_t f = 0; f < nf; f++) {
        uint64_t tot = 0;
        for (uint32_t l = 0; l < nl; l++)
            tot += m->counts[(size_t)f * nl + l];
        if (tot >= m->opt.min_count && tot > 0)
            rows[keep++] = (prune_row){ tot, f, nc_vocab_key(m->features, f, NULL) };
    }
    if (m->opt.max_features && keep > m->opt.max_features) {
        qsort(rows, keep, sizeof *rows, prune_cmp);
        keep = m->opt.max_features;
    }
    nc_model *p;
    nc_status st = nc_model_new_empty(&m->opt, &p);
    for (uint32_t l = 0; l < nl && st == NC_OK; l++) {
        lmap[l] = UINT32_MAX;
        if (m->label_sents[l] == 0)
            continue;
        size_t len;
        const char *k = nc_vocab_key(m->labels, l, &len);
        st = nc_model_add_label(p, k, len, &lmap[l]);
    }
    uint32_t pl = st == NC_OK ? p->nlabels : 0;
    for (size_t r = 0; r < keep && st == NC_OK; r++) {
        size_t len;
        const char *k = nc_vocab_key(m->features, rows[r].id, &len);
        uint32_t id;
        st = nc_model_add_feature(p, k, len, &id);
        for (uint32_t l = 0; l < nl && st == NC_OK; l++)
            if (lmap[l] != UINT32_MAX)
                p->counts[(size_t)id * pl + lmap[l]] = m->counts[(size_t)rows[r].id * nl + l];
    }
    nc_free(rows);
    if (st != NC_OK) {
        nc_model_free(p);
        return st;
    }
    for (uint32_t l = 0; l < nl; l++) {
        if (lmap[l] == UINT32_MAX)
            continue;
        p->label_sents[lmap[l]] = m->label_sents[l];
        for (uint32_t r = 0; r <= nl; r++) {
            uint32_t from = r == nl ? pl : lmap[r];
            if (from != UINT32_MAX)
                p->trans[(size_t)from * pl + lmap[l]] = m->trans[(size_t)r * nl + l];
        }
    }
    p->ndocs = m->ndocs;
    memcpy(p->corpus_digest, m->corpus_digest, sizeof p->corpus_digest);
    *out = p;
    return NC_OK;
}

nc_status nc_model_finalize(nc_model *m, nc_model **out)
{
    *out = NULL;
    if (m->nlabels == 0)
        return NC_ERR_EMPTY;
    nc_model *p;
    nc_status st = prune(m, &p);
    if (st != NC_OK)
        return st;
    /* A round trip through the file format puts labels and features in
     * canonical (byte-sorted) order, so the model in memory is exactly the
     * one a later load gives. */
    unsigned char *bytes;
    size_t len;
    st = nc_model_to_bytes(p, &bytes, &len);
    nc_model_free(p);
    if (st != NC_OK)
        return st;
    st = nc_model_load_mem(bytes, len, out, NULL);
    nc_free(bytes);
    return st;
}

nc_status nc_trainer_absorb(nc_trainer *t, nc_trainer *part)
{
    nc_status st = nc_model_add_counts(t->m, part->m);
    t->digest += part->digest;
    nc_trainer_free(part);
    return st;
}

nc_status nc_trainer_finish(nc_trainer *t, nc_model **out)
{
    snprintf(t->m->corpus_digest, sizeof t->m->corpus_digest, "%016llx",
             (unsigned long long)t->digest);
    nc_status st = nc_model_finalize(t->m, out);
    nc_trainer_free(t);
    return st;
}

/* Feed every document of c to t with sign; t is freed on error. */
static nc_status trainer_add_corpus(nc_trainer *t, const nc_corpus *c, int sign, nc_diag *diag)
{
    for (size_t d = 0; d < c->n; d++) {
        nc_status st = nc_trainer_add(t, c->docs[d], sign, diag);
        if (st != NC_OK) {
            nc_trainer_free(t);
            return st;
        }
    }
    return NC_OK;
}

nc_status nc_model_train(const nc_corpus *c, const nc_options *opt, nc_model **out, nc_diag *diag)
{
    *out = NULL;
    nc_options o;
    if (opt)
        o = *opt;
    else
        nc_options_default(&o);
    nc_trainer *t;
    nc_status st = nc_trainer_new(&o, &t);
    if (st != NC_OK)
        return st;
    st = trainer_add_corpus(t, c, 1, diag);
    if (st != NC_OK)
        return st;
    st = nc_trainer_finish(t, out);
    if (st == NC_ERR_EMPTY)
        nc_diag_set(diag, st, "", 0, "the corpus has no labelled sentences");
    return st;
}

nc_status nc_model_update(nc_model *m, const nc_corpus *c, int sign, nc_diag *diag)
{
    if (sign != 1 && sign != -1)
        return NC_ERR_ARG;
    nc_trainer *t;
    nc_status st = nc_trainer_from_model(m, &t);
    if (st != NC_OK)
        return st;
    st = trainer_add_corpus(t, c, sign, diag);
    if (st != NC_OK)
        return st;
    nc_model *n;
    st = nc_trainer_finish(t, &n);
    if (st != NC_OK)
        return st;
    nc_model_swap(m, n);
    nc_model_free(n);
    return NC_OK;
}

/* ------------------------------------------------------------------------ */
/* Scoring                                                                   */

#define FEAT_ABSENT (-1) /* lookup: not in the model */

/* nc_scorer.group: how a feature is summed (from its key, once). */
enum { GROUP_WORD, GROUP_CUE, GROUP_POSITION };

/*
 * What score_sentence reads per feature, in one 8-byte record: the binary
 * stamp and where the feature's log-probabilities are.  A pruned binary
 * model repeats the same row a lot (the default model: about 8,000
 * distinct rows for 16,342 features), and the model keeps each distinct
 * row once (nc_model.rows): the table a sentence's features touch is about
 * half of 9 doubles a feature, and with the stamp and group beside the row
 * offset a feature costs three cache lines at most (record, two of the
 * row).  The stamps in a table of their own (one byte a feature, 16 KB)
 * cost a miss more a key: 2.4 M more D1 misses on 20 MB in callgrind.
 */
typedef struct feat_rec {
    uint32_t stamp;     /* binary: last sentence that counted it */
    uint32_t row;       /* byte offset of its row in sc->rows (a multiple of
                           16: no multiply, no shift per key) | GROUP_* */
} feat_rec;

struct nc_scorer {
    const nc_model *m;
    nc_featurizer *fz;
    nc_key_cache kc;    /* key id of fz -> feature (fz unrestricted) */
    feat_rec *frec;     /* [feature] */
    uint32_t serial;
    uint32_t *fbuf;     /* score_sentence's scratch, a slot per key: the word
                           rows up from the start, the cue-group rows (as in
                           feat_rec.row) down from the sentence's key count */
    size_t fbuf_cap;
    double *rows;       /* the model's rows, hottest first, each on 16 bytes
                           (build_frec) */
    double *row_block;  /* rows' allocation */
    double *prior;      /* [label] prior_weight * log_prior */
    double *gap;        /* [output * nlabels + label] label_from_bounds's
                           margin against the label's group (build_gaps) */
};

/* Significant bits of h: 0 for 0, 64 for the largest. */
static uint32_t heat_bits(uint64_t h)
{
    return h ? 64 - (uint32_t)__builtin_clzll(h) : 0;
}

/* sc->frec and sc->rows: each feature's row and its group (from its key),
 * the rows in the order of their heat; and the prior terms. */
static nc_status build_frec(nc_scorer *sc)
{
    const nc_model *m = sc->m;
    uint32_t nf = m->nfeatures, nl = m->nlabels, nr = m->nrows;
    /* Rows are found by their byte offset in 32 bits: at most 4 GiB. */
    if ((uint64_t)nr * (nl + 1) * sizeof(double) > UINT32_MAX)
        return NC_ERR_NOMEM;
    sc->frec = nc_calloc(nf ? nf : 1, sizeof *sc->frec);
    sc->prior = nc_calloc(nl, sizeof *sc->prior);
    /* Each row starts on 16 bytes (the block's start, and an even stride:
     * a zero after each row of an odd label count), so that add_row reads
     * its pairs with aligned loads, which the additions take as operands
     * (classify 20 MB: -20 M instructions; the 10th double makes the
     * table 11 % larger, +0.6 M D1 misses of 23 M; a row of 9 touches two
     * cache lines either way). */
    const size_t stride = nl + (nl & 1u);
    sc->row_block = nc_calloc((size_t)nr * stride + 1, sizeof *sc->row_block);
    if (sc->row_block)
        sc->rows = sc->row_block + ((uintptr_t)sc->row_block % 16 != 0);
    uint64_t *heat = nc_calloc(nr ? nr : 1, sizeof *heat);
    uint32_t *at = nc_reallocarray(NULL, nr ? nr : 1, sizeof *at);
    if (!sc->frec || !sc->prior || !sc->row_block || !heat || !at) {
        nc_free(heat);
        nc_free(at);
        return NC_ERR_NOMEM;
    }
    /*
     * A row's heat: how often its features occurred in training.  The rows
     * a sentence touches are mostly the hottest, and together at the front
     * of the table they share cache lines with each other rather than with
     * rows that are hardly ever read.  The order is by the heat's power of
     * two, hottest first, then by row: a counting sort (qsort by the exact
     * heat was 6 M instructions a scorer, for no fewer misses).
     */
    for (uint32_t f = 0; f < nf; f++) {
        uint64_t h = 0;
        for (uint32_t l = 0; l < nl; l++)
            h += m->counts[(size_t)f * nl + l];
        heat[m->row_of[f]] += h;
    }
    uint32_t start[66] = { 0 }; /* [65 - bits of the heat] the first row of that class */
    for (uint32_t r = 0; r < nr; r++)
        start[65 - heat_bits(heat[r])]++;
    for (uint32_t c = 0, sum = 0; c < 66; c++) {
        uint32_t k = start[c];
        start[c] = sum;
        sum += k;
    }
    for (uint32_t r = 0; r < nr; r++) {
        uint32_t to = start[65 - heat_bits(heat[r])]++;
        at[r] = to;
        memcpy(&sc->rows[to * stride], &m->rows[(size_t)r * nl], nl * sizeof *sc->rows);
    }
    for (uint32_t f = 0; f < nf; f++) {
        const char *key = nc_vocab_key(m->features, f, NULL);
        uint32_t g = nc_feature_is_word(key)           ? GROUP_WORD
                     : key[0] == 'p' && key[1] == ':' ? GROUP_POSITION
                                                      : GROUP_CUE;
        sc->frec[f].row = (uint32_t)(at[m->row_of[f]] * stride * sizeof(double)) | g;
    }
    nc_free(heat);
    nc_free(at);
    /* The same product score_sentence made for every sentence. */
    for (uint32_t l = 0; l < nl; l++)
        sc->prior[l] = m->opt.prior_weight * m->log_prior[l];
    return NC_OK;
}

/*
 * label_from_bounds's first test decides a group when the best class leads
 * every class of another group g by more than log(classes of g) +
 * GAP_SLACK.  The group's posterior is then more than e^GAP_SLACK times
 * g's, in exact arithmetic: at least the best class's exp, against at most
 * (classes of g) times the largest exp in g.  GAP_SLACK = 1e-6 is far more
 * than the rounding of this test (the gap and the logarithm, ~1e-15 in
 * absolute terms) plus the ratio the rounding of the posteriors could
 * undo (POSTERIOR_SLACK, 1e-9), so softmax_row and output_label pick the
 * same group.
 */
#define GAP_SLACK 1e-6

/* sc->gap: label_from_bounds's margins, [group w * nlabels + class l]:
 * against l's group, or -inf when that is w. */
static nc_status build_gaps(nc_scorer *sc)
{
    const nc_model *m = sc->m;
    uint32_t nl = m->nlabels, no = m->noutputs;
    double *classes = nc_calloc(no ? no : 1, sizeof *classes);
    sc->gap = nc_calloc(no && nl ? (size_t)no * nl : 1, sizeof *sc->gap);
    if (!classes || !sc->gap) {
        nc_free(classes);
        return NC_ERR_NOMEM;
    }
    for (uint32_t l = 0; l < nl; l++)
        classes[m->output_of[l]] += 1.0;
    for (uint32_t w = 0; w < no; w++)
        for (uint32_t l = 0; l < nl; l++) {
            uint32_t g = m->output_of[l];
            sc->gap[(size_t)w * nl + l] = g == w ? -INFINITY : log(classes[g]) + GAP_SLACK;
        }
    nc_free(classes);
    return NC_OK;
}

/* The group (GROUP_*) of feature f. */
static inline uint8_t feat_group(const nc_scorer *sc, int32_t f)
{
    return (uint8_t)(sc->frec[f].row & 3u);
}

nc_status nc_scorer_new(const nc_model *m, nc_scorer **out)
{
    *out = NULL;
    if (!m || m->nlabels == 0 || !m->rows)
        return NC_ERR_ARG;
    nc_scorer *sc = nc_calloc(1, sizeof *sc);
    if (!sc)
        return NC_ERR_NOMEM;
    sc->m = m;
    nc_status st = nc_featurizer_new(&m->opt, &sc->fz);
    if (st == NC_OK && m->opt.bigrams) { /* bigrams the model lacks score nothing */
        st = nc_featurizer_restrict_bigrams(sc->fz, m->features);
        if (st == NC_ERR_RANGE) /* too many bigram stems: unrestricted, same scores */
            st = NC_OK;
    }
    if (st == NC_OK)
        st = build_frec(sc);
    if (st == NC_OK)
        st = build_gaps(sc);
    if (st != NC_OK) {
        nc_scorer_free(sc);
        return st;
    }
    *out = sc;
    return NC_OK;
}

void nc_scorer_free(nc_scorer *sc)
{
    if (!sc)
        return;
    nc_featurizer_free(sc->fz);
    key_cache_free(&sc->kc);
    nc_free(sc->frec);
    nc_free(sc->fbuf);
    nc_free(sc->prior);
    nc_free(sc->row_block);
    nc_free(sc->gap);
    nc_free(sc);
}

/* lookup's path for a key not seen before (or without an id): hash its string. */
static nc_status lookup_slow(nc_scorer *sc, const nc_key *k, int32_t *fid)
{
    uint32_t f, *slot;
    nc_status st = key_slot(&sc->kc, k->id, &slot);
    if (st != NC_OK)
        return st;
    if (slot && *slot) {
        *fid = (int32_t)*slot - 2;
        return NC_OK;
    }
    int32_t v = nc_vocab_find(sc->m->features, k->s, k->len, &f) ? (int32_t)f : FEAT_ABSENT;
    if (slot)
        *slot = (uint32_t)(v + 2);
    *fid = v;
    return NC_OK;
}

/*
 * The model feature of a key whose id does not name one, or FEAT_ABSENT,
 * into *fid and 1 when that is known without hashing the key (its id is
 * NC_KEY_ABSENT, or the cache has it); else 0.
 */
static inline int key_known(const nc_key_cache *kc, uint32_t id, int32_t *fid)
{
    uint32_t kind = NC_KEY_KIND(id), i = NC_KEY_INDEX(id);
    if (id == NC_KEY_ABSENT) {
        *fid = FEAT_ABSENT;
        return 1;
    }
    if (id != NC_KEY_UNCACHED && i < kc->cap[kind]) {
        uint32_t v = kc->v[kind][i];
        if (v) {
            *fid = (int32_t)v - 2;
            return 1;
        }
    }
    return 0;
}

/*
 * The model feature of a key, or FEAT_ABSENT: named by the key's id when
 * the (restricted) featurizer gives it, else through the cache.  Inline
 * with the hits tested here: it runs for every key, and as a call its
 * prologue and epilogue were 3 % of classify's instructions.
 */
static inline nc_status lookup(nc_scorer *sc, const nc_key *k, int32_t *fid)
{
    /* A feature's id less NC_KEY_FEATURE is the feature, and the two ids
     * above the features come right after: one compare for the common
     * case (the index without masking it out). */
    uint32_t f = k->id - NC_KEY_FEATURE;
    if (f < NC_KEY_ABSENT - NC_KEY_FEATURE) {
        *fid = (int32_t)f;
        return NC_OK;
    }
    if (key_known(&sc->kc, k->id, fid))
        return NC_OK;
    return lookup_slow(sc, k, fid);
}

/* Unroll the next loop (a hint; GCC and clang take it): sum_rows's copies
 * with a constant nl were not unrolled at -O2 without it.  NC_UNROLL2: two
 * iterations a step, for a loop with a variable count. */
#if defined(__GNUC__) || defined(__clang__)
#define NC_UNROLL _Pragma("GCC unroll 8")
#define NC_UNROLL2 _Pragma("GCC unroll 2")
#else
#define NC_UNROLL
#define NC_UNROLL2
#endif

/*
 * sum[l] += lp[l] (add_row_scaled: scale * lp[l]) for l < nl, two labels
 * an instruction with SSE2 where the compiler has it (it did not vectorize
 * the plain loop at -O2): each lane is the same IEEE multiply and add as
 * the scalar code, and every label still gets its additions in the same
 * order, so the bits do not change.  lp is on 16 bytes (sc->rows): an
 * aligned load, which the addition takes as its operand (one instruction
 * a pair, not two).
 */
static inline void add_row(double *sum, const double *lp, uint32_t nl)
{
    uint32_t l = 0;
#ifdef __SSE2__
    NC_UNROLL
    for (; l + 2 <= nl; l += 2)
        _mm_storeu_pd(sum + l, _mm_add_pd(_mm_loadu_pd(sum + l), _mm_load_pd(lp + l)));
#endif
    for (; l < nl; l++)
        sum[l] += lp[l];
}

static inline void add_row_scaled(double *sum, const double *lp, double scale, uint32_t nl)
{
    uint32_t l = 0;
#ifdef __SSE2__
    __m128d sc = _mm_set1_pd(scale);
    NC_UNROLL
    for (; l + 2 <= nl; l += 2)
        _mm_storeu_pd(sum + l,
                      _mm_add_pd(_mm_loadu_pd(sum + l), _mm_mul_pd(sc, _mm_load_pd(lp + l))));
#endif
    for (; l < nl; l++)
        sum[l] += scale * lp[l];
}

/* The weight of a cue-group feature relative to cue_weight: position_weight for "p:". */
static double group_scale(const nc_options *o, uint8_t group)
{
    return group == GROUP_POSITION ? o->position_weight : 1.0;
}

/*
 * score_sentence's first pass: the rows of a sentence's features, in key
 * order, skipping keys not in the model and, when binary, features already
 * counted in this sentence (the stamps).  Each row is prefetched (the
 * second pass adds it), and its feat_rec.row goes to a list: word rows (a
 * byte offset) up from wl, cue-group rows (with the group in the low bits)
 * down from cl, in one block of a slot per key.
 */
typedef struct row_lists {
    const nc_key_cache *kc; /* sc->kc */
    feat_rec *frec;
    const char *rows;  /* sc->rows */
    const char *last;  /* rows + the byte offset of a row's last label */
    uint32_t serial;
    uint32_t *wl;      /* the next word row goes here, ... */
    uint32_t *cl;      /* ... the next cue-group row just below here */
} row_lists;

/* Feature f's row into the lists (unless its stamp says it was counted). */
static inline __attribute__((always_inline)) void add_feature(feat_rec *frec, uint32_t f,
                                                            uint32_t serial, int binary,
                                                            const char *rows, const char *last,
                                                            uint32_t **wl, uint32_t **cl)
{
    feat_rec *fr = &frec[f];
    uint32_t row = fr->row;
    /* The group bits move the address by at most 3 bytes of an 8-aligned
     * row: the same cache lines. */
    NC_PREFETCH(rows + row);
    NC_PREFETCH(last + row);
    /* A feature counted before in this sentence (binary: once a sentence)
     * is written but not kept: no branch on it (one in 16 features of the
     * default model's sentences repeats, and that branch was mispredicted
     * ~113,000 times on 5 MB). */
    size_t keep = 1;
    if (binary) {
        keep = fr->stamp != serial;
        fr->stamp = serial;
    }
    if ((row & 3u) == GROUP_WORD) {
        **wl = row;
        *wl += keep;
    } else {
        (*cl)[-1] = row;
        *cl -= keep;
    }
}

/*
 * The keys from kp on while each key's feature is known without hashing
 * it (see lookup): where that stops, kp's first key that needs
 * lookup_slow, or end.  Out of line and without a call in it, so that its
 * values stay in registers: with lookup_slow's call inside the loop, GCC
 * kept the lists and the row table on the stack (three more loads a key).
 */
static inline __attribute__((always_inline)) const nc_key *
collect_named(row_lists *rl, const nc_key *kp, const nc_key *end, int binary)
{
    feat_rec *frec = rl->frec;
    const char *rows = rl->rows;
    const char *last = rl->last;
    const uint32_t serial = rl->serial;
    uint32_t *wl = rl->wl, *cl = rl->cl;
    for (; kp < end; kp++) {
        uint32_t f = kp->id - NC_KEY_FEATURE;
        if (f >= NC_KEY_ABSENT - NC_KEY_FEATURE) { /* see lookup */
            int32_t v;
            if (!key_known(rl->kc, kp->id, &v))
                break;
            if (v >= 0) /* (a copy of its own: merged, the common path got longer) */
                add_feature(frec, (uint32_t)v, serial, binary, rows, last, &wl, &cl);
            continue;
        }
        add_feature(frec, f, serial, binary, rows, last, &wl, &cl);
    }
    rl->wl = wl;
    rl->cl = cl;
    return kp;
}

static const nc_key *__attribute__((noinline))
collect_named_binary(row_lists *rl, const nc_key *kp, const nc_key *end)
{
    return collect_named(rl, kp, end, 1);
}

static const nc_key *__attribute__((noinline))
collect_named_all(row_lists *rl, const nc_key *kp, const nc_key *end)
{
    return collect_named(rl, kp, end, 0);
}

/*
 * score_sentence's last pass and the scores: the word rows at byte offsets
 * wl[0..nw) of rows added into wsum, the cue-group rows (feat_rec.row)
 * cl[-1], cl[-2], ... cl[-nc] into csum, position rows scaled by pw, each
 * list in key order, from zero; then score[l] (emissions: the naive Bayes
 * score times emission_scale) from the sums.  The two sums take their
 * rows from separate lists, so each gets the same additions in the same
 * order as when one loop over the keys chose the sum by the group, without
 * the test per row.  Inline so that score_sentence can call it with nl a
 * constant: add_row's loops are then unrolled and the sums need no loop
 * control.
 */
static inline __attribute__((always_inline)) void
sum_rows(const double *rows, const uint32_t *wl, size_t nw, const uint32_t *cl, size_t nc,
         uint32_t nl, const nc_options *o, const double *prior, double *score)
{
    double wsum[NC_MAX_LABELS], csum[NC_MAX_LABELS];
    /* wl and cl hold byte offsets of rows, multiples of 16 (the low two
     * bits of a cl entry are its group): >> 3 gives the double index,
     * where a char pointer cast to double * was a cppcheck portability
     * finding */
    const double pw = o->position_weight;
    for (uint32_t l = 0; l < nl; l++) /* here, with nl constant: no memset calls */
        wsum[l] = csum[l] = 0.0;
    NC_UNROLL2 /* half the loop's tests: -4.8 M instructions on 20 MB */
    for (size_t i = 0; i < nw; i++)
        add_row(wsum, rows + (wl[i] >> 3), nl);
    for (const uint32_t *p = cl, *stop = cl - nc; p > stop;) {
        uint32_t row = *--p;
        const double *lp = rows + (row >> 3);
        if ((row & 3u) == GROUP_CUE) /* scale 1: 1.0 * lp[l] is lp[l], bit for bit */
            add_row(csum, lp, nl);
        else
            add_row_scaled(csum, lp, pw, nl);
    }
    /* nw: the word rows added (after the binary stamps), as before. */
    double w = (o->length_norm > 0 && nw) ? o->length_norm / (double)nw : 1.0;
    const double cw = o->cue_weight, es = o->emission_scale;
    uint32_t l = 0;
#ifdef __SSE2__
    /* Two labels an instruction, each lane the scalar loop's operations. */
    const __m128d w2 = _mm_set1_pd(w), cw2 = _mm_set1_pd(cw), es2 = _mm_set1_pd(es);
    NC_UNROLL
    for (; l + 2 <= nl; l += 2) {
        __m128d t = _mm_add_pd(_mm_loadu_pd(prior + l), _mm_mul_pd(w2, _mm_loadu_pd(wsum + l)));
        t = _mm_add_pd(t, _mm_mul_pd(cw2, _mm_loadu_pd(csum + l)));
        _mm_storeu_pd(score + l, _mm_mul_pd(t, es2));
    }
#endif
    for (; l < nl; l++)
        score[l] = (prior[l] + w * wsum[l] + cw * csum[l]) * es;
}

/* The emissions of one featurized sentence into score[nlabels]: its naive
 * Bayes scores, then times emission_scale (the same two roundings as
 * scaling the stored scores, without reading them back). */
static nc_status score_sentence(nc_scorer *sc, const nc_sent_feats *sf, double *score)
{
    const nc_model *m = sc->m;
    const nc_options *o = &m->opt;
    const uint32_t nl = m->nlabels;
    const int binary = o->binary;
    if (binary && ++sc->serial == 0) { /* wrapped: clear the stamps */
        for (uint32_t f = 0; f < m->nfeatures; f++)
            sc->frec[f].stamp = 0;
        sc->serial = 1;
    }
    if (sf->n > sc->fbuf_cap) { /* a slot per key */
        size_t cap = sc->fbuf_cap ? sc->fbuf_cap : 64;
        while (cap < sf->n) {
            if (cap > SIZE_MAX / 8)
                return NC_ERR_NOMEM;
            cap *= 2;
        }
        uint32_t *nb = nc_reallocarray(sc->fbuf, cap, sizeof *nb);
        if (!nb)
            return NC_ERR_NOMEM;
        sc->fbuf = nb;
        sc->fbuf_cap = cap;
    }
    /*
     * Two passes over the keys: the first finds each key's feature, checks
     * its stamp and prefetches its row, the second adds the rows, so that
     * the rows' cache misses overlap across the sentence's keys instead of
     * coming one after another per key.  The sums are made in key order:
     * the same additions in the same order as one pass.  (A pass before
     * these to prefetch the feature records cost 44 M instructions on
     * 20 MB, and perf's share of scoring was no lower with it: the
     * records' loads do not depend on each other, so they overlap anyway.)
     */
    uint32_t *const top = sc->fbuf + sf->n;
    const char *rows0 = (const char *)sc->rows;
    row_lists rl = { &sc->kc, sc->frec, rows0, rows0 + (size_t)(nl - 1) * sizeof(double), sc->serial,
                     sc->fbuf, top };
    for (const nc_key *kp = sf->keys, *end = kp + sf->n;; kp++) {
        kp = binary ? collect_named_binary(&rl, kp, end) : collect_named_all(&rl, kp, end);
        if (kp == end)
            break;
        int32_t v;
        nc_status st = lookup_slow(sc, kp, &v);
        if (st != NC_OK)
            return st;
        if (v >= 0)
            add_feature(rl.frec, (uint32_t)v, rl.serial, binary, rl.rows, rl.last, &rl.wl,
                        &rl.cl);
    }
    const size_t nw = (size_t)(rl.wl - sc->fbuf), nc = (size_t)(top - rl.cl);
    /* Label counts of 2 to 12 get a copy of sum_rows of their own, with nl
     * a constant in it. */
    const double *rows = sc->rows, *prior = sc->prior;
    const uint32_t *wl = sc->fbuf;
    switch (nl) {
#define SUM_ROWS_CASE(k)                                                                       \
    case k:                                                                                    \
        sum_rows(rows, wl, nw, top, nc, k, o, prior, score);                                   \
        break;
        SUM_ROWS_CASE(2) SUM_ROWS_CASE(3) SUM_ROWS_CASE(4) SUM_ROWS_CASE(5) SUM_ROWS_CASE(6)
        SUM_ROWS_CASE(7) SUM_ROWS_CASE(8) SUM_ROWS_CASE(9) SUM_ROWS_CASE(10)
        SUM_ROWS_CASE(11) SUM_ROWS_CASE(12)
#undef SUM_ROWS_CASE
    default:
        sum_rows(rows, wl, nw, top, nc, nl, o, prior, score);
    }
    return NC_OK;
}

static double log_sum_exp(const double *x, size_t n)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (x[i] > mx)
            mx = x[i];
    if (n == 0 || mx == -INFINITY)
        return -INFINITY;
    double s = 1.0; /* exp(0) of the maximum; the others below */
    int seen_max = 0;
    for (size_t i = 0; i < n; i++) {
        if (!seen_max && x[i] == mx)
            seen_max = 1;
        else
            s += exp(x[i] - mx);
    }
    return mx + log(s);
}

uint32_t nc_argmax(const double *x, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

/* nc_featurize_each's callback for nc_score_classes: sentence i's
 * emissions into probs[i * nlabels ..]. */
struct emit_ctx {
    nc_scorer *sc;
    double *probs;
};

static nc_status emit_sentence(void *ctx, size_t i, const nc_sent_feats *f)
{
    struct emit_ctx *e = ctx;
    const nc_model *m = e->sc->m;
    return score_sentence(e->sc, f, &e->probs[i * m->nlabels]);
}

/* Class posteriors from emissions, in place: p[l] = exp(p[l] - log sum exp p). */
static void softmax_row(double *p, uint32_t nl)
{
    double z = log_sum_exp(p, nl);
    for (uint32_t l = 0; l < nl; l++)
        p[l] = exp(p[l] - z);
}

/* Emissions (emission_scale * naive Bayes score) of s[0..n) into
 * e[i * nlabels ..], each sentence scored as soon as it is featurized. */
static nc_status emissions(nc_scorer *sc, const nc_sent_in *s, size_t n, double *e)
{
    struct emit_ctx ctx = { sc, e };
    return nc_featurize_each(sc->fz, s, n, emit_sentence, &ctx);
}

/* Without the sequence layer each sentence's posteriors are its own. */
static int independent(const nc_model *m, size_t n)
{
    return m->opt.hmm_weight <= 0.0 || n == 1;
}

nc_status nc_score_classes(nc_scorer *sc, const nc_sent_in *s, size_t n, nc_arena *a,
                           double *probs)
{
    const nc_model *m = sc->m;
    const nc_options *o = &m->opt;
    uint32_t nl = m->nlabels;
    if (n == 0)
        return NC_OK;
    nc_status st = emissions(sc, s, n, probs); /* probs as scratch */
    if (st != NC_OK)
        return st;
    if (independent(m, n)) {
        for (size_t i = 0; i < n; i++)
            softmax_row(&probs[i * nl], nl);
        return NC_OK;
    }
    /* Forward-backward in log space over the chain of sentences. */
    double *fw = nc_arena_alloc(a, 2 * n * nl * sizeof *fw);
    double *tmp = nc_arena_alloc(a, nl * sizeof *tmp);
    if (!fw || !tmp)
        return NC_ERR_NOMEM;
    double *bw = fw + n * nl;
    const double hw = o->hmm_weight;
    const double *lt = m->log_trans; /* [(from) * nl + to], from nl = start */
    for (uint32_t l = 0; l < nl; l++)
        fw[l] = hw * lt[(size_t)nl * nl + l] + probs[l];
    for (size_t i = 1; i < n; i++)
        for (uint32_t l = 0; l < nl; l++) {
            for (uint32_t k = 0; k < nl; k++)
                tmp[k] = fw[(i - 1) * nl + k] + hw * lt[(size_t)k * nl + l];
            fw[i * nl + l] = log_sum_exp(tmp, nl) + probs[i * nl + l];
        }
    for (uint32_t l = 0; l < nl; l++)
        bw[(n - 1) * nl + l] = 0.0;
    for (size_t i = n - 1; i-- > 0;)
        for (uint32_t k = 0; k < nl; k++) {
            for (uint32_t l = 0; l < nl; l++)
                tmp[l] = hw * lt[(size_t)k * nl + l] + probs[(i + 1) * nl + l] +
                         bw[(i + 1) * nl + l];
            bw[i * nl + k] = log_sum_exp(tmp, nl);
        }
    for (size_t i = 0; i < n; i++) {
        double *p = &probs[i * nl];
        for (uint32_t l = 0; l < nl; l++)
            p[l] = fw[i * nl + l] + bw[i * nl + l];
        softmax_row(p, nl);
    }
    return NC_OK;
}

/* The reported posteriors p[0..noutputs) from class posteriors cp (each
 * group's classes summed, in class order), and the label: their argmax. */
static uint32_t output_label(const nc_model *m, const double *cp, double *p)
{
    for (uint32_t g = 0; g < m->noutputs; g++)
        p[g] = 0.0;
    for (uint32_t l = 0; l < m->nlabels; l++)
        p[m->output_of[l]] += cp[l];
    return nc_argmax(p, m->noutputs);
}

/*
 * Labels only: why a label may be taken from bounds.  The posterior path
 * (softmax_row, output_label) computes each class's exp(e_l - z) (z =
 * log-sum-exp, one value for all classes) and sums them by group: group
 * g's computed posterior is P_g (1 + b) + t, P_g the exact sum of
 * exp(e_l - z) over g, with |b| < 1e-12 (the subtraction, |e_l - z| < 746
 * where exp does not underflow: < 8.3e-14; exp within an ulp; at most
 * NC_MAX_LABELS - 1 additions: < 1.2e-13) and |t| < 1e-300 (terms that
 * underflow).  The group of the best class has P_g >= 1 / NC_MAX_LABELS.
 * So when one group's exact P exceeds every other's by a factor of at
 * least 1 + POSTERIOR_SLACK, its computed posterior is strictly the
 * largest and output_label picks it, whatever the tie rule; the
 * posteriors' ratios do not depend on z, so they can be bounded from the
 * emissions alone.
 */
#define POSTERIOR_SLACK 1e-9

/*
 * exp(r) for r <= 0 within a relative error of 2e-7, for
 * label_from_bounds: r is clamped at -700 (the result is then at most
 * 1e-304 too large); r = k ln 2 + f with k = round(r / ln 2), |f| <=
 * 0.3466 + 1e-12 (f's own rounding: < 2e-13 absolute); e^f by Taylor to
 * the sixth power, whose remainder is e^c f^7 / 7! for some c between 0
 * and f, so relative to e^f at most e^|f| |f|^7 / 5040 < 1.7e-7 (and
 * Horner's rounding, ~1e-15); then 2^k exactly, through the exponent
 * bits (k >= -1010: a normal number).  exp(0) is exactly 1.  About twenty
 * instructions without a call, against libm's exp and its wrapper.
 */
static inline double exp_bounded(double r)
{
    const double shift = 0x1.8p52; /* r / ln 2 + shift rounds to an integer k in the low bits */
    r = r < -700.0 ? -700.0 : r;
    double kd = r * 0x1.71547652b82fep0 + shift, k = kd - shift;
    double f = r - k * 0x1.62e42fefa39efp-1;
    double p = 1.0 + f * (1.0 + f * (1.0 / 2 + f * (1.0 / 6 + f * (1.0 / 24 + f * (1.0 / 120 +
                                                                                 f * (1.0 / 720))))));
    uint64_t bits;
    memcpy(&bits, &kd, sizeof bits);
    bits = (bits + 1023) << 52; /* low bits of kd: k in two's complement */
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* label_from_bounds's second test: the margin between approximate group
 * sums that still proves the posteriors' order (see there). */
#define BOUND_SLACK 1e-6

/*
 * Labels only: the reported label when a sentence's emissions e (finite)
 * decide it without posteriors, else UINT32_MAX (then the posteriors
 * decide).  Most sentences are clear (naive Bayes is confident), and for
 * them the exp and log of softmax_row (~5 % of classify) are not computed.
 *
 * First test, no exp: the best class t leads every class of each other
 * group g by more than g's margin (sc->gap, see GAP_SLACK): t's group's
 * posterior is then more than e^GAP_SLACK > 1 + POSTERIOR_SLACK times g's.
 * A group of one class needs only GAP_SLACK, one of k classes log k.  The
 * test is made class by class (best - e[l] against the margin of l's
 * group), which is the test of each group's largest emission: rounding
 * is monotonic, so no class of g leads by less than g's largest.  On a tie
 * between groups for the best class either is taken and the test fails.
 *
 * Second test, for the rest: S_g, the sum over g of exp_bounded(e_l -
 * e_t), is within a relative 2e-7 (exp_bounded; e_l - e_t's rounding,
 * < 8e-14 for |e_l - e_t| <= 700; the additions, < 1.2e-13) and an
 * absolute 1e-301 (clamped terms) of the exact sum, whose ratios are those
 * of the posteriors.  The largest S_g is at least ~1 (t's group has
 * exp_bounded(0) = 1), so when it exceeds every other S times 1 +
 * BOUND_SLACK, its group's exact posterior exceeds every other's by more
 * than (1 + 1e-6)(1 - 2e-7) / (1 + 2e-7) - 1e-300 > 1 + 5e-7, well over
 * 1 + POSTERIOR_SLACK.
 *
 * A sentence with an emission that is not finite goes to the posteriors,
 * which define its label.
 */
/*
 * label_from_bounds's first test with nl a constant where label_from_bounds
 * calls it (unrolled, two labels an instruction): the largest emission in
 * *best and 1 when the test decides, then with its group in *w; 0 when it
 * does not; -1 when the emissions' sum is not finite (an emission is not,
 * or the sum overflows: the posteriors decide; the sum is made in another
 * order than before, which can move only that overflow case between the
 * two ways, and both give the same label).  nc_label_from_emissions on
 * 20 MB: 32.6 -> 21.6 M instructions (the loops over classes and groups
 * with their loads of output_of were most of it).
 */
static inline __attribute__((always_inline)) int
first_test(const double *e, uint32_t nl, const uint32_t *out, const double *gaps, double *best,
           uint32_t *w)
{
    uint32_t l = 0;
    double mx, sum;
#ifdef __SSE2__
    if (nl >= 2) {
        __m128d m2 = _mm_loadu_pd(e), s2 = m2;
        NC_UNROLL
        for (l = 2; l + 2 <= nl; l += 2) {
            __m128d v = _mm_loadu_pd(e + l);
            m2 = _mm_max_pd(m2, v);
            s2 = _mm_add_pd(s2, v);
        }
        double hi = _mm_cvtsd_f64(_mm_unpackhi_pd(m2, m2)), lo = _mm_cvtsd_f64(m2);
        mx = lo > hi ? lo : hi;
        sum = _mm_cvtsd_f64(s2) + _mm_cvtsd_f64(_mm_unpackhi_pd(s2, s2));
    } else
#endif
    {
        mx = -INFINITY;
        sum = 0.0;
    }
    for (; l < nl; l++) {
        sum += e[l];
        mx = e[l] > mx ? e[l] : mx;
    }
    if (sum - sum != 0.0)
        return -1;
    /* A class with the largest emission (on ties any: the test fails then),
     * its group g, and gap: the margins against the other groups, -inf
     * against g itself. */
    uint32_t t = 0;
    l = 0;
#ifdef __SSE2__
    const __m128d b2 = _mm_set1_pd(mx);
    const uint32_t bits = nl < 32 ? nl : 32; /* of at */
    uint32_t at = 0;
    NC_UNROLL
    for (; l + 2 <= bits; l += 2)
        at |= (uint32_t)_mm_movemask_pd(_mm_cmpeq_pd(b2, _mm_loadu_pd(e + l))) << l;
    if (at)
        t = (uint32_t)__builtin_ctz(at);
    else
#endif
        for (t = l; e[t] != mx; t++)
            ;
    uint32_t g = out[t];
    const double *gap = &gaps[(size_t)g * nl];
    int clear = 1;
    l = 0;
#ifdef __SSE2__
    __m128d ok = _mm_cmpeq_pd(b2, b2);
    NC_UNROLL
    for (; l + 2 <= nl; l += 2)
        ok = _mm_and_pd(ok, _mm_cmpgt_pd(_mm_sub_pd(b2, _mm_loadu_pd(e + l)),
                                         _mm_loadu_pd(gap + l)));
    clear = _mm_movemask_pd(ok) == 3;
#endif
    for (; l < nl; l++)
        clear &= mx - e[l] > gap[l];
    *best = mx;
    *w = g;
    return clear;
}

static inline uint32_t label_from_bounds(const nc_scorer *sc, const double *e, int *how)
{
    const nc_model *m = sc->m;
    const uint32_t *out = m->output_of;
    const uint32_t nl = m->nlabels, no = m->noutputs;
    double best;
    uint32_t w, l;
    int r;
    /* Label counts of 2 to 12 get a copy of their own, with nl a constant. */
    switch (nl) {
#define FIRST_TEST_CASE(k)                                                                     \
    case k:                                                                                    \
        r = first_test(e, k, out, sc->gap, &best, &w);                                        \
        break;
        FIRST_TEST_CASE(2) FIRST_TEST_CASE(3) FIRST_TEST_CASE(4) FIRST_TEST_CASE(5)
        FIRST_TEST_CASE(6) FIRST_TEST_CASE(7) FIRST_TEST_CASE(8) FIRST_TEST_CASE(9)
        FIRST_TEST_CASE(10) FIRST_TEST_CASE(11) FIRST_TEST_CASE(12)
#undef FIRST_TEST_CASE
    default:
        r = first_test(e, nl, out, sc->gap, &best, &w);
    }
    if (r < 0)
        return UINT32_MAX;
    *how = 0;
    if (r)
        return w;
    double top[NC_MAX_LABELS]; /* [group] S */
    uint32_t g;
    *how = 1;
    for (g = 0; g < no; g++)
        top[g] = 0.0;
    for (l = 0; l < nl; l++)
        top[out[l]] += exp_bounded(e[l] - best);
    uint32_t b = nc_argmax(top, no);
    double others = 0.0; /* the largest other S */
    for (g = 0; g < no; g++)
        if (g != b && top[g] > others)
            others = top[g];
    return top[b] > others * (1.0 + BOUND_SLACK) ? b : UINT32_MAX;
}

uint32_t nc_label_from_emissions(const nc_scorer *sc, double *e, int exact, int *how)
{
    const nc_model *m = sc->m;
    int by = 2;
    uint32_t label = exact ? UINT32_MAX : label_from_bounds(sc, e, &by);
    if (label == UINT32_MAX) {
        double p[NC_MAX_LABELS];
        softmax_row(e, m->nlabels);
        label = output_label(m, e, p);
        by = 2;
    }
    if (how)
        *how = by;
    return label;
}

nc_status nc_score_document(nc_scorer *sc, const nc_sent_in *s, size_t n, nc_arena *a,
                            double *probs, uint32_t *labels)
{
    const nc_model *m = sc->m;
    uint32_t nl = m->nlabels, no = m->noutputs;
    int grouped = m->opt.sublabels;
    if (!probs && !independent(m, n)) { /* the chain needs them all */
        double *p = nc_arena_alloc(a, (n ? n : 1) * no * sizeof *p);
        return p ? nc_score_document(sc, s, n, a, p, labels) : NC_ERR_NOMEM;
    }
    /* Class posteriors straight into probs, or aside to be summed by group. */
    double *cp = grouped || !probs ? nc_arena_alloc(a, (n ? n : 1) * nl * sizeof *cp) : probs;
    if (!cp)
        return NC_ERR_NOMEM;
    if (!probs) { /* labels only: posteriors where the emissions leave it open */
        nc_status st = n ? emissions(sc, s, n, cp) : NC_OK;
        for (size_t i = 0; i < n && st == NC_OK; i++)
            labels[i] = nc_label_from_emissions(sc, &cp[i * nl], 0, NULL);
        return st;
    }
    nc_status st = nc_score_classes(sc, s, n, a, cp);
    if (st != NC_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        labels[i] = grouped ? output_label(m, &cp[i * nl], &probs[i * no])
                            : nc_argmax(&probs[i * no], no);
    return NC_OK;
}

nc_status nc_explain_sentence(nc_scorer *sc, const nc_sent_in *s, nc_arena *a, uint32_t la,
                              uint32_t lb, nc_explain_fn fn, void *ctx)
{
    const nc_model *m = sc->m;
    const nc_options *o = &m->opt;
    uint32_t nl = m->nlabels;
    if (la >= nl || lb >= nl)
        return NC_ERR_ARG;
    nc_sent_feats sf;
    nc_status st = nc_featurize(sc->fz, s, 1, a, &sf);
    if (st != NC_OK)
        return st;
    size_t nwords = 0;
    for (size_t k = 0; k < sf.n; k++) {
        int32_t f;
        if ((st = lookup(sc, &sf.keys[k], &f)) != NC_OK)
            return st;
        nwords += f >= 0 && feat_group(sc, f) == GROUP_WORD;
    }
    double w = (o->length_norm > 0 && nwords) ? o->length_norm / (double)nwords : 1.0;
    for (size_t k = 0; k < sf.n; k++) {
        int32_t f;
        if ((st = lookup(sc, &sf.keys[k], &f)) != NC_OK)
            return st;
        if (f < 0)
            continue;
        const double *lp = nc_model_logp(m, (uint32_t)f);
        double d = lp[la] - lp[lb];
        uint8_t g = feat_group(sc, f);
        const char *key = sf.keys[k].s ? sf.keys[k].s : nc_vocab_key(m->features, (uint32_t)f, NULL);
        fn(ctx, key, (g == GROUP_WORD ? w : o->cue_weight * group_scale(o, g)) * d);
    }
    fn(ctx, "(prior)", o->prior_weight * (m->log_prior[la] - m->log_prior[lb]));
    return NC_OK;
}
