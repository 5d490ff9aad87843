/*
 * stem.c - Snowball stemming with a per-stemmer cache (see stem.h).
 *
 * Each cached stem is stored after the two bytes "w:", so the word's
 * feature key is ready made (nc_stemmer_word_key): the featurizer points
 * at it instead of building "w:" + stem for every token.
 *
 * In front of the cache (a uthash vocabulary) sits an open-addressing
 * table (linear probing) of short words with their id and stem, indexed
 * by a hash of the word: a word found there costs one probe, where the
 * vocabulary probe walks a bucket and one or two entries spread over
 * megabytes and then reads the stem arrays by id.  Words are added when
 * they are cached and never removed.  The table starts at 4,096 slots and
 * doubles whenever it would be more than half full, up to 65,536 slots
 * (32,768 words); past that new words go to the vocabulary alone, which
 * stays the reference.  A slot is a cache line and carries the caller's
 * per-word data (nc_stemmer_stem_aux), so a known word's token reads one
 * line for its stem, id and the featurizer's cue class.  It was
 * direct-mapped, colliding words replacing each other: the bench corpus's
 * 17,978 words then missed it on 1 token in 29 (3.5 % of 15.9 M on
 * 100 MB), and each miss walked uthash (perf: find_hashed 7 % of classify
 * 20 MB).
 *
 * libstemmer allocates with plain malloc inside sb_stemmer_new and its
 * buffers: those few allocations (made once per stemmer) are outside the
 * library's hook; everything this file allocates goes through it.
 */
#include <string.h>

#include <libstemmer.h>

#include "stem.h"
#include "vocab.h"

/* The featurizer's word-feature prefix (featurize.h), stored before each
 * cached stem. */
#define WORD_PREFIX "w:"
#define WORD_PREFIX_LEN 2u

#define FRONT_MIN 4096u    /* slots of a new front (256 KiB) */
#define FRONT_SLOTS 65536u /* at most (4 MiB), so at most 32,768 words */
#define FRONT_MIN_SHIFT 20u /* 32 - log2(FRONT_MIN): a hash's slot is its top 12 bits */
_Static_assert(FRONT_MIN == 1u << (32 - FRONT_MIN_SHIFT), "FRONT_MIN_SHIFT follows FRONT_MIN");
#define FRONT_MID 22u      /* middle bytes a slot holds (what a line leaves) */
#define FRONT_WORD (16u + FRONT_MID) /* longest word kept in the front (bytes) */

/*
 * A front slot is one cache line: the word, its id and stem, and the
 * caller's aux word (stem.h), so a token of a known word costs one line.
 * The word is held as its key (front_key): head and tail, two words that
 * with len say which word of up to 16 bytes it is, so a probe compares
 * three integers where it walked the bytes; a longer word's bytes between
 * the two are in mid.  An empty slot is all zero; no word has len 0.
 */
typedef struct front_slot {
    const char *stem;   /* the cached stem (after "w:"); NULL = empty slot */
    nc_word_aux aux;    /* the word's aux (nc_stemmer_stem_aux) */
    uint32_t id;        /* its word id */
    uint64_t head, tail; /* its key (front_key) */
    uint8_t len, slen;  /* word and stem bytes */
    char mid[FRONT_MID]; /* bytes 8 .. len - 8 of a word of more than 16 */
} front_slot;
_Static_assert(sizeof(front_slot) == 64, "a front slot is a cache line");

struct nc_stemmer {
    struct sb_stemmer *sb; /* NULL for "none" */
    front_slot *front;     /* [front_cap], 64-byte aligned in front_mem */
    uint32_t front_cap;    /* a power of two, FRONT_MIN .. FRONT_SLOTS */
    unsigned front_shift;  /* 32 - log2(front_cap): a hash's slot is h >> it */
    uint32_t nfront;       /* words in the front (at most front_cap / 2) */
    void *front_mem;
    nc_vocab *cache;       /* word -> id; stems[id] is its stem */
    char **stems;          /* [id] "w:" + stem, NUL-terminated */
    size_t *stem_len;      /* [id] bytes of the stem alone */
    nc_word_aux *aux;      /* [id] aux of the words not in the front */
    size_t cap;
    char *scratch;         /* uncached result when the cache is full */
    size_t scratch_cap;
    uint32_t limit;        /* words cached at most: NC_STEM_CACHE_MAX, less in tests */
};

