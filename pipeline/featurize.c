/*
 * featurize.c - the featurizer (see featurize.h).
 *
 * Words are tokenized (token.c), stemmed through the stem cache (stem.c),
 * and looked up once in a small table of cue words whose class is then
 * remembered per cached word, so the steady-state cost per token is one
 * hash lookup.  Cue words are matched on the folded surface form, not the
 * stem, because the inflection is the signal ("said" vs "say", "will").
 *
 * Every key gets an id (featurize.h, nc_key.id) when it can, so that the
 * scorer and the trainer find its model feature with an array read rather
 * than hashing the string (which was ~20 % of classify): static keys by
 * their index in the fixed tables below, words by stem-cache id, and
 * bigrams by a small cache here that maps the pair of their two words'
 * ids to a bigram id and its ready-made "b:" key, so a bigram seen before
 * is one integer-hash probe and is never built again.
 *
 * A scorer's featurizer is restricted to its model's bigrams
 * (nc_featurizer_restrict_bigrams): a bigram the model lacks scores
 * nothing, so it is left out, and the cache holds the model's bigrams
 * only, keyed by stem indices.  An input has many more distinct bigrams
 * than a model (bench corpus: ~125k vs a few thousand), and probing a
 * cache of all of them missed the CPU cache on nearly every bigram (~20 %
 * of classify).  Its keys' ids are the model's features (featurize.h):
 * found once per word (kept in the word's stem-cache line), per static
 * key and per model bigram, so the scorer reads no table of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "featurize.h"
#include "token.h"

/* Cue classes of words (bits). */
enum {
    CUE_REPORT = 1u << 0,   /* said, told, announced, according ... */
    CUE_MODAL = 1u << 1,    /* will, would, could, expected ... */
    CUE_EVAL = 1u << 2,     /* analysts, however, because, suggest ... */
    CUE_EVENT = 1u << 3,    /* killed, attacked, arrested ... */
    CUE_TIME = 1u << 4,     /* yesterday, monday, earlier ... */
    CUE_FIRST = 1u << 5,    /* i, we, our ... */
    CUE_MONTH = 1u << 6,    /* january ... */
    CUE_STOP = 1u << 7,     /* stopword */
    CUE_PERFECT = 1u << 8,  /* has, have, had, been */
    CUE_PAST = 1u << 9,     /* was, were, did */
    CUE_PRESENT = 1u << 10, /* is, are, remains */
    CUE_SOURCE = 1u << 11,  /* officials, ministry, police, spokesman ... */
    CUE_HISTORY = 1u << 12, /* since, decades, years, history ... */
    /* Classes past the named ones: never emitted as c:NAME by the loop over
     * the CUE_* bits, only through the cues_fine features. */
    CUE_THIRD = 1u << 13,   /* he, she, they, his, her, their */
    CUE_ED = 1u << 14,      /* a word ending in -ed: past tense or participle */
};
#define CUE_NONE 0x80000000u /* looked up, no class */

/*
 * Every key of the cue group a sentence can have, with the forms its
 * neighbours carry for it (context: x:p: from the previous sentence's
 * view, x:n: from the next's).  All are static strings, so no cue, context
 * or position key is ever copied, and each sentence lists the cue keys it
 * emitted (struct cuelist) so context needs no scan of its neighbours'
 * keys.  The first 13 follow the CUE_* bits ("stop" is never emitted).
 */
struct cue_key {
    const char *c;    /* "c:NAME" */
    const char *x[2]; /* "x:p:c:NAME", "x:n:c:NAME" */
    uint32_t len;     /* strlen(c); the x forms are 4 bytes longer */
};
#define CK(name) { "c:" name, { "x:p:c:" name, "x:n:c:" name }, sizeof "c:" name - 1 }
enum {
    CK_QUOTE = 13, CK_QUOTE_START, CK_QUOTE_END, CK_REPORT_END, CK_NUM, CK_YEAR, CK_MONEY,
    CK_PERCENT, CK_QUESTION, CK_COLON, CK_NAMES,
    CK_LEN0,                 /* c:len0 .. c:len4 */
    CK_ED0 = CK_LEN0 + 5,    /* c:ed0 .. c:ed2 */
    CK_THIRD = CK_ED0 + 3, CK_QUOTE_REPORT, CK_REPORT_START, CK_REPORT2,
    CK_COUNT
};
static const struct cue_key cue_keys[CK_COUNT] = {
    CK("report"), CK("modal"), CK("eval"), CK("event"), CK("time"), CK("first"),
    CK("month"), CK("stop"), CK("perfect"), CK("past"), CK("present"), CK("source"),
    CK("history"),
    CK("quote"), CK("quote_start"), CK("quote_end"), CK("report_end"), CK("num"), CK("year"),
    CK("money"), CK("percent"), CK("question"), CK("colon"), CK("names"),
    CK("len0"), CK("len1"), CK("len2"), CK("len3"), CK("len4"),
    CK("ed0"), CK("ed1"), CK("ed2"),
    CK("third"), CK("quote_report"), CK("report_start"), CK("report2"),
};
#define NCUE_BITS 13u /* cue_keys[0 .. 13) are the CUE_* bits */

/* Static key indices (nc_key.id = NC_KEY_STATIC + index): c:, x:p:c: and
 * x:n:c: of each cue key, then the position keys, the context "none"
 * keys, and the word-group keys of numbers, quotes and punctuation. */
enum {
    SK_CUE = 0, SK_XP = SK_CUE + CK_COUNT, SK_XN = SK_XP + CK_COUNT,
    SK_POS_S = SK_XN + CK_COUNT, /* p:s0 .. p:s10 (6) */
    SK_POS_I = SK_POS_S + 6,     /* p:i0 .. p:i6 (5) */
    SK_HEADING = SK_POS_I + 5, SK_BULLET, SK_DATELINE, SK_LAST, SK_XP_NONE, SK_XN_NONE,
    SK_NUM, SK_YEAR, SK_QUOTE,
    SK_START, SK_OPEN, SK_CLOSE, /* "^", "^^", "$$": bigram marks, never keys alone */
    SK_PUNCT,                    /* punct_keys[] (NPUNCT) */
    SK_COUNT = SK_PUNCT + 7
};
_Static_assert(SK_COUNT <= NC_KEY_NSTATIC, "NC_KEY_NSTATIC too small");
#define SKEY(i) (NC_KEY_STATIC + (uint32_t)(i))

/* Punctuation tokens the tokenizer keeps (token.c, C_KEEP), quote marks
 * aside (they all become w:#quote), with their keys. */
static const struct punct_key {
    uint32_t cp;
    const char *key; /* "w:" + the token's text */
} punct_keys[] = {
    { '?', "w:?" }, { '!', "w:!" }, { '$', "w:$" }, { '%', "w:%" },
    { 0x20AC, "w:\xE2\x82\xAC" }, { 0xA3, "w:\xC2\xA3" }, { 0xA5, "w:\xC2\xA5" },
};
#define NPUNCT (sizeof punct_keys / sizeof punct_keys[0])
_Static_assert(SK_PUNCT + sizeof punct_keys / sizeof punct_keys[0] == SK_COUNT,
               "punct_keys and SK_COUNT disagree");

/* edge_words: the tokens after the first whose words pair with "^^", and
 * the last tokens whose words pair with "$$" (chosen by cross-validation:
 * bench/ACCURACY.md). */
#define EDGE_OPEN 4u
#define EDGE_CLOSE 2u

/* The unigram id of a word-group token for bigram pairs: a stem-cache
 * word id, or past NC_STEM_CACHE_MAX a static key. */
#define UNI_STATIC(i) (NC_STEM_CACHE_MAX + (uint32_t)(i))

