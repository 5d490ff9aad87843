/*
 * model.c - the naive Bayes model in memory: creation, growth, the derived
 * log-probability tables, and the public accessors (see model.h).
 *
 * Counts are the truth; everything a classifier reads (log P(feature |
 * label), log priors, log transitions) is recomputed from them by
 * nc_model_prepare, after training, loading, updating or merging.  Two
 * feature groups are smoothed separately: words ("w:" stems and "b:"
 * bigrams), whose vocabulary is large, and cues ("c:", "p:", "x:" ...),
 * a few hundred dense features that would otherwise be drowned out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#include "model.h"
#include "nb.h"

nc_status nc_model_new_empty(const nc_options *o, nc_model **out)
{
    *out = NULL;
    nc_model *m = nc_calloc(1, sizeof *m);
    if (!m)
        return NC_ERR_NOMEM;
    if (o)
        m->opt = *o;
    else
        nc_options_default(&m->opt);
    if (nc_vocab_new(&m->labels) != NC_OK || nc_vocab_new(&m->features) != NC_OK) {
        nc_model_free(m);
        return NC_ERR_NOMEM;
    }
    *out = m;
    return NC_OK;
}

static void free_derived(nc_model *m)
{
    nc_free(m->rows);
    nc_free(m->row_of);
    nc_free(m->log_unseen);
    nc_free(m->log_prior);
    nc_free(m->log_trans);
    nc_free(m->label_names);
    nc_free(m->output_of);
    nc_free(m->output_names);
    nc_free(m->output_text);
    m->rows = m->log_unseen = m->log_prior = m->log_trans = NULL;
    m->row_of = NULL;
    m->nrows = 0;
    m->label_names = m->output_names = NULL;
    m->output_of = NULL;
    m->output_text = NULL;
    m->noutputs = 0;
}

void nc_model_free(nc_model *m)
{
    if (!m)
        return;
    free_derived(m);
    nc_vocab_free(m->labels);
    nc_vocab_free(m->features);
    nc_free(m->counts);
    nc_free(m->label_total);
    nc_free(m->label_cue_total);
    nc_free(m->label_sents);
    nc_free(m->trans);
    nc_free(m);
}

int nc_feature_is_word(const char *key)
{
    return (key[0] == 'w' || key[0] == 'b') && key[1] == ':';
}

/* Per-label arrays for nn labels, built aside so a failure changes nothing. */
struct label_arrays {
    uint64_t *counts, *tot, *cue, *sents, *trans;
};

static void label_arrays_free(struct label_arrays *a)
{
    nc_free(a->counts);
    nc_free(a->tot);
    nc_free(a->cue);
    nc_free(a->sents);
    nc_free(a->trans);
}

/*
 * Copy every per-label array from nl to nn = nl + 1 labels.  counts and
 * trans are re-laid out (their row width is the label count).
 */
static nc_status widen_labels(const nc_model *m, struct label_arrays *a)
{
    uint32_t nl = m->nlabels, nn = nl + 1;
    size_t rows = m->cap_features ? m->cap_features : 1;
    a->counts = nc_calloc(rows * nn, sizeof *a->counts);
    a->tot = nc_calloc(nn, sizeof *a->tot);
    a->cue = nc_calloc(nn, sizeof *a->cue);
    a->sents = nc_calloc(nn, sizeof *a->sents);
    a->trans = nc_calloc((size_t)(nn + 1) * nn, sizeof *a->trans);
    if (!a->counts || !a->tot || !a->cue || !a->sents || !a->trans) {
        label_arrays_free(a);
        return NC_ERR_NOMEM;
    }
    for (size_t f = 0; f < m->nfeatures; f++)
        for (uint32_t l = 0; l < nl; l++)
            a->counts[f * nn + l] = m->counts[f * nl + l];
    for (uint32_t l = 0; l < nl; l++) {
        a->tot[l] = m->label_total[l];
        a->cue[l] = m->label_cue_total[l];
        a->sents[l] = m->label_sents[l];
    }
    /* old row r (r == nl is the start row) -> new row (r == nl ? nn : r) */
    for (uint32_t r = 0; r <= nl; r++)
        for (uint32_t t = 0; t < nl; t++)
            a->trans[(size_t)(r == nl ? nn : r) * nn + t] = m->trans[(size_t)r * nl + t];
    return NC_OK;
}