/* UNLIKELY(c): c is rarely true, so the compiler tests it after the common
 * case's tests (words of more than 16 bytes in front_hash: 2.9 M fewer
 * instructions of classify 20 MB, the length tests of short words no
 * longer waiting behind it). */
#if defined(__GNUC__) || defined(__clang__)
#define UNLIKELY(c) __builtin_expect(!!(c), 0)
#else
#define UNLIKELY(c) (c)
#endif

/* A word's key in the front (front_slot). */
typedef struct front_key {
    uint64_t head, tail;
} front_key;

/*
 * The key of word[0..len), 1 <= len <= FRONT_WORD: up to 8 bytes, its
 * bytes as an integer (host byte order) with zeros above them and tail 0;
 * longer, its first and its last 8 bytes (overlapping below 16).  Two
 * words of the same length up to 16 are equal exactly when their keys
 * are; longer ones when their bytes between head and tail are too.
 *
 * Without a branch on the length: head is one 8-byte load masked to the
 * word, tail one load from a chosen address kept or zeroed, so it reads
 * word[0..8) even of a shorter word, which is why the stemmer asks for
 * NC_STEM_READ readable bytes (stem.h).  The key had 2-, 4- and 8-byte
 * loads picked by the length: word lengths are random to the branch
 * predictor, and its two tests cost ~1.5 mispredictions a word between
 * nc_stemmer_where and the lookup (callgrind --branch-sim, classify 5 MB:
 * stem.c 1.20 M of the program's 6.29 M).
 */
static inline front_key front_key_of(const char *word, size_t len)
{
    uint64_t head, tail;
    /* masks rather than ?: (GCC made a branch of one of those) */
    size_t big = 0 - (size_t)(len >= 8);      /* all ones for a long word */
    size_t past = (len - 8) & big;            /* long: the tail's offset; short: 0 */
    unsigned drop = 64 - 8 * (unsigned)(len - past); /* bits above a short word (0: long) */
    memcpy(&head, word, 8);
    memcpy(&tail, word + past, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    head &= ~0ull << drop; /* the word's bytes are the high ones */
#else
    head &= ~0ull >> drop;
#endif
    return (front_key){ head, tail & (uint64_t)big };
}

/*
 * The front's hash of a word of key k, len bytes and (past 16 bytes)
 * middle bytes mid[0..len - 16): head with tail rotated by an odd count
 * (a word of 8 bytes has head == tail, and x ^ rotl(x, 29) maps only two
 * values of x to one, where a rotation by 32 kept 32 bits), times one
 * odd constant, whose top bits are the hash (Fibonacci hashing: the slot
 * is the top log2(cap) bits, which depend on every bit of the product's
 * input, where its low bits depend only on the input's low bits).  The
 * length is left out: words that share head and tail but not their
 * length (abab, ababab) are rare and cost a probe, not a wrong answer.
 * On the 20 MB input a lookup takes 1.048 probes, 1.044 with two
 * multiplies and the length mixed in.
 *
 * The front's own hash rather than nc_hash64, which is the vocabulary's:
 * changing that one would move every uthash bucket.  Which words are in
 * the front does not depend on it (the first ones cached, while it is at
 * most half full), so neither does any output.
 */
static inline uint32_t front_hash(front_key k, size_t len, const char *mid)
{
    uint64_t x = k.head ^ (k.tail << 29 | k.tail >> 35);
    if (UNLIKELY(len > 16))
        x ^= nc_hash64(0, mid, len - 16);
    return (uint32_t)((x * 0x9e3779b97f4a7c15ull) >> 32);
}

/* a[0..n) == b[0..n), for the middle bytes of long words in the front:
 * inline, eight bytes a compare (nc_last_word), where the memcmp call
 * cost more than the compare (~2.5 % of classify in libc) and a byte
 * loop ~30 instructions a token. */
static inline int same_word(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i + 8 < n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y)
            return 0;
    }
    return nc_last_word((const unsigned char *)a, n) == nc_last_word((const unsigned char *)b, n);
}

