/*
 * test_model_io.c - the model file format (pipeline/model_io.c) under
 * normal use and under hostile input.
 *
 * The format promises three things, and each has its tests here:
 *  - canonical bytes: a round trip reproduces the file exactly, and the
 *    same counts inserted in another order give the same file;
 *  - safe loading: every truncation and every single-bit flip of a
 *    reference file is rejected, and crafted files that carry a correct CRC
 *    but lie (absurd counts and lengths, disorder, overflow) are rejected
 *    without allocating more than the file size justifies;
 *  - atomic saving: a failed save (missing directory, a target that is a
 *    directory, a file-size limit standing in for a full disk) leaves the
 *    old file byte for byte and no temporary behind.
 * Every allocation goes through the counting allocator of alloc_fail.h, so
 * each test also checks that nothing leaked, and the malloc-failure loop
 * runs over loading, serializing and saving.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "model.h"
#include "options.h"

/* ------------------------------------------------------------------------ */
/* The reference model                                                       */
/* ------------------------------------------------------------------------ */

/* Three labels, given out of byte order on purpose. */
static const char *const ref_labels[] = { "official_statement", "analysis", "incident" };
#define NREF_LABELS 3

/* ~50 features with shared prefixes (front coding), cues and bigrams. */
static const char *const ref_features[] = {
    "w:attack", "w:attacker", "w:attacks", "w:said", "w:say", "w:says", "w:minist",
    "w:ministri", "w:ministeri", "w:report", "w:reportedli", "w:explos", "w:kill",
    "w:kilomet", "w:polic", "w:polici", "w:offici", "w:offic", "w:statement", "w:state",
    "w:analyst", "w:analysi", "w:trend", "w:year", "w:yesterday", "w:\xc3\xa9t\xc3\xa9",
    "w:caf\xc3\xa9", "w:a", "w:b", "b:polic_said", "b:said_that", "b:the_minist",
    "b:we_will", "c:quote", "c:report_verb", "c:modal", "c:number", "c:date", "c:first_person",
    "p:first", "p:last", "p:para_start", "x:prev_quote", "x:next_quote", "w:zebra", "w:zero",
    "w:zeroth", "w:\x7f", "w:~", "w:!",
};
#define NREF_FEATURES (sizeof ref_features / sizeof ref_features[0])

/* A count that depends only on the names, so any insertion order gives
 * the same model: many zeros, small values, and a few huge ones. */
static uint64_t ref_count(const char *feat, const char *label)
{
    uint64_t h = nc_fnv1a(nc_fnv1a(NC_FNV_INIT, feat, strlen(feat)), label, strlen(label));
    switch (h % 7) {
    case 0:
    case 1:
    case 2: return 0;
    case 3: return 1;
    case 4: return h >> 58;                 /* up to 63 */
    case 5: return (h >> 40) & 0xffff;      /* multi-byte varints */
    default: return ((uint64_t)1 << 40) + (h >> 60);
    }
}

static uint64_t ref_trans(const char *from, const char *to)
{
    uint64_t h = nc_fnv1a(nc_fnv1a(7, from, strlen(from)), to, strlen(to));
    return h % 3 == 0 ? 0 : h % 1000;
}

/*
 * Build the reference model.  order selects the insertion order: 0 labels
 * then features forward, 1 features in reverse then labels in reverse (so
 * label widening copies existing counts), 2 interleaved.
 */
static nc_model *build_ref(int order)
{
    nc_model *m;
    assert_int_equal(nc_model_new_empty(NULL, &m), NC_OK);
    uint32_t id;
    size_t nf = NREF_FEATURES;
    if (order == 0)
        for (size_t i = 0; i < NREF_LABELS; i++)
            assert_int_equal(nc_model_add_label(m, ref_labels[i], strlen(ref_labels[i]), &id), NC_OK);
    for (size_t k = 0; k < nf; k++) {
        size_t i = order == 1 ? nf - 1 - k : k;
        assert_int_equal(nc_model_add_feature(m, ref_features[i], strlen(ref_features[i]), &id),
                         NC_OK);
        if (order == 2 && k < NREF_LABELS)
            assert_int_equal(nc_model_add_label(m, ref_labels[NREF_LABELS - 1 - k],
                                                strlen(ref_labels[NREF_LABELS - 1 - k]), &id),
                             NC_OK);
    }
    if (order == 1)
        for (size_t i = NREF_LABELS; i-- > 0;)
            assert_int_equal(nc_model_add_label(m, ref_labels[i], strlen(ref_labels[i]), &id), NC_OK);
    uint32_t nl = m->nlabels;
    for (uint32_t f = 0; f < m->nfeatures; f++)
        for (uint32_t l = 0; l < nl; l++)
            m->counts[(size_t)f * nl + l] =
                ref_count(nc_vocab_key(m->features, f, NULL), nc_vocab_key(m->labels, l, NULL));
    for (uint32_t l = 0; l < nl; l++) {
        const char *ln = nc_vocab_key(m->labels, l, NULL);
        m->label_sents[l] = 100 + strlen(ln);
        for (uint32_t t = 0; t < nl; t++)
            m->trans[(size_t)l * nl + t] = ref_trans(ln, nc_vocab_key(m->labels, t, NULL));
        m->trans[(size_t)nl * nl + l] = ref_trans("<start>", ln);
    }
    m->ndocs = 42;
    memcpy(m->corpus_digest, "0123456789abcdef", 17);
    m->opt.alpha = 0.25;
    m->opt.bigrams = 1;
    assert_int_equal(nc_model_prepare(m), NC_OK);
    return m;
}

static uint32_t label_id(const nc_model *m, const char *name)
{
    uint32_t id = UINT32_MAX;
    assert_true(nc_vocab_find(m->labels, name, strlen(name), &id));
    return id;
}

