/*
 * vocab.c - string interning in an open-addressing hash table (see vocab.h).
 *
 * Why not uthash any more: the stem cache and the feature lookups of the
 * scorer probe a vocabulary for every token, and uthash's chained buckets
 * (one malloc'ed entry per key, Jenkins hash byte by byte, a pointer chase
 * per probe) made nc_vocab_find the single hottest function of classify
 * (27 % of the time, bench/PERF.md).  Here:
 *   - slots are a flat power-of-two array of (key, hash, id + 1) probed
 *     linearly, load factor <= 1/2, so a miss or a hit touches one or two
 *     cache lines and compares the full key only when the 32-bit hashes
 *     agree;
 *   - the hash reads the key 8 bytes at a time (a multiply-xorshift mix);
 *   - keys are copied, each after its 32-bit length, into pool chunks
 *     (up to 64 KiB) that never move, so key
 *     pointers stay valid for the table's life, with no malloc per key;
 *   - intern hashes once: the probe that misses gives the free slot.
 * Allocation failures leave the table as it was: every allocation an
 * insert needs (entry array, slot array, pool chunk) is made before
 * anything visible changes.
 */
#include <string.h>

#include "vocab.h"

/* Key storage grows geometrically from POOL_MIN to POOL_CHUNK bytes a
 * chunk (or the key's size), so a tiny vocabulary allocates little. */
#define POOL_MIN 256u
#define POOL_CHUNK 65536u
#define MIN_SLOTS 64u

/* A slot points at its key, so a probe touches the slot and the key (with
 * its length just before it) and nothing else: two cache misses at most
 * for a table far larger than the cache (training's features). */
typedef struct slot {
    const char *key; /* in a pool chunk, after its uint32_t length */
    uint32_t hash;   /* 32 bits of the key's hash */
    uint32_t id1;    /* id + 1; 0 = empty */
} slot;

typedef struct entry {
    const char *key; /* in a pool chunk, NUL-terminated */
    uint32_t len;
    uint32_t hash;
} entry;

typedef struct pool_chunk {
    struct pool_chunk *next;
    size_t size, used;
    char data[];
} pool_chunk;

struct nc_vocab {
    slot *slots;      /* [mask + 1], NULL while empty */
    uint32_t mask;
    entry *by_id;     /* [cap] */
    uint32_t n, cap;
    pool_chunk *pool; /* newest chunk first */
    size_t key_bytes; /* bytes of key text (with NULs), for nc_vocab_bytes */
    size_t pool_bytes;
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
    pool_chunk *c = v->pool;
    while (c) {
        pool_chunk *next = c->next;
        nc_free(c);
        c = next;
    }
    nc_free(v->slots);
    nc_free(v->by_id);
    nc_free(v);
}

/* A fast, well-mixed hash of short strings, 8 bytes per step. */
static uint32_t hash_key(const char *p, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)len * 0xff51afd7ed558ccdull);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, p, len);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    }
    h ^= h >> 29;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 32;
    return (uint32_t)h;
}

/*
 * The slot of key (hash h): where it is, or the empty slot that ends its
 * probe sequence.  v->slots must not be NULL.
 */
static uint32_t probe(const nc_vocab *v, const char *key, uint32_t len, uint32_t h)
{
    uint32_t i = h & v->mask;
    for (;;) {
        const slot *s = &v->slots[i];
        if (s->id1 == 0)
            return i;
        if (s->hash == h) {
            uint32_t klen;
            memcpy(&klen, s->key - sizeof klen, sizeof klen);
            if (klen == len && memcmp(s->key, key, len) == 0)
                return i;
        }
        i = (i + 1) & v->mask;
    }
}

int nc_vocab_find(const nc_vocab *v, const char *key, size_t len, uint32_t *id)
{
    if (!v->slots || len >= UINT32_MAX)
        return 0;
    uint32_t h = hash_key(key, len);
    const slot *s = &v->slots[probe(v, key, (uint32_t)len, h)];
    if (s->id1 == 0)
        return 0;
    *id = s->id1 - 1;
    return 1;
}

/* Rebuild the slot array with nslots slots (a power of two > 2 * n). */
static nc_status rehash(nc_vocab *v, uint32_t nslots)
{
    slot *ns = nc_calloc(nslots, sizeof *ns);
    if (!ns)
        return NC_ERR_NOMEM;
    uint32_t mask = nslots - 1;
    for (uint32_t id = 0; id < v->n; id++) {
        uint32_t i = v->by_id[id].hash & mask;
        while (ns[i].id1)
            i = (i + 1) & mask;
        ns[i] = (slot){ v->by_id[id].key, v->by_id[id].hash, id + 1 };
    }
    nc_free(v->slots);
    v->slots = ns;
    v->mask = mask;
    return NC_OK;
}

