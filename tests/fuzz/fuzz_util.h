/*
 * fuzz_util.h - what the libFuzzer harnesses of tests/fuzz/ share: the
 * entry points every harness defines, an invariant check that aborts (so
 * libFuzzer and the replay driver both report it as a finding, with the
 * input), a strict UTF-8 validator to check the library's output, a
 * scratch directory on a tmpfs for the readers that need files, and the
 * small model the text harness classifies with.  Header-only (static
 * functions), included by each harness once.
 */
#ifndef NC_FUZZ_UTIL_H
#define NC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "newsclass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* An invariant of the library's contract; a violation is a finding. */
#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* 1 when s[0..len) is valid UTF-8 (shortest form, no surrogates, <= U+10FFFF). */
static inline int fuzz_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + len;
    while (p < e) {
        unsigned c = *p;
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if ((size_t)(e - p) <= n)
            return 0;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* A diag after a failure names something: a message, NUL-terminated. */
static inline void fuzz_check_diag(const nc_diag *d)
{
    FUZZ_CHECK(memchr(d->message, '\0', sizeof d->message) != NULL);
    FUZZ_CHECK(memchr(d->file, '\0', sizeof d->file) != NULL);
    FUZZ_CHECK(d->message[0] != '\0');
}

/*
 * A private scratch directory, on /dev/shm when there is one (the readers
 * open files; a tmpfs keeps a run in microseconds).  Created once per
 * process and removed at exit.
 */
static char fuzz_dir[256];

static inline void fuzz_rmdir(void)
{
    char cmd[300];
    if (fuzz_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", fuzz_dir);
    }
}

static inline const char *fuzz_scratch(void)
{
    if (!fuzz_dir[0]) {
        struct stat sb;
        const char *base = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir, sizeof fuzz_dir, "%s/nc_fuzz.XXXXXX", base);
        if (!mkdtemp(fuzz_dir)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fuzz_rmdir);
    }
    return fuzz_dir;
}

/* Write data to dir/name (truncating); the path goes to out. */
static inline void fuzz_write(const char *name, const void *data, size_t len, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", fuzz_scratch(), name);
    FILE *f = fopen(out, "wb");
    if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
        perror(out);
        abort();
    }
}

#endif