/* Equal by names: same labels, features, counts, transitions, settings. */
static void assert_models_equal(const nc_model *a, const nc_model *b)
{
    assert_int_equal(a->nlabels, b->nlabels);
    assert_int_equal(a->nfeatures, b->nfeatures);
    assert_int_equal(a->ndocs, b->ndocs);
    assert_string_equal(a->corpus_digest, b->corpus_digest);
    assert_true(nc_options_compatible(&a->opt, &b->opt));
    uint32_t nl = a->nlabels;
    for (uint32_t i = 0; i < nl; i++) {
        const char *ln = nc_vocab_key(a->labels, i, NULL);
        uint32_t j = label_id(b, ln);
        assert_int_equal(a->label_sents[i], b->label_sents[j]);
        for (uint32_t t = 0; t < nl; t++) {
            uint32_t u = label_id(b, nc_vocab_key(a->labels, t, NULL));
            assert_int_equal(a->trans[(size_t)i * nl + t], b->trans[(size_t)j * nl + u]);
        }
        assert_int_equal(a->trans[(size_t)nl * nl + i], b->trans[(size_t)nl * nl + j]);
    }
    for (uint32_t f = 0; f < a->nfeatures; f++) {
        size_t len;
        const char *fn = nc_vocab_key(a->features, f, &len);
        uint32_t g;
        assert_true(nc_vocab_find(b->features, fn, len, &g));
        for (uint32_t l = 0; l < nl; l++) {
            uint32_t k = label_id(b, nc_vocab_key(a->labels, l, NULL));
            assert_int_equal(a->counts[(size_t)f * nl + l], b->counts[(size_t)g * nl + k]);
        }
    }
}

/* The reference bytes, shared by the tests below (built once). */
static unsigned char *ref_bytes;
static size_t ref_len;

static int group_setup(void **state)
{
    (void)state;
    af_install();
    nc_model *m = build_ref(0);
    unsigned char *b;
    if (nc_model_to_bytes(m, &b, &ref_len) != NC_OK)
        return -1;
    /* A plain malloc copy, so no library block stays live between tests
     * (test_crafted swaps the hook and af_install resets the counters). */
    ref_bytes = malloc(ref_len);
    if (!ref_bytes)
        return -1;
    memcpy(ref_bytes, b, ref_len);
    nc_free(b);
    nc_model_free(m);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(ref_bytes);
    if (af_live() != 0) {
        fprintf(stderr, "leak: %ld blocks live at the end\n", af_live());
        return -1;
    }
    af_uninstall();
    return 0;
}

/* ------------------------------------------------------------------------ */
/* 1. Round trip and canonical bytes                                         */
/* ------------------------------------------------------------------------ */

static void test_round_trip(void **state)
{
    (void)state;
    long live = af_live();
    nc_model *a = build_ref(0);
    nc_model *b = NULL;
    nc_diag d;
    assert_int_equal(nc_model_load_mem(ref_bytes, ref_len, &b, &d), NC_OK);
    unsigned char *again;
    size_t again_len;
    assert_int_equal(nc_model_to_bytes(b, &again, &again_len), NC_OK);
    assert_int_equal(again_len, ref_len);
    assert_memory_equal(again, ref_bytes, ref_len);
    assert_models_equal(a, b);
    assert_models_equal(b, a);
    /* The loaded model has its ids in byte order. */
    assert_string_equal(nc_model_label(b, 0), "analysis");
    assert_string_equal(nc_model_label(b, 1), "incident");
    assert_string_equal(nc_model_label(b, 2), "official_statement");
    for (uint32_t f = 1; f < b->nfeatures; f++) {
        size_t la, lb;
        const char *x = nc_vocab_key(b->features, f - 1, &la);
        const char *y = nc_vocab_key(b->features, f, &lb);
        int c = memcmp(x, y, la < lb ? la : lb);
        assert_true(c < 0 || (c == 0 && la < lb));
    }
    assert_non_null(b->rows); /* prepared, ready to classify */
    nc_free(again);

    for (int order = 1; order <= 2; order++) {
        nc_model *c = build_ref(order);
        unsigned char *cb;
        size_t cl;
        assert_int_equal(nc_model_to_bytes(c, &cb, &cl), NC_OK);
        assert_int_equal(cl, ref_len);
        assert_memory_equal(cb, ref_bytes, ref_len);
        nc_free(cb);
        nc_model_free(c);
    }
    printf("reference model: %zu features, %zu bytes (%.1f bytes/feature)\n",
           (size_t)NREF_FEATURES, ref_len, (double)ref_len / (double)NREF_FEATURES);
    nc_model_free(a);
    nc_model_free(b);
    assert_int_equal(af_live(), live);
}

/* A model with nothing the writer can store is refused, not written. */
static void test_unwritable_models(void **state)
{
    (void)state;
    long live = af_live();
    nc_model *m;
    unsigned char *b;
    size_t n;
    uint32_t id;
    assert_int_equal(nc_model_new_empty(NULL, &m), NC_OK);
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_ERR_EMPTY);
    assert_null(b);
    assert_int_equal(nc_model_add_label(m, "bad\tlabel", 9, &id), NC_OK);
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_ERR_LABEL);
    nc_model_free(m);

    assert_int_equal(nc_model_new_empty(NULL, &m), NC_OK);
    assert_int_equal(nc_model_add_label(m, "a", 1, &id), NC_OK);
    assert_int_equal(nc_model_add_feature(m, "w:a\0b", 5, &id), NC_OK);
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_ERR_FORMAT);
    nc_model_free(m);

    assert_int_equal(nc_model_new_empty(NULL, &m), NC_OK);
    assert_int_equal(nc_model_add_label(m, "a", 1, &id), NC_OK);
    assert_int_equal(nc_model_add_feature(m, "w:a", 3, &id), NC_OK);
    assert_int_equal(nc_model_add_feature(m, "w:b", 3, &id), NC_OK);
    m->counts[0] = UINT64_MAX;
    m->counts[1] = 1; /* label 0 sums past 2^64 */
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_ERR_RANGE);
    m->counts[1] = 0;
    memcpy(m->corpus_digest, "xyz", 4);
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_ERR_FORMAT);
    m->corpus_digest[0] = '\0';
    /* A one-label model with no counts is fine and round-trips. */
    assert_int_equal(nc_model_to_bytes(m, &b, &n), NC_OK);
    nc_model *l;
    assert_int_equal(nc_model_load_mem(b, n, &l, NULL), NC_OK);
    assert_models_equal(m, l);
    nc_model_free(l);
    nc_free(b);
    nc_model_free(m);
    assert_int_equal(af_live(), live);
}

