/*
 * counts.c - a model's counts as sorted text lines, their reducer, and a
 * model built back from them (see "Counts as text" in newsclass.h).
 *
 * This is how training scales out: each mapper trains on its shard and
 * writes counts (nc_counts_write), the engine sorts and groups by key, the
 * reducer sums (nc_counts_reduce), and nc_counts_load builds the model,
 * applying pruning only there, so the result is byte-identical to training
 * on everything in one pass.  Numbers are decimal uint64; sums that would
 * overflow are an error, except the digest, which is a sum modulo 2^64 by
 * design (order-free, so shards can be summed in any order).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corpus.h"
#include "model.h"
#include "nb.h"
#include "options.h"

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

typedef struct linebuf {
    char **lines;
    size_t n, cap;
} linebuf;

static nc_status add_line(linebuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static nc_status add_line(linebuf *b, const char *fmt, ...)
{
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 1024;
        char **nl = nc_reallocarray(b->lines, ncap, sizeof *nl);
        if (!nl)
            return NC_ERR_NOMEM;
        b->lines = nl;
        b->cap = ncap;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NC_ERR_FORMAT;
    char *l = nc_malloc((size_t)n + 1);
    if (!l)
        return NC_ERR_NOMEM;
    va_start(ap, fmt);
    vsnprintf(l, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->lines[b->n++] = l;
    return NC_OK;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

nc_status nc_counts_write(const nc_model *m, const nc_options *record, nc_write_fn w, void *ctx)
{
    linebuf b = { 0 };
    nc_status st = NC_OK;
    uint32_t nl = m->nlabels;
    const char *const *lab = m->label_names;
    st = add_line(&b, "C\tdigest\t\t%llu\n",
                  (unsigned long long)strtoull(m->corpus_digest, NULL, 16));
    if (st == NC_OK)
        st = add_line(&b, "D\tdocuments\t\t%llu\n", (unsigned long long)m->ndocs);
    for (uint32_t f = 0; f < m->nfeatures && st == NC_OK; f++)
        for (uint32_t l = 0; l < nl && st == NC_OK; l++)
            if (m->counts[(size_t)f * nl + l])
                st = add_line(&b, "F\t%s\t%s\t%llu\n", nc_vocab_key(m->features, f, NULL), lab[l],
                              (unsigned long long)m->counts[(size_t)f * nl + l]);
    char opts[2048];
    nc_options_format(record ? record : &m->opt, opts, sizeof opts);
    for (char *line = opts, *nlp; st == NC_OK && *line; line = nlp + 1) {
        nlp = strchr(line, '\n');
        if (!nlp)
            break;
        char *eq = strchr(line, '=');
        if (!eq || eq > nlp)
            break;
        st = add_line(&b, "O\t%.*s\t\t%.*s\n", (int)(eq - line), line, (int)(nlp - eq - 1), eq + 1);
    }
    for (uint32_t l = 0; l < nl && st == NC_OK; l++)
        if (m->label_sents[l])
            st = add_line(&b, "S\t%s\t\t%llu\n", lab[l], (unsigned long long)m->label_sents[l]);
    for (uint32_t r = 0; r <= nl && st == NC_OK; r++)
        for (uint32_t t = 0; t < nl && st == NC_OK; t++)
            if (m->trans[(size_t)r * nl + t])
                st = add_line(&b, "T\t%s\t%s\t%llu\n", r == nl ? "" : lab[r], lab[t],
                              (unsigned long long)m->trans[(size_t)r * nl + t]);
    if (st == NC_OK) {
        qsort(b.lines, b.n, sizeof *b.lines, cmp_line);
        for (size_t i = 0; i < b.n && st == NC_OK; i++)
            if (w(ctx, b.lines[i], strlen(b.lines[i])) != 0)
                st = NC_ERR_IO;
    }
    for (size_t i = 0; i < b.n; i++)
        nc_free(b.lines[i]);
    nc_free(b.lines);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Parsing one line                                                          */

typedef struct count_line {
    char type;
    const char *a, *b, *value;
    size_t alen, blen, vlen;
    size_t keylen; /* bytes of "TYPE\tA\tB" */
    uint64_t n;    /* VALUE as a number (not for O) */
} count_line;

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20)
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