/*
 * A zeroed front of cap slots, aligned to a cache line so that no slot
 * straddles two (calloc's large blocks start 16 bytes into a page; with
 * 32-byte slots, aligning took callgrind's LL misses on classify 5 MB,
 * 1 MiB LL, from 2.45 to 2.41 M); *mem is what to free.  The front starts
 * at FRONT_MIN slots and doubles as words come: a fixed 4 MiB front cost
 * a page fault for nearly every new word of a short input (the CLI on one
 * article, the fuzz harnesses a quarter of their speed).
 */
static front_slot *front_alloc(uint32_t cap, void **mem)
{
    *mem = nc_calloc((size_t)cap + 1, sizeof(front_slot));
    return *mem ? (front_slot *)(((uintptr_t)*mem + 63) & ~(uintptr_t)63) : NULL;
}

/* The first empty slot from hash h on, in a front of cap slots whose
 * shift is shift (never more than half full, so there is one). */
static front_slot *front_empty(front_slot *front, uint32_t cap, unsigned shift, uint32_t h)
{
    uint32_t j = h >> shift;
    while (front[j].stem)
        j = (j + 1) & (cap - 1);
    return &front[j];
}

/* Double the front, its words rehashed; 0 at FRONT_SLOTS or out of memory
 * (the front stays as it was). */
static int front_grow(nc_stemmer *s)
{
    if (s->front_cap >= FRONT_SLOTS)
        return 0;
    uint32_t ncap = s->front_cap * 2;
    void *mem;
    front_slot *nf = front_alloc(ncap, &mem);
    if (!nf)
        return 0;
    for (uint32_t i = 0; i < s->front_cap; i++) {
        const front_slot *e = &s->front[i];
        if (!e->stem)
            continue;
        front_key k = { e->head, e->tail };
        *front_empty(nf, ncap, s->front_shift - 1, front_hash(k, e->len, e->mid)) = *e;
    }
    nc_free(s->front_mem);
    s->front_mem = mem;
    s->front = nf;
    s->front_cap = ncap;
    s->front_shift--;
    return 1;
}

int nc_stemmer_known(const char *lang)
{
    if (strcmp(lang, "none") == 0)
        return 1;
    for (const char **l = sb_stemmer_list(); *l; l++)
        if (strcmp(*l, lang) == 0)
            return 1;
    return 0;
}

nc_status nc_stemmer_new(const char *lang, nc_stemmer **out)
{
    *out = NULL;
    if (!nc_stemmer_known(lang))
        return NC_ERR_STEMMER;
    nc_stemmer *s = nc_calloc(1, sizeof *s);
    if (!s)
        return NC_ERR_NOMEM;
    s->front = front_alloc(FRONT_MIN, &s->front_mem);
    s->front_cap = FRONT_MIN;
    s->front_shift = FRONT_MIN_SHIFT;
    if (!s->front || nc_vocab_new(&s->cache) != NC_OK) {
        nc_free(s->front_mem);
        nc_free(s);
        return NC_ERR_NOMEM;
    }
    if (strcmp(lang, "none") != 0) {
        s->sb = sb_stemmer_new(lang, NULL);
        if (!s->sb) { /* the name is known, so this was out of memory */
            nc_stemmer_free(s);
            return NC_ERR_NOMEM;
        }
    }
    s->limit = NC_STEM_CACHE_MAX;
    *out = s;
    return NC_OK;
}

