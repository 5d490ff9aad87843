/*
 * stem.h - Snowball stemming through Debian's libstemmer, with a cache.
 *
 * Each distinct word is stemmed once: the stem is copied out of
 * libstemmer's buffer (which it owns and overwrites at the next call) into
 * a cache keyed by the word.  The cache stops growing at
 * NC_STEM_CACHE_MAX words so hostile input cannot grow it without bound;
 * past that, words are stemmed into a scratch buffer each time.
 * This is the only file that includes libstemmer.h.
 */
#ifndef NC_STEM_H
#define NC_STEM_H

#include "common.h"

#define NC_STEM_CACHE_MAX (1u << 20)

typedef struct nc_stemmer nc_stemmer;

/*
 * A stemmer for a libstemmer algorithm name ("english", "french", ...,
 * lower case), or "none" for no stemming.  NC_ERR_STEMMER when libstemmer
 * has no such algorithm.
 */
nc_status nc_stemmer_new(const char *lang, nc_stemmer **out);
void nc_stemmer_free(nc_stemmer *s);
/*
 * Stem word[0..len) (already case-folded UTF-8).  *stem and *slen are set
 * to the stem, valid until nc_stemmer_free when cached, or until the next
 * call otherwise.  *word_id (may be NULL) gets the word's dense cache id
 * (0, 1, 2 ... in first-seen order), so callers can keep their own per-word
 * side tables, or NC_STEM_UNCACHED.  A cached word's stem is stored
 * right after "w:", so *stem - 2 (*slen + 2 bytes) is its feature key,
 * the one nc_stemmer_word_key gives.  NC_ERR_NOMEM on allocation failure.
 */
#define NC_STEM_UNCACHED UINT32_MAX
/* Cache at most max words (at most NC_STEM_CACHE_MAX): lets a test reach
 * the full cache without a million distinct words. */
void nc_stemmer_set_limit(nc_stemmer *s, uint32_t max);
nc_status nc_stemmer_stem(nc_stemmer *s, const char *word, size_t len, const char **stem,
                          size_t *slen, uint32_t *word_id);
/*
 * nc_stemmer_stem for callers with per-word data: *word_id is set (to
 * NC_STEM_UNCACHED when the word is not cached), and *aux to the word's
 * nc_word_aux, three integers the caller may use as it likes (zero when the
 * word is first cached; each cached word has one, which keeps its values
 * until nc_stemmer_free; the pointer is valid until the next call), or
 * NULL for an uncached word.  The featurizer keeps a word's cue class
 * there: for most words it sits in the cache line that found the stem,
 * where a table of its own by word id cost a cache miss per token.
 */
typedef struct nc_word_aux {
    uint32_t a, b, c;
} nc_word_aux;
/*
 * where is nc_stemmer_where(s, word, len): the stemmer's hash of the word,
 * worked out once per token.  Any other value finds the same stems and
 * ids, only more slowly, but may give a word a second aux (the tests use
 * it to make words collide).
 *
 * nc_stemmer_stem_aux and nc_stemmer_where read word[0..NC_STEM_READ)
 * even when len is smaller (what lies past the word does not matter, and
 * need not be initialised): the caller must have that many bytes readable
 * from word.  Token texts have them (token.h); nc_stemmer_stem copies a
 * shorter word first, so it takes any word.
 */
#define NC_STEM_READ 8u
nc_status nc_stemmer_stem_aux(nc_stemmer *s, uint32_t where, const char *word, size_t len,
                              const char **stem, size_t *slen, uint32_t *word_id,
                              nc_word_aux **aux);
/*
 * Where word[0..len) is looked up, for nc_stemmer_stem_aux; it also starts
 * loading that cache line.  The featurizer calls it for every word of a
 * sentence before stemming them, so the misses on the stem cache overlap
 * instead of coming one token after another.
 */
uint32_t nc_stemmer_where(const nc_stemmer *s, const char *word, size_t len);
/*
 * The feature key of cached word id (< NC_STEM_UNCACHED, as returned by
 * nc_stemmer_stem): "w:" followed by its stem, NUL-terminated, *len bytes;
 * owned by the stemmer and valid until nc_stemmer_free.  It lets the
 * featurizer use the key without building it for every token.
 */
const char *nc_stemmer_word_key(const nc_stemmer *s, uint32_t id, size_t *len);
/* 1 when lang names a libstemmer algorithm (or "none"). */
int nc_stemmer_known(const char *lang);

#endif