/* The cue keys one sentence emitted, in order (each at most once). */
typedef struct cuelist {
    uint8_t n;
    uint8_t id[CK_COUNT];
} cuelist;

struct cue_word {
    const char *w;
    unsigned cls;
};

/* Sorted by word (strcmp) for bsearch; checked by the unit test. */
static const struct cue_word cue_words[] = {
    { "a", CUE_STOP }, { "about", CUE_STOP }, { "according", CUE_REPORT },
    { "accused", CUE_REPORT }, { "acknowledged", CUE_REPORT }, { "added", CUE_REPORT },
    { "adds", CUE_REPORT }, { "after", CUE_STOP }, { "agency", CUE_SOURCE },
    { "ago", CUE_HISTORY }, { "also", CUE_STOP }, { "although", CUE_EVAL },
    { "am", CUE_STOP }, { "an", CUE_STOP }, { "analyst", CUE_EVAL }, { "analysts", CUE_EVAL },
    { "and", CUE_STOP }, { "announced", CUE_REPORT }, { "announcement", CUE_REPORT },
    { "announces", CUE_REPORT }, { "april", CUE_MONTH }, { "are", CUE_STOP | CUE_PRESENT },
    { "argue", CUE_EVAL }, { "argued", CUE_EVAL }, { "arrest", CUE_EVENT },
    { "arrested", CUE_EVENT }, { "as", CUE_STOP }, { "asserted", CUE_REPORT },
    { "at", CUE_STOP }, { "attack", CUE_EVENT }, { "attacked", CUE_EVENT },
    { "august", CUE_MONTH }, { "be", CUE_STOP }, { "because", CUE_EVAL },
    { "been", CUE_STOP | CUE_PERFECT }, { "believe", CUE_EVAL }, { "believed", CUE_EVAL },
    { "blast", CUE_EVENT }, { "bomb", CUE_EVENT }, { "but", CUE_STOP },
    { "by", CUE_STOP }, { "called", CUE_REPORT }, { "century", CUE_HISTORY },
    { "claim", CUE_REPORT }, { "claimed", CUE_REPORT }, { "claims", CUE_REPORT },
    { "clashes", CUE_EVENT }, { "commentators", CUE_EVAL }, { "commented", CUE_REPORT },
    { "confirmed", CUE_REPORT }, { "could", CUE_MODAL }, { "critics", CUE_EVAL },
    { "dead", CUE_EVENT }, { "decades", CUE_HISTORY }, { "december", CUE_MONTH },
    { "declared", CUE_REPORT }, { "denied", CUE_REPORT }, { "denies", CUE_REPORT },
    { "did", CUE_STOP | CUE_PAST }, { "died", CUE_EVENT }, { "do", CUE_STOP },
    { "does", CUE_STOP }, { "due", CUE_EVAL }, { "earlier", CUE_TIME },
    { "emphasized", CUE_REPORT }, { "expect", CUE_MODAL }, { "expected", CUE_MODAL },
    { "expects", CUE_MODAL }, { "experts", CUE_EVAL }, { "explained", CUE_REPORT },
    { "explosion", CUE_EVENT }, { "february", CUE_MONTH }, { "fired", CUE_EVENT },
    { "for", CUE_STOP }, { "forecast", CUE_MODAL }, { "friday", CUE_TIME },
    { "from", CUE_STOP }, { "future", CUE_MODAL }, { "government", CUE_SOURCE },
    { "had", CUE_STOP | CUE_PERFECT }, { "has", CUE_STOP | CUE_PERFECT },
    { "have", CUE_STOP | CUE_PERFECT }, { "he", CUE_STOP | CUE_THIRD }, { "her", CUE_STOP | CUE_THIRD },
    { "his", CUE_STOP | CUE_THIRD }, { "historically", CUE_HISTORY }, { "history", CUE_HISTORY },
    { "however", CUE_EVAL }, { "i", CUE_STOP | CUE_FIRST }, { "if", CUE_STOP | CUE_MODAL },
    { "in", CUE_STOP }, { "injured", CUE_EVENT }, { "insisted", CUE_REPORT },
    { "interview", CUE_REPORT }, { "is", CUE_STOP | CUE_PRESENT }, { "it", CUE_STOP },
    { "its", CUE_STOP }, { "january", CUE_MONTH }, { "july", CUE_MONTH },
    { "june", CUE_MONTH }, { "killed", CUE_EVENT }, { "killing", CUE_EVENT },
    { "last", CUE_TIME }, { "likely", CUE_MODAL | CUE_EVAL }, { "march", CUE_MONTH },
    { "may", CUE_MODAL | CUE_MONTH }, { "me", CUE_STOP | CUE_FIRST },
    { "means", CUE_EVAL }, { "might", CUE_MODAL }, { "minister", CUE_SOURCE },
    { "ministry", CUE_SOURCE }, { "monday", CUE_TIME }, { "must", CUE_MODAL },
    { "my", CUE_STOP | CUE_FIRST }, { "noted", CUE_REPORT }, { "november", CUE_MONTH },
    { "october", CUE_MONTH }, { "of", CUE_STOP }, { "official", CUE_SOURCE },
    { "officials", CUE_SOURCE }, { "on", CUE_STOP }, { "or", CUE_STOP },
    { "our", CUE_STOP | CUE_FIRST }, { "perhaps", CUE_MODAL | CUE_EVAL },
    { "plan", CUE_MODAL }, { "planned", CUE_MODAL }, { "plans", CUE_MODAL },
    { "pledged", CUE_REPORT }, { "police", CUE_SOURCE }, { "possible", CUE_MODAL },
    { "potential", CUE_MODAL }, { "president", CUE_SOURCE }, { "probably", CUE_MODAL },
    { "promised", CUE_REPORT }, { "quoted", CUE_REPORT }, { "raid", CUE_EVENT },
    { "reiterated", CUE_REPORT }, { "remains", CUE_PRESENT }, { "reported", CUE_REPORT },
    { "reportedly", CUE_REPORT }, { "said", CUE_REPORT }, { "saturday", CUE_TIME },
    { "say", CUE_REPORT }, { "saying", CUE_REPORT }, { "says", CUE_REPORT },
    { "seems", CUE_EVAL }, { "sentenced", CUE_EVENT }, { "september", CUE_MONTH },
    { "she", CUE_STOP | CUE_THIRD }, { "shot", CUE_EVENT }, { "should", CUE_MODAL },
    { "since", CUE_HISTORY }, { "so", CUE_STOP }, { "spokesman", CUE_SOURCE | CUE_REPORT },
    { "spokesperson", CUE_SOURCE | CUE_REPORT }, { "spokeswoman", CUE_SOURCE | CUE_REPORT },
    { "stated", CUE_REPORT }, { "statement", CUE_REPORT }, { "stressed", CUE_REPORT },
    { "suggest", CUE_EVAL }, { "suggested", CUE_EVAL }, { "suggests", CUE_EVAL },
    { "sunday", CUE_TIME }, { "that", CUE_STOP }, { "the", CUE_STOP },
    { "their", CUE_STOP | CUE_THIRD }, { "they", CUE_STOP | CUE_THIRD }, { "this", CUE_STOP },
    { "thursday", CUE_TIME }, { "to", CUE_STOP }, { "today", CUE_TIME },
    { "told", CUE_REPORT }, { "tonight", CUE_TIME }, { "traditionally", CUE_HISTORY },
    { "tuesday", CUE_TIME }, { "urged", CUE_REPORT }, { "us", CUE_STOP | CUE_FIRST },
    { "vowed", CUE_REPORT }, { "warned", CUE_REPORT }, { "was", CUE_STOP | CUE_PAST },
    { "we", CUE_STOP | CUE_FIRST }, { "wednesday", CUE_TIME }, { "were", CUE_STOP | CUE_PAST },
    { "which", CUE_STOP }, { "who", CUE_STOP }, { "will", CUE_MODAL },
    { "with", CUE_STOP }, { "would", CUE_MODAL }, { "wounded", CUE_EVENT },
    { "wrote", CUE_REPORT }, { "years", CUE_HISTORY }, { "yesterday", CUE_TIME },
};
#define NCUE_WORDS (sizeof cue_words / sizeof cue_words[0])