void nc_stemmer_free(nc_stemmer *s)
{
    if (!s)
        return;
    if (s->sb)
        sb_stemmer_delete(s->sb);
    uint32_t n = s->cache ? nc_vocab_size(s->cache) : 0;
    for (uint32_t i = 0; i < n && s->stems; i++)
        nc_free(s->stems[i]);
    nc_free(s->stems);
    nc_free(s->stem_len);
    nc_free(s->aux);
    nc_vocab_free(s->cache);
    nc_free(s->front_mem);
    nc_free(s->scratch);
    nc_free(s);
}

/* Run libstemmer (or the identity) on word; result in libstemmer's buffer. */
static nc_status raw_stem(nc_stemmer *s, const char *word, size_t len, const char **out,
                          size_t *olen)
{
    if (!s->sb || len > INT32_MAX) {
        *out = word;
        *olen = len;
        return NC_OK;
    }
    const sb_symbol *r = sb_stemmer_stem(s->sb, (const sb_symbol *)word, (int)len);
    if (!r)
        return NC_ERR_NOMEM;
    *out = (const char *)r;
    *olen = (size_t)sb_stemmer_length(s->sb);
    return NC_OK;
}

/* Remember cached word id (word[0..len) of key k, 1 <= len <=
 * FRONT_WORD, hashed to where) in the front, in the empty slot f that its
 * lookup ended at unless the front must grow first to stay at most half
 * full; the slot, or NULL when the word stays out of the front. */
static front_slot *front_set(nc_stemmer *s, uint32_t where, front_slot *f, front_key k,
                             const char *word, size_t len, uint32_t id)
{
    if (s->stem_len[id] > UINT8_MAX)
        return NULL;
    if (s->nfront >= s->front_cap / 2) {
        if (!front_grow(s))
            return NULL;
        f = front_empty(s->front, s->front_cap, s->front_shift, where);
    }
    f->stem = s->stems[id] + WORD_PREFIX_LEN;
    f->id = id;
    f->head = k.head;
    f->tail = k.tail;
    f->len = (uint8_t)len;
    f->slen = (uint8_t)s->stem_len[id];
    if (len > 16)
        memcpy(f->mid, word + 8, len - 16);
    s->nfront++;
    return f;
}

/* Words of 1 .. FRONT_WORD bytes are looked up in the front (one compare:
 * len 0 wraps around). */
#define IN_FRONT(len) ((len) - 1 < FRONT_WORD)

uint32_t nc_stemmer_where(const nc_stemmer *s, const char *word, size_t len)
{
    if (!IN_FRONT(len))
        return 0; /* not looked up in the front */
    /* word + 8 only when it is in the word */
    uint32_t h = front_hash(front_key_of(word, len), len, len > 16 ? word + 8 : NULL);
    NC_PREFETCH(&s->front[h >> s->front_shift]);
    return h;
}

nc_status nc_stemmer_stem(nc_stemmer *s, const char *word, size_t len, const char **stem,
                          size_t *slen, uint32_t *word_id)
{
    uint32_t id;
    nc_word_aux *aux;
    /* the lookup reads NC_STEM_READ bytes from word: a shorter word is
     * copied into a buffer that has them (zeros after it) */
    char pad[NC_STEM_READ] = { 0 };
    if (len < NC_STEM_READ) {
        memcpy(pad, word, len);
        word = pad;
    }
    nc_status st = nc_stemmer_stem_aux(s, nc_stemmer_where(s, word, len), word, len, stem, slen,
                                       &id, &aux);
    if (word_id)
        *word_id = id;
    return st;
}

