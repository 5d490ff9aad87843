/*
 * vocab.c - string interning on uthash (see vocab.h).
 *
 * This is the only file that includes uthash.h.  uthash is pointed at the
 * library's allocation hook and built with HASH_NONFATAL_OOM, so a failed
 * bucket expansion rolls the insert back instead of calling exit(); the
 * caller sees NC_ERR_NOMEM and the table stays as it was.
 *
 * Entries (the uthash handle, the id and the key inline) are carved from
 * pooled chunks (doubling up to 64 KiB), so interning allocates about once
 * per 64 KiB of keys, not once per key, and entries never move while in the table (uthash keeps
 * pointers to them).  An array of entry pointers by id gives id -> key.
 *
 * Two things on top of plain uthash, both for speed only (no output
 * depends on them): our own hash function (vocab_hash), and buckets kept
 * at least as many as keys (grow_buckets), so a probe of a large table
 * touches about one entry; the model loader inserts its known-new keys
 * without a lookup (nc_vocab_append).
 */
#include <string.h>

#include "vocab.h"

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) nc_malloc(sz)
#define uthash_free(ptr, sz) nc_free(ptr)
/* Set on a failed allocation inside HASH_ADD; checked right after. */
#define uthash_nonfatal_oom(obj) (oom_flag = 1)
/* Our own hash (see vocab_hash) instead of uthash's Jenkins hash. */
#define HASH_FUNCTION(keyptr, keylen, hashv) ((hashv) = vocab_hash((keyptr), (keylen)))
#include "uthash.h"

#define POOL_CHUNK (64u * 1024u)
/* grow_buckets stops here: uthash counts buckets in an unsigned int. */
#define MAX_BUCKETS (1u << 30)

/*
 * The bucket hash: nc_hash64 (common.h; 8 bytes at a time, never a
 * variable-length memcpy, which is a library call: with one, this hash
 * made classify 12 % slower than uthash's Jenkins hash).  uthash takes the
 * bucket from the low bits, which nc_hash64's final fold mixes from all of
 * them.  Nothing depends on the hash but speed: ids, keys and every output
 * are independent of the bucket layout (nothing iterates the table).
 */
static inline unsigned vocab_hash(const void *key, size_t len)
{
    return (unsigned)nc_hash64(0, key, len);
}

typedef struct entry {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t len;
    char key[]; /* len bytes + NUL */
} entry;

/* A chunk of entries; chunks are chained and freed with the table. */
typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
} chunk;

struct nc_vocab {
    entry *head;      /* uthash table */
    entry **by_id;    /* [id] -> entry */
    uint32_t n, cap;
    chunk *pool;      /* current chunk first */
    size_t pool_bytes;
    unsigned want_buckets; /* nc_vocab_reserve's bucket count, applied by add_hashed */
    int no_grow;           /* a bucket expansion failed: leave them to uthash */
};

nc_status nc_vocab_new(nc_vocab **out)
{
    *out = nc_calloc(1, sizeof **out);
    return *out ? NC_OK : NC_ERR_NOMEM;
}

void nc_vocab_free(nc_vocab *v)
{
    if (!v)
        return;
    HASH_CLEAR(hh, v->head);
    for (chunk *c = v->pool, *next; c; c = next) {
        next = c->next;
        nc_free(c);
    }
    nc_free(v->by_id);
    nc_free(v);
}

/* The entry of key (hash hv), or NULL. */
static entry *find_hashed(const nc_vocab *v, const char *key, size_t len, unsigned hv)
{
    entry *e = NULL;
    HASH_FIND_BYHASHVALUE(hh, v->head, key, (unsigned)len, hv, e);
    return e;
}

int nc_vocab_find(const nc_vocab *v, const char *key, size_t len, uint32_t *id)
{
    if (len > UINT32_MAX || !v->head)
        return 0;
    entry *e = find_hashed(v, key, len, vocab_hash(key, len));
    if (!e)
        return 0;
    *id = e->id;
    return 1;
}

/* Room for need more bytes in the pool (a new chunk of at least min_size). */
static nc_status pool_room(nc_vocab *v, size_t need, size_t min_size)
{
    if (v->pool && v->pool->size - v->pool->used >= need)
        return NC_OK;
    /* Chunks double from 512 bytes to POOL_CHUNK, so a tiny vocabulary
     * (or a tiny hostile model file) allocates little. */
    size_t grow = v->pool ? v->pool->size * 2 : 512;
    if (grow > POOL_CHUNK)
        grow = POOL_CHUNK;
    size_t size = min_size > need ? min_size : need;
    if (size < grow)
        size = grow;
    chunk *c = nc_malloc(sizeof *c + size);
    if (!c)
        return NC_ERR_NOMEM;
    c->next = v->pool;
    c->size = size;
    c->used = 0;
    v->pool = c;
    v->pool_bytes += sizeof *c + size;
    return NC_OK;
}

static size_t entry_size(size_t len)
{
    return (sizeof(entry) + len + 1 + 15) & ~(size_t)15;
}

static nc_status grow_ids(nc_vocab *v, uint32_t want)
{
    if (want <= v->cap)
        return NC_OK;
    entry **nb = nc_reallocarray(v->by_id, want, sizeof *nb);
    if (!nb)
        return NC_ERR_NOMEM;
    v->by_id = nb;
    v->cap = want;
    return NC_OK;
}