static nc_status parse_line(const char *line, size_t len, count_line *c, const char *path,
                            unsigned long ln, nc_diag *diag)
{
    const char *t[3];
    size_t k = 0;
    for (size_t i = 0; i < len && k < 3; i++)
        if (line[i] == '\t')
            t[k++] = line + i;
    if (k != 3 || memchr(t[2] + 1, '\t', (size_t)(line + len - t[2] - 1)) || t[0] != line + 1 ||
        !strchr("CDFOST", line[0]))
        return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                           "expected a count line 'TYPE<TAB>A<TAB>B<TAB>VALUE' (TYPE one of C D F O S T)");
    c->type = line[0];
    c->a = t[0] + 1;
    c->alen = (size_t)(t[1] - c->a);
    c->b = t[1] + 1;
    c->blen = (size_t)(t[2] - c->b);
    c->value = t[2] + 1;
    c->vlen = (size_t)(line + len - c->value);
    c->keylen = (size_t)(t[2] - line);
    if (c->type != 'O' && !parse_u64(c->value, c->vlen, &c->n))
        return nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "the count is not a whole number");
    return NC_OK;
}

/* ------------------------------------------------------------------------ */
/* The reducer                                                               */

nc_status nc_counts_reduce(const char *path, nc_write_fn w, void *ctx, nc_diag *diag)
{
    nc_lines lr;
    nc_status st = nc_lines_open(&lr, path, diag);
    if (st != NC_OK)
        return st;
    char *prev = NULL;   /* previous line (for the order check) */
    size_t prev_cap = 0, prev_len = 0, prev_key = 0;
    char prev_type = 0;
    uint64_t sum = 0;
    int have = 0;
    char num[32];
    for (;;) {
        const char *line;
        size_t len;
        int got;
        st = nc_lines_next(&lr, path, &line, &len, &got, diag);
        if (st != NC_OK)
            break;
        count_line c = { 0 };
        if (got) {
            if (len == 0)
                continue;
            if ((st = parse_line(line, len, &c, path, lr.lineno, diag)) != NC_OK)
                break;
            if (have) {
                size_t l = prev_len < len ? prev_len : len;
                int cmp = memcmp(prev, line, l);
                if (cmp > 0 || (cmp == 0 && prev_len > len)) {
                    st = nc_diag_set(diag, NC_ERR_FORMAT, path, lr.lineno,
                                     "count lines out of order: sort them with LC_ALL=C sort first");
                    break;
                }
            }
        }
        int same = got && have && c.keylen == prev_key && memcmp(prev, line, prev_key) == 0;
        if (same) {
            if (c.type == 'O') {
                if (c.vlen != prev_len - prev_key - 1 || memcmp(prev + prev_key + 1, c.value, c.vlen)) {
                    st = nc_diag_set(diag, NC_ERR_INCOMPATIBLE, path, lr.lineno,
                                     "setting '%.*s' differs between the shards", (int)c.alen, c.a);
                    break;
                }
            } else if (c.type == 'C') {
                sum += c.n; /* digest: modulo 2^64 by design */
            } else if (sum > UINT64_MAX - c.n) {
                st = nc_diag_set(diag, NC_ERR_RANGE, path, lr.lineno, "a summed count overflows");
                break;
            } else {
                sum += c.n;
            }
        } else if (have) {
            /* Emit the finished key. */
            if (w(ctx, prev, prev_key + 1) != 0) {
                st = NC_ERR_IO;
                break;
            }
            int n = prev_type == 'O' ? 0 : snprintf(num, sizeof num, "%llu", (unsigned long long)sum);
            if ((prev_type == 'O' ? w(ctx, prev + prev_key + 1, prev_len - prev_key - 1)
                                  : w(ctx, num, (size_t)n)) != 0 ||
                w(ctx, "\n", 1) != 0) {
                st = NC_ERR_IO;
                break;
            }
        }
        if (!got)
            break;
        if (!same) {
            sum = c.type == 'O' ? 0 : c.n;
            prev_key = c.keylen;
            prev_type = c.type;
        }
        if (len + 1 > prev_cap) {
            char *np = nc_realloc(prev, len + 1);
            if (!np) {
                st = NC_ERR_NOMEM;
                break;
            }
            prev = np;
            prev_cap = len + 1;
        }
        memcpy(prev, line, len);
        prev_len = len;
        have = 1;
    }
    nc_free(prev);
    nc_lines_close(&lr);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Building a model from counts                                              */

/* Label id of name (added when new). */
static nc_status label_of(nc_model *m, const char *name, size_t len, uint32_t *id,
                          const char *path, unsigned long ln, nc_diag *diag)
{
    if (!nc_label_valid(name, len))
        return nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "invalid label");
    nc_status st = nc_model_add_label(m, name, len, id);
    if (st == NC_ERR_RANGE)
        return nc_diag_set(diag, st, path, ln, "more than %u labels", NC_MAX_LABELS);
    return st;
}

