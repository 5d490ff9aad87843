/*
 * vocab.c - string interning on uthash (see vocab.h).
 *
 * This is the only file that includes uthash.h.  uthash is pointed at the
 * library's allocation hook and built with HASH_NONFATAL_OOM, so a failed
 * bucket expansion rolls the insert back instead of calling exit(); the
 * caller sees NC_ERR_NOMEM and the table stays as it was.  Entries are
 * allocated one by one with the key inline, so keys never move while in
 * the table; an array of entry pointers indexed by id gives id -> key.
 */
#include <string.h>

#include "vocab.h"

#define HASH_NONFATAL_OOM 1
#define uthash_malloc(sz) nc_malloc(sz)
#define uthash_free(ptr, sz) nc_free(ptr)
/* Set on a failed allocation inside HASH_ADD; checked right after. */
#define uthash_nonfatal_oom(obj) (oom_flag = 1)
#include "uthash.h"

typedef struct entry {
    UT_hash_handle hh;
    uint32_t id;
    uint32_t len;
    char key[]; /* len bytes + NUL */
} entry;

struct nc_vocab {
    entry *head;      /* uthash table */
    entry **by_id;    /* [id] -> entry */
    uint32_t n, cap;
    size_t key_bytes; /* sum of entry sizes, for nc_vocab_bytes */
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
    for (uint32_t i = 0; i < v->n; i++)
        nc_free(v->by_id[i]);
    nc_free(v->by_id);
    nc_free(v);
}

int nc_vocab_find(const nc_vocab *v, const char *key, size_t len, uint32_t *id)
{
    entry *e = NULL;
    if (len > UINT32_MAX)
        return 0;
    HASH_FIND(hh, v->head, key, (unsigned)len, e);
    if (!e)
        return 0;
    *id = e->id;
    return 1;
}

nc_status nc_vocab_intern(nc_vocab *v, const char *key, size_t len, uint32_t *id, int *added)
{
    if (added)
        *added = 0;
    if (nc_vocab_find(v, key, len, id))
        return NC_OK;
    if (len >= UINT32_MAX || v->n == UINT32_MAX)
        return NC_ERR_RANGE;
    if (v->n == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 64;
        if (ncap < v->cap)
            ncap = UINT32_MAX;
        entry **nb = nc_reallocarray(v->by_id, ncap, sizeof *nb);
        if (!nb)
            return NC_ERR_NOMEM;
        v->by_id = nb;
        v->cap = ncap;
    }
    entry *e = nc_malloc(sizeof *e + len + 1);
    if (!e)
        return NC_ERR_NOMEM;
    memset(&e->hh, 0, sizeof e->hh);
    e->id = v->n;
    e->len = (uint32_t)len;
    memcpy(e->key, key, len);
    e->key[len] = '\0';
    int oom_flag = 0;
    HASH_ADD(hh, v->head, key, (unsigned)len, e);
    if (oom_flag) {
        /* uthash has already unlinked e; the table is as before. */
        nc_free(e);
        return NC_ERR_NOMEM;
    }
    v->by_id[v->n++] = e;
    v->key_bytes += sizeof *e + len + 1;
    *id = e->id;
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
        *len = v->by_id[id]->len;
    return v->by_id[id]->key;
}

size_t nc_vocab_bytes(const nc_vocab *v)
{
    size_t buckets = v->head ? v->head->hh.tbl->num_buckets * sizeof(UT_hash_bucket) : 0;
    return sizeof *v + v->key_bytes + (size_t)v->cap * sizeof(entry *) + buckets;
}
