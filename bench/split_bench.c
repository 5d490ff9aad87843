/*
 * split_bench.c - throughput of the sentence splitter, driven by
 * bench/split-bench.  Reads the whole file into memory first (so disk I/O
 * is not measured), then feeds it to one nc_splitter in 64 KiB chunks,
 * draining sentences after each chunk as a streaming caller would, and
 * prints "<MB/s> <sentences> <bytes>" on one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "newsclass.h"

#define CHUNK 65536

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: split_bench FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);

    nc_splitter *sp;
    if (nc_splitter_new(&sp) != NC_OK)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t sentences = 0, textbytes = 0;
    nc_sentence s;
    for (long off = 0; off < n; off += CHUNK) {
        size_t k = (size_t)(n - off < CHUNK ? n - off : CHUNK);
        if (nc_splitter_feed(sp, buf + off, k) != NC_OK)
            return 1;
        while (nc_splitter_next(sp, &s)) {
            sentences++;
            textbytes += s.len;
        }
    }
    nc_splitter_finish(sp);
    while (nc_splitter_next(sp, &s)) {
        sentences++;
        textbytes += s.len;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%.1f %llu %llu\n", (double)n / 1e6 / secs, (unsigned long long)sentences,
           (unsigned long long)textbytes);
    nc_splitter_free(sp);
    free(buf);
    return 0;
}