static nc_status add_u64(uint64_t *x, uint64_t v, const char *path, unsigned long ln, nc_diag *diag)
{
    if (*x > UINT64_MAX - v)
        return nc_diag_set(diag, NC_ERR_RANGE, path, ln, "a summed count overflows");
    *x += v;
    return NC_OK;
}

static nc_status load_one(nc_model *m, const char *path, int *opts_seen, uint64_t *digest,
                          nc_diag *diag)
{
    nc_lines lr;
    nc_status st = nc_lines_open(&lr, path, diag);
    if (st != NC_OK)
        return st;
    char key[64], val[64];
    for (;;) {
        const char *line;
        size_t len;
        int got;
        st = nc_lines_next(&lr, path, &line, &len, &got, diag);
        if (st != NC_OK || !got)
            break;
        if (len == 0)
            continue;
        unsigned long ln = lr.lineno;
        count_line c;
        if ((st = parse_line(line, len, &c, path, ln, diag)) != NC_OK)
            break;
        uint32_t l, t, f;
        switch (c.type) {
        case 'C':
            *digest += c.n;
            break;
        case 'D':
            st = add_u64(&m->ndocs, c.n, path, ln, diag);
            break;
        case 'O': {
            if (c.alen >= sizeof key || c.vlen >= sizeof val) {
                st = nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "setting too long");
                break;
            }
            memcpy(key, c.a, c.alen);
            key[c.alen] = '\0';
            memcpy(val, c.value, c.vlen);
            val[c.vlen] = '\0';
            /* Settings must agree: parse into a copy and compare. */
            nc_options o = m->opt;
            nc_status s2 = nc_options_set(&o, key, val);
            if (s2 != NC_OK) {
                st = nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "bad setting '%s=%s'", key, val);
                break;
            }
            if (*opts_seen && !nc_options_compatible(&o, &m->opt)) {
                /* A setting an earlier file gave another value. */
                st = nc_diag_set(diag, NC_ERR_INCOMPATIBLE, path, ln,
                                 "setting '%s' differs from an earlier count file", key);
                break;
            }
            m->opt = o;
            break;
        }
        case 'F':
            if (c.alen == 0 || memchr(c.a, '\0', c.alen)) {
                st = nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "empty feature");
                break;
            }
            if ((st = label_of(m, c.b, c.blen, &l, path, ln, diag)) != NC_OK)
                break;
            if ((st = nc_model_add_feature(m, c.a, c.alen, &f)) != NC_OK)
                break;
            st = add_u64(&m->counts[(size_t)f * m->nlabels + l], c.n, path, ln, diag);
            break;
        case 'S':
            if ((st = label_of(m, c.a, c.alen, &l, path, ln, diag)) != NC_OK)
                break;
            st = add_u64(&m->label_sents[l], c.n, path, ln, diag);
            break;
        case 'T':
            if ((st = label_of(m, c.b, c.blen, &t, path, ln, diag)) != NC_OK)
                break;
            if (c.alen && (st = label_of(m, c.a, c.alen, &l, path, ln, diag)) != NC_OK)
                break;
            /* Label ids may have grown the table: look the row up afterwards. */
            st = add_u64(&m->trans[(size_t)(c.alen ? l : m->nlabels) * m->nlabels + t], c.n, path,
                         ln, diag);
            break;
        }
        if (st != NC_OK)
            break;
    }
    nc_lines_close(&lr);
    return st;
}

nc_status nc_counts_load(const char *const *paths, size_t npaths, nc_model **out, nc_diag *diag)
{
    *out = NULL;
    nc_model *m;
    nc_status st = nc_model_new_empty(NULL, &m);
    if (st != NC_OK)
        return st;
    int opts_seen = 0;
    uint64_t digest = 0;
    for (size_t i = 0; i < npaths && st == NC_OK; i++) {
        /* The first file's O lines set the settings; later files must agree. */
        st = load_one(m, paths[i], &opts_seen, &digest, diag);
        opts_seen = 1;
    }
    if (st == NC_OK && m->nlabels == 0)
        st = nc_diag_set(diag, NC_ERR_EMPTY, npaths ? paths[0] : "", 0, "no counts");
    if (st == NC_OK) {
        snprintf(m->corpus_digest, sizeof m->corpus_digest, "%016llx", (unsigned long long)digest);
        st = nc_model_finalize(m, out);
    }
    nc_model_free(m);
    return st;
}
