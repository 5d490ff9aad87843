/*
 * alloc.c - the one allocation hook of libnewsclass, and the small
 * utilities every module shares (diagnostics, checksums, status strings).
 *
 * The hook is process-wide, like sqlite3_config(SQLITE_CONFIG_MALLOC): a
 * program or a test sets it once before creating handles.  The default is
 * realloc/free.  Tests install a counting hook that fails the Nth
 * allocation to prove that every allocation site fails cleanly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void *default_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static nc_alloc_fn alloc_fn = default_alloc;
static void *alloc_ud;

void nc_set_allocator(nc_alloc_fn fn, void *ud)
{
    alloc_fn = fn ? fn : default_alloc;
    alloc_ud = fn ? ud : NULL;
}

void *nc_malloc(size_t n)
{
    return alloc_fn(alloc_ud, NULL, n ? n : 1);
}

void *nc_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    void *p = nc_malloc(bytes);
    if (p && bytes)
        memset(p, 0, bytes);
    return p;
}

void *nc_realloc(void *p, size_t n)
{
    return alloc_fn(alloc_ud, p, n ? n : 1);
}

void *nc_reallocarray(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return nc_realloc(p, n * size);
}

void nc_free(void *p)
{
    if (p)
        alloc_fn(alloc_ud, p, 0);
}

char *nc_strndup(const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = nc_malloc(len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

nc_status nc_diag_set(nc_diag *diag, nc_status status, const char *file, unsigned long line,
                      const char *fmt, ...)
{
    if (!diag)
        return status;
    snprintf(diag->file, sizeof diag->file, "%s", file ? file : "");
    diag->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
    return status;
}

const char *nc_strerror(nc_status s)
{
    switch (s) {
    case NC_OK: return "success";
    case NC_ERR_NOMEM: return "out of memory";
    case NC_ERR_IO: return "input/output error";
    case NC_ERR_FORMAT: return "malformed input";
    case NC_ERR_CHECKSUM: return "checksum mismatch (damaged or truncated file)";
    case NC_ERR_VERSION: return "unsupported format version";
    case NC_ERR_LABEL: return "unknown or invalid label";
    case NC_ERR_INCOMPATIBLE: return "incompatible models or settings";
    case NC_ERR_RANGE: return "count out of range";
    case NC_ERR_ARG: return "invalid argument";
    case NC_ERR_STEMMER: return "no stemmer for that language";
    case NC_ERR_INTERRUPTED: return "interrupted";
    case NC_ERR_EMPTY: return "nothing to work on";
    }
    return "unknown status";
}

/* Table-driven CRC-32, built on first use (the table is 1 KiB of constants). */
static uint32_t crc_table[256];
static int crc_ready;

uint32_t nc_crc32(uint32_t crc, const void *data, size_t len)
{
    if (!crc_ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            crc_table[i] = c;
        }
        crc_ready = 1;
    }
    const unsigned char *p = data;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

uint64_t nc_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len--) {
        h ^= *p++;
        h *= 0x100000001b3ull;
    }
    return h;
}
