/*
 * common.h - what every internal module of libnewsclass shares: the
 * allocation hook's entry points, the diagnostic helpers and a few small
 * utilities.  Not installed; programs use newsclass.h only.
 *
 * Every allocation in pipeline/ goes through nc_malloc/nc_realloc/nc_free so
 * that tests can swap the hook for a leak checker or fail the Nth
 * allocation (tests/alloc_fail.h).  There is no #define malloc anywhere.
 */
#ifndef NC_COMMON_H
#define NC_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "newsclass.h"

#define NC_INTERNAL __attribute__((visibility("hidden")))

/*
 * NC_PREFETCH(p): ask for the cache line of p ahead of its use (a hint:
 * no effect on results).  The hot loops find a table entry whose address
 * they know well before they read it; starting the loads early overlaps
 * their cache misses.  A no-op without the GCC/clang builtin.
 */
#if defined(__GNUC__) || defined(__clang__)
#define NC_PREFETCH(p) __builtin_prefetch(p)
#else
#define NC_PREFETCH(p) ((void)(p))
#endif

/* Allocate n bytes, or NULL.  n == 0 allocates one byte so NULL means failure. */
void *nc_malloc(size_t n);
/* Allocate n*size zeroed bytes, NULL on failure or overflow. */
void *nc_calloc(size_t n, size_t size);
/* Resize p to n bytes (n > 0); NULL on failure, p then still valid. */
void *nc_realloc(void *p, size_t n);
/* Resize an array of n elements of size bytes, checking n*size for overflow. */
void *nc_reallocarray(void *p, size_t n, size_t size);
/*
 * Grow array p of *cap elements of size bytes so that index i fits: the
 * capacity doubles from *cap (from first when *cap is 0; first > 0) and
 * the new elements are zero.  Returns the array (p itself when i < *cap),
 * or NULL with p and *cap unchanged when memory runs out.
 */
void *nc_grow_zeroed(void *p, size_t *cap, size_t i, size_t size, size_t first);
/* Free p; NULL does nothing. */
void nc_free(void *p);
/* A NUL-terminated copy of s[0..len), or NULL. */
char *nc_strndup(const char *s, size_t len);

/*
 * Fill diag (which may be NULL) with file, line and a printf-style message,
 * and return status, so an error site is one line:
 *     return nc_diag_set(diag, NC_ERR_FORMAT, path, lineno, "missing tab");
 */
nc_status nc_diag_set(nc_diag *diag, nc_status status, const char *file, unsigned long line,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Little-endian fixed-width helpers for the model format and digests. */
static inline void nc_put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}
static inline uint32_t nc_get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void nc_put_u64(unsigned char *p, uint64_t v)
{
    nc_put_u32(p, (uint32_t)v);
    nc_put_u32(p + 4, (uint32_t)(v >> 32));
}
static inline uint64_t nc_get_u64(const unsigned char *p)
{
    return (uint64_t)nc_get_u32(p) | (uint64_t)nc_get_u32(p + 4) << 32;
}

/* CRC-32 (IEEE 802.3, as zlib's crc32) of len bytes, continuing from crc (start with 0). */
uint32_t nc_crc32(uint32_t crc, const void *data, size_t len);

/* 64-bit FNV-1a, continuing from h (start with NC_FNV_INIT); used for digests. */
#define NC_FNV_INIT 0xcbf29ce484222325ull
uint64_t nc_fnv1a(uint64_t h, const void *data, size_t len);
/*
 * A fast 64-bit hash of len bytes and len itself, continuing from h: 8
 * bytes at a time, multiply-xorshift.  Its values depend on the host's
 * byte order, so it is for in-memory use only (never in a file or an
 * output); nc_fnv1a is the portable digest.
 */
/*
 * nc_hash64: FNV-1a takes a multiply per byte, one after another (about 4
 * cycles a byte); this takes one per 8 bytes.  The length goes in first so
 * that consecutive fields need no separators; the last 1-7 bytes are read
 * with fixed-size loads (overlapping ones) rather than a variable-length
 * memcpy, which is a library call.  Inline: the vocabulary hashes every
 * key it looks up with it.
 */
static inline uint64_t nc_hash_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

/*
 * The last word nc_hash64 mixes for p[0..len): its last 8 bytes when len
 * >= 8 (overlapping the words before), else all its bytes packed (for a
 * given len < 8, different bytes give different words).  Two strings of
 * the same length are equal exactly when their 8-byte words below
 * len - 8 and their last words are (same_word in stem.c).
 */
static inline uint64_t nc_last_word(const unsigned char *p, size_t len)
{
    uint64_t w;
    uint32_t a, b;
    if (len >= 8) {
        memcpy(&w, p + len - 8, 8);
        return w;
    }
    if (len >= 4) {
        memcpy(&a, p, 4);
        memcpy(&b, p + len - 4, 4);
        return (uint64_t)a | (uint64_t)b << 32;
    }
    return len ? (uint64_t)p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16 : 0;
}

static inline uint64_t nc_hash64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    h = nc_hash_mix(h, (uint64_t)len * 0x9e3779b97f4a7c15ull);
    for (size_t i = 0; i + 8 < len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = nc_hash_mix(h, w);
    }
    h = nc_hash_mix(h, nc_last_word(p, len));
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 32);
}

#endif