/* ------------------------------------------------------------------------ */
/* 2. Saving and loading files                                               */
/* ------------------------------------------------------------------------ */

static char tmpdir[256];

static void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test_model_io.XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(tmpdir));
}

/* Number of "*.tmp.*" leftovers in tmpdir. */
static int temp_leftovers(void)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void remove_tmpdir(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
        if (unlink(p) != 0)
            rmdir(p);
    }
    closedir(d);
    rmdir(tmpdir);
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *b = malloc(1 << 20);
    assert_non_null(b);
    *len = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

static void test_save_load(void **state)
{
    (void)state;
    long live = af_live();
    make_tmpdir();
    char path[512], other[512];
    snprintf(path, sizeof path, "%s/model.ncm", tmpdir);
    nc_model *m = build_ref(1), *l = NULL;
    nc_diag d;

    /* A new file: the reference bytes, with the umask's permissions. */
    mode_t um = umask(022);
    umask(um);
    assert_int_equal(nc_model_save(m, path, &d), NC_OK);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0666 & ~um);
    size_t n;
    unsigned char *f = slurp(path, &n);
    assert_int_equal(n, ref_len);
    assert_memory_equal(f, ref_bytes, n);
    free(f);
    assert_int_equal(nc_model_load(path, &l, &d), NC_OK);
    assert_models_equal(m, l);
    nc_model_free(l);

    /* Saving over a file keeps that file's mode. */
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(nc_model_save(m, path, &d), NC_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0640);
    assert_int_equal(temp_leftovers(), 0);

    /* Failures, each leaving the old file as it was and no temporary. */
    unsigned char *before = slurp(path, &n);
    size_t before_len = n;
    nc_model *big = build_ref(0);
    uint32_t id;
    assert_int_equal(nc_model_add_feature(big, "w:another_feature", 17, &id), NC_OK);

    /* (a) a directory that does not exist */
    snprintf(other, sizeof other, "%s/no/such/dir/model.ncm", tmpdir);
    assert_int_equal(nc_model_save(big, other, &d), NC_ERR_IO);
    assert_non_null(strstr(d.message, strerror(ENOENT)));
    assert_string_equal(d.file, other);
    assert_int_equal(d.line, 0);

    /* (b) the target is a directory: the rename fails after the write */
    snprintf(other, sizeof other, "%s/adir", tmpdir);
    assert_int_equal(mkdir(other, 0755), 0);
    assert_int_equal(nc_model_save(big, other, &d), NC_ERR_IO);
    assert_int_equal(temp_leftovers(), 0);

    /* (c) a full disk, played by RLIMIT_FSIZE: write() fails with EFBIG */
    struct rlimit old_lim, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_lim), 0);
    void (*old_sig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old_lim;
    lim.rlim_cur = 100;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    nc_status st = nc_model_save(big, path, &d);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_lim), 0);
    signal(SIGXFSZ, old_sig);
    assert_int_equal(st, NC_ERR_IO);
    assert_non_null(strstr(d.message, strerror(EFBIG)));
    assert_non_null(strstr(d.message, path));
    printf("save under a 100-byte file size limit: %s\n", d.message);
    f = slurp(path, &n);
    assert_int_equal(n, before_len);
    assert_memory_equal(f, before, n);
    assert_int_equal(temp_leftovers(), 0);
    free(f);
    free(before);

    /* Load errors: a missing file and a directory are I/O errors. */
    FILE *w;
    snprintf(other, sizeof other, "%s/missing.ncm", tmpdir);
    assert_int_equal(nc_model_load(other, &l, &d), NC_ERR_IO);
    assert_null(l);
    assert_non_null(strstr(d.message, strerror(ENOENT)));
    snprintf(other, sizeof other, "%s/adir", tmpdir);
    assert_int_equal(nc_model_load(other, &l, &d), NC_ERR_IO);
    /* A device that never ends is turned away at its header. */
    if (access("/dev/zero", R_OK) == 0) {
        assert_int_equal(nc_model_load("/dev/zero", &l, &d), NC_ERR_FORMAT);
        assert_non_null(strstr(d.message, "bad magic"));
    }
    /* A file shorter than the header is a truncation, an empty one no model. */
    snprintf(other, sizeof other, "%s/short.ncm", tmpdir);
    w = fopen(other, "wb");
    assert_non_null(w);
    fwrite(ref_bytes, 1, 20, w);
    fclose(w);
    assert_int_equal(nc_model_load(other, &l, &d), NC_ERR_CHECKSUM);
    w = fopen(other, "wb");
    assert_non_null(w);
    fclose(w);
    assert_int_equal(nc_model_load(other, &l, &d), NC_ERR_FORMAT);
    assert_non_null(strstr(d.message, "empty"));
    /* A damaged file on disk names the file. */
    w = fopen(path, "r+b");
    assert_non_null(w);
    fseek(w, 40, SEEK_SET);
    fputc(0x55 ^ ref_bytes[40], w);
    fclose(w);
    assert_int_equal(nc_model_load(path, &l, &d), NC_ERR_CHECKSUM);
    assert_string_equal(d.file, path);

    nc_model_free(big);
    nc_model_free(m);
    remove_tmpdir();
    assert_int_equal(af_live(), live);
}