static int cue_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct cue_word *)elem)->w);
}

/* The cue class of a folded word (0 when none). */
static unsigned cue_class(const char *w)
{
    const struct cue_word *c = bsearch(w, cue_words, NCUE_WORDS, sizeof *c, cue_cmp);
    unsigned cls = c ? c->cls : 0;
    size_t n = strlen(w);
    if (n > 4 && w[n - 2] == 'e' && w[n - 1] == 'd') /* "need", "bed" are too short */
        cls |= CUE_ED;
    return cls;
}

/* For the unit test: 1 when the table is strictly sorted. */
int nc_features_table_sorted(void);
int nc_features_table_sorted(void)
{
    for (size_t i = 1; i < NCUE_WORDS; i++)
        if (strcmp(cue_words[i - 1].w, cue_words[i].w) >= 0)
            return 0;
    return 1;
}

/*
 * The bigram cache: (unigram id of the first word << 32 | the second's)
 * -> bigram id and its "b:FIRST SECOND" key.  Open addressing, linear
 * probing, at most half full; a slot carries the key so a hit touches one
 * cache line.  Keys live in an arena that is never reset, so they never
 * move (nc_key.s points at them until nc_featurizer_free).  At
 * NC_BIGRAM_CACHE_MAX bigrams it stops
 * growing (as the stem cache does), so hostile input cannot grow it
 * without bound; later bigrams are built in the arena as before.
 */
typedef struct bigram_slot {
    uint64_t pair;
    const char *key;  /* NULL: empty slot */
    uint32_t len;
    uint32_t id;
} bigram_slot;

/*
 * A scorer's cache of its model's bigrams (restricted featurizers): the
 * pair of stem indices -> its key's id, in buckets of eight pairs, one
 * cache line each, at most half full (256 KiB for the default model's
 * 11,800 bigrams).  A pair lives in its hash's bucket or, when that was
 * full, the first later one with room (nothing is ever removed), so a
 * lookup compares a whole bucket at once (SSE2: two compares) and stops
 * at the first bucket with an empty slot: nearly always the first, so
 * the lookup has no data-dependent branch.  Most pairs of a text are not
 * model bigrams; with linear probing of single slots at most 3/4 full,
 * the probe's length varied from pair to pair and its loop and hit tests
 * were mispredicted (perf: the probe's load and test were a sixth of
 * sentence_features).  The key's text is not kept: the scorer finds the
 * feature by the id, and explain reads the text from the model
 * (featurize.h, nc_key.s).  Earlier layouts: 16-byte slots with the key's
 * place in a block of key text (a fifth of classify's L1 misses); 24-byte
 * slots at most half full (most of a 1 MiB L2 cache); 12-byte slots and
 * the keys in an array by id (a second miss per hit).
 */
#define MBUCKET_SLOTS 8u
typedef struct mbigram_bucket {
    uint32_t pq[MBUCKET_SLOTS]; /* MPAIR of the stems' si; 0: empty slot */
    uint32_t id[MBUCKET_SLOTS]; /* its key's id: NC_KEY_FEATURE + its model feature */
} mbigram_bucket;
_Static_assert(sizeof(mbigram_bucket) == 64, "a bucket is a cache line");

/* mbigram_bucket.pq of stems with si p and q (both below 2^16, which
 * restrict_build checks). */
#define MPAIR(p, q) ((uint32_t)(p) << 16 | (uint32_t)(q))
#define MPAIR_SI_MAX 0xFFFFu

#define TRY(x)                                                                                 \
    do {                                                                                       \
        nc_status st_ = (x);                                                                   \
        if (st_ != NC_OK)                                                                      \
            return st_;                                                                        \
    } while (0)

/*
 * Per cached word, found on first sight, in the word's nc_word_aux (stem.h):
 *   a  cue class | CUE_NONE, 0 = not yet looked up
 *   b  restricted: SI_* or stem index + SI_BASE; 0 = not yet
 *   c  restricted: its key's id (NC_KEY_FEATURE + f or NC_KEY_ABSENT);
 *      0 = not yet
 * The stemmer keeps it beside the word in its front table, so the token
 * that found the stem finds these in the same cache line; an array of
 * our own by word id was one more cache miss per token (perf: a quarter
 * of sentence_features).
 */

/* nc_word_aux.b and static_si: the stem is in no model bigram; it has a
 * space, so bigrams with it are built and looked up as strings. */
#define SI_NONE 1u
#define SI_STRING 2u
#define SI_BASE 3u
/* kb_pair tests "neither 0 nor SI_STRING" as si & ~SI_STRING */
_Static_assert(SI_STRING == 2u && SI_NONE == 1u, "SI_STRING is the only si with bit 1 alone");

struct nc_featurizer {
    nc_options opt;
    nc_stemmer *stem;
    bigram_slot *bslot; /* [bmask + 1] (unrestricted) */
    size_t bmask;
    mbigram_bucket *mb; /* restricted: the model's bigrams, [mmask + 1] buckets */
    size_t mmask;
    void *mb_mem;       /* what to free for mb (aligned to a cache line in it) */
    uint32_t nbig;      /* bigrams cached: their ids are 0 .. nbig-1 */
    const nc_vocab *mfeat; /* restricted: the model's features (not ours) */
    nc_arena bkeys;     /* the cached bigrams' keys (never reset) */
    nc_vocab *mstems;   /* restricted: the stems of the model's bigrams; else NULL */
    uint32_t static_si[SK_COUNT]; /* restricted: si of the static unigram keys */
    uint32_t static_id[SK_COUNT]; /* nc_key.id of static key i: SKEY(i), or
                                   * restricted its model feature's */
    nc_arena ring[2];   /* nc_featurize_each: scratch of two consecutive sentences */
    int used;           /* a sentence was featurized (restricting is too late) */
};

/* Static keys with their own ids (unrestricted). */
static void static_ids_reset(nc_featurizer *fz)
{
    for (unsigned sk = 0; sk < SK_COUNT; sk++)
        fz->static_id[sk] = SKEY(sk);
}

nc_status nc_featurizer_new(const nc_options *o, nc_featurizer **out)
{
    *out = NULL;
    nc_featurizer *fz = nc_calloc(1, sizeof *fz);
    if (!fz)
        return NC_ERR_NOMEM;
    fz->opt = *o;
    static_ids_reset(fz);
    nc_arena_init(&fz->bkeys);
    nc_arena_init(&fz->ring[0]);
    nc_arena_init(&fz->ring[1]);
    nc_status st = nc_stemmer_new(o->stemmer, &fz->stem);
    if (st != NC_OK) {
        nc_free(fz);
        return st;
    }
    *out = fz;
    return NC_OK;
}

void nc_featurizer_free(nc_featurizer *fz)
{
    if (!fz)
        return;
    nc_stemmer_free(fz->stem);
    nc_free(fz->bslot);
    nc_free(fz->mb_mem);
    nc_vocab_free(fz->mstems);
    nc_arena_free(&fz->bkeys);
    nc_arena_free(&fz->ring[0]);
    nc_arena_free(&fz->ring[1]);
    nc_free(fz);
}

