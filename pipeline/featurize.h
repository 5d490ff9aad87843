/*
 * featurize.h - from the sentences of one document to naive Bayes features.
 *
 * A feature is a string key with a family prefix, so one vocabulary holds
 * them all and each family can be switched on or off by an option:
 *   w:STEM        a word's Snowball stem (w:#num, w:#year for numbers,
 *                 w:#quote for any quote mark, w:? w:! w:$ w:% w::)
 *   b:STEM STEM   a bigram of consecutive word stems         (bigrams)
 *   c:NAME        a cue: quote marks, reporting verbs, modals, dates,
 *                 casualty words, first person, length...    (cues)
 *   p:NAME        where the sentence stands in the document  (position)
 *   x:p:c:NAME    a cue of the previous sentence, x:n: of the next (context)
 * "w:" and "b:" form the word group, everything else the cue group; the
 * two are smoothed and weighted separately (model.c, nb.c).
 */
#ifndef NC_FEATURIZE_H
#define NC_FEATURIZE_H

#include "arena.h"
#include "stem.h"

/* One sentence of a document, as the featurizer needs it. */
typedef struct nc_sent_in {
    const char *text;
    size_t len;
    unsigned flags;              /* NC_SENT_* */
    uint32_t paragraph;
    uint32_t index_in_paragraph;
    uint32_t doc_index;          /* 0-based sentence number in the document */
} nc_sent_in;

/* Internal flag of nc_sent_in: the last sentence of its document. */
#define NC_SENT_DOC_LAST 0x1000u

/* One feature occurrence. */
typedef struct nc_key {
    const char *s;    /* NUL-terminated; in the arena, static (cue, context
                       * and position keys), or for a cached word's "w:" key
                       * in the featurizer's stem cache (valid until
                       * nc_featurizer_free) */
    uint32_t len;
    uint32_t word_id; /* stem-cache id for "w:" keys of words, else NC_STEM_UNCACHED */
} nc_key;

typedef struct nc_sent_feats {
    nc_key *keys;
    size_t n;
    size_t nwords; /* word-group keys, for length normalisation */
} nc_sent_feats;

typedef struct nc_featurizer nc_featurizer;

/* NC_ERR_STEMMER when o->stemmer is unknown. */
nc_status nc_featurizer_new(const nc_options *o, nc_featurizer **out);
void nc_featurizer_free(nc_featurizer *fz);
/*
 * Features of the n sentences s[] of one document into out[0..n), every
 * key array and built key in arena a; keys of cached words point into the
 * featurizer and live as long as it does, cue-group keys are static.  NC_OK or NC_ERR_NOMEM.
 */
nc_status nc_featurize(nc_featurizer *fz, const nc_sent_in *s, size_t n, nc_arena *a,
                       nc_sent_feats *out);

#endif
