/*
 * options.c - the settings a model is trained with (nc_options), their
 * defaults, and their canonical text form "key=value\n".
 *
 * The text form is what the model file stores and what the CLI's --set
 * takes, so one table below serves parsing, printing and validation: a new
 * option is one row.  Values are printed with %.17g so that they read back
 * to the same double, which keeps model files byte-reproducible.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "options.h"

enum kind { K_STR, K_BOOL, K_REAL, K_U32 };

struct opt_row {
    const char *key;
    enum kind kind;
    size_t offset;
    double lo, hi; /* valid range of a number */
};

#define ROW(key, kind, field, lo, hi) { key, kind, offsetof(nc_options, field), lo, hi }
static const struct opt_row rows[] = {
    ROW("alpha", K_REAL, alpha, 1e-9, 1e6),
    ROW("alpha_cue", K_REAL, alpha_cue, 1e-9, 1e6),
    ROW("bigrams", K_BOOL, bigrams, 0, 1),
    ROW("binary", K_BOOL, binary, 0, 1),
    ROW("context", K_BOOL, context, 0, 1),
    ROW("cue_weight", K_REAL, cue_weight, 0, 1e3),
    ROW("cues", K_BOOL, cues, 0, 1),
    ROW("cues_fine", K_BOOL, cues_fine, 0, 1),
    ROW("edge_words", K_BOOL, edge_words, 0, 1),
    ROW("emission_scale", K_REAL, emission_scale, 1e-6, 1e3),
    ROW("entropy_weight", K_REAL, entropy_weight, 0, 1e3),
    ROW("hmm_weight", K_REAL, hmm_weight, 0, 1e3),
    ROW("length_norm", K_REAL, length_norm, 0, 1e6),
    ROW("max_features", K_U32, max_features, 0, 4294967295.0),
    ROW("min_count", K_U32, min_count, 0, 4294967295.0),
    ROW("position", K_BOOL, position, 0, 1),
    ROW("position_weight", K_REAL, position_weight, 0, 1e3),
    ROW("prior_weight", K_REAL, prior_weight, 0, 1e3),
    ROW("start_bigram", K_BOOL, start_bigram, 0, 1),
    ROW("stemmer", K_STR, stemmer, 0, 0),
    ROW("stopwords", K_BOOL, stopwords, 0, 1),
    ROW("sublabels", K_BOOL, sublabels, 0, 1),
};
#define NROWS (sizeof rows / sizeof rows[0])

void nc_options_default(nc_options *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->stemmer, sizeof o->stemmer, "%s", "english");
    o->alpha = 1.0;
    o->alpha_cue = 1.0;
    o->bigrams = 0;
    o->start_bigram = 0;
    o->edge_words = 0;
    o->binary = 0;
    o->cues = 0;
    o->cues_fine = 0;
    o->position = 0;
    o->context = 0;
    o->stopwords = 1;
    o->sublabels = 0;
    o->cue_weight = 1.0;
    o->position_weight = 1.0;
    o->prior_weight = 1.0;
    o->length_norm = 0.0;
    o->hmm_weight = 0.0;
    o->emission_scale = 1.0;
    o->entropy_weight = 0.0;
    o->min_count = 0;
    o->max_features = 0;
}

static int valid_stemmer_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(((nc_options *)0)->stemmer))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return 0;
    return 1;
}

nc_status nc_options_set(nc_options *o, const char *key, const char *value)
{
    for (size_t i = 0; i < NROWS; i++) {
        const struct opt_row *r = &rows[i];
        if (strcmp(r->key, key) != 0)
            continue;
        char *field = (char *)o + r->offset;
        if (r->kind == K_STR) {
            if (!valid_stemmer_name(value))
                return NC_ERR_FORMAT;
            snprintf(field, sizeof o->stemmer, "%s", value);
            return NC_OK;
        }
        if (!*value)
            return NC_ERR_FORMAT;
        char *end;
        errno = 0;
        double d = strtod(value, &end);
        if (*end || errno || !isfinite(d) || d < r->lo || d > r->hi)
            return NC_ERR_FORMAT;
        switch (r->kind) {
        case K_BOOL:
            if (d != 0 && d != 1)
                return NC_ERR_FORMAT;
            *(int *)(void *)field = (int)d;
            break;
        case K_U32:
            if (d != floor(d))
                return NC_ERR_FORMAT;
            *(uint32_t *)(void *)field = (uint32_t)d;
            break;
        default:
            *(double *)(void *)field = d;
        }
        return NC_OK;
    }
    return NC_ERR_ARG;
}

size_t nc_options_format(const nc_options *o, char *buf, size_t cap)
{
    size_t need = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const struct opt_row *r = &rows[i];
        const char *field = (const char *)o + r->offset;
        char line[128];
        switch (r->kind) {
        case K_STR: snprintf(line, sizeof line, "%s=%s\n", r->key, field); break;
        case K_BOOL: snprintf(line, sizeof line, "%s=%d\n", r->key, *(const int *)(const void *)field); break;
        case K_U32:
            snprintf(line, sizeof line, "%s=%lu\n", r->key,
                     (unsigned long)*(const uint32_t *)(const void *)field);
            break;
        default: snprintf(line, sizeof line, "%s=%.17g\n", r->key, *(const double *)(const void *)field);
        }
        size_t n = strlen(line);
        if (cap && need + n < cap)
            memcpy(buf + need, line, n);
        else if (cap && need < cap)
            memcpy(buf + need, line, cap - 1 - need);
        need += n;
    }
    if (cap)
        buf[need < cap ? need : cap - 1] = '\0';
    return need;
}

nc_status nc_options_parse(nc_options *o, const char *text, size_t len)
{
    nc_options_default(o);
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        if (j == len)
            return NC_ERR_FORMAT; /* every line ends with \n */
        char line[160];
        if (j - i >= sizeof line)
            return NC_ERR_FORMAT;
        memcpy(line, text + i, j - i);
        line[j - i] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            return NC_ERR_FORMAT;
        *eq = '\0';
        nc_status st = nc_options_set(o, line, eq + 1);
        if (st != NC_OK)
            return st == NC_ERR_ARG ? NC_ERR_FORMAT : st;
        i = j + 1;
    }
    return NC_OK;
}

int nc_options_compatible(const nc_options *a, const nc_options *b)
{
    char ta[1024], tb[1024];
    nc_options_format(a, ta, sizeof ta);
    nc_options_format(b, tb, sizeof tb);
    return strcmp(ta, tb) == 0;
}
