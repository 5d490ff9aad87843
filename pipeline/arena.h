/*
 * arena.h - a per-document bump allocator.
 *
 * Sentences, tokens and feature keys of one document live in an arena and
 * die together when the document is done (nc_arena_reset), as in
 * bogofilter's per-message chunk allocator: no per-token malloc/free on the
 * hot path.  Chunks come from the library's allocation hook; reset folds
 * them into one chunk for the next document so steady state allocates
 * nothing.
 */
#ifndef NC_ARENA_H
#define NC_ARENA_H

#include "common.h"

typedef struct nc_arena_chunk nc_arena_chunk;

typedef struct nc_arena {
    nc_arena_chunk *head; /* current chunk; older ones chained behind it */
    size_t used;          /* bytes used in head */
    size_t total;         /* bytes held in all chunks */
} nc_arena;

/* An empty arena (no allocation until the first nc_arena_alloc). */
void nc_arena_init(nc_arena *a);
/* n bytes aligned for any scalar type, or NULL on allocation failure. */
void *nc_arena_alloc(nc_arena *a, size_t n);
/* A NUL-terminated copy of s[0..len) in the arena, or NULL. */
char *nc_arena_strndup(nc_arena *a, const char *s, size_t len);
/* Forget everything allocated; keeps one chunk (as large as all were) for reuse. */
void nc_arena_reset(nc_arena *a);
/* Free all chunks. */
void nc_arena_free(nc_arena *a);

#endif
