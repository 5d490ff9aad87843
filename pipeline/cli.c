/*
 * cli.c - the subcommands of newsclass (classify, split, train, eval, cv,
 * info), written over the public API in newsclass.h only.
 *
 * Each command parses its own options into a local struct (no globals),
 * calls the library, and prints results on stdout; every failure becomes
 * one message on stderr naming the file and line (nc_cli_error) and an
 * exit code: 1 bad input or I/O, 2 usage, 3 accuracy gate.  Output is
 * flushed per line when stdout is not a regular file, so a pipe consumer
 * sees each sentence as soon as it is labelled.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_html.h"

#define READ_CHUNK (64u * 1024u)
/* Labels --top-k can rank (a model may have up to 1024). */
#define NC_MAX_CLI_LABELS 1024
/* Room of a label and its tab in classify's plain TSV path: one fixed-size
 * copy (longer labels take the general path). */
#define OUT_LABEL_PAD 32u

/* ------------------------------------------------------------------------ */
/* Shared helpers                                                            */

/* s with control bytes shown as \xNN, so a hostile label or file name
 * cannot drive the terminal. */
static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

void nc_cli_error(nc_status st, const nc_diag *diag)
{
    if (diag && diag->message[0]) {
        fputs("newsclass: ", stderr);
        if (diag->file[0]) {
            put_escaped(stderr, diag->file);
            if (diag->line)
                fprintf(stderr, ":%lu", diag->line);
            fputs(": ", stderr);
        }
        put_escaped(stderr, diag->message);
        fputc('\n', stderr);
    } else {
        fprintf(stderr, "newsclass: %s\n", nc_strerror(st));
    }
}

/* Exit code of a failed library call. */
static int fail(nc_status st, const nc_diag *diag)
{
    nc_cli_error(st, diag);
    return st == NC_ERR_ARG ? NC_EXIT_USAGE : NC_EXIT_INPUT;
}

static int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "newsclass %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'newsclass %s --help')\n", cmd);
    va_end(ap);
    return NC_EXIT_USAGE;
}

/* Options shared by the commands; each command uses the ones it documents. */
typedef struct cli_opts {
    const char *cmd;
    const char *model;      /* -m */
    const char *out;        /* -o */
    const char *format;     /* --format */
    const char *label_map;  /* --label-map */
    const char *update;     /* --update MODEL */
    const char *forget;     /* --forget MODEL */
    int from_counts;        /* train --from-counts */
    int reduce;             /* count --reduce */
    int json, probs, quiet;
    double min_macro_f1;    /* < 0: no gate */
    unsigned k;             /* cv folds */
    unsigned bootstrap;     /* rounds, 0 = none */
    unsigned long long seed;
    unsigned jobs;          /* -j */
    unsigned top_k;         /* classify --top-k, explain --top */
    double threshold;       /* classify --threshold: below it, "uncertain" */
    nc_options nopt;
    int nopt_given;
    char **inputs;
    int ninputs;
} cli_opts;

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max)
        return 0;
    *out = v;
    return 1;
}

/* Flags a command accepts. */
enum {
    O_MODEL = 1 << 0, O_OUT = 1 << 1, O_FORMAT = 1 << 2, O_LABELMAP = 1 << 3, O_SET = 1 << 4,
    O_UPDATE = 1 << 5, O_JSON = 1 << 6, O_GATE = 1 << 7, O_K = 1 << 8, O_BOOT = 1 << 9,
    O_SEED = 1 << 10, O_PROBS = 1 << 11, O_QUIET = 1 << 12, O_JOBS = 1 << 13,
    O_TOPK = 1 << 14, O_THRESH = 1 << 15, O_TOP = 1 << 16, O_COUNTS = 1 << 17
};

/*
 * Parse argv (argv[0] is the command) into o.  Returns -1 to go on, or an
 * exit code (after --help, or a usage error).
 */
static int parse_opts(int argc, char **argv, unsigned allowed, const char *help, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->cmd = argv[0];
    o->min_macro_f1 = -1;
    o->k = 10;
    o->seed = 1;
    o->jobs = 1;
    nc_options_default(&o->nopt);
    o->inputs = calloc((size_t)argc + 1, sizeof *o->inputs);
    if (!o->inputs) {
        fprintf(stderr, "newsclass: out of memory\n");
        return NC_EXIT_INPUT;
    }
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            o->inputs[o->ninputs++] = argv[i];
            continue;
        }
#define NEEDS_VALUE()                                                                          \
    do {                                                                                       \
        if (!v)                                                                                \
            return usage_error(o->cmd, "option %s needs a value", a);                         \
        i++;                                                                                   \
    } while (0)
        if (strcmp(a, "--") == 0) {
            only_files = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(help, stdout);
            return NC_EXIT_OK;
        } else if ((allowed & O_MODEL) && (strcmp(a, "-m") == 0 || strcmp(a, "--model") == 0)) {
            NEEDS_VALUE();
            o->model = v;
        } else if ((allowed & O_OUT) && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)) {
            NEEDS_VALUE();
            o->out = v;
        } else if ((allowed & O_FORMAT) && strcmp(a, "--format") == 0) {
            NEEDS_VALUE();
            o->format = v;
        } else if ((allowed & O_LABELMAP) && strcmp(a, "--label-map") == 0) {
            NEEDS_VALUE();
            o->label_map = v;
        } else if ((allowed & O_SET) && strcmp(a, "--set") == 0) {
            NEEDS_VALUE();
            char key[64];
            const char *eq = strchr(v, '=');
            if (!eq || (size_t)(eq - v) >= sizeof key)
                return usage_error(o->cmd, "--set takes KEY=VALUE, not '%s'", v);
            memcpy(key, v, (size_t)(eq - v));
            key[eq - v] = '\0';
            nc_status st = nc_options_set(&o->nopt, key, eq + 1);
            if (st == NC_ERR_ARG)
                return usage_error(o->cmd, "unknown setting '%s'", key);
            if (st != NC_OK)
                return usage_error(o->cmd, "bad value in '%s'", v);
            o->nopt_given = 1;
        } else if ((allowed & O_UPDATE) && strcmp(a, "--update") == 0) {
            NEEDS_VALUE();
            o->update = v;
        } else if ((allowed & O_UPDATE) && strcmp(a, "--forget") == 0) {
            NEEDS_VALUE();
            o->forget = v;
        } else if ((allowed & O_COUNTS) && strcmp(a, "--from-counts") == 0) {
            o->from_counts = 1;
        } else if ((allowed & O_COUNTS) && strcmp(a, "--reduce") == 0) {
            o->reduce = 1;
        } else if ((allowed & O_SET) &&
                   (strcmp(a, "--min-count") == 0 || strcmp(a, "--max-features") == 0)) {
            NEEDS_VALUE();
            if (nc_options_set(&o->nopt, a[2] == 'm' && a[3] == 'i' ? "min_count" : "max_features",
                               v) != NC_OK)
                return usage_error(o->cmd, "%s takes a whole number, not '%s'", a, v);
            o->nopt_given = 1;
        } else if ((allowed & O_JSON) && strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if ((allowed & O_PROBS) && strcmp(a, "--probs") == 0) {
            o->probs = 1;
        } else if ((allowed & O_QUIET) && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
            o->quiet = 1;
        } else if ((allowed & O_GATE) && strcmp(a, "--min-macro-f1") == 0) {
            NEEDS_VALUE();
            if (!parse_double(v, &o->min_macro_f1) || o->min_macro_f1 < 0 || o->min_macro_f1 > 1)
                return usage_error(o->cmd, "--min-macro-f1 takes a number from 0 to 1, not '%s'", v);
        } else if ((allowed & O_K) && (strcmp(a, "-k") == 0 || strcmp(a, "--folds") == 0)) {
            NEEDS_VALUE();
            unsigned long long k;
            if (!parse_uint(v, 1000, &k) || k < 2)
                return usage_error(o->cmd, "-k takes a whole number from 2 to 1000, not '%s'", v);
            o->k = (unsigned)k;
        } else if ((allowed & O_BOOT) && strcmp(a, "--bootstrap") == 0) {
            NEEDS_VALUE();
            unsigned long long b;
            if (!parse_uint(v, 100000, &b) || b < 1)
                return usage_error(o->cmd, "--bootstrap takes a number of rounds (1 to 100000), not '%s'", v);
            o->bootstrap = (unsigned)b;
        } else if ((allowed & O_JOBS) && (strcmp(a, "-j") == 0 || strcmp(a, "--jobs") == 0)) {
            NEEDS_VALUE();
            unsigned long long j;
            if (!parse_uint(v, 256, &j) || j < 1)
                return usage_error(o->cmd, "-j takes a number of threads from 1 to 256, not '%s'", v);
            o->jobs = (unsigned)j;
        } else if (((allowed & O_TOPK) && strcmp(a, "--top-k") == 0) ||
                   ((allowed & O_TOP) && strcmp(a, "--top") == 0)) {
            NEEDS_VALUE();
            unsigned long long k;
            if (!parse_uint(v, 100000, &k) || k < 1)
                return usage_error(o->cmd, "%s takes a whole number from 1 to 100000, not '%s'", a, v);
            o->top_k = (unsigned)k;
        } else if ((allowed & O_THRESH) && strcmp(a, "--threshold") == 0) {
            NEEDS_VALUE();
            if (!parse_double(v, &o->threshold) || o->threshold < 0 || o->threshold > 1)
                return usage_error(o->cmd, "--threshold takes a probability from 0 to 1, not '%s'", v);
        } else if ((allowed & O_SEED) && strcmp(a, "--seed") == 0) {
            NEEDS_VALUE();
            if (!parse_uint(v, ~0ull, &o->seed))
                return usage_error(o->cmd, "--seed takes a whole number, not '%s'", v);
        } else {
            return usage_error(o->cmd, "unknown option '%s'", a);
        }
#undef NEEDS_VALUE
    }
    return -1;
}