/* ------------------------------------------------------------------------ */
/* 3. Every truncation, every bit flip                                       */
/* ------------------------------------------------------------------------ */

static void test_truncations_and_flips(void **state)
{
    (void)state;
    long live = af_live();
    nc_model *m;
    size_t ntrunc = 0, nflip = 0, okt = 0, okf = 0, by_status[16] = { 0 };
    for (size_t t = 0; t < ref_len; t++) {
        nc_status st = nc_model_load_mem(ref_bytes, t, &m, NULL);
        ntrunc++;
        okt += st != NC_OK && m == NULL;
        if (st == NC_OK)
            nc_model_free(m);
    }
    unsigned char *b = malloc(ref_len);
    assert_non_null(b);
    memcpy(b, ref_bytes, ref_len);
    for (size_t i = 0; i < ref_len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            nc_status st = nc_model_load_mem(b, ref_len, &m, NULL);
            b[i] ^= (unsigned char)(1u << bit);
            nflip++;
            okf += st != NC_OK && m == NULL;
            by_status[st < 16 ? st : 15]++;
            if (st == NC_OK)
                nc_model_free(m);
        }
    }
    free(b);
    printf("rejected %zu/%zu truncations, %zu/%zu bit flips\n", okt, ntrunc, okf, nflip);
    /* Flips in the magic or version are told apart; the rest fail the CRC. */
    printf("bit flips: %zu checksum, %zu format, %zu version, %zu other\n",
           by_status[NC_ERR_CHECKSUM], by_status[NC_ERR_FORMAT], by_status[NC_ERR_VERSION],
           nflip - by_status[NC_ERR_CHECKSUM] - by_status[NC_ERR_FORMAT] -
               by_status[NC_ERR_VERSION]);
    assert_int_equal(okt, ntrunc);
    assert_int_equal(okf, nflip);
    assert_int_equal(af_live(), live);
}

/*
 * Canonical form, checked from the reader's side: mutate the body after
 * the options text (1-4 random edits: flips, overwrites, deletions,
 * insertions), give it a valid length and CRC, and load.  Most mutants are
 * rejected; every one that loads must serialize back to exactly its own
 * bytes, i.e. the reader accepts one encoding per model and no other.
 * (The options text is left alone: it is the one field read leniently,
 * see models/FORMAT.md.)
 */
static void test_mutations_canonical(void **state)
{
    (void)state;
    long live = af_live();
    size_t body = 24, olen = 0; /* skip the header and the options text */
    unsigned sh = 0;
    unsigned char c8;
    do {
        c8 = ref_bytes[body++];
        olen |= (size_t)(c8 & 0x7f) << sh;
        sh += 7;
    } while (c8 & 0x80);
    body += olen;
    unsigned char *x = malloc(ref_len + 64);
    assert_non_null(x);
    uint64_t rng = 88172645463325252ull;
    size_t accepted = 0, iters = 20000;
    for (size_t it = 0; it < iters; it++) {
        size_t n = ref_len;
        memcpy(x, ref_bytes, n);
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        int edits = 1 + (int)(rng % 4);
        for (int e = 0; e < edits; e++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            size_t pos = body + (size_t)((rng >> 8) % (n - 4 - body));
            unsigned char byte = (unsigned char)(rng >> 40);
            switch ((rng >> 56) % 4) {
            case 0: x[pos] ^= (unsigned char)(1u << (byte % 8)); break;
            case 1: x[pos] = byte; break;
            case 2: memmove(x + pos, x + pos + 1, n - pos - 1); n--; break;
            default:
                if (n < ref_len + 60) {
                    memmove(x + pos + 1, x + pos, n - pos);
                    x[pos] = byte;
                    n++;
                }
            }
        }
        nc_put_u64(x + 16, n);
        nc_put_u32(x + n - 4, nc_crc32(0, x, n - 4));
        nc_model *m;
        if (nc_model_load_mem(x, n, &m, NULL) != NC_OK)
            continue;
        accepted++;
        unsigned char *c;
        size_t cl;
        assert_int_equal(nc_model_to_bytes(m, &c, &cl), NC_OK);
        if (cl != n || memcmp(c, x, n) != 0)
            fail_msg("mutant %zu loads but does not re-serialize to itself", it);
        nc_free(c);
        nc_model_free(m);
    }
    free(x);
    printf("%zu/%zu mutated files with a valid CRC loaded, each canonical\n", accepted, iters);
    assert_int_equal(af_live(), live);
}

/* ------------------------------------------------------------------------ */
/* 4. Crafted files with a valid CRC                                         */
/* ------------------------------------------------------------------------ */

/* A tiny assembler for model files, independent of model_io.c's writer. */
struct asm_buf {
    unsigned char b[16384];
    size_t n;
};

static void a_bytes(struct asm_buf *a, const void *p, size_t n)
{
    assert_true(a->n + n <= sizeof a->b);
    memcpy(a->b + a->n, p, n);
    a->n += n;
}

static void a_varint(struct asm_buf *a, uint64_t v)
{
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        if (v)
            c |= 0x80;
        a_bytes(a, &c, 1);
    } while (v);
}

static void a_header(struct asm_buf *a, uint32_t version, uint32_t flags)
{
    static const unsigned char mg[8] = { 0x89, 'N', 'C', 'M', '\r', '\n', 0x1a, '\n' };
    a->n = 0;
    a_bytes(a, mg, 8);
    unsigned char h[16];
    nc_put_u32(h, version);
    nc_put_u32(h + 4, flags);
    nc_put_u64(h + 8, 0); /* patched by a_finish */
    a_bytes(a, h, 16);
}

/* Patch the length and append the CRC: the file is then "valid" on the outside. */
static void a_finish(struct asm_buf *a)
{
    nc_put_u64(a->b + 16, a->n + 4);
    unsigned char c[4];
    nc_put_u32(c, nc_crc32(0, a->b, a->n));
    a_bytes(a, c, 4);
}