/* The keys of the static word-group unigrams ("w:#num" ...), or NULL. */
static const char *static_word_key(unsigned sk)
{
    switch (sk) {
    case SK_NUM: return "w:#num";
    case SK_YEAR: return "w:#year";
    case SK_QUOTE: return "w:#quote";
    default: return sk >= SK_PUNCT && sk < SK_COUNT ? punct_keys[sk - SK_PUNCT].key : NULL;
    }
}

/* The stems of the static unigram keys, for static_si. */
static const char *static_stem(unsigned sk)
{
    switch (sk) {
    case SK_START: return "^";
    case SK_OPEN: return "^^";
    case SK_CLOSE: return "$$";
    default: {
        const char *k = static_word_key(sk);
        return k ? k + 2 : NULL;
    }
    }
}

static size_t bigram_hash(uint64_t pair);
static uint32_t mbigram_find(const nc_featurizer *fz, uint32_t pq);
static const char *static_key(unsigned sk, size_t *len);
static uint32_t feature_id(const nc_featurizer *fz, const char *key, size_t len);
static uint32_t stem_si(const nc_featurizer *fz, const char *stem, size_t slen);

/*
 * Index the "b:P Q" keys of features (a model's) by the stem indices of P
 * and Q, splitting at the first space: a featurized pair (p, q) of stems
 * without spaces builds "b:P Q" exactly when p is P and q is Q.  Keys
 * whose Q has a space are left to the string path (stem_si gives such
 * stems SI_STRING).
 */
static nc_status restrict_build(nc_featurizer *fz, const nc_vocab *features)
{
    uint32_t nf = nc_vocab_size(features), nb = 0;
    for (uint32_t f = 0; f < nf; f++) {
        const char *k = nc_vocab_key(features, f, NULL);
        nb += k[0] == 'b' && k[1] == ':';
    }
    /* feature ids must fit NC_KEY_FEATURE + f; no loadable model comes near */
    if (nf > NC_KEY_INDEX(NC_KEY_ABSENT))
        return NC_ERR_NOMEM;
    size_t nbk = 2; /* buckets: a power of two, at most half the slots used */
    while (nbk * MBUCKET_SLOTS < 2 * (size_t)nb)
        nbk *= 2;
    TRY(nc_vocab_new(&fz->mstems));
    if (!(fz->mb_mem = nc_calloc(nbk + 1, sizeof *fz->mb)))
        return NC_ERR_NOMEM;
    fz->mb = (mbigram_bucket *)(((uintptr_t)fz->mb_mem + 63) & ~(uintptr_t)63);
    fz->mmask = nbk - 1;
    for (uint32_t f = 0; f < nf; f++) {
        size_t len;
        const char *k = nc_vocab_key(features, f, &len);
        const char *sp = k[0] == 'b' && k[1] == ':' ? memchr(k + 2, ' ', len - 2) : NULL;
        if (!sp || memchr(sp + 1, ' ', (size_t)(k + len - sp - 1)))
            continue;
        uint32_t ip, iq;
        TRY(nc_vocab_intern(fz->mstems, k + 2, (size_t)(sp - k - 2), &ip, NULL));
        TRY(nc_vocab_intern(fz->mstems, sp + 1, (size_t)(k + len - sp - 1), &iq, NULL));
        if (SI_BASE + (size_t)nc_vocab_size(fz->mstems) > MPAIR_SI_MAX)
            return NC_ERR_RANGE; /* too many stems for MPAIR */
        /* the first empty slot from the pair's bucket on (features are
         * distinct keys, so the pair is new) */
        uint32_t pq = MPAIR(SI_BASE + ip, SI_BASE + iq);
        mbigram_bucket *b = &fz->mb[bigram_hash(pq) & fz->mmask];
        unsigned e = 0;
        for (; b->pq[e]; e = (e + 1) % MBUCKET_SLOTS)
            if (e == MBUCKET_SLOTS - 1)
                b = &fz->mb[(size_t)(b - fz->mb + 1) & fz->mmask];
        b->pq[e] = pq;
        b->id[e] = NC_KEY_FEATURE + f;
    }
    fz->mfeat = features;
    for (unsigned sk = 0; sk < SK_COUNT; sk++) {
        const char *st = static_stem(sk);
        fz->static_si[sk] = st ? stem_si(fz, st, strlen(st)) : SI_NONE;
        size_t kl;
        const char *k = static_key(sk, &kl);
        if (k)
            fz->static_id[sk] = feature_id(fz, k, kl);
    }
    return NC_OK;
}

nc_stemmer *nc_featurizer_stemmer(nc_featurizer *fz)
{
    return fz->stem;
}

nc_status nc_featurizer_restrict_bigrams(nc_featurizer *fz, const nc_vocab *features)
{
    if (fz->mstems || fz->bslot || fz->used)
        return NC_ERR_ARG; /* only before the first nc_featurize */
    nc_status st = restrict_build(fz, features);
    if (st != NC_OK) { /* back to a fresh, unrestricted featurizer */
        nc_vocab_free(fz->mstems);
        fz->mstems = NULL;
        nc_free(fz->mb_mem);
        fz->mb_mem = NULL;
        fz->mb = NULL;
        fz->mmask = 0;
        fz->mfeat = NULL;
        static_ids_reset(fz);
    }
    return st;
}

/* Write the bigram key "b:" + p + " " + q and a NUL at s; its length. */
static uint32_t bigram_text(char *s, const char *p, size_t pl, const char *q, size_t ql)
{
    s[0] = 'b';
    s[1] = ':';
    memcpy(s + 2, p, pl);
    s[2 + pl] = ' ';
    memcpy(s + 3 + pl, q, ql);
    s[3 + pl + ql] = '\0';
    return (uint32_t)(3 + pl + ql);
}

static size_t bigram_hash(uint64_t pair)
{
    uint64_t h = pair * 0x9e3779b97f4a7c15ull;
    return (size_t)(h ^ (h >> 29));
}

/* Double the slot array (or make the first); NC_ERR_NOMEM leaves it as it was. */
static nc_status bigram_grow(nc_featurizer *fz)
{
    size_t ncap = fz->bslot ? 2 * (fz->bmask + 1) : 4096;
    bigram_slot *ns = nc_calloc(ncap, sizeof *ns);
    if (!ns)
        return NC_ERR_NOMEM;
    for (size_t i = 0; fz->bslot && i <= fz->bmask; i++) {
        if (!fz->bslot[i].key)
            continue;
        size_t j = bigram_hash(fz->bslot[i].pair) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = fz->bslot[i];
    }
    nc_free(fz->bslot);
    fz->bslot = ns;
    fz->bmask = ncap - 1;
    return NC_OK;
}

/* The slot of pair, or of the empty slot where it would go (bslot not NULL). */
static size_t bigram_probe(const nc_featurizer *fz, uint64_t pair)
{
    size_t j = bigram_hash(pair) & fz->bmask;
    while (fz->bslot[j].key && fz->bslot[j].pair != pair)
        j = (j + 1) & fz->bmask;
    return j;
}

/* Restricted: the key id of model bigram pq (MPAIR), 0 when the model
 * lacks it (ids are NC_KEY_FEATURE + f, never 0).  Without a branch on
 * whether it was found; a bucket is left for the next only when it is
 * full (rare at half load). */
static inline uint32_t mbigram_find(const nc_featurizer *fz, uint32_t pq)
{
    size_t j = bigram_hash(pq) & fz->mmask;
    for (;; j = (j + 1) & fz->mmask) {
        const mbigram_bucket *b = &fz->mb[j];
        unsigned hit;
#ifdef __SSE2__
        __m128i key = _mm_set1_epi32((int)pq);
        __m128i lo = _mm_load_si128((const __m128i *)b->pq);
        __m128i hi = _mm_load_si128((const __m128i *)(b->pq + 4));
        hit = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(lo, key))) |
              (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, key))) << 4;