/* Corpus format from --format (tsv, brat) or, when absent, from the path. */
static int corpus_sources(cli_opts *o, nc_source **out)
{
    if (o->ninputs == 0)
        return usage_error(o->cmd, "%s", "no corpus given");
    nc_source *src = calloc((size_t)o->ninputs, sizeof *src);
    if (!src)
        return NC_EXIT_INPUT;
    for (int i = 0; i < o->ninputs; i++) {
        struct stat sb;
        int is_dir = strcmp(o->inputs[i], "-") != 0 && stat(o->inputs[i], &sb) == 0 &&
                     S_ISDIR(sb.st_mode);
        nc_format f = is_dir ? NC_FORMAT_BRAT : NC_FORMAT_TSV;
        if (o->format && strcmp(o->format, "brat") == 0)
            f = NC_FORMAT_BRAT;
        else if (o->format && strcmp(o->format, "tsv") == 0)
            f = NC_FORMAT_TSV;
        src[i].path = o->inputs[i];
        src[i].format = f;
        src[i].label_map = o->label_map;
        if (f == NC_FORMAT_BRAT && !o->label_map) {
            free(src);
            return usage_error(o->cmd, "brat corpus '%s' needs --label-map FILE", o->inputs[i]);
        }
    }
    *out = src;
    return -1;
}

static int load_model(const char *path, nc_model **m)
{
    nc_diag diag = { 0 };
    nc_status st = path ? nc_model_load(path, m, &diag) : nc_model_load_default(m, &diag);
    if (st != NC_OK)
        return fail(st, &diag);
    return -1;
}

/*
 * Open the output (-o FILE or stdout): line-buffered on a terminal, else
 * fully buffered with a large buffer.  A pipe gets its results promptly
 * all the same, because read_input flushes the output before every read
 * that may wait (a line-buffered pipe cost one write system call per
 * sentence: on 20 MB, 132,680 writes and a tenth of classify's time).
 */
static FILE *open_out(const char *path)
{
    FILE *f = stdout;
    if (path && strcmp(path, "-") != 0) {
        f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "newsclass: %s: cannot open for writing: %s\n", path, strerror(errno));
            return NULL;
        }
    }
    if (isatty(fileno(f)))
        setvbuf(f, NULL, _IOLBF, 0);
    else
        setvbuf(f, NULL, _IOFBF, 1u << 16);
    return f;
}

/* Close the output and report a write error (a full disk shows up here). */
static int close_out(FILE *f, const char *path)
{
    int bad = ferror(f);
    if (f == stdout)
        bad |= fflush(f) != 0;
    else
        bad |= fclose(f) != 0;
    if (bad) {
        fprintf(stderr, "newsclass: %s: write error: %s\n", path && strcmp(path, "-") ? path : "stdout",
                strerror(errno ? errno : EIO));
        return NC_EXIT_INPUT;
    }
    return NC_EXIT_OK;
}

