/*
 * featurize.h - from the sentences of one document to naive Bayes features.
 *
 * A feature is a string key with a family prefix, so one vocabulary holds
 * them all and each family can be switched on or off by an option:
 *   w:STEM        a word's Snowball stem (w:#num, w:#year for numbers,
 *                 w:#quote for any quote mark, w:? w:! w:$ w:% w::)
 *   b:STEM STEM   a bigram of consecutive word stems         (bigrams)
 *   b:^ STEM      the first word                              (start_bigram)
 *   b:^^ STEM     a word among the four tokens after the first,
 *   b:$$ STEM     a word among the last two tokens           (edge_words)
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
#include "vocab.h"

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
    const char *s;    /* NUL-terminated; in the arena, static (cue, context,
                       * position, number and punctuation keys), or owned by
                       * the featurizer for cached words and bigrams (valid
                       * until nc_featurizer_free); NULL for the model
                       * bigrams of a restricted featurizer, whose text is
                       * their feature's key in the model's vocabulary */
    uint32_t len;
    uint32_t id;      /* NC_KEY_* kind + index, or NC_KEY_UNCACHED (below) */
} nc_key;

/*
 * nc_key.id names a key for the featurizer's lifetime, so scorers and
 * trainers can cache key -> model feature in plain arrays and never hash
 * the string of a key seen before.  The top two bits are the kind:
 *   NC_KEY_WORD + i    "w:STEM" of stem-cache word i (< NC_STEM_CACHE_MAX)
 *   NC_KEY_BIGRAM + i  "b:..." bigram i of the featurizer's bigram cache
 *                      (< NC_BIGRAM_CACHE_MAX)
 *   NC_KEY_STATIC + i  static key i (< NC_KEY_NSTATIC): every cue, context
 *                      and position key, w:#num, w:#year, w:#quote and the
 *                      punctuation keys
 * The same string always gets the same id within one featurizer (ids are
 * per featurizer, like stem-cache ids).  Keys past the caches' limits, of
 * uncached words and of bigrams with such a word are NC_KEY_UNCACHED.
 * A restricted featurizer (nc_featurizer_restrict_bigrams) names its keys
 * by the model's features instead, since its scorer wants nothing else:
 *   NC_KEY_FEATURE + f  the key is feature f of the model's vocabulary
 *   NC_KEY_ABSENT       the key is not in it (it scores nothing)
 * apart from NC_KEY_UNCACHED keys, which the scorer looks up by string.
 */
#define NC_KEY_KIND(id) ((id) >> 30)
#define NC_KEY_INDEX(id) ((id) & 0x3FFFFFFFu)
#define NC_KEY_WORD 0x00000000u
#define NC_KEY_BIGRAM 0x40000000u
#define NC_KEY_STATIC 0x80000000u
#define NC_KEY_FEATURE 0xC0000000u
#define NC_KEY_ABSENT (UINT32_MAX - 1)
#define NC_KEY_UNCACHED UINT32_MAX
#define NC_KEY_NSTATIC 160u
#define NC_BIGRAM_CACHE_MAX (1u << 18)

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
 * For scoring with a model whose feature vocabulary is features: from now
 * on fz leaves out the "b:" keys that are not among features, since they
 * score nothing, caches only the model's bigrams, and gives every key it
 * can the id of its feature (NC_KEY_FEATURE + f) or NC_KEY_ABSENT, so the
 * scorer needs no table of its own from key ids to features (one more
 * cache miss per key).  fz looks words up in features as it first meets
 * them, so features must outlive fz and not change.  Only before the
 * first nc_featurize (else NC_ERR_ARG).  NC_ERR_NOMEM leaves fz
 * unrestricted and as it was, and so does NC_ERR_RANGE: the model's
 * bigrams have more stems than the table of model bigrams can index
 * (65,532), and fz scores the same unrestricted, only slower.
 */
nc_status nc_featurizer_restrict_bigrams(nc_featurizer *fz, const nc_vocab *features);
/* fz's stemmer (for tests: nc_stemmer_set_limit). */
nc_stemmer *nc_featurizer_stemmer(nc_featurizer *fz);
/*
 * Features of the n sentences s[] of one document into out[0..n), every
 * key array and built key in arena a; keys of cached words point into the
 * featurizer and live as long as it does, cue-group keys are static.  NC_OK or NC_ERR_NOMEM.
 */
nc_status nc_featurize(nc_featurizer *fz, const nc_sent_in *s, size_t n, nc_arena *a,
                       nc_sent_feats *out);
/*
 * The same features, handed out one sentence at a time: fn(ctx, i, f) for
 * i = 0 .. n-1 in order, f (keys included) valid only during the call; a
 * status other than NC_OK from fn stops and is returned.  The keys live
 * in two scratch arenas of the featurizer, reused sentence after
 * sentence, so a scorer reads each sentence's keys while they are still
 * in the CPU cache: with nc_featurize, a block of 4,096 sentences wrote
 * ~9 MB of tokens and keys before the scorer read them back, evicting the
 * stem, feature and model tables on the way (classify 20 MB: ~18 % of
 * the time, measured by scoring in small blocks).
 */
typedef nc_status (*nc_sent_fn)(void *ctx, size_t i, const nc_sent_feats *f);
nc_status nc_featurize_each(nc_featurizer *fz, const nc_sent_in *s, size_t n,
                            nc_sent_fn fn, void *ctx);

#endif
