/*
 * fuzz_model.c - libFuzzer harness for the model loader (nc_model_load_mem).
 *
 * Each input is loaded twice: as it is (almost every mutation breaks the
 * CRC, so this proves the outer checks) and with its length field and
 * CRC-32 trailer repaired, so mutations reach the body parser (varints,
 * front-coded keys, counts, options text).  Beyond "no crash, no leak, no
 * UB, no allocation beyond what the file justifies (ASan's allocation
 * limit, -rss_limit_mb)" it checks what FORMAT.md promises: a model that
 * loads re-serializes to bytes that load to the same model and serialize
 * identically again (one encoding per model), and it classifies a
 * sentence with finite posteriors that sum to 1 (no silently broken
 * model).
 */
#include <math.h>

#include "fuzz_util.h"
#include "model.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

static const char sentence[] = "\"We will act,\" the minister said after police arrested 3 men.";

static void check_loaded(nc_model *m)
{
    size_t nl = nc_model_labels(m);
    FUZZ_CHECK(nl >= 1 && nl <= 1024);
    for (size_t i = 0; i < nl; i++)
        FUZZ_CHECK(nc_model_label(m, i) != NULL);
    FUZZ_CHECK(nc_model_label(m, nl) == NULL);
    nc_model_info info;
    nc_model_describe(m, &info);
    FUZZ_CHECK(info.format_version == 1);

    /* canonical: bytes -> model -> bytes is a fixed point */
    unsigned char *b1 = NULL, *b2 = NULL;
    size_t n1, n2;
    FUZZ_CHECK(nc_model_to_bytes(m, &b1, &n1) == NC_OK);
    nc_model *again = NULL;
    FUZZ_CHECK(nc_model_load_mem(b1, n1, &again, NULL) == NC_OK);
    FUZZ_CHECK(nc_model_to_bytes(again, &b2, &n2) == NC_OK);
    FUZZ_CHECK(n1 == n2 && memcmp(b1, b2, n1) == 0);
    nc_model_free(again);
    nc_free(b1);
    nc_free(b2);

    /* it classifies with sane posteriors */
    nc_classifier *cl;
    nc_status st = nc_classifier_new(m, NULL, &cl);
    if (st != NC_OK) {
        FUZZ_CHECK(st != NC_ERR_NOMEM);
        return;
    }
    FUZZ_CHECK(nc_classifier_feed(cl, sentence, sizeof sentence - 1) == NC_OK);
    FUZZ_CHECK(nc_classifier_end_document(cl) == NC_OK);
    nc_result r;
    size_t n = 0;
    while (nc_classifier_next(cl, &r)) {
        double sum = 0;
        FUZZ_CHECK(r.label < nl);
        for (size_t i = 0; i < nl; i++) {
            FUZZ_CHECK(isfinite(r.probs[i]) && r.probs[i] >= 0);
            sum += r.probs[i];
        }
        FUZZ_CHECK(fabs(sum - 1) < 1e-6);
        n++;
    }
    FUZZ_CHECK(n == 1);
    nc_classifier_free(cl);
}

static void load(const uint8_t *data, size_t size)
{
    nc_model *m = NULL;
    nc_diag d;
    memset(&d, 0, sizeof d);
    nc_status st = nc_model_load_mem(data, size, &m, &d);
    FUZZ_CHECK(st != NC_ERR_NOMEM); /* nothing the file does not justify */
    if (st != NC_OK) {
        FUZZ_CHECK(m == NULL);
        fuzz_check_diag(&d);
        return;
    }
    check_loaded(m);
    nc_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load(data, size);
    if (size < 28 || size > (1u << 24))
        return 0;
    uint8_t *fixed = malloc(size);
    if (!fixed)
        return 0;
    memcpy(fixed, data, size);
    for (int i = 0; i < 8; i++)
        fixed[16 + i] = (uint8_t)((uint64_t)size >> (8 * i));
    uint32_t c = crc32(fixed, size - 4);
    for (int i = 0; i < 4; i++)
        fixed[size - 4 + i] = (uint8_t)(c >> (8 * i));
    load(fixed, size);
    free(fixed);
    return 0;
}