nc_status nc_model_add_label(nc_model *m, const char *label, size_t len, uint32_t *id)
{
    if (nc_vocab_find(m->labels, label, len, id))
        return NC_OK;
    if (m->nlabels >= NC_MAX_LABELS)
        return NC_ERR_RANGE;
    struct label_arrays a = { 0 };
    nc_status st = widen_labels(m, &a);
    if (st != NC_OK)
        return st;
    st = nc_vocab_intern(m->labels, label, len, id, NULL);
    if (st != NC_OK) {
        label_arrays_free(&a);
        return st;
    }
    struct label_arrays old = { m->counts, m->label_total, m->label_cue_total, m->label_sents,
                                m->trans };
    label_arrays_free(&old);
    m->counts = a.counts;
    m->label_total = a.tot;
    m->label_cue_total = a.cue;
    m->label_sents = a.sents;
    m->trans = a.trans;
    if (!m->cap_features)
        m->cap_features = 1;
    m->nlabels++;
    return NC_OK;
}

nc_status nc_model_add_feature(nc_model *m, const char *feat, size_t len, uint32_t *id)
{
    /* Room for one more row first (perhaps a little early, if the key turns
     * out to be known), so the key is hashed once, by the intern. */
    if (m->nfeatures == m->cap_features || !m->counts) {
        size_t ncap = m->cap_features ? m->cap_features * 2 : 1024;
        size_t width = m->nlabels ? m->nlabels : 1;
        uint64_t *c = nc_reallocarray(m->counts, ncap * width, sizeof *c);
        if (!c)
            return NC_ERR_NOMEM;
        memset(c + m->cap_features * width, 0, (ncap - m->cap_features) * width * sizeof *c);
        m->counts = c;
        m->cap_features = ncap;
    }
    int added;
    nc_status st = nc_vocab_intern(m->features, feat, len, id, &added);
    if (st != NC_OK)
        return st;
    if (added)
        m->nfeatures++;
    return NC_OK;
}

/* log(x) for counts, with log(0) never taken: callers always smooth. */
/*
 * Feature-weighted naive Bayes for the word group (entropy_weight = s > 0).
 * Plain NB adds every word's log-likelihood with weight 1, so the many
 * words spread evenly over the labels (function words, frequent verbs,
 * bigrams that repeat their unigrams) pile up correlated noise that
 * outvotes the few telling words and the cue group.  Each word feature's
 * row is therefore centred on its mean over the labels (a shift that is the
 * same for every label, so it changes no decision) and its deviations are
 * scaled by s * (1 - H(label | f) / log L), where H is the entropy of the
 * label posterior the smoothed row implies under a uniform prior: 0 for a
 * word that says nothing about the label, up to s for one that names it.
 * Only log tables change; the counts stay integer and mergeable.
 *
 * One row lp[0..nl) at a time (nc_model_prepare calls it once per distinct
 * count row), with its counts cnt[] and inv[l] = 1 / (label l's word total
 * + alpha * word features), so that lp[l] = log((cnt[l] + alpha) * inv[l]).
 * The posterior is then q[l] = r[l] / z with r[l] = (cnt[l] + alpha) *
 * inv[l] and z their sum, and log q[l] = lp[l] - log z, so
 * H = log z - sum q[l] lp[l]: one log per row, where exp and log of every
 * q[l] took 2 nl (the model load is paid at every start of the CLI, and
 * these were its largest cost; the weights agree with that form to within
 * rounding, about 1e-15).
 */
static void entropy_weighting(double *lp, uint32_t nl, double s, double hmax,
                              const uint64_t *cnt, double alpha, const double *inv)
{
    double r[NC_MAX_LABELS];
    double mean = 0.0, z = 0.0, qlp = 0.0;
    for (uint32_t l = 0; l < nl; l++) {
        mean += lp[l];
        r[l] = ((double)cnt[l] + alpha) * inv[l];
        z += r[l];
    }
    mean /= nl;
    for (uint32_t l = 0; l < nl; l++)
        qlp += r[l] / z * lp[l];
    double h = z > 0 ? log(z) - qlp : 0.0; /* z > 0: alpha > 0 and nl > 1 */
    double w = s * (1.0 - h / hmax);
    for (uint32_t l = 0; l < nl; l++)
        lp[l] = mean + w * (lp[l] - mean);
}

/*
 * Length of the group part of a label (never empty): with sublabels, up to
 * the first '/' after its first byte, so that "/x/Main" is in group "/x"
 * like the brat reader's class for target "/x"; else the whole label.
 */