#else
        hit = 0;
        for (unsigned e = 0; e < MBUCKET_SLOTS; e++)
            hit |= (unsigned)(b->pq[e] == pq) << e;
#endif
        /* slots fill in order: a bucket with room has its last one empty */
        if (hit | !b->pq[MBUCKET_SLOTS - 1]) {
#if defined(__GNUC__) || defined(__clang__)
            unsigned e = (unsigned)__builtin_ctz(hit | 1u << MBUCKET_SLOTS) & (MBUCKET_SLOTS - 1);
#else
            unsigned e = 0;
            while (e < MBUCKET_SLOTS - 1 && !(hit >> e & 1u))
                e++;
#endif
            return b->id[e] & (0u - (hit != 0));
        }
    }
}

/* SI_* or SI_BASE + the index of stem in mstems. */
static uint32_t stem_si(const nc_featurizer *fz, const char *stem, size_t slen)
{
    uint32_t i;
    if (memchr(stem, ' ', slen))
        return SI_STRING;
    return nc_vocab_find(fz->mstems, stem, slen, &i) ? SI_BASE + i : SI_NONE;
}

/* Restricted: the stem index of unigram uid, whose aux is wa when it is a
 * cached word (filled on its first sight: word_first_sight). */
static inline uint32_t unigram_si(const nc_featurizer *fz, uint32_t uid, const nc_word_aux *wa)
{
    return uid >= NC_STEM_CACHE_MAX ? fz->static_si[uid - NC_STEM_CACHE_MAX] : wa->b;
}

/*
 * The cached key "b:" + p + " " + q of the pair (uid_p, uid_q) in *key,
 * *len and *id (NC_KEY_BIGRAM + its index), adding it when new; *key is
 * NULL when the cache is full.  Restricted (where sp and sq are the two
 * unigram_si, not both model stems: kb_pair probes those), nothing is
 * added: *key is NULL and *absent 1 when the model has no such bigram (the
 * key scores nothing), or *absent 0 to build and look up the string.
 * NC_ERR_NOMEM leaves the cache as it was (apart from a larger slot array
 * or an unused key in the arena).
 */
static nc_status bigram_get(nc_featurizer *fz, uint32_t uid_p, uint32_t uid_q, uint32_t sp,
                            uint32_t sq, const char *p, size_t pl, const char *q, size_t ql,
                            const char **key, uint32_t *len, uint32_t *id, int *absent)
{
    uint64_t pair = (uint64_t)uid_p << 32 | uid_q;
    size_t j = 0;
    *key = NULL;
    *absent = 0;
    if (fz->mstems) {
        /* kb_pair probes the pairs of two model stems itself; the others
         * are strings (a stem with a space) or not in the model */
        *absent = sp != SI_STRING && sq != SI_STRING;
        return NC_OK;
    }
    if (fz->bslot) {
        j = bigram_probe(fz, pair);
        if (fz->bslot[j].key) {
            *key = fz->bslot[j].key;
            *len = fz->bslot[j].len;
            *id = NC_KEY_BIGRAM + fz->bslot[j].id;
            *absent = 0;
            return NC_OK;
        }
    }
    if (fz->mstems || fz->nbig >= NC_BIGRAM_CACHE_MAX)
        return NC_OK;
    char *s = nc_arena_alloc(&fz->bkeys, 3 + pl + ql + 1);
    if (!s)
        return NC_ERR_NOMEM;
    if (!fz->bslot || 2 * ((size_t)fz->nbig + 1) > fz->bmask + 1) {
        if (bigram_grow(fz) != NC_OK)
            return NC_ERR_NOMEM;
        j = bigram_probe(fz, pair);
    }
    *len = bigram_text(s, p, pl, q, ql);
    fz->bslot[j] = (bigram_slot){ pair, s, *len, fz->nbig };
    *key = s;
    *id = NC_KEY_BIGRAM + fz->nbig++;
    return NC_OK;
}

/* A growable key list in the arena (one per sentence). */
typedef struct keybuf {
    nc_key *k;
    size_t n, cap;
    const uint32_t *sid; /* the featurizer's static_id */
} keybuf;

/* Room for at least want keys in kb (which grows by doubling, copying). */
static nc_status kb_room(nc_arena *a, keybuf *kb, size_t want)
{
    if (want <= kb->cap)
        return NC_OK;
    size_t ncap = kb->cap ? kb->cap * 2 : 32;
    if (ncap < want)
        ncap = want;
    nc_key *nk = nc_arena_alloc(a, ncap * sizeof *nk);
    if (!nk)
        return NC_ERR_NOMEM;
    if (kb->n)
        memcpy(nk, kb->k, kb->n * sizeof *nk);
    kb->k = nk;
    kb->cap = ncap;
    return NC_OK;
}

/* Append key s (len bytes, NUL-terminated, outliving the keys: a stem
 * cache key or a static string) without copying it, where room for it was
 * made before (sentence_features' token loop: see its kb_room). */
static inline void kb_put(keybuf *kb, const char *s, size_t len, uint32_t id)
{
    kb->k[kb->n++] = (nc_key){ s, (uint32_t)len, id };
}

/* kb_put, making room when there is none. */
static nc_status kb_add(nc_arena *a, keybuf *kb, const char *s, size_t len, uint32_t id)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    kb_put(kb, s, len, id);
    return NC_OK;
}

/* Append the key p1 + p2, copied into the arena. */
static nc_status kb_push(nc_arena *a, keybuf *kb, const char *p1, size_t l1, const char *p2,
                         size_t l2, uint32_t id)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    char *s = nc_arena_alloc(a, l1 + l2 + 1);
    if (!s)
        return NC_ERR_NOMEM;
    memcpy(s, p1, l1);
    if (l2)
        memcpy(s + l1, p2, l2);
    s[l1 + l2] = '\0';
    kb->k[kb->n].s = s;
    kb->k[kb->n].len = (uint32_t)(l1 + l2);
    kb->k[kb->n].id = id;
    kb->n++;
    return NC_OK;
}

/* Append the bigram key "b:" + p + " " + q, built in place in the arena. */
static nc_status kb_bigram(nc_arena *a, keybuf *kb, const char *p, size_t pl, const char *q,
                           size_t ql)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    char *s = nc_arena_alloc(a, 3 + pl + ql + 1);
    if (!s)
        return NC_ERR_NOMEM;
    kb->k[kb->n++] = (nc_key){ s, bigram_text(s, p, pl, q, ql), NC_KEY_UNCACHED };
    return NC_OK;
}

/* The size of kb_pair_any's key buffer: longer pair keys are cut there. */
#define PAIR_KEY_MAX (2 * NC_MAX_TOKEN_BYTES + 8)

/*
 * Append the word-group pair key "b:P Q" of unigrams p (unigram id puid,
 * restricted stem index psi) and q: from the bigram cache when both have
 * ids, else built in the arena; left out when the featurizer is restricted
 * and the model lacks it.  *words counts the keys appended.  Stems are
 * token-sized, so the key always fits big; should one not, snprintf cuts
 * it as it always did.
 */