static void a_str(struct asm_buf *a, uint64_t prefix, const char *suffix)
{
    a_varint(a, prefix);
    a_varint(a, strlen(suffix));
    a_bytes(a, suffix, strlen(suffix));
}

/* A length-prefixed byte string (options text, digest). */
static void a_blob(struct asm_buf *a, const char *s, size_t n)
{
    a_varint(a, n);
    a_bytes(a, s, n);
}

static void a_options(struct asm_buf *a)
{
    static const char o[] = "alpha=1\nstemmer=english\n";
    a_varint(a, sizeof o - 1);
    a_bytes(a, o, sizeof o - 1);
}

/* Header, options, empty digest, ndocs 1, labels "a" "b", their counts and
 * transitions: everything before the feature count of a valid file. */
static void a_prefix(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 2);
    a_str(a, 0, "a");
    a_str(a, 0, "b");
    for (int i = 0; i < 2 + 6; i++)
        a_varint(a, (uint64_t)i);
}

/* Feature with (label, count) pairs given as delta-coded list. */
static void a_feature(struct asm_buf *a, uint64_t prefix, const char *suffix, int nnz,
                      uint64_t d0, uint64_t c0, uint64_t d1, uint64_t c1)
{
    a_str(a, prefix, suffix);
    a_varint(a, (uint64_t)nnz);
    if (nnz > 0) {
        a_varint(a, d0);
        a_varint(a, c0);
    }
    if (nnz > 1) {
        a_varint(a, d1);
        a_varint(a, c1);
    }
}

typedef void (*craft_fn)(struct asm_buf *a);

static void c_valid(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 3);
    a_feature(a, 0, "w:ab", 2, 0, 5, 0, 7);
    a_feature(a, 3, "c", 1, 1, 1, 0, 0);
    a_feature(a, 2, "x", 0, 0, 0, 0, 0);
}
static void c_nlabels_absurd(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, (uint64_t)1 << 40);
}
static void c_nlabels_too_many(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, NC_MAX_LABELS + 1);
    for (unsigned i = 0; i < 4000; i++)
        a_varint(a, 1);
}
static void c_nlabels_beyond_file(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 1000); /* needs a million transition bytes */
    for (unsigned i = 0; i < 1000; i++) {
        char s[8];
        snprintf(s, sizeof s, "%04u", i);
        a_str(a, 0, s);
    }
}
static void c_nlabels_zero(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 0);
    a_varint(a, 0);
}
static void c_options_len_huge(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_varint(a, (uint64_t)1 << 62);
    a_bytes(a, "alpha=1\n", 8);
}
static void c_label_len_huge(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 1);
    a_varint(a, 0);
    a_varint(a, UINT64_MAX);
    for (int i = 0; i < 16; i++)
        a_varint(a, 1);
}
static void c_feature_len_huge(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_varint(a, 0);
    a_varint(a, (uint64_t)1 << 31);
    a_bytes(a, "w:abcdef", 8);
}
static void c_features_absurd(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, (uint64_t)1 << 50);
    a_feature(a, 0, "w:a", 0, 0, 0, 0, 0);
}
static void c_features_just_too_many(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 3); /* 3 features need >= 12 bytes; 8 follow */
    a_feature(a, 0, "w:a", 1, 0, 9, 0, 0);
}
static void c_features_unsorted(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 2);
    a_feature(a, 0, "w:b", 1, 0, 1, 0, 0);
    a_feature(a, 2, "a", 1, 0, 1, 0, 0);
}
static void c_features_duplicate(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 2);
    a_feature(a, 0, "w:b", 1, 0, 1, 0, 0);
    a_feature(a, 3, "", 1, 0, 1, 0, 0);
}
static void c_features_short_prefix(struct asm_buf *a)
{
    /* "w:b" then "w:c" coded with prefix 1 + ":c": right order, not canonical */
    a_prefix(a);
    a_varint(a, 2);
    a_feature(a, 0, "w:b", 1, 0, 1, 0, 0);
    a_feature(a, 1, ":c", 1, 0, 1, 0, 0);
}
static void c_prefix_too_long(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 2);
    a_feature(a, 0, "w:b", 1, 0, 1, 0, 0);
    a_feature(a, 9, "c", 1, 0, 1, 0, 0);
}
static void c_label_duplicate(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 2);
    a_str(a, 0, "a");
    a_str(a, 0, "a");
    for (int i = 0; i < 8; i++)
        a_varint(a, 1);
    a_varint(a, 0);
}
static void c_label_control(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 1);
    a_str(a, 0, "a\nb");
    for (int i = 0; i < 3; i++)
        a_varint(a, 1);
    a_varint(a, 0);
}
static void c_feature_nul(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_varint(a, 0);
    a_varint(a, 3);
    a_bytes(a, "w\0x", 3);
    a_varint(a, 0);
}
static void c_version2(struct asm_buf *a)
{
    c_valid(a);
    nc_put_u32(a->b + 8, 2);
}
static void c_version2_stale_crc(struct asm_buf *a)
{
    c_valid(a);
    a_finish(a);
    nc_put_u32(a->b + 8, 2);
}
static void c_version0(struct asm_buf *a)
{
    c_valid(a);
    nc_put_u32(a->b + 8, 0);
}
static void c_flags(struct asm_buf *a)
{
    c_valid(a);
    nc_put_u32(a->b + 12, 1);
}
static void c_options_bad_value(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_blob(a, "alpha=abc\n", 10);
}
static void c_options_unknown_key(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_blob(a, "flavour=1\n", 10);
}
static void c_options_no_newline(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_blob(a, "alpha=1", 7);
}
static void c_options_nul(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_varint(a, 10);
    a_bytes(a, "alpha=1\0x\n", 10);
}
static void c_varint_overflow(struct asm_buf *a)
{
    a_prefix(a);
    static const unsigned char v[11] = { 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    a_bytes(a, v, sizeof v);
}
static void c_varint_bit64(struct asm_buf *a)
{
    a_prefix(a);
    static const unsigned char v[10] = { 0x80, 0x80, 0x80, 0x80, 0x80,
                                         0x80, 0x80, 0x80, 0x80, 0x02 };
    a_bytes(a, v, sizeof v);
}
static void c_varint_overlong(struct asm_buf *a)
{
    a_prefix(a);
    static const unsigned char v[2] = { 0x81, 0x00 }; /* 1 in two bytes */
    a_bytes(a, v, sizeof v);
    a_feature(a, 0, "w:a", 0, 0, 0, 0, 0);
}
static void c_zero_count(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_feature(a, 0, "w:a", 1, 0, 0, 0, 0);
}
static void c_label_delta_out(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_feature(a, 0, "w:a", 1, 2, 1, 0, 0); /* label 2 of 2 */
}
static void c_label_after_last(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_feature(a, 0, "w:a", 2, 1, 1, 0, 1); /* label 1, then one past it */
}
static void c_nnz_too_many(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 1);
    a_feature(a, 0, "w:a", 3, 0, 1, 0, 1);
    a_varint(a, 0);
    a_varint(a, 1);
}
static void c_count_sum_overflow(struct asm_buf *a)
{
    a_prefix(a);
    a_varint(a, 2);
    a_feature(a, 0, "w:a", 1, 0, (uint64_t)1 << 63, 0, 0);
    a_feature(a, 0, "x", 1, 0, (uint64_t)1 << 63, 0, 0);
}
static void c_sents_overflow(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 2);
    a_str(a, 0, "a");
    a_str(a, 0, "b");
    a_varint(a, UINT64_MAX);
    a_varint(a, 1);
    for (int i = 0; i < 6; i++)
        a_varint(a, 1);
    a_varint(a, 0);
}
static void c_trans_overflow(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_varint(a, 0);
    a_varint(a, 1);
    a_varint(a, 2);
    a_str(a, 0, "a");
    a_str(a, 0, "b");
    a_varint(a, 1);
    a_varint(a, 1);
    a_varint(a, UINT64_MAX);
    a_varint(a, UINT64_MAX);
    for (int i = 0; i < 4; i++)
        a_varint(a, 1);
    a_varint(a, 0);
}
static void c_trailing(struct asm_buf *a)
{
    c_valid(a);
    a_varint(a, 0);
}
static void c_digest_short(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_blob(a, "0123456789abcde", 15);
}
static void c_digest_nonhex(struct asm_buf *a)
{
    a_header(a, 1, 0);
    a_options(a);
    a_blob(a, "0123456789abcdeg", 16);
}
static void c_body_missing(struct asm_buf *a)
{
    a_header(a, 1, 0);
}