/* Write s[0..len) as a JSON string. */
static void json_str(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/*
 * Stream one input (a path or "-") through fn in READ_CHUNK pieces.  When
 * the input is not a regular file (a pipe, a terminal), out is flushed
 * before each read, which may wait: what is done so far is out meanwhile.
 * Returns -1 on success or an exit code after printing the error.
 */
typedef int (*chunk_fn)(void *ctx, const char *data, size_t len);

static int read_input(const char *path, chunk_fn fn, void *ctx, FILE *out)
{
    int fd = 0;
    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "newsclass: %s: cannot open: %s\n", path, strerror(errno));
            return NC_EXIT_INPUT;
        }
    }
    struct stat sb;
    int regular = 0;
    if (fstat(fd, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            if (fd != 0)
                close(fd);
            fprintf(stderr, "newsclass: %s: is a directory\n", path);
            return NC_EXIT_INPUT;
        }
        regular = S_ISREG(sb.st_mode);
    }
    static char buf[READ_CHUNK];
    int rc = -1;
    for (;;) {
        if (!regular)
            fflush(out); /* a write error shows in ferror at close_out */
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "newsclass: %s: read error: %s\n", path, strerror(errno));
            rc = NC_EXIT_INPUT;
            break;
        }
        if (r == 0)
            break;
        rc = fn(ctx, buf, (size_t)r);
        if (rc >= 0)
            break;
    }
    if (fd != 0)
        close(fd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Progress and interruption                                                 */

/*
 * A progress line on stderr for long runs, redrawn at most every 250 ms,
 * only when stderr is a terminal and --quiet was not given.  total is the
 * input size when known (for the ETA), else 0.
 */
typedef struct progress {
    int on;
    uint64_t total;
    struct timespec t0, last;
    int drawn;
} progress;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void progress_init(progress *p, int quiet, uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->on = !quiet && isatty(2);
    p->total = total;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
    p->last.tv_sec = p->t0.tv_sec - 1; /* the first call draws at once */
    p->last.tv_nsec = p->t0.tv_nsec;
}

static void progress_show(void *ctx, uint64_t docs, uint64_t sents, uint64_t bytes)
{
    progress *p = ctx;
    if (!p->on || seconds_since(&p->last) < 0.25)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    double el = seconds_since(&p->t0);
    char eta[32] = "";
    if (p->total && bytes && bytes < p->total) {
        double left = el * (double)(p->total - bytes) / (double)bytes;
        snprintf(eta, sizeof eta, "  ETA %d:%02d", (int)(left / 60), (int)left % 60);
    }
    fprintf(stderr, "\r%8.1f MB  %llu documents  %llu sentences  %.0f sentences/s%s   ",
            (double)bytes / 1e6, (unsigned long long)docs, (unsigned long long)sents,
            el > 0 ? (double)sents / el : 0.0, eta);
    p->drawn = 1;
}

static void progress_done(progress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
}

/* Set by SIGINT/SIGTERM during a long call; the library polls it. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void catch_interrupts(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Total size of the inputs when they are regular files, for the ETA. */
static uint64_t inputs_size(char **inputs, int n)
{
    uint64_t total = 0;
    for (int i = 0; i < n; i++) {
        struct stat sb;
        if (strcmp(inputs[i], "-") == 0 || stat(inputs[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            return 0;
        total += (uint64_t)sb.st_size;
    }
    return total;
}

/* ------------------------------------------------------------------------ */
/* classify                                                                  */

typedef struct classify_ctx {
    nc_classifier *cl;
    const nc_model *m;
    FILE *out;
    const cli_opts *o;
    const char *path;
    size_t nlabels;
    progress pg;
    uint64_t bytes, sentences;
    size_t docs;
    html_report *html; /* --format html */
    /* Plain TSV lines are gathered here and handed to the stream once per
     * drain (or when full): fputs, putc and fwrite a sentence, each taking
     * the stream's lock, were ~440 instructions a line (2 % of classify). */
    size_t on;
    char obuf[1u << 16];
    /* Plain TSV (the label alone): each label with its tab, padded so a
     * line starts with one fixed-size copy; NULL for the other formats or
     * when a label is too long for the pad (print_result does those). */
    struct out_label {
        char s[OUT_LABEL_PAD]; /* LABEL<TAB>, then padding */
        size_t len;            /* bytes of LABEL<TAB> */
    } *plain;
} classify_ctx;

/* The plain TSV labels of c (see classify_ctx.plain), or none when a label
 * does not fit: NC_OK either way, or NC_ERR_NOMEM. */
static nc_status plain_labels(classify_ctx *c)
{
    c->plain = calloc(c->nlabels ? c->nlabels : 1, sizeof *c->plain);
    if (!c->plain)
        return NC_ERR_NOMEM;
    for (size_t l = 0; l < c->nlabels; l++) {
        const char *name = nc_model_label(c->m, l);
        size_t n = strlen(name);
        if (n + 1 > OUT_LABEL_PAD) {
            free(c->plain);
            c->plain = NULL;
            return NC_OK;
        }
        memcpy(c->plain[l].s, name, n);
        c->plain[l].s[n] = '\t';
        c->plain[l].len = n + 1;
    }
    return NC_OK;
}

/* Hand the gathered lines to the stream (its errors show at close_out). */
static void out_flush(classify_ctx *c)
{
    if (c->on)
        fwrite(c->obuf, 1, c->on, c->out);
    c->on = 0;
}

static void print_result(classify_ctx *c, const nc_result *r)
{
    FILE *f = c->out;
    const char *label = nc_model_label(c->m, r->label);
    if (c->html) {
        html_classify_sentence(c->html, r);
        return;
    }
    if (c->o->format && strcmp(c->o->format, "jsonl") == 0) {
        fputs("{\"document\":", f);
        json_str(f, c->path, strlen(c->path));
        fprintf(f, ",\"index\":%zu,\"start\":%llu,\"end\":%llu,\"text\":", r->index,
                (unsigned long long)r->sentence.start, (unsigned long long)r->sentence.end);
        json_str(f, r->sentence.text, r->sentence.len);
        fputs(",\"label\":", f);
        json_str(f, c->o->threshold > 0 && r->probs[r->label] < c->o->threshold ? "uncertain" : label,
                 strlen(c->o->threshold > 0 && r->probs[r->label] < c->o->threshold ? "uncertain"
                                                                                      : label));
        fputs(",\"probs\":{", f);
        for (size_t l = 0; l < c->nlabels; l++) {
            const char *n = nc_model_label(c->m, l);
            if (l)
                fputc(',', f);
            json_str(f, n, strlen(n));
            fprintf(f, ":%.4f", r->probs[l]);
        }
        fputs("}}\n", f);
        return;
    }
    if (c->o->top_k > 1) {
        /* LABEL:P,LABEL:P... best first (ties: label order) */
        size_t k = c->o->top_k < c->nlabels ? c->o->top_k : c->nlabels;
        int used[NC_MAX_CLI_LABELS] = { 0 };
        for (size_t j = 0; j < k; j++) {
            size_t best = SIZE_MAX;
            for (size_t l = 0; l < c->nlabels && l < NC_MAX_CLI_LABELS; l++)
                if (!used[l] && (best == SIZE_MAX || r->probs[l] > r->probs[best]))
                    best = l;
            if (best == SIZE_MAX)
                break;
            used[best] = 1;
            fprintf(f, "%s%s:%.4f", j ? "," : "", nc_model_label(c->m, best), r->probs[best]);
        }
        fprintf(f, "\t%.*s\n", (int)r->sentence.len, r->sentence.text);
        return;
    }
    if (c->o->threshold > 0 && r->probs[r->label] < c->o->threshold)
        label = "uncertain";
    /* The line is written piecewise rather than through fprintf's format
     * parsing (a few percent of classify, on the -j critical path); strnlen
     * keeps %.*s's stop at a NUL, so the bytes are the same. */
    size_t ll = strlen(label), tl = strnlen(r->sentence.text, r->sentence.len);
    if (!c->o->probs && ll + tl + 2 <= sizeof c->obuf) {
        if (c->on + ll + tl + 2 > sizeof c->obuf)
            out_flush(c);
        char *p = c->obuf + c->on;
        memcpy(p, label, ll);
        p[ll] = '\t';
        memcpy(p + ll + 1, r->sentence.text, tl);
        p[ll + 1 + tl] = '\n';
        c->on += ll + tl + 2;
        return;
    }
    out_flush(c);
    fwrite(label, 1, ll, f);
    putc('\t', f);
    if (c->o->probs)
        fprintf(f, "%.4f\t", r->probs[r->label]);
    fwrite(r->sentence.text, 1, tl, f);
    putc('\n', f);
}

/*
 * The line of r in plain TSV into c's buffer (c->plain is set): print_result
 * without its tests of the format, a strlen and two variable copies, which
 * were ~80 instructions a line beyond the copy of the text itself.  The
 * text holds no NUL (newsclass.h: NUL bytes come out as spaces), so its
 * length is what print_result's strnlen finds.  Returns 0 when the line is
 * not for this path (a label out of range, a sentence near the buffer's
 * size); print_result writes it then.
 */
static int print_plain(classify_ctx *c, const nc_result *r)
{
    size_t tl = r->sentence.len;
    if (r->label >= c->nlabels || tl > sizeof c->obuf - OUT_LABEL_PAD - 1)
        return 0;
    if (c->on + OUT_LABEL_PAD + tl + 1 > sizeof c->obuf)
        out_flush(c);
    const struct out_label *l = &c->plain[r->label];
    char *p = c->obuf + c->on;
    memcpy(p, l->s, OUT_LABEL_PAD); /* the padding is overwritten below */
    memcpy(p + l->len, r->sentence.text, tl);
    p[l->len + tl] = '\n';
    c->on += l->len + tl + 1;
    return 1;
}

static int classify_drain(classify_ctx *c)
{
    nc_result r;
    while (nc_classifier_next(c->cl, &r)) {
        if (!c->plain || !print_plain(c, &r))
            print_result(c, &r);
        c->sentences++;
    }
    out_flush(c);
    progress_show(&c->pg, c->docs, c->sentences, c->bytes);
    return -1;
}

static int classify_chunk(void *ctx, const char *data, size_t len)
{
    classify_ctx *c = ctx;
    c->bytes += len;
    nc_status st = nc_classifier_feed(c->cl, data, len);
    if (st != NC_OK)
        return fail(st, NULL);
    return classify_drain(c);
}

static const char classify_help[] =
    "usage: newsclass classify [-m MODEL] [--format tsv|jsonl|html] [--probs]\n"
    "                          [--top-k K] [--threshold P] [-o OUT] [FILE...]\n"
    "\n"
    "Split raw article text (UTF-8) into sentences and label each one.  Each FILE\n"
    "is one document; '-' or no FILE reads standard input.  Output, in order,\n"
    "one line per sentence: LABEL<TAB>SENTENCE.\n"
    "\n"
    "  -m, --model MODEL   model file (default: the model built into newsclass)\n"
    "  --format tsv        LABEL<TAB>SENTENCE (default)\n"
    "  --format jsonl      one JSON object per sentence: document, index, start and\n"
    "                      end byte offsets, text, label, probs (every label)\n"
    "  --format html       one self-contained HTML page: the article with every\n"
    "                      sentence coloured by its label, its probability as a\n"
    "                      bar, a legend and per-label counts\n"
    "  --probs             TSV with the label's posterior: LABEL<TAB>P<TAB>SENTENCE\n"
    "  --top-k K           TSV with the K most probable labels, best first:\n"
    "                      LABEL:P,LABEL:P<TAB>SENTENCE\n"
    "  --threshold P       label a sentence 'uncertain' when its best posterior is\n"
    "                      below P (TSV, jsonl)\n"
    "  -o, --output OUT    write to OUT instead of standard output\n"
    "  -j, --jobs N        threads (output identical to one thread, in input order)\n"
    "  -q, --quiet         no progress line on stderr\n"
    "\n"
    "Invalid UTF-8 bytes are read as U+FFFD, NUL bytes as spaces.\n"
    "\n"
    "example:\n"
    "  newsclass classify corpus/seed-article.txt\n"
    "  curl -s URL | newsclass classify --format jsonl -\n";

static int cmd_classify(int argc, char **argv)
{
    cli_opts o;
    int rc = parse_opts(argc, argv,
                        O_MODEL | O_OUT | O_FORMAT | O_PROBS | O_QUIET | O_JOBS | O_TOPK | O_THRESH,
                        classify_help, &o);
    if (rc >= 0)
        goto done;
    if (o.format && strcmp(o.format, "tsv") != 0 && strcmp(o.format, "jsonl") != 0 &&
        strcmp(o.format, "html") != 0) {
        rc = usage_error(o.cmd, "unknown output format '%s' (tsv, jsonl or html)", o.format);
        goto done;
    }
    nc_model *m = NULL;
    if ((rc = load_model(o.model, &m)) >= 0)
        goto done;
    static char *stdin_only[] = { (char *)"-" };
    char **inputs = o.ninputs ? o.inputs : stdin_only;
    int n = o.ninputs ? o.ninputs : 1;
    classify_ctx c = { .m = m, .o = &o, .nlabels = nc_model_labels(m) };
    progress_init(&c.pg, o.quiet, inputs_size(inputs, n));
    nc_run run = { o.jobs, NULL, NULL, NULL };
    nc_status st = nc_classifier_new(m, &run, &c.cl);
    if (st != NC_OK) {
        rc = fail(st, NULL);
        nc_model_free(m);
        goto done;
    }
    /* Plain TSV prints the label alone: posteriors only where it is open. */
    if ((!o.format || strcmp(o.format, "tsv") == 0) && !o.probs && o.top_k <= 1 &&
        !(o.threshold > 0)) {
        nc_classifier_labels_only(c.cl);
        st = plain_labels(&c);
        if (st != NC_OK) {
            rc = fail(st, NULL);
            nc_classifier_free(c.cl);
            nc_model_free(m);
            goto done;
        }
    }
    c.out = open_out(o.out);
    rc = c.out ? -1 : NC_EXIT_INPUT;
    if (c.out && o.format && strcmp(o.format, "html") == 0) {
        c.html = html_classify_begin(c.out, m);
        if (!c.html)
            rc = fail(NC_ERR_NOMEM, NULL);
    }
    for (int i = 0; i < n && rc < 0; i++) {
        c.path = inputs[i];
        if (c.html)
            html_classify_document(c.html, inputs[i]);
        rc = read_input(inputs[i], classify_chunk, &c, c.out);
        if (rc < 0) {
            st = nc_classifier_end_document(c.cl);
            c.docs++;
            rc = st == NC_OK ? classify_drain(&c) : fail(st, NULL);
        }
    }
    progress_done(&c.pg);
    if (c.html && html_classify_end(c.html) != 0 && rc < 0)
        rc = NC_EXIT_INPUT; /* close_out below names the error */
    if (c.out) {
        int crc = close_out(c.out, o.out);
        if (rc < 0)
            rc = crc;
    }
    nc_classifier_free(c.cl);
    nc_model_free(m);
    free(c.plain);
done:
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* split                                                                     */

typedef struct split_ctx {
    nc_splitter *sp;
    FILE *out;
} split_ctx;

static int split_drain(split_ctx *c)
{
    nc_sentence s;
    while (nc_splitter_next(c->sp, &s))
        fprintf(c->out, "%.*s\n", (int)s.len, s.text);
    return -1;
}

static int split_chunk(void *ctx, const char *data, size_t len)
{
    split_ctx *c = ctx;
    nc_status st = nc_splitter_feed(c->sp, data, len);
    if (st != NC_OK)
        return fail(st, NULL);
    return split_drain(c);
}

static const char split_help[] =
    "usage: newsclass split [-o OUT] [FILE...]\n"
    "\n"
    "The sentence splitter alone: one sentence a line, inner whitespace folded to\n"
    "single spaces.  '-' or no FILE reads standard input.\n"
    "\n"
    "example:\n"
    "  newsclass split corpus/seed-article.txt\n";

static int cmd_split(int argc, char **argv)
{
    cli_opts o;
    int rc = parse_opts(argc, argv, O_OUT, split_help, &o);
    if (rc >= 0)
        goto done;
    static char *stdin_only[] = { (char *)"-" };
    char **inputs = o.ninputs ? o.inputs : stdin_only;
    int n = o.ninputs ? o.ninputs : 1;
    split_ctx c = { 0 };
    nc_status st = nc_splitter_new(&c.sp);
    if (st != NC_OK) {
        rc = fail(st, NULL);
        goto done;
    }
    c.out = open_out(o.out);
    rc = c.out ? -1 : NC_EXIT_INPUT;
    for (int i = 0; i < n && rc < 0; i++) {
        rc = read_input(inputs[i], split_chunk, &c, c.out);
        if (rc < 0) {
            st = nc_splitter_finish(c.sp);
            rc = st == NC_OK ? split_drain(&c) : fail(st, NULL);
            nc_splitter_reset(c.sp);
        }
    }
    if (c.out) {
        int crc = close_out(c.out, o.out);
        if (rc < 0)
            rc = crc;
    }
    nc_splitter_free(c.sp);
done:
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* train                                                                     */

/* Save with SIGINT/SIGTERM held back, so an interrupt never leaves a temporary file. */
static nc_status save_model_blocking_signals(const nc_model *m, const char *path, nc_diag *diag)
{
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    nc_status st = nc_model_save(m, path, diag);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return st;
}

static const char train_help[] =
    "usage: newsclass train -o MODEL [--format tsv|brat] [--label-map FILE]\n"
    "                       [--set KEY=VALUE]... CORPUS...\n"
    "       newsclass train --update MODEL [-o OUT] CORPUS...\n"
    "       newsclass train --forget MODEL [-o OUT] CORPUS...\n"
    "       newsclass train --from-counts -o MODEL COUNTS...\n"
    "\n"
    "Train a naive Bayes model on labelled corpora and save it atomically (the\n"
    "old file stays intact if anything fails).  A directory is read as brat\n"
    "standoff (X.txt + X.ann pairs) and needs --label-map; a file as document TSV\n"
    "(see corpus/README.md); '-' reads TSV from standard input.\n"
    "\n"
    "  -o, --output MODEL  the model file to write\n"
    "  --format tsv|brat   corpus format (default: by path)\n"
    "  --label-map FILE    brat label map: SOURCE<TAB>TARGET, first match wins,\n"
    "                      target '-' drops the sentence\n"
    "  --set KEY=VALUE     a training setting (repeatable); stored in the model:\n"
    "                      stemmer (english; 'none'), alpha, alpha_cue, bigrams,\n"
    "                      binary, cues, position, context, stopwords, cue_weight,\n"
    "                      prior_weight, length_norm, hmm_weight, emission_scale,\n"
    "                      min_count, max_features, cues_fine, entropy_weight,\n"
    "                      sublabels, position_weight, start_bigram, edge_words\n"
    "                      (see README)\n"
    "  --update MODEL      add the corpus' counts to MODEL (written to -o, or MODEL)\n"
    "  --forget MODEL      subtract them (refuses to go below zero)\n"
    "  --from-counts       build the model from count lines (newsclass count),\n"
    "                      e.g. the output of a map-reduce job\n"
    "  --min-count N       the same as --set min_count=N (prune rare features)\n"
    "  --max-features N    the same as --set max_features=N\n"
    "  -j, --jobs N        threads (the model is the same whatever N; --forget\n"
    "                      runs on one)\n"
    "  -q, --quiet         no progress line and no summary on stderr\n"
    "\n"
    "Ctrl-C stops training with exit status 130 and leaves MODEL as it was.\n"
    "\n"
    "example:\n"
    "  newsclass train -o my.model --format brat \\\n"
    "      --label-map ../shared/corpora/newsdiscourse/label-map.tsv \\\n"
    "      ../shared/corpora/newsdiscourse/train\n";

static int cmd_train(int argc, char **argv)
{
    cli_opts o;
    nc_source *src = NULL;
    nc_model *base = NULL, *m = NULL;
    int rc = parse_opts(argc, argv,
                        O_OUT | O_FORMAT | O_LABELMAP | O_SET | O_UPDATE | O_QUIET | O_JOBS | O_COUNTS,
                        train_help, &o);
    if (rc >= 0)
        goto done;
    if (o.from_counts) {
        if (!o.out || o.ninputs < 1 || o.update || o.forget || o.nopt_given) {
            rc = usage_error(o.cmd, "%s", "--from-counts takes -o MODEL and count files only");
            goto done;
        }
        nc_diag diag = { 0 };
        nc_status st = nc_counts_load((const char *const *)o.inputs, (size_t)o.ninputs, &m, &diag);
        if (st == NC_OK)
            st = save_model_blocking_signals(m, o.out, &diag);
        rc = st == NC_OK ? NC_EXIT_OK : fail(st, &diag);
        goto done;
    }
    if (o.update && o.forget) {
        rc = usage_error(o.cmd, "%s", "--update and --forget exclude each other");
        goto done;
    }
    const char *basepath = o.update ? o.update : o.forget;
    const char *out = o.out ? o.out : basepath;
    if (!out) {
        rc = usage_error(o.cmd, "%s", "no output model: give -o MODEL");
        goto done;
    }
    if (basepath && o.nopt_given) {
        rc = usage_error(o.cmd, "%s", "--set cannot change the settings of an existing model");
        goto done;
    }
    if ((rc = corpus_sources(&o, &src)) >= 0)
        goto done;
    if (basepath && (rc = load_model(basepath, &base)) >= 0)
        goto done;
    nc_diag diag = { 0 };
    progress pg;
    progress_init(&pg, o.quiet, 0);
    catch_interrupts();
    nc_run run = { o.jobs, progress_show, &pg, &interrupted };
    nc_status st = nc_train_sources(src, (size_t)o.ninputs, &o.nopt, base, o.forget ? -1 : 1,
                                    &run, &m, &diag);
    progress_done(&pg);
    if (st == NC_ERR_INTERRUPTED || interrupted) {
        fprintf(stderr, "newsclass: interrupted; %s left as it was\n", out);
        rc = NC_EXIT_SIGINT;
        goto done;
    }
    if (st != NC_OK) {
        rc = fail(st, &diag);
        goto done;
    }
    st = save_model_blocking_signals(m, out, &diag);
    if (st != NC_OK) {
        rc = fail(st, &diag);
        goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "newsclass: wrote %s (%zu labels, %zu features)\n", out,
                nc_model_labels(m), nc_model_features(m));
    rc = NC_EXIT_OK;
done:
    nc_model_free(m);
    nc_model_free(base);
    free(src);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* eval                                                                      */

static int read_corpus(cli_opts *o, nc_corpus **out)
{
    nc_source *src;
    int rc = corpus_sources(o, &src);
    if (rc >= 0)
        return rc;
    nc_corpus *c;
    nc_status st = nc_corpus_new(&c);
    nc_diag diag = { 0 };
    for (int i = 0; i < o->ninputs && st == NC_OK; i++) {
        src[i].sublabels = o->nopt.sublabels; /* cv trains on what it reads */
        st = nc_corpus_read(c, &src[i], &diag);
    }
    free(src);
    if (st != NC_OK) {
        nc_corpus_free(c);
        return fail(st, &diag);
    }
    if (nc_corpus_sentences(c) == 0) {
        nc_corpus_free(c);
        fprintf(stderr, "newsclass: %s: no labelled sentences\n", o->inputs[0]);
        return NC_EXIT_INPUT;
    }
    *out = c;
    return -1;
}

static void print_eval_table(FILE *f, const nc_eval *e)
{
    size_t w = 5;
    for (size_t l = 0; l < e->nlabels; l++)
        if (strlen(e->labels[l]) > w)
            w = strlen(e->labels[l]);
    fprintf(f, "sentences  %llu\naccuracy   %.4f\nmacro-F1   %.4f\n\n",
            (unsigned long long)e->total, e->accuracy, e->macro_f1);
    fprintf(f, "%-*s  precision  recall     F1  support\n", (int)w, "label");
    for (size_t l = 0; l < e->nlabels; l++)
        fprintf(f, "%-*s     %.4f  %.4f  %.4f  %7llu\n", (int)w, e->labels[l], e->precision[l],
                e->recall[l], e->f1[l], (unsigned long long)e->support[l]);
    fprintf(f, "\nconfusion (rows: gold, columns: predicted)\n%-*s", (int)w, "");
    for (size_t l = 0; l < e->nlabels; l++)
        fprintf(f, " %8.8s", e->labels[l]);
    fputc('\n', f);
    for (size_t g = 0; g < e->nlabels; g++) {
        fprintf(f, "%-*s", (int)w, e->labels[g]);
        for (size_t p = 0; p < e->nlabels; p++)
            fprintf(f, " %8llu", (unsigned long long)e->confusion[g * e->nlabels + p]);
        fputc('\n', f);
    }
}

static void print_eval_json(FILE *f, const nc_eval *e, int boot, double lo, double hi)
{
    fprintf(f, "{\"sentences\":%llu,\"accuracy\":%.6f,\"macro_f1\":%.6f,",
            (unsigned long long)e->total, e->accuracy, e->macro_f1);
    if (boot)
        fprintf(f, "\"macro_f1_ci95\":[%.6f,%.6f],", lo, hi);
    fputs("\"per_class\":{", f);
    for (size_t l = 0; l < e->nlabels; l++) {
        if (l)
            fputc(',', f);
        json_str(f, e->labels[l], strlen(e->labels[l]));
        fprintf(f, ":{\"precision\":%.6f,\"recall\":%.6f,\"f1\":%.6f,\"support\":%llu}",
                e->precision[l], e->recall[l], e->f1[l], (unsigned long long)e->support[l]);
    }
    fputs("},\"labels\":[", f);
    for (size_t l = 0; l < e->nlabels; l++) {
        if (l)
            fputc(',', f);
        json_str(f, e->labels[l], strlen(e->labels[l]));
    }
    fputs("],\"confusion\":{", f);
    for (size_t g = 0; g < e->nlabels; g++) {
        if (g)
            fputc(',', f);
        json_str(f, e->labels[g], strlen(e->labels[g]));
        fputs(":{", f);
        for (size_t p = 0; p < e->nlabels; p++) {
            if (p)
                fputc(',', f);
            json_str(f, e->labels[p], strlen(e->labels[p]));
            fprintf(f, ":%llu", (unsigned long long)e->confusion[g * e->nlabels + p]);
        }
        fputc('}', f);
    }
    fputs("}}\n", f);
}

static const char eval_help[] =
    "usage: newsclass eval [-m MODEL] [--format tsv|brat|json|html] [--label-map FILE]\n"
    "                      [--json] [-o OUT]\n"
    "                      [--bootstrap N] [--min-macro-f1 X] CORPUS...\n"
    "\n"
    "Classify labelled corpora and report accuracy, macro-F1, per-class precision,\n"
    "recall, F1 and support, and the confusion matrix (rows gold, columns\n"
    "predicted).  Sentences are taken as the corpus splits them.\n"
    "\n"
    "  -m, --model MODEL   model file (default: the built-in model)\n"
    "  --format tsv|brat   corpus format (default: a directory is brat)\n"
    "  --label-map FILE    label map for brat corpora\n"
    "  --format html       a self-contained HTML page: the confusion matrix as a\n"
    "                      heat map, per-class precision/recall/F1 bars (-o FILE)\n"
    "  --json              one JSON object: accuracy, macro_f1, per_class (label ->\n"
    "                      precision, recall, f1, support), labels, confusion\n"
    "                      (gold -> predicted -> count)\n"
    "  --bootstrap N       add a document-level bootstrap 95% interval of macro-F1\n"
    "                      from N resamples (--seed S, default 1)\n"
    "  --min-macro-f1 X    exit 3 when macro-F1 is below X (a CI gate)\n"
    "\n"
    "example:\n"
    "  newsclass eval corpus/seed-article.tsv\n"
    "  newsclass eval --json --min-macro-f1 0.55 --label-map MAP ../shared/corpora/newsdiscourse/validation\n";

static int cmd_eval(int argc, char **argv)
{
    cli_opts o;
    nc_model *m = NULL;
    nc_corpus *c = NULL;
    nc_eval *e = NULL;
    int rc = parse_opts(argc, argv,
                        O_MODEL | O_FORMAT | O_LABELMAP | O_JSON | O_GATE | O_BOOT | O_SEED | O_OUT,
                        eval_help, &o);
    if (rc >= 0)
        goto done;
    int html = 0;
    if (o.format && strcmp(o.format, "json") == 0) {
        o.json = 1;
        o.format = NULL;
    } else if (o.format && strcmp(o.format, "html") == 0) {
        html = 1;
        o.format = NULL;
    } else if (o.format && strcmp(o.format, "table") == 0) {
        o.format = NULL;
    } else if (o.format && strcmp(o.format, "tsv") != 0 && strcmp(o.format, "brat") != 0) {
        rc = usage_error(o.cmd, "unknown format '%s' (tsv, brat, table, json or html)", o.format);
        goto done;
    }
    if ((rc = load_model(o.model, &m)) >= 0 || (rc = read_corpus(&o, &c)) >= 0)
        goto done;
    nc_diag diag = { 0 };
    nc_status st = nc_evaluate(m, c, &e, &diag);
    double lo = 0, hi = 0;
    if (st == NC_OK && o.bootstrap)
        st = nc_eval_bootstrap(m, c, o.bootstrap, o.seed, &lo, &hi, &diag);
    if (st != NC_OK) {
        rc = fail(st, &diag);
        goto done;
    }
    FILE *f = open_out(o.out);
    if (!f) {
        rc = NC_EXIT_INPUT;
        goto done;
    }
    if (html) {
        html_eval(f, e, o.model ? o.model : "(built-in default)", o.inputs[0]);
    } else if (o.json) {
        print_eval_json(f, e, o.bootstrap != 0, lo, hi);
    } else {
        print_eval_table(f, e);
        if (o.bootstrap)
            fprintf(f, "\nmacro-F1 95%% bootstrap interval (%u document resamples): %.4f - %.4f\n",
                    o.bootstrap, lo, hi);
    }
    rc = close_out(f, o.out);
    if (rc == NC_EXIT_OK && o.min_macro_f1 >= 0 && e->macro_f1 < o.min_macro_f1) {
        fprintf(stderr, "newsclass: macro-F1 %.4f is below the gate %.4f\n", e->macro_f1,
                o.min_macro_f1);
        rc = NC_EXIT_GATE;
    }
done:
    nc_eval_free(e);
    nc_corpus_free(c);
    nc_model_free(m);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* cv                                                                        */

static const char cv_help[] =
    "usage: newsclass cv [-k K] [--seed S] [--set KEY=VALUE]... [--format tsv|brat]\n"
    "                    [--label-map FILE] [--json] CORPUS...\n"
    "\n"
    "k-fold cross-validation by document (default k = 10): documents are shuffled\n"
    "with the seed, each fold is scored by a model trained on the others with the\n"
    "given settings.  Prints each fold's macro-F1 and accuracy, their mean and\n"
    "standard deviation.\n"
    "\n"
    "example:\n"
    "  newsclass cv -k 10 --set bigrams=1 --label-map MAP ../shared/corpora/newsdiscourse/train\n";

static void mean_sd(const double *x, unsigned n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (unsigned i = 0; i < n; i++)
        s += x[i];
    *mean = s / n;
    for (unsigned i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
}

static int cmd_cv(int argc, char **argv)
{
    cli_opts o;
    nc_corpus *c = NULL;
    double *f1 = NULL, *acc = NULL;
    int rc = parse_opts(argc, argv, O_K | O_SEED | O_SET | O_FORMAT | O_LABELMAP | O_JSON,
                        cv_help, &o);
    if (rc >= 0 || (rc = read_corpus(&o, &c)) >= 0)
        goto done;
    f1 = calloc(o.k, sizeof *f1);
    acc = calloc(o.k, sizeof *acc);
    if (!f1 || !acc) {
        rc = fail(NC_ERR_NOMEM, NULL);
        goto done;
    }
    nc_diag diag = { 0 };
    nc_status st = nc_cross_validate(c, &o.nopt, o.k, o.seed, f1, acc, &diag);
    if (st != NC_OK) {
        rc = fail(st, &diag);
        goto done;
    }
    double mf, sf, ma, sa;
    mean_sd(f1, o.k, &mf, &sf);
    mean_sd(acc, o.k, &ma, &sa);
    if (o.json) {
        printf("{\"k\":%u,\"macro_f1_mean\":%.6f,\"macro_f1_sd\":%.6f,\"accuracy_mean\":%.6f,"
               "\"accuracy_sd\":%.6f,\"folds\":[",
               o.k, mf, sf, ma, sa);
        for (unsigned i = 0; i < o.k; i++)
            printf("%s{\"macro_f1\":%.6f,\"accuracy\":%.6f}", i ? "," : "", f1[i], acc[i]);
        printf("]}\n");
    } else {
        printf("fold  macro-F1  accuracy\n");
        for (unsigned i = 0; i < o.k; i++)
            printf("%4u    %.4f    %.4f\n", i + 1, f1[i], acc[i]);
        printf("mean    %.4f    %.4f\nsd      %.4f    %.4f\n", mf, ma, sf, sa);
    }
    rc = close_out(stdout, NULL);
done:
    free(f1);
    free(acc);
    nc_corpus_free(c);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* info                                                                      */

static const char info_help[] =
    "usage: newsclass info [MODEL]\n"
    "\n"
    "Describe a model (default: the built-in one): file format version, labels\n"
    "with their sentence counts, vocabulary size, documents, the digest of the\n"
    "training corpus and every setting it was trained with.\n"
    "\n"
    "example:\n"
    "  newsclass info models/default.ncm\n";

static int cmd_info(int argc, char **argv)
{
    cli_opts o;
    nc_model *m = NULL;
    int rc = parse_opts(argc, argv, 0, info_help, &o);
    if (rc >= 0)
        goto done;
    if (o.ninputs > 1) {
        rc = usage_error(o.cmd, "%s", "info takes one model");
        goto done;
    }
    if ((rc = load_model(o.ninputs ? o.inputs[0] : NULL, &m)) >= 0)
        goto done;
    nc_model_info mi;
    nc_model_describe(m, &mi);
    printf("model      %s\n", o.ninputs ? o.inputs[0] : "(built-in default)");
    printf("format     %u\n", mi.format_version);
    printf("labels     %zu:", nc_model_labels(m));
    for (size_t l = 0; l < nc_model_labels(m); l++)
        printf(" %s", nc_model_label(m, l));
    if (nc_model_options(m)->sublabels) {
        printf("\nclasses    %zu:", nc_model_classes(m));
        for (size_t l = 0; l < nc_model_classes(m); l++)
            printf(" %s", nc_model_class(m, l));
    }
    printf("\nfeatures   %zu\ndocuments  %llu\ncorpus     %s\nsentences\n", nc_model_features(m),
           (unsigned long long)mi.documents, mi.corpus_digest[0] ? mi.corpus_digest : "-");
    for (size_t l = 0; l < nc_model_classes(m); l++)
        printf("  %-20s %llu\n", nc_model_class(m, l), (unsigned long long)mi.label_sentences[l]);
    printf("settings\n");
    char buf[2048];
    nc_options_format(nc_model_options(m), buf, sizeof buf);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        printf("  %s\n", line);
    rc = close_out(stdout, NULL);
done:
    nc_model_free(m);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* explain                                                                   */

static const char explain_help[] =
    "usage: newsclass explain [-m MODEL] [--top N] [SENTENCE...]\n"
    "       newsclass explain [-m MODEL] [--top N] --model-features\n"
    "\n"
    "For each SENTENCE (or each line of standard input when none is given): its\n"
    "label, the runner-up, and the N features (default 10) that pushed it most\n"
    "towards its label and most towards the runner-up, with their log-odds\n"
    "contributions.  With --model-features: the N most informative features of\n"
    "every label (seen at least 10 times), by the log ratio of their probability\n"
    "under the label to their mean probability under the other labels.\n"
    "\n"
    "Feature names: w:STEM a word, b:STEM STEM a bigram (b:^ STEM the first word,\n"
    "b:^^ STEM a word near the start, b:$$ STEM a word at the end), c:NAME a cue\n"
    "(quote, report, modal...), p:NAME position, x:p:/x:n: a cue of the\n"
    "previous/next sentence.\n"
    "\n"
    "example:\n"
    "  newsclass explain \"The ministry said it would respond.\"\n"
    "  newsclass explain --top 15 --model-features\n";

static void explain_one(const nc_model *m, const char *s, size_t len, unsigned top)
{
    size_t label, second, n;
    nc_contribution *c;
    nc_status st = nc_explain(m, s, len, &label, &second, &c, &n);
    if (st != NC_OK) {
        nc_cli_error(st, NULL);
        return;
    }
    double gap = 0;
    for (size_t i = 0; i < n; i++)
        gap += c[i].weight;
    printf("%.*s\n  label %s, runner-up %s, log-odds %+.3f\n", (int)len, s,
           nc_model_class(m, label), nc_model_class(m, second), gap);
    printf("  towards %s:\n", nc_model_class(m, label));
    for (size_t i = 0; i < n && i < top && c[i].weight > 0; i++)
        printf("    %+8.3f  %s\n", c[i].weight, c[i].feature);
    printf("  towards %s:\n", nc_model_class(m, second));
    for (size_t i = 0; i < n && i < top && c[n - 1 - i].weight < 0; i++)
        printf("    %+8.3f  %s\n", c[n - 1 - i].weight, c[n - 1 - i].feature);
    nc_free_explanation(c);
}

static int cmd_explain(int argc, char **argv)
{
    cli_opts o;
    nc_model *m = NULL;
    nc_contribution *top = NULL;
    int model_features = 0;
    /* --model-features is explain's own flag: take it out before parsing. */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--model-features") == 0) {
            model_features = 1;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof *argv);
            argc--;
            i--;
        }
    int rc = parse_opts(argc, argv, O_MODEL | O_TOP, explain_help, &o);
    if (rc >= 0)
        goto done;
    if ((rc = load_model(o.model, &m)) >= 0)
        goto done;
    if (nc_model_classes(m) < 2) {
        fprintf(stderr, "newsclass: the model has fewer than two labels: nothing to explain\n");
        rc = NC_EXIT_INPUT;
        goto done;
    }
    unsigned n = o.top_k ? o.top_k : 10;
    if (model_features) {
        top = calloc(n, sizeof *top);
        if (!top) {
            rc = fail(NC_ERR_NOMEM, NULL);
            goto done;
        }
        for (size_t l = 0; l < nc_model_classes(m); l++) {
            size_t got;
            nc_status st = nc_top_features(m, l, n, 10, top, &got);
            if (st != NC_OK) {
                rc = fail(st, NULL);
                goto done;
            }
            printf("%s: most informative features (log ratio to the other labels)\n",
                   nc_model_class(m, l));
            for (size_t i = 0; i < got; i++)
                printf("  %+7.3f  %s\n", top[i].weight, top[i].feature);
        }
    } else if (o.ninputs) {
        for (int i = 0; i < o.ninputs; i++)
            explain_one(m, o.inputs[i], strlen(o.inputs[i]), n);
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        while ((len = getline(&line, &cap, stdin)) > 0) {
            while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
            if (len)
                explain_one(m, line, (size_t)len, n);
        }
        free(line);
    }
    rc = close_out(stdout, NULL);
done:
    free(top);
    nc_model_free(m);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* merge                                                                     */

static const char merge_help[] =
    "usage: newsclass merge -o OUT MODEL...\n"
    "\n"
    "Sum the counts of models trained with the same settings (e.g. on shards of a\n"
    "corpus) into OUT, written atomically.  Merging the models of N shards gives\n"
    "exactly the bytes of one-pass training on all of them.  Models trained with\n"
    "different settings are refused.\n"
    "\n"
    "example:\n"
    "  newsclass merge -o all.model shard1.model shard2.model shard3.model\n";

static int cmd_merge(int argc, char **argv)
{
    cli_opts o;
    nc_model *sum = NULL, *m = NULL;
    int rc = parse_opts(argc, argv, O_OUT | O_QUIET, merge_help, &o);
    if (rc >= 0)
        goto done;
    if (!o.out || o.ninputs < 1) {
        rc = usage_error(o.cmd, "%s", "merge needs -o OUT and at least one model");
        goto done;
    }
    if ((rc = load_model(o.inputs[0], &sum)) >= 0)
        goto done;
    for (int i = 1; i < o.ninputs; i++) {
        if ((rc = load_model(o.inputs[i], &m)) >= 0)
            goto done;
        nc_diag diag = { 0 };
        nc_status st = nc_model_merge(sum, m, &diag);
        if (st != NC_OK) {
            if (st == NC_ERR_INCOMPATIBLE)
                snprintf(diag.file, sizeof diag.file, "%s", o.inputs[i]);
            rc = fail(st, &diag);
            goto done;
        }
        nc_model_free(m);
        m = NULL;
    }
    nc_diag diag = { 0 };
    nc_status st = save_model_blocking_signals(sum, o.out, &diag);
    if (st != NC_OK) {
        rc = fail(st, &diag);
        goto done;
    }
    if (!o.quiet)
        fprintf(stderr, "newsclass: wrote %s (%d models merged, %zu features)\n", o.out,
                o.ninputs, nc_model_features(sum));
    rc = NC_EXIT_OK;
done:
    nc_model_free(m);
    nc_model_free(sum);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

/* ------------------------------------------------------------------------ */
/* count                                                                     */

static int write_stdout(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

static const char count_help[] =
    "usage: newsclass count [--format tsv|brat] [--label-map FILE] [--set KEY=VALUE]...\n"
    "                       CORPUS...\n"
    "       newsclass count --reduce [FILE]\n"
    "\n"
    "Training as map-reduce.  count (the mapper) writes the naive Bayes counts of\n"
    "a corpus shard as sorted text lines TYPE<TAB>A<TAB>B<TAB>VALUE on standard\n"
    "output (F feature label n, S label n, T from to n, D documents, C digest,\n"
    "O setting value).  count --reduce (the reducer) sums the values of equal keys\n"
    "(the first three fields) in sorted input.  train --from-counts builds the\n"
    "model; pruning (--min-count, --max-features) is applied only there, so the\n"
    "result is byte-identical to one-pass training.\n"
    "\n"
    "example (local):\n"
    "  for s in shard*.tsv; do newsclass count \"$s\" >\"$s.counts\" & done; wait\n"
    "  LC_ALL=C sort shard*.counts | newsclass count --reduce >all.counts\n"
    "  newsclass train --from-counts -o all.model all.counts\n";

static int cmd_count(int argc, char **argv)
{
    cli_opts o;
    nc_source *src = NULL;
    nc_model *m = NULL;
    int rc = parse_opts(argc, argv, O_FORMAT | O_LABELMAP | O_SET | O_COUNTS | O_JOBS, count_help, &o);
    if (rc >= 0)
        goto done;
    nc_diag diag = { 0 };
    nc_status st;
    if (o.reduce) {
        if (o.ninputs > 1) {
            rc = usage_error(o.cmd, "%s", "--reduce reads one sorted stream");
            goto done;
        }
        st = nc_counts_reduce(o.ninputs ? o.inputs[0] : "-", write_stdout, NULL, &diag);
    } else {
        if ((rc = corpus_sources(&o, &src)) >= 0)
            goto done;
        /* Shards are counted unpruned; the settings recorded are the real ones. */
        nc_options unpruned = o.nopt;
        unpruned.min_count = 0;
        unpruned.max_features = 0;
        nc_run run = { o.jobs, NULL, NULL, NULL };
        st = nc_train_sources(src, (size_t)o.ninputs, &unpruned, NULL, 1, &run, &m, &diag);
        if (st == NC_OK)
            st = nc_counts_write(m, &o.nopt, write_stdout, NULL);
    }
    if (st == NC_ERR_IO && !diag.message[0])
        snprintf(diag.message, sizeof diag.message, "write error on standard output: %s",
                 strerror(errno ? errno : EIO));
    rc = st == NC_OK ? close_out(stdout, NULL) : fail(st, &diag);
done:
    nc_model_free(m);
    free(src);
    free(o.inputs);
    return rc < 0 ? NC_EXIT_OK : rc;
}

const nc_command nc_commands[] = {
    { "classify", cmd_classify, "label every sentence of raw articles", classify_help },
    { "split", cmd_split, "split raw text into sentences, one a line", split_help },
    { "train", cmd_train, "train, update or forget a model from labelled corpora", train_help },
    { "eval", cmd_eval, "accuracy, macro-F1, per-class scores, confusion matrix", eval_help },
    { "cv", cmd_cv, "k-fold cross-validation by document", cv_help },
    { "explain", cmd_explain, "which features decided a sentence; a model's top features", explain_help },
    { "merge", cmd_merge, "sum models trained with the same settings", merge_help },
    { "count", cmd_count, "training as map-reduce: count a shard, or --reduce counts", count_help },
    { "info", cmd_info, "describe a model", info_help },
    { NULL, NULL, NULL, NULL },
};
