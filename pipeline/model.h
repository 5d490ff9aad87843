/*
 * model.h - the in-memory naive Bayes model shared by training (nb.c),
 * scoring (classify.c) and the file format (model_io.c).
 *
 * A model is integer counts only: how often each feature occurred with
 * each label, how many sentences each label had, and label-to-label
 * transitions for the sequence layer.  Probabilities are derived at load
 * time (nb_prepare) and never stored, so models can be updated, merged and
 * subtracted exactly.
 *
 * Layout: features and labels are vocabularies (dense ids in insertion
 * order).  The file format writes both in byte-sorted order, so the same
 * counts always give the same bytes whatever the order of training.
 */
#ifndef NC_MODEL_H
#define NC_MODEL_H

#include "common.h"
#include "vocab.h"

struct nc_model {
    nc_options opt;         /* settings the model was trained with */
    nc_vocab *labels;       /* label strings; nlabels = nc_vocab_size(labels) */
    nc_vocab *features;     /* feature strings ("w:stem", "c:quote", ...) */
    uint32_t nlabels;
    uint32_t nfeatures;
    size_t cap_features;    /* rows allocated in counts */
    uint64_t *counts;       /* [feature * nlabels + label] occurrences */
    uint64_t *label_total;  /* [label] sum of counts over word features */
    uint64_t *label_cue_total; /* [label] sum of counts over cue features */
    uint64_t *label_sents;  /* [label] sentences seen with that label */
    uint64_t *trans;        /* [(from) * nlabels + to], from = nlabels is document start */
    uint64_t ndocs;         /* documents trained on */
    char corpus_digest[17]; /* digest of the last corpus trained on, or "" */

    /* Derived at load/train time (nb_prepare), never stored. */
    double *rows;           /* [row * nlabels + label] log P(f | label), each distinct
                             * row once: features with the same counts (in a pruned
                             * binary model about half of them) share one */
    uint32_t *row_of;       /* [feature] its row (nc_model_logp) */
    uint32_t nrows;
    double *log_unseen;     /* [label*2 + group] log P of an unseen feature */
    double *log_prior;      /* [label] */
    double *log_trans;      /* [(nlabels + 1) * nlabels] */
    const char **label_names; /* [label] NUL-terminated, owned by labels */
    uint32_t noutputs;      /* labels reported: the groups of the labels (nc_options) */
    uint32_t *output_of;    /* [label] its reported label */
    const char **output_names; /* [output] NUL-terminated, byte-sorted */
    char *output_text;      /* the group names' storage (sublabels only) */
};

/* Feature f's row of log P(f | label), nlabels doubles (prepared models). */
static inline const double *nc_model_logp(const nc_model *m, uint32_t f)
{
    return &m->rows[(size_t)m->row_of[f] * m->nlabels];
}

/* An empty model with options o (copied) and no labels or features. */
nc_status nc_model_new_empty(const nc_options *o, nc_model **out);
/* Add a label (if new) and return its id; grows every per-label array. */
nc_status nc_model_add_label(nc_model *m, const char *label, size_t len, uint32_t *id);
/* Add a feature (if new) and return its id; grows the counts. */
nc_status nc_model_add_feature(nc_model *m, const char *feat, size_t len, uint32_t *id);
/* Add m's counts (labels, features, sentences, transitions, documents) to sum. */
nc_status nc_model_add_counts(nc_model *sum, const nc_model *m);
/* Recompute the derived log tables from the counts. */
nc_status nc_model_prepare(nc_model *m);
/*
 * The reported label a gold label stands for: the label itself, or with
 * sublabels its group (the part before the first '/'), which may also be
 * given alone.  1 and *out, or 0 when the model reports no such label.
 */
int nc_model_find_output(const nc_model *m, const char *label, uint32_t *out);

/* Serialize to a fresh buffer (caller frees with nc_free). */
nc_status nc_model_to_bytes(const nc_model *m, unsigned char **out, size_t *len);

/* Exchange the contents of a and b (to replace a caller's model in place). */
void nc_model_swap(nc_model *a, nc_model *b);

/* Version of the model file format written and read (models/FORMAT.md). */
#define NC_MODEL_FORMAT_VERSION 1u

/* Most labels a model may have (keeps per-label arrays and files sane). */
#define NC_MAX_LABELS 1024u
/* 1 for word-group features ("w:" stems, "b:" bigrams), 0 for cues. */
int nc_feature_is_word(const char *key);

#endif