struct craft_case {
    const char *name;
    craft_fn fn;
    int finish; /* 1: patch length + CRC after fn */
    nc_status want;
    const char *msg; /* a part of the diagnostic, or NULL */
};

static const struct craft_case crafts[] = {
    { "valid (assembler sanity)", c_valid, 1, NC_OK, NULL },
    { "nlabels 2^40", c_nlabels_absurd, 1, NC_ERR_FORMAT, "label count" },
    { "nlabels 1025", c_nlabels_too_many, 1, NC_ERR_FORMAT, "label count" },
    { "nlabels beyond the file", c_nlabels_beyond_file, 1, NC_ERR_FORMAT, "label count" },
    { "nlabels 0", c_nlabels_zero, 1, NC_ERR_FORMAT, "without labels" },
    { "options length 2^62", c_options_len_huge, 1, NC_ERR_FORMAT, "options length" },
    { "label length 2^64-1", c_label_len_huge, 1, NC_ERR_FORMAT, "key length" },
    { "feature length 2^31", c_feature_len_huge, 1, NC_ERR_FORMAT, "key length" },
    { "nfeatures 2^50", c_features_absurd, 1, NC_ERR_FORMAT, "feature count" },
    { "nfeatures just too many", c_features_just_too_many, 1, NC_ERR_FORMAT, "feature count" },
    { "features unsorted", c_features_unsorted, 1, NC_ERR_FORMAT, "strictly increasing" },
    { "feature duplicate", c_features_duplicate, 1, NC_ERR_FORMAT, "strictly increasing" },
    { "feature prefix not longest", c_features_short_prefix, 1, NC_ERR_FORMAT, "strictly" },
    { "feature prefix beyond previous", c_prefix_too_long, 1, NC_ERR_FORMAT, "prefix" },
    { "label duplicate", c_label_duplicate, 1, NC_ERR_FORMAT, "strictly increasing" },
    { "label control char", c_label_control, 1, NC_ERR_FORMAT, "control" },
    { "feature with NUL", c_feature_nul, 1, NC_ERR_FORMAT, "NUL" },
    { "version 2", c_version2, 1, NC_ERR_VERSION, "version 2 is newer than this newsclass (1)" },
    { "version 2, CRC not updated", c_version2_stale_crc, 0, NC_ERR_VERSION, "version 2" },
    { "version 0", c_version0, 1, NC_ERR_FORMAT, "version 0" },
    { "flags 1", c_flags, 1, NC_ERR_FORMAT, "flags" },
    { "options bad value", c_options_bad_value, 1, NC_ERR_FORMAT, "options" },
    { "options unknown key", c_options_unknown_key, 1, NC_ERR_FORMAT, "options" },
    { "options without newline", c_options_no_newline, 1, NC_ERR_FORMAT, "options" },
    { "options with NUL", c_options_nul, 1, NC_ERR_FORMAT, "options" },
    { "varint 11 bytes", c_varint_overflow, 1, NC_ERR_FORMAT, "overflowing" },
    { "varint bit 64", c_varint_bit64, 1, NC_ERR_FORMAT, "overflowing" },
    { "varint overlong", c_varint_overlong, 1, NC_ERR_FORMAT, "non-minimal" },
    { "zero count listed", c_zero_count, 1, NC_ERR_FORMAT, "zero count" },
    { "label delta out of range", c_label_delta_out, 1, NC_ERR_FORMAT, "label delta" },
    { "count after the last label", c_label_after_last, 1, NC_ERR_FORMAT, "more counts" },
    { "more counts than labels", c_nnz_too_many, 1, NC_ERR_FORMAT, "non-zero count" },
    { "feature counts overflow", c_count_sum_overflow, 1, NC_ERR_FORMAT, "overflowing" },
    { "sentence counts overflow", c_sents_overflow, 1, NC_ERR_FORMAT, "overflowing" },
    { "transition counts overflow", c_trans_overflow, 1, NC_ERR_FORMAT, "overflowing" },
    { "trailing bytes", c_trailing, 1, NC_ERR_FORMAT, "after the last feature" },
    { "digest 15 chars", c_digest_short, 1, NC_ERR_FORMAT, "digest" },
    { "digest not hex", c_digest_nonhex, 1, NC_ERR_FORMAT, "digest" },
    { "header only", c_body_missing, 1, NC_ERR_FORMAT, "truncated varint" },
};

