/*
 * vocab.h - string interning: a byte string <-> dense 32-bit id table.
 *
 * The model's feature vocabulary, its label set and the stem cache are all
 * vocabularies.  Keys are copied into storage that never moves while the
 * table lives, and ids are dense (0, 1, 2, ... in insertion order), so
 * callers index plain arrays by id and may keep key pointers.
 */
#ifndef NC_VOCAB_H
#define NC_VOCAB_H

#include "common.h"

typedef struct nc_vocab nc_vocab;

nc_status nc_vocab_new(nc_vocab **out);
/* Free the table and its keys; NULL does nothing. */
void nc_vocab_free(nc_vocab *v);
/*
 * The id of key[0..len) in *id, inserting a copy when absent (then *added,
 * if not NULL, is 1).
 * NC_ERR_NOMEM leaves the table unchanged (ids, keys and lookups).
 */
nc_status nc_vocab_intern(nc_vocab *v, const char *key, size_t len, uint32_t *id, int *added);
/*
 * Insert key[0..len), which the caller knows is absent (a model file's
 * strictly increasing keys), without looking it up first; its id in *id.
 * Appending a key that is already present corrupts the table.
 * NC_ERR_NOMEM leaves the table unchanged.
 */
nc_status nc_vocab_append(nc_vocab *v, const char *key, size_t len, uint32_t *id);
/*
 * Make room for n more keys: the id index now, the hash buckets (one per
 * key) with the next insert, and, when key_bytes is not 0, pool space for
 * n keys of key_bytes bytes in all, so that interning that many allocates
 * nothing more (model load knows n, not key_bytes).  NC_ERR_NOMEM leaves
 * the table as it was; a failure to grow the buckets later only leaves
 * them smaller.
 */
nc_status nc_vocab_reserve(nc_vocab *v, uint32_t n, size_t key_bytes);
/* 1 and the id in *id when key is present, else 0. */
int nc_vocab_find(const nc_vocab *v, const char *key, size_t len, uint32_t *id);
uint32_t nc_vocab_size(const nc_vocab *v);
/* The key of id (NUL-terminated, owned by the table); id must be < size. */
const char *nc_vocab_key(const nc_vocab *v, uint32_t id, size_t *len);
/* Bytes the table holds (keys, entries and buckets), for benchmarks. */
size_t nc_vocab_bytes(const nc_vocab *v);

#endif
