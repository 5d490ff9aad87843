/*
 * alloc_fail.h - a test allocator for the library's allocation hook.
 *
 * It counts allocations, keeps the number of live blocks (a leak is a
 * non-zero count after every handle is freed), and can fail the Nth
 * allocation once or from then on.  The loop in af_loop() is SQLite's
 * malloc-failure test: fail the 1st, 2nd, ... allocation until the call
 * under test succeeds without hitting a failure, and check each time that
 * it returned NC_ERR_NOMEM (or survived) and leaked nothing.
 */
#ifndef NC_ALLOC_FAIL_H
#define NC_ALLOC_FAIL_H

#include <stddef.h>

#include "newsclass.h"

/* Install the counting allocator and reset its counters. */
void af_install(void);
/* Restore the library's default allocator. */
void af_uninstall(void);
/* Fail allocation number n (1-based) and, if sticky, every one after; 0 = never. */
void af_fail_at(unsigned long n, int sticky);
/* Allocations attempted since af_install/af_fail_at. */
unsigned long af_calls(void);
/* Blocks allocated and not yet freed. */
long af_live(void);
/* Whether a failure was injected since af_fail_at. */
int af_failed(void);

/*
 * Run fn(arg) with the Nth allocation failing, for N = 1, 2, ... until a
 * run injects no failure.  fn returns the status of the operation and must
 * free everything it made.  Returns the number of allocation sites
 * exercised; *bad is set to the first N whose run leaked or returned a
 * status other than NC_OK / NC_ERR_NOMEM (0 when none).
 */
unsigned long af_loop(nc_status (*fn)(void *arg), void *arg, int sticky, unsigned long *bad);

#endif