/* An allocator hook that remembers the largest single request. */
static size_t max_request;
static long tracker_live;
static void *tracking_alloc(void *ud, void *ptr, size_t size)
{
    (void)ud;
    if (size == 0) {
        if (ptr)
            tracker_live--;
        free(ptr);
        return NULL;
    }
    if (size > max_request)
        max_request = size;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        tracker_live++;
    return p;
}

static void test_crafted(void **state)
{
    (void)state;
    static struct asm_buf a;
    nc_set_allocator(tracking_alloc, NULL);
    for (size_t i = 0; i < sizeof crafts / sizeof crafts[0]; i++) {
        const struct craft_case *c = &crafts[i];
        memset(&a, 0, sizeof a);
        c->fn(&a);
        if (c->finish)
            a_finish(&a);
        max_request = 0;
        tracker_live = 0;
        nc_model *m = NULL;
        nc_diag d;
        memset(&d, 0, sizeof d);
        nc_status st = nc_model_load_mem(a.b, a.n, &m, &d);
        printf("  %-32s %5zu bytes -> %-22s max alloc %6zu  %s\n", c->name, a.n,
               nc_strerror(st), max_request, st == NC_OK ? "" : d.message);
        if (st != c->want)
            fail_msg("%s: status %d (%s), want %d", c->name, st, d.message, c->want);
        if (st == NC_OK) {
            assert_int_equal(m->nlabels, 2);
            assert_int_equal(m->nfeatures, 3);
            nc_model_free(m);
        } else {
            assert_null(m);
            assert_string_equal(d.file, "<memory>");
            assert_int_equal(d.line, 0);
            if (c->msg && !strstr(d.message, c->msg))
                fail_msg("%s: message '%s' lacks '%s'", c->name, d.message, c->msg);
        }
        /* Fixed overhead (hash buckets, vocab index) plus a small multiple of the file. */
        if (max_request > 4096 + 8 * a.n)
            fail_msg("%s: allocated %zu bytes for a %zu-byte file", c->name, max_request, a.n);
        assert_int_equal(tracker_live, 0);
    }
}

/* Back to the counting allocator (counters at zero), even after a failure. */
static int restore_af(void **state)
{
    (void)state;
    af_install();
    return 0;
}

/* ------------------------------------------------------------------------ */
/* 5. Allocation failures                                                    */
/* ------------------------------------------------------------------------ */

static nc_status run_load_mem(void *arg)
{
    (void)arg;
    nc_model *m;
    nc_status st = nc_model_load_mem(ref_bytes, ref_len, &m, NULL);
    if (st == NC_OK)
        nc_model_free(m);
    else if (m)
        return NC_ERR_ARG; /* a failed load must leave *out NULL */
    return st;
}

static nc_status run_to_bytes(void *arg)
{
    unsigned char *b;
    size_t n;
    nc_status st = nc_model_to_bytes(arg, &b, &n);
    if (st == NC_OK) {
        if (n != ref_len || memcmp(b, ref_bytes, n) != 0)
            st = NC_ERR_FORMAT;
        nc_free(b);
    }
    return st;
}

static char loop_path[512];

static nc_status run_save(void *arg)
{
    nc_status st = nc_model_save(arg, loop_path, NULL);
    if (temp_leftovers() != 0)
        return NC_ERR_IO;
    return st;
}

static nc_status run_load_file(void *arg)
{
    (void)arg;
    nc_model *m;
    nc_status st = nc_model_load(loop_path, &m, NULL);
    if (st == NC_OK)
        nc_model_free(m);
    return st;
}

static void test_alloc_failures(void **state)
{
    (void)state;
    unsigned long bad, n;
    n = af_loop(run_load_mem, NULL, 0, &bad);
    assert_int_equal(bad, 0);
    printf("load_mem: %lu allocation sites failed cleanly\n", n);
    unsigned long n2 = af_loop(run_load_mem, NULL, 1, &bad);
    assert_int_equal(bad, 0);
    assert_int_equal(n2, n);

    nc_model *m = build_ref(2);
    n = af_loop(run_to_bytes, m, 0, &bad);
    assert_int_equal(bad, 0);
    printf("to_bytes: %lu allocation sites failed cleanly\n", n);

    make_tmpdir();
    snprintf(loop_path, sizeof loop_path, "%s/loop.ncm", tmpdir);
    n = af_loop(run_save, m, 0, &bad);
    assert_int_equal(bad, 0);
    printf("save: %lu allocation sites failed cleanly\n", n);
    n = af_loop(run_load_file, NULL, 0, &bad);
    assert_int_equal(bad, 0);
    printf("load (file): %lu allocation sites failed cleanly\n", n);
    remove_tmpdir();
    nc_model_free(m);
}