static nc_status kb_pair_any(nc_featurizer *fz, nc_arena *a, keybuf *kb, const char *p,
                             size_t pl, uint32_t puid, uint32_t psi, const char *q, size_t ql,
                             uint32_t quid, uint32_t qsi, size_t *words)
{
    char big[PAIR_KEY_MAX];
    if (3 + pl + ql >= sizeof big) {
        size_t bl = (size_t)snprintf(big, sizeof big, "b:%.*s %.*s", (int)pl, p, (int)ql, q);
        TRY(kb_push(a, kb, big, bl < sizeof big ? bl : sizeof big - 1, NULL, 0,
                    NC_KEY_UNCACHED));
        (*words)++;
        return NC_OK;
    }
    const char *bk = NULL;
    uint32_t bl = 0, bid = 0; /* set when bk is (GCC -fsanitize could not tell) */
    int absent = 0;
    if (puid != NC_KEY_UNCACHED && quid != NC_KEY_UNCACHED)
        TRY(bigram_get(fz, puid, quid, psi, qsi, p, pl, q, ql, &bk, &bl, &bid, &absent));
    if (bk)
        TRY(kb_add(a, kb, bk, bl, bid)); /* cached: not built again */
    else if (!absent)
        TRY(kb_bigram(a, kb, p, pl, q, ql));
    else
        return NC_OK; /* not in the model: left out (restricted), not counted */
    (*words)++;
    return NC_OK;
}

/*
 * kb_pair_any, with the common case of a restricted featurizer inline:
 * two stems of model bigrams (whose keys fit) are one probe of the model
 * bigram table and, when the model has the pair, a key pointed at.  The
 * call with its twelve arguments had cost more than the probe (callgrind:
 * ~70 instructions a pair).
 */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline)) /* GCC left it out of line once it had the SI_NONE test */
#endif
static inline nc_status kb_pair(nc_featurizer *fz, nc_arena *a, keybuf *kb, const char *p,
                                size_t pl, uint32_t puid, uint32_t psi, const char *q, size_t ql,
                                uint32_t quid, uint32_t qsi, size_t *words)
{
    /* Two cached stems without a space (si neither 0 nor SI_STRING: a
     * stem index is only given when the featurizer is restricted, so
     * fz->mfeat is set) whose key fits are answered here; the rest, rare
     * on classify, take the general path. */
    int fits = 3 + pl + ql < PAIR_KEY_MAX;
    if (!fits | !(psi & ~SI_STRING) | !(qsi & ~SI_STRING)) /* one branch */
        return kb_pair_any(fz, a, kb, p, pl, puid, psi, q, ql, quid, qsi, words);
    /* A stem in no model bigram (SI_NONE, a fifth of the pairs) makes the
     * pair absent, as kb_pair_any would find through bigram_get: such a
     * pair probes for pq 0, which no bigram has (its bucket, always the
     * same, stays in L1; ids of empty slots are 0), instead of branching
     * on it: whether a word is in a model bigram is a coin toss for the
     * branch predictor (callgrind --branch-sim, classify 5 MB: 0.25 M
     * mispredictions). */
    uint32_t both = (uint32_t)(psi >= SI_BASE) & (uint32_t)(qsi >= SI_BASE);
    uint32_t pq = MPAIR(psi, qsi) & (0u - both);
    uint32_t id = mbigram_find(fz, pq);
    /* room: kb_pair runs in sentence_features' token loop (see kb_put) */
    /* its text: the model's key; written always, kept when the model has
     * it (whether it does is a coin toss for the branch predictor) */
    kb->k[kb->n] = (nc_key){ NULL, (uint32_t)(3 + pl + ql), id };
    kb->n += id != 0;
    *words += id != 0;
    return NC_OK;
}

/* The pair of edge mark sk ("^^" or "$$", two bytes) with word q: kb_pair
 * with the mark's static unigram id and stem index.  Inline, called with
 * sk a constant (a two-entry array looped over per word cost a store and
 * a reload). */
static inline nc_status kb_mark_pair(nc_featurizer *fz, nc_arena *a, keybuf *kb, unsigned sk,
                                     int restricted, const char *q, size_t ql, uint32_t quid,
                                     uint32_t qsi, size_t *words)
{
    return kb_pair(fz, a, kb, static_stem(sk), 2, UNI_STATIC(sk),
                   restricted ? fz->static_si[sk] : 0, q, ql, quid, qsi, words);
}

/* The position and context "none" keys, by static index from SK_POS_S,
 * with their lengths (strlen of these was ~2 % of classify). */
#define PK(lit) { lit, sizeof lit - 1 }
static const struct {
    const char *s;
    uint32_t len;
} pos_keys[SK_XN_NONE + 1 - SK_POS_S] = {
    PK("p:s0"), PK("p:s1"), PK("p:s2"), PK("p:s3"), PK("p:s5"), PK("p:s10"), /* SK_POS_S */
    PK("p:i0"), PK("p:i1"), PK("p:i2"), PK("p:i3"), PK("p:i6"),              /* SK_POS_I */
    PK("p:heading"), PK("p:bullet"), PK("p:dateline"), PK("p:last"),
    PK("x:p:none"), PK("x:n:none"),
};

/* Append static key sk (SK_POS_S .. SK_XN_NONE): pointed at, not copied. */
static nc_status kb_static(nc_arena *a, keybuf *kb, unsigned sk)
{
    return kb_add(a, kb, pos_keys[sk - SK_POS_S].s, pos_keys[sk - SK_POS_S].len, kb->sid[sk]);
}

/* The string of static key sk and its length, or NULL for the bigram
 * marks (never keys alone). */
static const char *static_key(unsigned sk, size_t *len)
{
    const char *k = NULL;
    if (sk < SK_XP)
        k = cue_keys[sk - SK_CUE].c;
    else if (sk < SK_POS_S)
        k = cue_keys[(sk - SK_XP) % CK_COUNT].x[sk >= SK_XN];
    else if (sk <= SK_XN_NONE)
        k = pos_keys[sk - SK_POS_S].s;
    else
        k = static_word_key(sk);
    *len = k ? strlen(k) : 0;
    return k;
}

/* Restricted: the id of key[0..len), NC_KEY_FEATURE + its model feature
 * or NC_KEY_ABSENT. */
static uint32_t feature_id(const nc_featurizer *fz, const char *key, size_t len)
{
    uint32_t f;
    return nc_vocab_find(fz->mfeat, key, len, &f) ? NC_KEY_FEATURE + f : NC_KEY_ABSENT;
}

/* Append cue key id and list it in cl. */
static nc_status kb_cue(nc_arena *a, keybuf *kb, cuelist *cl, unsigned id)
{
    nc_status st = kb_add(a, kb, cue_keys[id].c, cue_keys[id].len, kb->sid[SK_CUE + id]);
    if (st == NC_OK)
        cl->id[cl->n++] = (uint8_t)id;
    return st;
}

/*
 * What a cached word's aux line keeps (nc_word_aux, stem.h), worked out
 * the first time the word is seen (a is never 0 once set) and read at
 * every later token without a test each: a, its cue class (CUE_NONE for
 * none); restricted featurizers, b, the stem index of its stem (SI_*,
 * unigram_si) and c, the id of its "w:" key (feature_id).  w is the word,
 * stem[0..slen) its cached stem with "w:" before it.
 */
static void word_first_sight(const nc_featurizer *fz, nc_word_aux *wa, const char *w,
                             const char *stem, size_t slen, int restricted)
{
    unsigned c = cue_class(w);
    wa->a = c ? c : CUE_NONE;
    if (restricted)
        wa->b = stem_si(fz, stem, slen);
    if (fz->mfeat)
        wa->c = feature_id(fz, stem - 2, slen + 2);
}

static int is_quote(uint32_t cp)
{
    return cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x00AB ||
           cp == 0x00BB || cp == 0x2018;
}

/* The index of the bucket v falls in: the first edge above it, else nedges. */
static size_t bucket(size_t v, const size_t *edges, size_t nedges)
{
    /* edges ascend, so the bucket is the number of edges at or below v:
     * counted without a branch on v (an early return mispredicted on
     * most sentences' lengths) */
    size_t b = 0;
    for (size_t i = 0; i < nedges; i++)
        b += v >= edges[i];
    return b;
}

