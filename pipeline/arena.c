/*
 * arena.c - the per-document bump allocator (see arena.h).
 *
 * Chunks grow geometrically from 16 KiB so a document of any size needs a
 * logarithmic number of allocations; a request larger than half a chunk
 * gets a chunk of its own size.  Reset folds the chunks into one (see
 * nc_arena_reset).
 */
#include <string.h>

#include "arena.h"

#define ARENA_MIN_CHUNK 16384u
#define ARENA_ALIGN 16u

struct nc_arena_chunk {
    nc_arena_chunk *next;
    size_t size; /* usable bytes in data */
    _Alignas(16) unsigned char data[];
};

void nc_arena_init(nc_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

void *nc_arena_alloc(nc_arena *a, size_t n)
{
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < n)
        return NULL;
    if (!a->head || a->head->size - a->used < need) {
        size_t size = a->head ? a->head->size * 2 : ARENA_MIN_CHUNK;
        if (size < need)
            size = need;
        if (size > SIZE_MAX - sizeof(nc_arena_chunk))
            return NULL;
        nc_arena_chunk *c = nc_malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = a->head;
        c->size = size;
        a->head = c;
        a->used = 0;
        a->total += size;
    }
    void *p = a->head->data + a->used;
    a->used += need;
    return p;
}

char *nc_arena_strndup(nc_arena *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = nc_arena_alloc(a, len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/*
 * Reset.  When the document needed several chunks, they are folded into
 * one chunk as large as all of them together, so the next document of
 * the same size bump-allocates from a single chunk and the steady state
 * allocates (and page-faults) nothing.  Keeping only the largest chunk, as
 * this did before, made every document of a long run allocate and touch a
 * fresh chunk (glibc serves them with mmap and unmaps them on free): 20 %
 * of classify's time went to page faults (bench/PERF.md).  If the larger
 * chunk cannot be had, the largest one is kept as before.
 */
void nc_arena_reset(nc_arena *a)
{
    if (!a->head)
        return;
    size_t total = a->total;
    nc_arena_chunk *c = a->head->next;
    while (c) {
        nc_arena_chunk *next = c->next;
        nc_free(c);
        c = next;
    }
    a->head->next = NULL;
    if (total > a->head->size && total <= SIZE_MAX - sizeof(nc_arena_chunk)) {
        nc_arena_chunk *big = nc_realloc(a->head, sizeof *big + total);
        if (big) {
            big->size = total;
            a->head = big;
        }
    }
    a->used = 0;
    a->total = a->head->size;
}

void nc_arena_free(nc_arena *a)
{
    nc_arena_chunk *c = a->head;
    while (c) {
        nc_arena_chunk *next = c->next;
        nc_free(c);
        c = next;
    }
    nc_arena_init(a);
}