nc_status nc_vocab_reserve(nc_vocab *v, uint32_t n, size_t key_bytes)
{
    if (n > UINT32_MAX - v->n)
        return NC_ERR_RANGE;
    nc_status st = grow_ids(v, v->n + n);
    if (st != NC_OK)
        return st;
    /* Buckets for v->n + n keys at the load grow_buckets keeps; uthash
     * would otherwise double its bucket array about ten times on the way
     * to 34k keys, each time walking every chain (a cache miss per key). */
    uint64_t want = (uint64_t)v->n + n;
    unsigned b = 32; /* HASH_INITIAL_NUM_BUCKETS */
    while (b < want && b < MAX_BUCKETS)
        b *= 2;
    v->want_buckets = b;
    /* Entries for n keys of key_bytes in all, rounded as entry_size does. */
    size_t bytes = (size_t)n * (sizeof(entry) + 16) + key_bytes;
    return n && key_bytes ? pool_room(v, bytes, 0) : NC_OK;
}

/*
 * Keep the average chain at most 1: double the buckets when the keys
 * outnumber them, and at once up to v->want_buckets (a reserve,
 * applied after the insert that made the table: uthash makes it with 32).
 * uthash alone doubles only when one chain reaches 10 keys, which leaves
 * average chains of 1.5-3; every extra entry on a chain is a cache miss on
 * a large table (the stem cache probed once per token in training, the
 * feature table once per bigram in classify).  Only an optimisation: on
 * allocation failure the table stays as it is, valid, and is not grown
 * again by this policy.  Measured against a limit of 1/2 and of 2 (train
 * 100 MB, classify 10 MB, load): 1/2 costs load time (a 2 MB bucket array
 * for the default model) for no gain, 2 leaves train slower; 1 keeps load
 * as it was and takes ~12 % off train.
 */
static void grow_buckets(nc_vocab *v)
{
    UT_hash_table *tbl = v->head->hh.tbl;
    while (!v->no_grow && tbl->num_buckets < MAX_BUCKETS &&
           (tbl->num_buckets < v->want_buckets || tbl->num_items > tbl->num_buckets)) {
        int oomed = 0;
        HASH_EXPAND_BUCKETS(hh, tbl, oomed);
        if (oomed)
            v->no_grow = 1;
    }
    v->want_buckets = 0;
}

/*
 * Insert key (hash hv), known to be absent.  NC_ERR_NOMEM or NC_ERR_RANGE
 * leave the table unchanged.
 */
static nc_status add_hashed(nc_vocab *v, const char *key, size_t len, unsigned hv, uint32_t *id)
{
    if (len >= UINT32_MAX || v->n == UINT32_MAX)
        return NC_ERR_RANGE;
    if (v->n == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 64;
        if (ncap < v->cap)
            ncap = UINT32_MAX;
        nc_status st = grow_ids(v, ncap);
        if (st != NC_OK)
            return st;
    }
    size_t es = entry_size(len);
    nc_status st = pool_room(v, es, 0);
    if (st != NC_OK)
        return st;
    entry *e = (entry *)(void *)(v->pool->data + v->pool->used);
    memset(&e->hh, 0, sizeof e->hh);
    e->id = v->n;
    e->len = (uint32_t)len;
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    int oom_flag = 0;
    HASH_ADD_BYHASHVALUE(hh, v->head, key, (unsigned)len, hv, e);
    if (oom_flag) /* uthash has unlinked e; the pool space is simply not taken */
        return NC_ERR_NOMEM;
    v->pool->used += es;
    v->by_id[v->n++] = e;
    *id = e->id;
    grow_buckets(v);
    return NC_OK;
}

nc_status nc_vocab_intern(nc_vocab *v, const char *key, size_t len, uint32_t *id, int *added)
{
    if (added)
        *added = 0;
    if (len >= UINT32_MAX)
        return NC_ERR_RANGE;
    /* One hash for the lookup and the insert. */
    unsigned hv = vocab_hash(key, len);
    entry *e = v->head ? find_hashed(v, key, len, hv) : NULL;
    if (e) {
        *id = e->id;
        return NC_OK;
    }
    nc_status st = add_hashed(v, key, len, hv, id);
    if (st == NC_OK && added)
        *added = 1;
    return st;
}

nc_status nc_vocab_append(nc_vocab *v, const char *key, size_t len, uint32_t *id)
{
    return add_hashed(v, key, len, vocab_hash(key, len), id);
}

uint32_t nc_vocab_size(const nc_vocab *v)
{
    return v->n;
}

const char *nc_vocab_key(const nc_vocab *v, uint32_t id, size_t *len)
{
    if (len)
        *len = v->by_id[id]->len;
    return v->by_id[id]->key;
}

size_t nc_vocab_bytes(const nc_vocab *v)
{
    size_t buckets = v->head ? v->head->hh.tbl->num_buckets * sizeof(UT_hash_bucket) : 0;
    return sizeof *v + v->pool_bytes + (size_t)v->cap * sizeof(entry *) + buckets;
}