/* Entry and slot room for n keys in all. */
static nc_status make_room(nc_vocab *v, uint32_t n)
{
    if (n > v->cap) {
        uint32_t ncap = v->cap ? v->cap : 64;
        while (ncap < n)
            ncap = ncap > UINT32_MAX / 2 ? UINT32_MAX : ncap * 2;
        entry *ne = nc_reallocarray(v->by_id, ncap, sizeof *ne);
        if (!ne)
            return NC_ERR_NOMEM;
        v->by_id = ne;
        v->cap = ncap;
    }
    uint32_t nslots = v->slots ? v->mask + 1 : 0;
    if ((uint64_t)n * 2 >= nslots) {
        uint64_t want = MIN_SLOTS;
        while (want <= (uint64_t)n * 2)
            want *= 2;
        if (want > UINT32_MAX)
            return NC_ERR_RANGE;
        return rehash(v, (uint32_t)want);
    }
    return NC_OK;
}

/* Pool bytes of a key: its length, its bytes and a NUL, rounded up so the
 * next length stays aligned. */
static size_t key_room(size_t len)
{
    return (sizeof(uint32_t) + len + 1 + 3) & ~(size_t)3;
}

/* Pool room for need bytes: a new chunk when the newest one is full. */
static nc_status pool_room(nc_vocab *v, size_t need)
{
    if (v->pool && v->pool->size - v->pool->used >= need)
        return NC_OK;
    size_t size = v->pool_bytes < POOL_MIN ? POOL_MIN : v->pool_bytes;
    if (size > POOL_CHUNK)
        size = POOL_CHUNK;
    if (size < need)
        size = need;
    if (size > SIZE_MAX - sizeof(pool_chunk))
        return NC_ERR_NOMEM;
    pool_chunk *c = nc_malloc(sizeof *c + size);
    if (!c)
        return NC_ERR_NOMEM;
    c->next = v->pool;
    c->size = size;
    c->used = 0;
    v->pool = c;
    v->pool_bytes += sizeof *c + size;
    return NC_OK;
}

nc_status nc_vocab_reserve(nc_vocab *v, uint32_t n, size_t key_bytes)
{
    nc_status st = make_room(v, n);
    if (st == NC_OK && key_bytes) /* + length, NUL and padding of each */
        st = pool_room(v, key_bytes + (size_t)n * (sizeof(uint32_t) + 4));
    return st;
}

nc_status nc_vocab_intern(nc_vocab *v, const char *key, size_t len, uint32_t *id, int *added)
{
    if (added)
        *added = 0;
    if (len >= UINT32_MAX)
        return NC_ERR_RANGE;
    uint32_t h = hash_key(key, len);
    uint32_t i = 0;
    if (v->slots) {
        i = probe(v, key, (uint32_t)len, h);
        if (v->slots[i].id1) {
            *id = v->slots[i].id1 - 1;
            return NC_OK;
        }
    }
    if (v->n == UINT32_MAX - 1)
        return NC_ERR_RANGE;
    uint32_t nslots = v->slots ? v->mask + 1 : 0;
    int regrow = (uint64_t)(v->n + 1) * 2 >= nslots;
    nc_status st = make_room(v, v->n + 1);
    size_t need = key_room(len);
    if (st == NC_OK)
        st = pool_room(v, need);
    if (st != NC_OK)
        return st;
    if (regrow) /* the slots moved: find the free slot again */
        i = probe(v, key, (uint32_t)len, h);
    pool_chunk *c = v->pool;
    uint32_t len32 = (uint32_t)len;
    memcpy(c->data + c->used, &len32, sizeof len32);
    char *k = c->data + c->used + sizeof len32;
    memcpy(k, key, len);
    k[len] = '\0';
    c->used += need;
    v->by_id[v->n] = (entry){ k, len32, h };
    v->slots[i] = (slot){ k, h, v->n + 1 };
    *id = v->n++;
    v->key_bytes += len + 1;
    if (added)
        *added = 1;
    return NC_OK;
}

uint32_t nc_vocab_size(const nc_vocab *v)
{
    return v->n;
}

const char *nc_vocab_key(const nc_vocab *v, uint32_t id, size_t *len)
{
    if (len)
        *len = v->by_id[id].len;
    return v->by_id[id].key;
}

size_t nc_vocab_bytes(const nc_vocab *v)
{
    size_t slots = v->slots ? ((size_t)v->mask + 1) * sizeof(slot) : 0;
    return sizeof *v + v->pool_bytes + (size_t)v->cap * sizeof(entry) + slots;
}