/* ------------------------------------------------------------------------ */
/* 6. Foreign files, empty input, the built-in model                         */
/* ------------------------------------------------------------------------ */

struct foreign_case {
    const char *name;
    const unsigned char *bytes;
    size_t len;
    nc_status want;
    const char *msg;
};

static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                     'I', 'H', 'D', 'R', 0, 0, 1, 0, 0, 0, 1, 0, 8, 6, 0, 0,
                                     0, 0x5c, 0x72, 0xa8, 0x66 };
/* fastText: int32 magic 793712314, int32 version 12, then the args. */
static const unsigned char fasttext[] = { 0xba, 0x16, 0x4f, 0x2f, 12, 0, 0, 0, 100, 0, 0, 0,
                                          5, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0,
                                          0, 0, 0, 0 };
static const unsigned char text[] = "alpha=1\nstemmer=english\n";
static const unsigned char partial_magic[] = { 0x89, 'N', 'C' };

static const struct foreign_case foreign[] = {
    { "PNG header", png, sizeof png, NC_ERR_FORMAT, "not a newsclass model (bad magic)" },
    { "fastText header", fasttext, sizeof fasttext, NC_ERR_FORMAT, "bad magic" },
    { "options text", text, sizeof text - 1, NC_ERR_FORMAT, "bad magic" },
    { "one byte", png + 1, 1, NC_ERR_FORMAT, "bad magic" },
    { "empty", png, 0, NC_ERR_FORMAT, "empty" },
    { "first bytes of the magic", partial_magic, sizeof partial_magic, NC_ERR_CHECKSUM,
      "truncated" },
};

static void test_foreign(void **state)
{
    (void)state;
    long live = af_live();
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        const struct foreign_case *c = &foreign[i];
        nc_model *m = NULL;
        nc_diag d;
        nc_status st = nc_model_load_mem(c->bytes, c->len, &m, &d);
        printf("  %-28s -> %s: %s\n", c->name, nc_strerror(st), d.message);
        assert_int_equal(st, c->want);
        assert_null(m);
        assert_non_null(strstr(d.message, c->msg));
    }
    nc_model *m;
    assert_int_equal(nc_model_load_mem(NULL, 0, &m, NULL), NC_ERR_FORMAT);
    assert_int_equal(nc_model_load_mem(NULL, 5, &m, NULL), NC_ERR_ARG);

    /* The built-in model: absent while bootstrapping, else it must load. */
    nc_diag d;
    nc_status st = nc_model_load_default(&m, &d);
    if (st == NC_OK) {
        assert_true(nc_model_labels(m) > 0);
        nc_model_free(m);
    } else {
        assert_int_equal(st, NC_ERR_EMPTY);
        assert_null(m);
        assert_string_equal(d.file, "<built-in default model>");
        assert_non_null(strstr(d.message, "no default model"));
    }
    assert_int_equal(af_live(), live);
}

/* ------------------------------------------------------------------------ */
/* Size and speed of a large vocabulary                                      */
/* ------------------------------------------------------------------------ */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* 100k stem-like features over 4 labels, sparse Zipf-ish counts. */
static void test_large_vocabulary(void **state)
{
    (void)state;
    long live = af_live();
    static const char *const labels[] = { "incident", "official_statement", "background",
                                          "analysis" };
    static const char syl[][4] = { "ka", "re", "mi", "to", "su", "an", "el", "or", "in", "st",
                                   "pol", "ter", "gov", "min", "ex", "un" };
    nc_model *m;
    assert_int_equal(nc_model_new_empty(NULL, &m), NC_OK);
    uint32_t id;
    for (int i = 0; i < 4; i++)
        assert_int_equal(nc_model_add_label(m, labels[i], strlen(labels[i]), &id), NC_OK);
    uint64_t h = 12345;
    const uint32_t want = 100000;
    while (m->nfeatures < want) {
        char key[64] = "w:";
        size_t n = 2;
        h = h * 6364136223846793005ull + 1442695040888963407ull;
        int nsyl = 2 + (int)((h >> 60) % 4);
        for (int s = 0; s < nsyl; s++) {
            const char *p = syl[(h >> (4 * s + 8)) & 15];
            size_t pl = strlen(p);
            memcpy(key + n, p, pl);
            n += pl;
        }
        n += (size_t)snprintf(key + n, sizeof key - n, "%u", (unsigned)((h >> 32) % 50));
        assert_int_equal(nc_model_add_feature(m, key, n, &id), NC_OK);
        uint64_t *row = m->counts + (size_t)id * 4;
        row[(h >> 20) & 3] += 1 + ((h >> 40) % 1000 == 0 ? (h >> 44) % 5000 : (h >> 44) % 3);
        if ((h >> 50) % 3 == 0)
            row[(h >> 22) & 3] += 1;
    }
    unsigned char *b;
    size_t len;
    assert_int_equal(nc_model_to_bytes(m, &b, &len), NC_OK);
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        nc_model *l;
        double t0 = now_ms();
        assert_int_equal(nc_model_load_mem(b, len, &l, NULL), NC_OK);
        double t = now_ms() - t0;
        if (t < best)
            best = t;
        nc_model_free(l);
    }
    printf("%u features x 4 labels: %zu bytes (%.2f bytes/feature), load %.1f ms\n",
           (unsigned)want, len, (double)len / want, best);
    assert_true(len < 4u << 20);
    nc_free(b);
    nc_model_free(m);
    assert_int_equal(af_live(), live);
}

int main(void)
{
    /* Line-buffered so the printed counts interleave with cmocka's output. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_unwritable_models),
        cmocka_unit_test(test_save_load),
        cmocka_unit_test(test_truncations_and_flips),
        cmocka_unit_test(test_mutations_canonical),
        cmocka_unit_test_teardown(test_crafted, restore_af),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_foreign),
        cmocka_unit_test(test_large_vocabulary),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