static size_t group_len(const nc_model *m, const char *label)
{
    return m->opt.sublabels && label[0] ? 1 + strcspn(label + 1, "/") : strlen(label);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 and *g when name[0..len) is one of the reported labels so far. */
static int find_group(const nc_model *m, const char *name, size_t len, uint32_t *g)
{
    for (uint32_t i = 0; i < m->noutputs; i++)
        if (strncmp(m->output_names[i], name, len) == 0 && m->output_names[i][len] == '\0') {
            *g = i;
            return 1;
        }
    return 0;
}

/*
 * The reported labels (sublabels, see newsclass.h): the distinct group
 * parts of the labels, byte-sorted, and each label's group.  Without
 * sublabels every label is its own group.
 */
static nc_status derive_outputs(nc_model *m)
{
    uint32_t nl = m->nlabels, g;
    size_t text = 0;
    for (uint32_t l = 0; l < nl; l++)
        text += group_len(m, m->label_names[l]) + 1;
    m->output_of = nc_calloc(nl, sizeof *m->output_of);
    m->output_names = nc_calloc(nl, sizeof *m->output_names);
    m->output_text = nc_malloc(text);
    if (!m->output_of || !m->output_names || !m->output_text)
        return NC_ERR_NOMEM;
    char *p = m->output_text;
    for (uint32_t l = 0; l < nl; l++) {
        size_t gl = group_len(m, m->label_names[l]);
        if (find_group(m, m->label_names[l], gl, &g))
            continue;
        memcpy(p, m->label_names[l], gl);
        p[gl] = '\0';
        m->output_names[m->noutputs++] = p;
        p += gl + 1;
    }
    qsort(m->output_names, m->noutputs, sizeof *m->output_names, cmp_name);
    for (uint32_t l = 0; l < nl; l++)
        find_group(m, m->label_names[l], group_len(m, m->label_names[l]), &m->output_of[l]);
    return NC_OK;
}

int nc_model_find_output(const nc_model *m, const char *label, uint32_t *out)
{
    uint32_t id;
    if (nc_vocab_find(m->labels, label, strlen(label), &id)) {
        *out = m->output_of[id];
        return 1;
    }
    return find_group(m, label, group_len(m, label), out);
}

/* Counts below this get log(count + alpha) from a table in nc_model_prepare. */
#define LOG_TABLE 4096u

/*
 * nc_model_prepare derives a feature's logp row from nothing but its count
 * row and its group, so features with equal counts (most of a pruned,
 * binary model: 34,148 word features have only 4,567 distinct rows in the
 * default model) get equal rows.  Each distinct (group, counts) row is
 * computed once and copied to its twins, found through this open-addressing
 * table of feature ids + 1 (0 = empty) hashed on the counts; the copies are
 * the very bits a fresh computation would give.
 */
static uint64_t count_row_hash(const uint64_t *c, uint32_t nl, unsigned word)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ word;
    for (uint32_t l = 0; l < nl; l++) {
        h = (h ^ c[l]) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    return h ^ (h >> 32);
}

nc_status nc_model_prepare(nc_model *m)
{
    free_derived(m);
    uint32_t nl = m->nlabels;
    size_t nf = m->nfeatures;
    if (nl == 0)
        return NC_ERR_EMPTY;
    /* Room for every feature's row; only the distinct ones are written
     * (so only their pages are touched) and the rest is given back. */
    m->rows = nc_reallocarray(NULL, nf ? nf * nl : 1, sizeof *m->rows);
    m->row_of = nc_reallocarray(NULL, nf ? nf : 1, sizeof *m->row_of);
    m->log_unseen = nc_calloc((size_t)nl * 2, sizeof *m->log_unseen);
    m->log_prior = nc_calloc(nl, sizeof *m->log_prior);
    m->log_trans = nc_calloc((size_t)(nl + 1) * nl, sizeof *m->log_trans);
    m->label_names = nc_calloc(nl, sizeof *m->label_names);
    if (!m->rows || !m->row_of || !m->log_unseen || !m->log_prior || !m->log_trans ||
        !m->label_names) {
        free_derived(m);
        return NC_ERR_NOMEM;
    }
    for (uint32_t l = 0; l < nl; l++)
        m->label_names[l] = nc_vocab_key(m->labels, l, NULL);

    /* Group sizes and per-label totals, recomputed from the counts; each
     * feature's group is looked up once (load time matters: the default
     * model is prepared at every start of the CLI). */
    unsigned char *is_word = nc_malloc(nf ? nf : 1);
    /* No larger than the logp table itself, so a tiny (or hostile) file
     * never makes prepare allocate more than its contents justify. */
    size_t tsz = nf * nl < LOG_TABLE ? nf * nl + 1 : LOG_TABLE;
    double *lg = nc_malloc(2 * tsz * sizeof *lg);
    /* Row memo: a power of two at least twice nf (load <= 1/2). */
    size_t msz = 16;
    while (msz < 2 * nf)
        msz *= 2;
    uint32_t *memo = nc_calloc(msz, sizeof *memo);
    if (!is_word || !lg || !memo) {
        nc_free(is_word);
        nc_free(lg);
        nc_free(memo);
        free_derived(m);
        return NC_ERR_NOMEM;
    }
    uint64_t nword = 0, ncue = 0;
    for (uint32_t l = 0; l < nl; l++)
        m->label_total[l] = m->label_cue_total[l] = 0;
    for (size_t f = 0; f < nf; f++) {
        int word = nc_feature_is_word(nc_vocab_key(m->features, (uint32_t)f, NULL));
        is_word[f] = (unsigned char)word;
        word ? nword++ : ncue++;
        uint64_t *tot = word ? m->label_total : m->label_cue_total;
        for (uint32_t l = 0; l < nl; l++)
            tot[l] += m->counts[f * nl + l];
    }
    const double aw = m->opt.alpha, ac = m->opt.alpha_cue;
    /* log(c + alpha) for the small counts that make up most of the table. */
    for (size_t c = 0; c < tsz; c++) {
        lg[c] = log((double)c + aw);
        lg[tsz + c] = log((double)c + ac);
    }
    double dw[NC_MAX_LABELS], dc[NC_MAX_LABELS], inv[NC_MAX_LABELS];
    for (uint32_t l = 0; l < nl; l++) {
        double tw = (double)m->label_total[l] + aw * (double)(nword ? nword : 1);
        inv[l] = 1.0 / tw;
        dw[l] = log(tw);
        dc[l] = log((double)m->label_cue_total[l] + ac * (double)(ncue ? ncue : 1));
        m->log_unseen[l * 2] = log(aw) - dw[l];
        m->log_unseen[l * 2 + 1] = log(ac) - dc[l];
    }
    const int weigh = m->opt.entropy_weight > 0 && nl > 1;
    const double s = m->opt.entropy_weight, hmax = log((double)nl);
    for (size_t f = 0; f < nf; f++) {
        const uint64_t *cnt = &m->counts[f * nl];
        size_t i = (size_t)count_row_hash(cnt, nl, is_word[f]) & (msz - 1);
        for (; memo[i]; i = (i + 1) & (msz - 1)) {
            size_t g = memo[i] - 1;
            if (is_word[g] == is_word[f] && !memcmp(&m->counts[g * nl], cnt, nl * sizeof *cnt))
                break;
        }
        if (memo[i]) {
            m->row_of[f] = m->row_of[memo[i] - 1];
            continue;
        }
        memo[i] = (uint32_t)f + 1;
        m->row_of[f] = m->nrows;
        double *lp = &m->rows[(size_t)m->nrows++ * nl];
        const double *tab = is_word[f] ? lg : lg + tsz;
        const double *den = is_word[f] ? dw : dc;
        const double a = is_word[f] ? aw : ac;
        for (uint32_t l = 0; l < nl; l++) {
            uint64_t c = cnt[l];
            lp[l] = (c < tsz ? tab[c] : log((double)c + a)) - den[l];
        }
        if (weigh && is_word[f])
            entropy_weighting(lp, nl, s, hmax, cnt, aw, inv);
    }
    nc_free(is_word);
    nc_free(lg);
    nc_free(memo);
    double *shrunk = nc_realloc(m->rows, (m->nrows ? m->nrows : 1) * (size_t)nl * sizeof *m->rows);
    if (shrunk) /* else the larger block stays: shrinking cannot lose rows */
        m->rows = shrunk;
    uint64_t total = 0;
    for (uint32_t l = 0; l < nl; l++)
        total += m->label_sents[l];
    /* Maximum-likelihood prior, as in the textbook model; a label with no
     * sentence left (after --forget) gets half a sentence so log stays finite. */
    for (uint32_t l = 0; l < nl; l++) {
        double c = m->label_sents[l] ? (double)m->label_sents[l] : 0.5;
        m->log_prior[l] = log(c / (double)(total ? total : 1));
    }
    /* Transitions with add-one smoothing, row by row (row nl = document start). */
    for (uint32_t r = 0; r <= nl; r++) {
        uint64_t row = 0;
        for (uint32_t t = 0; t < nl; t++)
            row += m->trans[(size_t)r * nl + t];
        for (uint32_t t = 0; t < nl; t++)
            m->log_trans[(size_t)r * nl + t] =
                log(((double)m->trans[(size_t)r * nl + t] + 1.0) / ((double)row + nl));
    }
    nc_status st = derive_outputs(m);
    if (st != NC_OK)
        free_derived(m);
    return st;
}

size_t nc_model_labels(const nc_model *m)
{
    return m ? m->noutputs : 0;
}

const char *nc_model_label(const nc_model *m, size_t i)
{
    if (!m || i >= m->noutputs)
        return NULL;
    return m->output_names[i];
}

size_t nc_model_classes(const nc_model *m)
{
    return m ? m->nlabels : 0;
}

const char *nc_model_class(const nc_model *m, size_t i)
{
    if (!m || i >= m->nlabels)
        return NULL;
    return nc_vocab_key(m->labels, (uint32_t)i, NULL);
}

size_t nc_model_class_label(const nc_model *m, size_t i)
{
    if (!m || i >= m->nlabels || !m->output_of)
        return 0;
    return m->output_of[i];
}

const nc_options *nc_model_options(const nc_model *m)
{
    return &m->opt;
}

size_t nc_model_features(const nc_model *m)
{
    return m ? m->nfeatures : 0;
}

void nc_model_swap(nc_model *a, nc_model *b)
{
    nc_model t = *a;
    *a = *b;
    *b = t;
}

/*
 * Add m's counts to sum: its labels (new ones widen sum's rows), its
 * features, sentences, transitions, documents and digest term (a sum
 * modulo 2^64 by design).  NC_ERR_RANGE when a count would overflow;
 * sum is then part-added, and the callers discard it.
 */
nc_status nc_model_add_counts(nc_model *sum, const nc_model *m)
{
    nc_status st = NC_OK;
    uint32_t map[NC_MAX_LABELS] = { 0 };
    for (uint32_t l = 0; l < m->nlabels && st == NC_OK; l++) {
        size_t len;
        const char *k = nc_vocab_key(m->labels, l, &len);
        st = nc_model_add_label(sum, k, len, &map[l]);
    }
    uint32_t nl = sum->nlabels;
    for (uint32_t f = 0; f < m->nfeatures && st == NC_OK; f++) {
        size_t len;
        const char *k = nc_vocab_key(m->features, f, &len);
        uint32_t id;
        st = nc_model_add_feature(sum, k, len, &id);
        for (uint32_t l = 0; l < m->nlabels && st == NC_OK; l++) {
            uint64_t *c = &sum->counts[(size_t)id * nl + map[l]];
            uint64_t add = m->counts[(size_t)f * m->nlabels + l];
            if (*c > UINT64_MAX - add)
                st = NC_ERR_RANGE;
            else
                *c += add;
        }
    }
    for (uint32_t l = 0; l < m->nlabels && st == NC_OK; l++) {
        sum->label_sents[map[l]] += m->label_sents[l];
        for (uint32_t r = 0; r <= m->nlabels; r++) {
            uint32_t from = r == m->nlabels ? nl : map[r];
            sum->trans[(size_t)from * nl + map[l]] += m->trans[(size_t)r * m->nlabels + l];
        }
    }
    sum->ndocs += m->ndocs;
    return st;
}

nc_status nc_model_merge(nc_model *dst, const nc_model *src, nc_diag *diag)
{
    if (!nc_options_compatible(&dst->opt, &src->opt))
        return nc_diag_set(diag, NC_ERR_INCOMPATIBLE, "", 0,
                           "the models were trained with different settings");
    nc_model *sum;
    nc_status st = nc_model_new_empty(&dst->opt, &sum);
    if (st != NC_OK)
        return st;
    const nc_model *part[2] = { dst, src };
    uint64_t digest = 0;
    for (int p = 0; p < 2 && st == NC_OK; p++) {
        st = nc_model_add_counts(sum, part[p]);
        digest += strtoull(part[p]->corpus_digest, NULL, 16);
    }
    if (st == NC_OK) {
        snprintf(sum->corpus_digest, sizeof sum->corpus_digest, "%016llx",
                 (unsigned long long)digest);
        nc_model *fin;
        st = nc_model_finalize(sum, &fin);
        if (st == NC_OK) {
            nc_model_swap(dst, fin);
            nc_model_free(fin);
        }
    }
    nc_model_free(sum);
    if (st == NC_ERR_RANGE)
        nc_diag_set(diag, st, "", 0, "a summed count would overflow");
    return st;
}