nc_status nc_stemmer_stem_aux(nc_stemmer *s, uint32_t where, const char *word, size_t len,
                              const char **stem, size_t *slen, uint32_t *word_id,
                              nc_word_aux **aux)
{
    uint32_t id;
    *word_id = NC_STEM_UNCACHED;
    *aux = NULL;
    front_slot *f = NULL; /* the empty slot where word goes in the front */
    front_key k = { 0, 0 };
    if (IN_FRONT(len)) {
        k = front_key_of(word, len);
        uint32_t j = where >> s->front_shift;
        for (;; j = (j + 1) & (s->front_cap - 1)) { /* ends: never more than half full */
            front_slot *e = &s->front[j];
            /* an empty slot has len 0, so it matches no word */
            if (e->head == k.head && e->tail == k.tail && e->len == len &&
                (len <= 16 || same_word(e->mid, word + 8, len - 16))) {
                *stem = e->stem;
                *slen = e->slen;
                *word_id = e->id;
                *aux = &e->aux;
                return NC_OK;
            }
            if (!e->stem) {
                f = e;
                break;
            }
        }
    }
    if (nc_vocab_find(s->cache, word, len, &id)) {
        /* cached, not in the front: it missed it when it was cached, and
         * words enter the front only then (so each has one aux) */
        *stem = s->stems[id] + WORD_PREFIX_LEN;
        *slen = s->stem_len[id];
        *word_id = id;
        *aux = &s->aux[id];
        return NC_OK;
    }
    const char *r;
    size_t rlen;
    nc_status st = raw_stem(s, word, len, &r, &rlen);
    if (st != NC_OK)
        return st;
    if (nc_vocab_size(s->cache) >= s->limit) {
        if (rlen + 1 > s->scratch_cap) {
            char *n = nc_realloc(s->scratch, rlen + 1);
            if (!n)
                return NC_ERR_NOMEM;
            s->scratch = n;
            s->scratch_cap = rlen + 1;
        }
        memcpy(s->scratch, r, rlen);
        s->scratch[rlen] = '\0';
        *stem = s->scratch;
        *slen = rlen;
        return NC_OK;
    }
    /* Make room in the parallel arrays first, then copy, then insert: a
     * failure at any step leaves the cache as it was. */
    uint32_t n = nc_vocab_size(s->cache);
    if (n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        char **ns = nc_reallocarray(s->stems, ncap, sizeof *ns);
        if (!ns)
            return NC_ERR_NOMEM;
        s->stems = ns;
        size_t *nl = nc_reallocarray(s->stem_len, ncap, sizeof *nl);
        if (!nl)
            return NC_ERR_NOMEM;
        s->stem_len = nl;
        nc_word_aux *na = nc_reallocarray(s->aux, ncap, sizeof *na);
        if (!na)
            return NC_ERR_NOMEM;
        s->aux = na;
        s->cap = ncap;
    }
    if (rlen > SIZE_MAX - WORD_PREFIX_LEN - 1)
        return NC_ERR_NOMEM;
    char *copy = nc_malloc(WORD_PREFIX_LEN + rlen + 1);
    if (!copy)
        return NC_ERR_NOMEM;
    memcpy(copy, WORD_PREFIX, WORD_PREFIX_LEN);
    memcpy(copy + WORD_PREFIX_LEN, r, rlen);
    copy[WORD_PREFIX_LEN + rlen] = '\0';
    st = nc_vocab_intern(s->cache, word, len, &id, NULL);
    if (st != NC_OK) {
        nc_free(copy);
        return st;
    }
    s->stems[id] = copy;
    s->stem_len[id] = rlen;
    s->aux[id] = (nc_word_aux){ 0, 0, 0 };
    front_slot *in = f ? front_set(s, where, f, k, word, len, id) : NULL;
    *aux = in ? &in->aux : &s->aux[id];
    *stem = copy + WORD_PREFIX_LEN;
    *slen = rlen;
    *word_id = id;
    return NC_OK;
}

const char *nc_stemmer_word_key(const nc_stemmer *s, uint32_t id, size_t *len)
{
    *len = WORD_PREFIX_LEN + s->stem_len[id];
    return s->stems[id];
}

void nc_stemmer_set_limit(nc_stemmer *s, uint32_t max)
{
    s->limit = max < NC_STEM_CACHE_MAX ? max : NC_STEM_CACHE_MAX;
}
