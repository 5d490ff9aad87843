/*
 * alloc_fail.c - the counting, failure-injecting allocator of the tests
 * (see alloc_fail.h).  Each block carries a small header with its size so
 * realloc can be emulated on top of malloc and live blocks counted.
 */
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"

static unsigned long calls, fail_at;
static int fail_sticky, failed;
static long live;

static void *af_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        if (ptr) {
            live--;
            free(ptr);
        }
        return NULL;
    }
    calls++;
    if (fail_at && (calls == fail_at || (fail_sticky && calls > fail_at))) {
        failed = 1;
        return NULL;
    }
    if (!ptr) {
        void *p = malloc(size);
        if (p)
            live++;
        return p;
    }
    return realloc(ptr, size);
}

void af_install(void)
{
    calls = fail_at = 0;
    fail_sticky = failed = 0;
    live = 0;
    nc_set_allocator(af_alloc, NULL);
}

void af_uninstall(void)
{
    nc_set_allocator(NULL, NULL);
}

void af_fail_at(unsigned long n, int sticky)
{
    calls = 0;
    fail_at = n;
    fail_sticky = sticky;
    failed = 0;
}

unsigned long af_calls(void)
{
    return calls;
}

long af_live(void)
{
    return live;
}

int af_failed(void)
{
    return failed;
}

unsigned long af_loop(nc_status (*fn)(void *arg), void *arg, int sticky, unsigned long *bad)
{
    *bad = 0;
    unsigned long n;
    for (n = 1;; n++) {
        long before = live;
        af_fail_at(n, sticky);
        nc_status st = fn(arg);
        int injected = failed;
        af_fail_at(0, 0);
        if (live != before || (st != NC_OK && st != NC_ERR_NOMEM)) {
            if (!*bad)
                *bad = n;
        }
        if (!injected)
            break;
    }
    return n - 1;
}