/* The index of the lowest set bit of m (m != 0). */
static inline int ctz32(uint32_t m)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_ctz(m);
#else
    int i = 0;
    while (!(m & 1u)) {
        m >>= 1;
        i++;
    }
    return i;
#endif
}

/* Features of one sentence (words, bigrams, cues); position and context are added later. */
static nc_status sentence_features(nc_featurizer *fz, const nc_sent_in *in, nc_arena *a,
                                   keybuf *out, cuelist *cl, size_t *nwords)
{
    /* The token loop appends to a copy of *out, written back after it: a
     * local the compiler may keep in registers, where *out had its count
     * and array reloaded after every key stored. */
    keybuf kbl = *out, *kb = &kbl;
    nc_token *tok;
    size_t nt;
    TRY(nc_tokenize(in->text, in->len, a, &tok, &nt));
    /* Where each word is in the stem cache, asked for all at once so the
     * cache misses overlap (nc_stemmer_where).  Its hash is kept in the
     * token's punct field, which words do not use. */
    nc_stemmer *const stemmer = fz->stem; /* read once: the key stores below may alias fz */
    _Static_assert(NC_TOKEN_READ >= NC_STEM_READ, "token texts have the bytes the stemmer reads");
    for (size_t i = 0; i < nt; i++)
        if (tok[i].type == NC_TOK_WORD)
            tok[i].punct = nc_stemmer_where(stemmer, tok[i].text, tok[i].len);
    const nc_options *o = &fz->opt;
    /* Keys: a word (and a bigram) per token, the edge pairs, then a few
     * dozen cues at most; sized once here rather than grown from 32 by
     * copying.  The token loop appends without a check (kb_put, kb_pair),
     * so this must cover it: at most a word key and a pair a token, an
     * opening pair for EDGE_OPEN tokens and a closing one for EDGE_CLOSE
     * (kb starts empty: nc_featurize, nc_featurize_each). */
    TRY(kb_room(a, kb, nt * (o->bigrams ? 2 : 1) + 48 + (o->edge_words ? EDGE_OPEN + EDGE_CLOSE : 0)));
    unsigned cues = 0;
    int quote = 0, quote_start = 0, quote_end = 0, nums = 0, year = 0, money = 0, pct = 0;
    int question = 0, colon = 0, report_end = 0, report_start = 0, caps = 0;
    unsigned ned = 0, nreport = 0;
    size_t words = 0;
    int restricted = fz->mstems && o->bigrams;
    /* The options the token loop tests, read once: the key stores in the
     * loop are unsigned ints, which may alias the options' ints, so the
     * compiler reloaded them from fz for every token. */
    const int bigrams = o->bigrams, edges = o->bigrams && o->edge_words;
    const int drop_stop = !o->stopwords;
    /* Previous word-group stem, for bigrams; with start_bigram the first
     * word pairs with "^", the start of the sentence ("b:^ however"). */
    const char *prev = o->start_bigram ? "^" : NULL;
    size_t prev_len = o->start_bigram ? 1 : 0;
    uint32_t prev_uid = UNI_STATIC(SK_START); /* its unigram id */
    uint32_t prev_si = restricted ? fz->static_si[SK_START] : 0; /* restricted: its stem index */
    for (size_t i = 0; i < nt; i++) {
        const nc_token *t = &tok[i];
        const char *stem = NULL;
        size_t slen = 0;
        const char *key = NULL; /* a static "w:" key for stem, when there is one */
        unsigned sk = 0;        /* and its static index */
        uint32_t wid = NC_STEM_UNCACHED;
        nc_word_aux *wa = NULL; /* the word's, until the next stemmer call */
        if (t->type == NC_TOK_WORD) {
            TRY(nc_stemmer_stem_aux(stemmer, t->punct, t->text, t->len, &stem, &slen, &wid,
                                    &wa));
            if (wa && !wa->a)
                word_first_sight(fz, wa, t->text, stem, slen, restricted);
            unsigned cls = wa ? wa->a & ~CUE_NONE : cue_class(t->text);
            /* Without a branch on whether the word has a cue class (a
             * third of words do, at random: callgrind --branch-sim,
             * classify 5 MB, 0.37 M mispredictions), nor on its case. */
            cues |= cls;
            ned += (cls & CUE_ED) != 0;
            if (cls & CUE_REPORT) { /* rare */
                report_end |= i + 4 >= nt;
                report_start |= i < 4;
                nreport++;
            }
            if (drop_stop && (cls & CUE_STOP))
                stem = NULL;
            caps += (t->shape & NC_SHAPE_CAP) & (i > 0);
        } else if (t->type == NC_TOK_NUMBER) {
            nums++;
            int is_year = t->len == 4 && (t->text[0] == '1' || t->text[0] == '2') &&
                          (memcmp(t->text, "19", 2) == 0 || memcmp(t->text, "20", 2) == 0);
            year |= is_year;
            stem = is_year ? "#year" : "#num";
            slen = 5 - !is_year;
            key = is_year ? "w:#year" : "w:#num";
            sk = is_year ? SK_YEAR : SK_NUM;
        } else {
            uint32_t cp = t->punct;
            if (is_quote(cp)) {
                quote = 1;
                if (i == 0)
                    quote_start = 1;
                if (i + 2 >= nt)
                    quote_end = 1;
                stem = "#quote";
                slen = 6;
                key = "w:#quote";
                sk = SK_QUOTE;
            } else {
                stem = t->text;
                slen = t->len;
                for (unsigned k = 0; k < NPUNCT; k++)
                    if (punct_keys[k].cp == cp) {
                        /* the static key only when it is exactly "w:" + text */
                        if (strlen(punct_keys[k].key) == 2 + slen &&
                            memcmp(punct_keys[k].key + 2, stem, slen) == 0) {
                            key = punct_keys[k].key;
                            sk = SK_PUNCT + k;
                        }
                        break;
                    }
                money |= cp == '$' || cp == 0x20AC || cp == 0xA3;
                pct |= cp == '%';
                question |= cp == '?';
                colon |= cp == ':';
            }
        }
        if (!stem)
            continue;
        uint32_t uid = NC_KEY_UNCACHED; /* this token's unigram id */
        if (t->type == NC_TOK_WORD && wid != NC_STEM_UNCACHED) {
            /* the cached "w:stem" (stem.h: right before the stem): no copy */
            kb_put(kb, stem - 2, slen + 2,
                   fz->mfeat ? wa->c : NC_KEY_WORD + wid);
            uid = wid;
        } else if (key) {
            kb_put(kb, key, 2 + slen, kb->sid[sk]);
            uid = UNI_STATIC(sk);
        } else {
            TRY(kb_push(a, kb, "w:", 2, stem, slen, NC_KEY_UNCACHED));
            /* From here on the arena copy: an uncached word's stem is in the
             * stemmer's scratch buffer, which the next uncached word
             * overwrites (or moves) while this stem is still prev. */
            stem = kb->k[kb->n - 1].s + 2;
        }
        uint32_t si = 0;
        if (restricted && uid != NC_KEY_UNCACHED)
            si = unigram_si(fz, uid, wa);
        words++;
        if (bigrams && prev)
            TRY(kb_pair(fz, a, kb, prev, prev_len, prev_uid, prev_si, stem, slen, uid, si,
                        &words));
        if (edges && t->type == NC_TOK_WORD) {
            /* A word among the EDGE_OPEN tokens after the first also pairs
             * with "^^", among the last EDGE_CLOSE tokens with "$$": how a
             * sentence opens and closes says more about its role than the
             * same word elsewhere (start_bigram covers the first token). */
            if (i >= 1 && i <= EDGE_OPEN)
                TRY(kb_mark_pair(fz, a, kb, SK_OPEN, restricted, stem, slen, uid, si, &words));
            if (i + EDGE_CLOSE >= nt)
                TRY(kb_mark_pair(fz, a, kb, SK_CLOSE, restricted, stem, slen, uid, si, &words));
        }
        prev = stem;
        prev_len = slen;
        prev_uid = uid;
        prev_si = si;
    }
    *nwords = words;
    *out = kbl;
    kb = out;
    if (!o->cues)
        return NC_OK;
    /* the set bits, lowest first, as the loop over all NCUE_BITS did (its
     * test per bit was a coin toss for the branch predictor) */
    _Static_assert(NCUE_BITS < 32, "cue bits fit cues");
    for (unsigned m = cues & ~CUE_STOP & ((1u << NCUE_BITS) - 1); m; m &= m - 1)
        TRY(kb_cue(a, kb, cl, (unsigned)ctz32(m)));
    if (quote) TRY(kb_cue(a, kb, cl, CK_QUOTE));
    if (quote_start) TRY(kb_cue(a, kb, cl, CK_QUOTE_START));
    if (quote_end) TRY(kb_cue(a, kb, cl, CK_QUOTE_END));
    if (report_end) TRY(kb_cue(a, kb, cl, CK_REPORT_END));
    if (nums) TRY(kb_cue(a, kb, cl, CK_NUM));
    if (year) TRY(kb_cue(a, kb, cl, CK_YEAR));
    if (money) TRY(kb_cue(a, kb, cl, CK_MONEY));
    if (pct) TRY(kb_cue(a, kb, cl, CK_PERCENT));
    if (question) TRY(kb_cue(a, kb, cl, CK_QUESTION));
    if (colon) TRY(kb_cue(a, kb, cl, CK_COLON));
    if (caps >= 3) TRY(kb_cue(a, kb, cl, CK_NAMES));
    static const size_t len_edges[] = { 8, 16, 25, 40 };
    TRY(kb_cue(a, kb, cl, CK_LEN0 + (unsigned)bucket(nt, len_edges, 4)));
    if (!o->cues_fine)
        return NC_OK;
    TRY(kb_cue(a, kb, cl, CK_ED0 + (ned < 2 ? ned : 2)));
    if (cues & CUE_THIRD) TRY(kb_cue(a, kb, cl, CK_THIRD));
    if (quote && nreport) TRY(kb_cue(a, kb, cl, CK_QUOTE_REPORT));
    if (report_start) TRY(kb_cue(a, kb, cl, CK_REPORT_START));
    if (nreport >= 2) TRY(kb_cue(a, kb, cl, CK_REPORT2));
    return NC_OK;
}

