/*
 * bench/load_bench.c - how long nc_model_load_default takes.
 *
 * usage: load-bench [RUNS [MODEL]]
 * Loads (and frees) the built-in default model, or the model file MODEL,
 * RUNS times (default 51)
 * and prints the median and the minimum wall time in milliseconds, as
 * "load_ms median MIN min MIN": bench/run reads the median.  Built by
 * bench/run against the static library, outside the project's CMake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "newsclass.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 51;
    if (runs < 1 || runs > 10000)
        runs = 51;
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        return 1;
    for (int i = 0; i < runs; i++) {
        nc_model *m = NULL;
        double t0 = now_ms();
        nc_status st = argc > 2 ? nc_model_load(argv[2], &m, NULL)
                                : nc_model_load_default(&m, NULL);
        t[i] = now_ms() - t0;
        if (st != NC_OK) {
            fprintf(stderr, "load-bench: %s\n", nc_strerror(st));
            return 1;
        }
        nc_model_free(m);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("load_ms median %.3f min %.3f\n", t[runs / 2], t[0]);
    free(t);
    return 0;
}