/*
 * The keys sentence i of s[0..n) gets after its own (sentence_features):
 * position, then the context of its neighbours' cue lists prev (sentence
 * i - 1, NULL when i == 0) and next (i + 1, NULL at the end).
 */
static nc_status finish_sentence(const nc_featurizer *fz, const nc_sent_in *s, size_t i,
                                 nc_arena *a, keybuf *kb, const cuelist *prev,
                                 const cuelist *next)
{
    const nc_options *o = &fz->opt;
    if (o->position) {
        static const size_t sent_edges[] = { 1, 2, 3, 5, 10 };
        static const size_t para_edges[] = { 1, 2, 3, 6 };
        size_t sb = bucket(s[i].doc_index, sent_edges, 5);
        size_t pb = bucket(s[i].index_in_paragraph, para_edges, 4);
        TRY(kb_static(a, kb, SK_POS_S + (unsigned)sb));
        TRY(kb_static(a, kb, SK_POS_I + (unsigned)pb));
        if (s[i].flags & NC_SENT_HEADING)
            TRY(kb_static(a, kb, SK_HEADING));
        if (s[i].flags & NC_SENT_BULLET)
            TRY(kb_static(a, kb, SK_BULLET));
        if (s[i].flags & NC_SENT_DATELINE)
            TRY(kb_static(a, kb, SK_DATELINE));
        if (s[i].flags & NC_SENT_DOC_LAST)
            TRY(kb_static(a, kb, SK_LAST));
    }
    if (o->context) {
        /* The neighbours' own cue keys (those sentence_features listed),
         * in their order, as x:p:c:NAME and x:n:c:NAME. */
        for (int side = 0; side < 2; side++) {
            const cuelist *cl = side ? next : prev;
            if (!cl) {
                TRY(kb_static(a, kb, side ? SK_XN_NONE : SK_XP_NONE));
                continue;
            }
            for (unsigned k = 0; k < cl->n; k++) {
                const struct cue_key *ck = &cue_keys[cl->id[k]];
                TRY(kb_add(a, kb, ck->x[side], ck->len + 4,
                           kb->sid[(side ? SK_XN : SK_XP) + cl->id[k]]));
            }
        }
    }
    return NC_OK;
}

nc_status nc_featurize(nc_featurizer *fz, const nc_sent_in *s, size_t n, nc_arena *a,
                       nc_sent_feats *out)
{
    fz->used = 1;
    cuelist *cls = n ? nc_arena_alloc(a, n * sizeof *cls) : NULL;
    if (n && !cls)
        return NC_ERR_NOMEM;
    keybuf *kbs = n ? nc_arena_alloc(a, n * sizeof *kbs) : NULL;
    if (n && !kbs)
        return NC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        kbs[i] = (keybuf){ .sid = fz->static_id };
        cls[i].n = 0;
        TRY(sentence_features(fz, &s[i], a, &kbs[i], &cls[i], &out[i].nwords));
    }
    for (size_t i = 0; i < n; i++) {
        keybuf *kb = &kbs[i];
        TRY(finish_sentence(fz, s, i, a, kb, i ? &cls[i - 1] : NULL,
                            i + 1 < n ? &cls[i + 1] : NULL));
        out[i].keys = kb->k;
        out[i].n = kb->n;
    }
    return NC_OK;
}

/*
 * nc_featurize_each: sentence j is featurized into ring arena j % 2
 * (reset first: the sentence that used it, j - 2, is done), and handed to
 * fn as soon as its context is known: right away without context, else
 * once sentence j + 1 has its own cue list.  Cue lists are kept for the
 * last three sentences (i - 1, i, i + 1).
 */
nc_status nc_featurize_each(nc_featurizer *fz, const nc_sent_in *s, size_t n,
                            nc_sent_fn fn, void *ctx)
{
    fz->used = 1;
    keybuf kb[2];
    cuelist cl[3];
    size_t nw[2];
    int lag = fz->opt.context != 0; /* sentences held back for their next one's cues */
    for (size_t j = 0; j < n + (size_t)lag; j++) {
        if (j < n) {
            nc_arena *a = &fz->ring[j & 1];
            nc_arena_reset(a);
            kb[j & 1] = (keybuf){ .sid = fz->static_id };
            cl[j % 3].n = 0;
            TRY(sentence_features(fz, &s[j], a, &kb[j & 1], &cl[j % 3], &nw[j & 1]));
        }
        if (j < (size_t)lag)
            continue;
        size_t i = j - (size_t)lag; /* the sentence whose keys are now complete */
        keybuf *k = &kb[i & 1];
        TRY(finish_sentence(fz, s, i, &fz->ring[i & 1], k, i ? &cl[(i + 2) % 3] : NULL,
                            i + 1 < n ? &cl[(i + 1) % 3] : NULL));
        nc_sent_feats f = { k->k, k->n, nw[i & 1] };
        TRY(fn(ctx, i, &f));
    }
    return NC_OK;
}
