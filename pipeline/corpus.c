/*
 * corpus.c - the corpus readers (document TSV, brat standoff with a label
 * map) and the in-memory corpus (see corpus.h).
 *
 * Files are read in 64 KiB blocks through a small line reader of our own
 * rather than stdio's getline: it sees NUL bytes (an error with file and
 * line, not a silently shortened line), bounds line length, and allocates
 * through the library's hook.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"
#include "utf8.h"

#define BLOCK (64u * 1024u)
#define MAX_BRAT_FILE (64u << 20) /* a brat .txt or .ann larger than this is refused */

/* ------------------------------------------------------------------------ */
/* Documents                                                                 */

void nc_doc_init(nc_doc *d)
{
    memset(d, 0, sizeof *d);
    nc_arena_init(&d->arena);
}

void nc_doc_reset(nc_doc *d)
{
    d->n = 0;
    d->id = d->file = NULL;
    d->first_line = 0;
    nc_arena_reset(&d->arena);
}

void nc_doc_free(nc_doc *d)
{
    nc_free(d->s);
    nc_free(d->label);
    nc_free(d->line);
    nc_arena_free(&d->arena);
    nc_doc_init(d);
}

nc_status nc_doc_add(nc_doc *d, const char *text, size_t len, const char *label, size_t llen,
                     unsigned flags, uint32_t paragraph, uint32_t index_in_paragraph,
                     unsigned long line)
{
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 64;
        nc_sent_in *s = nc_reallocarray(d->s, ncap, sizeof *s);
        if (!s)
            return NC_ERR_NOMEM;
        d->s = s;
        const char **l = nc_reallocarray(d->label, ncap, sizeof *l);
        if (!l)
            return NC_ERR_NOMEM;
        d->label = l;
        unsigned long *ln = nc_reallocarray(d->line, ncap, sizeof *ln);
        if (!ln)
            return NC_ERR_NOMEM;
        d->line = ln;
        d->cap = ncap;
    }
    char *t = nc_arena_strndup(&d->arena, text, len);
    const char *lab = label ? nc_arena_strndup(&d->arena, label, llen) : NULL;
    if (!t || (label && !lab))
        return NC_ERR_NOMEM;
    d->s[d->n] = (nc_sent_in){ t, len, flags, paragraph, index_in_paragraph, (uint32_t)d->n };
    d->label[d->n] = lab;
    d->line[d->n] = line;
    d->n++;
    return NC_OK;
}

/*
 * The first NUL is found by memchr; up to it, ASCII is skipped 8 bytes at
 * a time (no byte of the word has its high bit set) and only the rest is
 * decoded.  A NUL cannot be inside a valid UTF-8 sequence, so decoding
 * never runs past it: the result is what a byte-by-byte scan gives.  The
 * byte loop was ~5 % of train.
 */
size_t nc_text_invalid_at(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    const unsigned char *nul = len ? memchr(u, 0, len) : NULL;
    size_t end = nul ? (size_t)(nul - u) : len;
    size_t i = 0;
    while (i < end) {
        i += nc_utf8_ascii_prefix(s + i, end - i);
        if (i == end)
            break;
        int32_t cp;
        size_t n = nc_utf8_decode(u + i, len - i, &cp);
        if (n == 0 || cp < 0)
            return i;
        i += n;
    }
    return end;
}

int nc_label_valid(const char *label, size_t len)
{
    if (len == 0 || len > NC_MAX_LABEL_BYTES || nc_text_invalid_at(label, len) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)label[i];
        if (c <= ' ' || c == 0x7f)
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------ */
/* A line reader over a file descriptor                                      */

nc_status nc_lines_open(nc_lines *lr, const char *path, nc_diag *diag)
{
    memset(lr, 0, sizeof *lr);
    if (strcmp(path, "-") == 0) {
        lr->fd = 0;
    } else {
        lr->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (lr->fd < 0)
            return nc_diag_set(diag, NC_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
        struct stat st;
        if (fstat(lr->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(lr->fd);
            return nc_diag_set(diag, NC_ERR_IO, path, 0,
                               "is a directory (use --format brat for brat corpora)");
        }
        lr->own_fd = 1;
    }
    lr->cap = BLOCK * 2;
    lr->buf = nc_malloc(lr->cap);
    if (!lr->buf) {
        if (lr->own_fd)
            close(lr->fd);
        return NC_ERR_NOMEM;
    }
    return NC_OK;
}

void nc_lines_close(nc_lines *lr)
{
    if (lr->own_fd && lr->fd >= 0)
        close(lr->fd);
    nc_free(lr->buf);
    lr->buf = NULL;
}

nc_status nc_lines_next(nc_lines *lr, const char *path, const char **line, size_t *len,
                         int *got, nc_diag *diag)
{
    *got = 0;
    for (;;) {
        char *nl = lr->end > lr->start ? memchr(lr->buf + lr->start, '\n', lr->end - lr->start)
                                       : NULL;
        if (nl || (lr->eof && lr->end > lr->start)) {
            size_t l = nl ? (size_t)(nl - (lr->buf + lr->start)) : lr->end - lr->start;
            *line = lr->buf + lr->start;
            lr->start += l + (nl ? 1 : 0);
            if (l && (*line)[l - 1] == '\r')
                l--;
            *len = l;
            lr->lineno++;
            *got = 1;
            return NC_OK;
        }
        if (lr->eof)
            return NC_OK;
        if (lr->end - lr->start > NC_MAX_LINE_BYTES)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, lr->lineno + 1,
                               "line longer than %u bytes", NC_MAX_LINE_BYTES);
        /* Move the partial line to the front, grow if needed, read more. */
        if (lr->start) {
            memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
            lr->end -= lr->start;
            lr->start = 0;
        }
        if (lr->cap - lr->end < BLOCK) {
            char *nb = nc_realloc(lr->buf, lr->cap * 2);
            if (!nb)
                return NC_ERR_NOMEM;
            lr->buf = nb;
            lr->cap *= 2;
        }
        ssize_t r;
        do
            r = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return nc_diag_set(diag, NC_ERR_IO, path, lr->lineno + 1, "read error: %s",
                               strerror(errno));
        if (r == 0)
            lr->eof = 1;
        lr->end += (size_t)r;
    }
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                   */

enum reader_kind { R_TSV, R_BRAT };

typedef struct map_row {
    char *source, *target; /* target NULL for "-" */
} map_row;

struct nc_reader {
    enum reader_kind kind;
    char *path;
    /* TSV */
    nc_lines lr;
    unsigned long docno;
    /* brat */
    char **files; /* X (without extension), sorted */
    size_t nfiles, next_file;
    map_row *map;
    size_t nmap;
    char *map_path;
};

static nc_status reader_alloc(enum reader_kind kind, const char *path, nc_reader **out)
{
    nc_reader *r = nc_calloc(1, sizeof *r);
    if (!r)
        return NC_ERR_NOMEM;
    r->kind = kind;
    r->path = nc_strndup(path, strlen(path));
    if (!r->path) {
        nc_free(r);
        return NC_ERR_NOMEM;
    }
    r->lr.fd = -1;
    *out = r;
    return NC_OK;
}

nc_status nc_reader_open_tsv(const char *path, nc_reader **out, nc_diag *diag)
{
    *out = NULL;
    nc_reader *r;
    nc_status st = reader_alloc(R_TSV, path, &r);
    if (st != NC_OK)
        return st;
    st = nc_lines_open(&r->lr, path, diag);
    if (st != NC_OK) {
        r->lr.buf = NULL;
        nc_reader_free(r);
        return st;
    }
    *out = r;
    return NC_OK;
}

void nc_reader_free(nc_reader *r)
{
    if (!r)
        return;
    if (r->lr.buf)
        nc_lines_close(&r->lr);
    for (size_t i = 0; i < r->nfiles; i++)
        nc_free(r->files[i]);
    nc_free(r->files);
    for (size_t i = 0; i < r->nmap; i++) {
        nc_free(r->map[i].source);
        nc_free(r->map[i].target);
    }
    nc_free(r->map);
    nc_free(r->map_path);
    nc_free(r->path);
    nc_free(r);
}

/*
 * Remember a document's ID and text digest; a repeat is an error.  The
 * digest lives only in the seen table, never in a file or message, so it
 * is nc_hash64 (8 bytes a step) over each label and text, lengths
 * included: FNV-1a here took ~7 % of train (bench/PERF.md, third pass).
 */
static nc_status check_duplicate(nc_vocab *seen, const nc_doc *d, nc_diag *diag)
{
    if (!seen || d->n == 0)
        return NC_OK;
    uint64_t h = NC_FNV_INIT;
    for (size_t i = 0; i < d->n; i++) {
        h = nc_hash64(h, d->label[i], strlen(d->label[i]));
        h = nc_hash64(h, d->s[i].text, d->s[i].len);
    }
    char key[64];
    int n = snprintf(key, sizeof key, "#text:%016llx", (unsigned long long)h);
    uint32_t id;
    int added;
    nc_status st = nc_vocab_intern(seen, key, (size_t)n, &id, &added);
    if (st != NC_OK)
        return st;
    if (!added)
        return nc_diag_set(diag, NC_ERR_FORMAT, d->file, d->first_line,
                           "duplicate document: the same sentences and labels as an earlier one");
    if (d->id && d->id[0]) {
        st = nc_vocab_intern(seen, d->id, strlen(d->id), &id, &added);
        if (st != NC_OK)
            return st;
        if (!added)
            return nc_diag_set(diag, NC_ERR_FORMAT, d->file, d->first_line,
                               "duplicate document ID '%s'", d->id);
    }
    return NC_OK;
}

static nc_status tsv_next(nc_reader *r, nc_doc *doc, int *got, nc_diag *diag)
{
    const char *path = r->path;
    int para_marker = 0, any_marker = 0;
    uint32_t paragraph = 0, in_para = 0;
    char idbuf[256] = "";
    *got = 0;
    for (;;) {
        const char *line;
        size_t len;
        int have;
        nc_status st = nc_lines_next(&r->lr, path, &line, &len, &have, diag);
        if (st != NC_OK)
            return st;
        if (!have || len == 0) {
            if (doc->n > 0) {
                *got = 1;
                return NC_OK;
            }
            if (!have)
                return NC_OK;
            continue;
        }
        unsigned long ln = r->lr.lineno;
        if (line[0] == '#') {
            if (len >= 7 && memcmp(line, "# doc: ", 7) == 0) {
                if (doc->n > 0)
                    return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                                       "'# doc:' inside a document (end the previous one with a blank line)");
                size_t il = len - 7;
                if (il == 0 || il >= sizeof idbuf || nc_text_invalid_at(line + 7, il) != il)
                    return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                                       "document ID must be 1 to %zu bytes of valid UTF-8",
                                       sizeof idbuf - 1);
                memcpy(idbuf, line + 7, il);
                idbuf[il] = '\0';
            } else if (len == 6 && memcmp(line, "# para", 6) == 0) {
                para_marker = 1;
                any_marker = 1;
            }
            continue;
        }
        const char *tab = memchr(line, '\t', len);
        if (!tab)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                               "missing tab: expected 'label<TAB>sentence'");
        size_t llen = (size_t)(tab - line);
        const char *text = tab + 1;
        size_t tlen = len - llen - 1;
        if (llen == 0)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "empty label");
        if (!nc_label_valid(line, llen))
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                               "invalid label '%.*s': 1 to %u bytes of UTF-8 without spaces or control characters",
                               (int)(llen > 64 ? 64 : llen), line, NC_MAX_LABEL_BYTES);
        if (memchr(line, '\r', len))
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                               "carriage return inside a line (CR-only line endings? use LF or CRLF)");
        if (memchr(text, '\t', tlen))
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                               "more than one tab: a sentence may not contain a tab");
        size_t bad = nc_text_invalid_at(text, tlen);
        if (bad != tlen)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln,
                               "%s at byte %zu of the sentence",
                               text[bad] ? "invalid UTF-8" : "NUL byte", bad + 1);
        while (tlen && (*text == ' '))
            text++, tlen--;
        while (tlen && text[tlen - 1] == ' ')
            tlen--;
        if (tlen == 0)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "empty sentence");
        if (tlen > NC_MAX_SENTENCE_BYTES)
            return nc_diag_set(diag, NC_ERR_FORMAT, path, ln, "sentence longer than %u bytes",
                               NC_MAX_SENTENCE_BYTES);
        if (doc->n == 0) {
            r->docno++;
            doc->first_line = ln;
            doc->file = nc_arena_strndup(&doc->arena, path, strlen(path));
            char gen[1100];
            if (!idbuf[0]) /* unnamed: file#N, unique unless the file is read twice */
                snprintf(gen, sizeof gen, "%.1024s#%lu", path, r->docno);
            doc->id = nc_arena_strndup(&doc->arena, idbuf[0] ? idbuf : gen,
                                       strlen(idbuf[0] ? idbuf : gen));
            if (!doc->file || !doc->id)
                return NC_ERR_NOMEM;
        }
        /* Without "# para" markers every sentence is its own paragraph. */
        unsigned flags = 0;
        if (doc->n == 0 || para_marker || !any_marker) {
            if (doc->n > 0)
                paragraph++;
            in_para = 0;
            flags |= NC_SENT_PARA_START;
        }
        para_marker = 0;
        st = nc_doc_add(doc, text, tlen, line, llen, flags, paragraph, in_para++, ln);
        if (st != NC_OK)
            return st;
    }
}

static nc_status brat_next(nc_reader *r, nc_doc *doc, int *got, nc_diag *diag);

nc_status nc_reader_next(nc_reader *r, nc_doc *doc, nc_vocab *seen, int *got, nc_diag *diag)
{
    nc_doc_reset(doc);
    nc_status st;
    if (r->kind == R_TSV)
        st = tsv_next(r, doc, got, diag);
    else
        st = brat_next(r, doc, got, diag);
    if (st != NC_OK || !*got)
        return st;
    doc->s[doc->n - 1].flags |= NC_SENT_DOC_LAST;
    return check_duplicate(seen, doc, diag);
}

/* ------------------------------------------------------------------------ */
/* brat standoff                                                             */

/* Read a whole (small) file into a NUL-terminated buffer. */
static nc_status slurp(const char *path, char **out, size_t *len, nc_diag *diag)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return nc_diag_set(diag, NC_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_BRAT_FILE) {
        close(fd);
        return nc_diag_set(diag, NC_ERR_IO, path, 0, "not a regular file of at most %u bytes",
                           MAX_BRAT_FILE);
    }
    size_t size = (size_t)st.st_size;
    char *buf = nc_malloc(size + 1);
    if (!buf) {
        close(fd);
        return NC_ERR_NOMEM;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : EIO;
            close(fd);
            nc_free(buf);
            return nc_diag_set(diag, NC_ERR_IO, path, 0, "read error: %s",
                               r < 0 ? strerror(e) : "file shrank while reading");
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = '\0';
    *out = buf;
    *len = size;
    return NC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect every X for which X.txt and X.ann exist under dir, recursively. */
static nc_status collect(nc_reader *r, const char *dir, int depth, nc_diag *diag)
{
    if (depth > 32)
        return nc_diag_set(diag, NC_ERR_IO, dir, 0, "directories nested too deeply");
    DIR *d = opendir(dir);
    if (!d)
        return nc_diag_set(diag, NC_ERR_IO, dir, 0, "cannot open directory: %s", strerror(errno));
    nc_status st = NC_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.')
            continue;
        size_t dl = strlen(dir), nl = strlen(name);
        char *full = nc_malloc(dl + nl + 2);
        if (!full) {
            st = NC_ERR_NOMEM;
            break;
        }
        snprintf(full, dl + nl + 2, "%s/%s", dir, name);
        struct stat sb;
        if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            st = collect(r, full, depth + 1, diag);
            nc_free(full);
        } else if (nl > 4 && strcmp(name + nl - 4, ".txt") == 0) {
            full[dl + 1 + nl - 4] = '\0'; /* X */
            char *ann = nc_malloc(dl + nl + 2);
            if (!ann) {
                nc_free(full);
                st = NC_ERR_NOMEM;
                break;
            }
            snprintf(ann, dl + nl + 2, "%s.ann", full);
            int has_ann = access(ann, R_OK) == 0;
            nc_free(ann);
            if (!has_ann) {
                nc_free(full);
                continue;
            }
            if (r->nfiles == r->next_file) { /* next_file doubles as capacity while collecting */
                size_t ncap = r->next_file ? r->next_file * 2 : 64;
                char **nf = nc_reallocarray(r->files, ncap, sizeof *nf);
                if (!nf) {
                    nc_free(full);
                    st = NC_ERR_NOMEM;
                    break;
                }
                r->files = nf;
                r->next_file = ncap;
            }
            r->files[r->nfiles++] = full;
        } else {
            nc_free(full);
        }
        if (st != NC_OK)
            break;
    }
    closedir(d);
    return st;
}

/* With sublabels a row's target is "TARGET/SOURCE": the class it trains. */
static nc_status load_map(nc_reader *r, const char *path, int sublabels, nc_diag *diag)
{
    nc_lines lr;
    nc_status st = nc_lines_open(&lr, path, diag);
    if (st != NC_OK)
        return st;
    size_t cap = 0;
    for (;;) {
        const char *line;
        size_t len;
        int got;
        st = nc_lines_next(&lr, path, &line, &len, &got, diag);
        if (st != NC_OK || !got)
            break;
        if (len == 0 || line[0] == '#')
            continue;
        const char *tab = memchr(line, '\t', len);
        size_t sl = tab ? (size_t)(tab - line) : 0, tl = tab ? len - sl - 1 : 0;
        int drop = tab && tl == 1 && tab[1] == '-';
        if (!tab || !nc_label_valid(line, sl) || (!drop && !nc_label_valid(tab + 1, tl))) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, path, lr.lineno,
                             "expected 'source-label<TAB>target-label' (target '-' drops the sentence)");
            break;
        }
        /* The class the row trains: TARGET, or TARGET/SOURCE with sublabels. */
        size_t kl = sublabels ? tl + 1 + sl : tl;
        if (!drop && kl > NC_MAX_LABEL_BYTES) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, path, lr.lineno,
                             "'%.*s/%.*s' is longer than %u bytes (sublabels=1)", (int)tl,
                             tab + 1, (int)sl, line, NC_MAX_LABEL_BYTES);
            break;
        }
        if (r->nmap == cap) {
            cap = cap ? cap * 2 : 16;
            map_row *nm = nc_reallocarray(r->map, cap, sizeof *nm);
            if (!nm) {
                st = NC_ERR_NOMEM;
                break;
            }
            r->map = nm;
        }
        map_row *row = &r->map[r->nmap];
        row->source = nc_strndup(line, sl);
        row->target = drop ? NULL : nc_malloc(kl + 1);
        if (!row->source || (!drop && !row->target)) {
            nc_free(row->source);
            nc_free(row->target);
            st = NC_ERR_NOMEM;
            break;
        }
        if (row->target) {
            memcpy(row->target, tab + 1, tl);
            if (sublabels) {
                row->target[tl] = '/';
                memcpy(row->target + tl + 1, line, sl);
            }
            row->target[kl] = '\0';
        }
        r->nmap++;
    }
    nc_lines_close(&lr);
    if (st == NC_OK && r->nmap == 0)
        st = nc_diag_set(diag, NC_ERR_FORMAT, path, 0, "the label map has no rows");
    return st;
}

nc_status nc_reader_open_brat(const char *dir, const char *label_map, int sublabels,
                              nc_reader **out, nc_diag *diag)
{
    *out = NULL;
    if (!label_map)
        return nc_diag_set(diag, NC_ERR_ARG, dir, 0, "brat corpora need a label map (--label-map FILE)");
    nc_reader *r;
    nc_status st = reader_alloc(R_BRAT, dir, &r);
    if (st != NC_OK)
        return st;
    r->map_path = nc_strndup(label_map, strlen(label_map));
    if (!r->map_path)
        st = NC_ERR_NOMEM;
    if (st == NC_OK)
        st = load_map(r, label_map, sublabels, diag);
    if (st == NC_OK)
        st = collect(r, dir, 0, diag);
    if (st == NC_OK && r->nfiles == 0)
        st = nc_diag_set(diag, NC_ERR_FORMAT, dir, 0, "no X.txt/X.ann pairs found");
    if (st != NC_OK) {
        nc_reader_free(r);
        return st;
    }
    qsort(r->files, r->nfiles, sizeof *r->files, cmp_str);
    r->next_file = 0;
    *out = r;
    return NC_OK;
}

/* Sentences of one brat text: S<n> ids to line slices. */
typedef struct brat_sent {
    unsigned long id;      /* n of S<n> */
    const char *text;
    size_t len;
    unsigned long line;
    uint32_t paragraph, in_para;
    unsigned flags;
    size_t cp_start;       /* offset of the line in code points (brat's unit) */
    const char *labels[8]; /* source labels from the .ann (pointers into it) */
    size_t label_len[8];
    size_t nlabels;
} brat_sent;

static int parse_ulong(const char *s, size_t len, unsigned long *out)
{
    if (len == 0 || len > 9)
        return 0;
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return 1;
}

static brat_sent *find_sent(brat_sent *s, size_t n, unsigned long id)
{
    for (size_t i = 0; i < n; i++) /* ids are increasing: a short scan from a guess */
        if (s[i].id == id)
            return &s[i];
    return NULL;
}

static nc_status brat_parse(nc_reader *r, const char *base, char *txt, size_t tlen, char *ann,
                            size_t alen, nc_doc *doc, nc_diag *diag)
{
    char tpath[1100], apath[1100];
    snprintf(tpath, sizeof tpath, "%.1024s.txt", base);
    snprintf(apath, sizeof apath, "%.1024s.ann", base);
    size_t bad = nc_text_invalid_at(txt, tlen);
    if (bad != tlen) {
        unsigned long ln = 1;
        for (size_t i = 0; i < bad; i++)
            ln += txt[i] == '\n';
        return nc_diag_set(diag, NC_ERR_FORMAT, tpath, ln, "%s",
                           txt[bad] ? "invalid UTF-8" : "NUL byte");
    }
    /* Code points in the text: the unit of brat offsets. */
    size_t ncp = 0;
    for (size_t i = 0; i < tlen; i++)
        ncp += ((unsigned char)txt[i] & 0xC0) != 0x80;

    size_t cap = 64, n = 0;
    brat_sent *s = nc_malloc(cap * sizeof *s);
    if (!s)
        return NC_ERR_NOMEM;
    nc_status st = NC_OK;
    uint32_t paragraph = 0, in_para = 0;
    int new_para = 1;
    unsigned long ln = 0;
    size_t cps = 0;
    const char *cp_at = txt;
    for (size_t i = 0; i < tlen && st == NC_OK;) {
        size_t j = i;
        while (j < tlen && txt[j] != '\n')
            j++;
        ln++;
        size_t len = j - i;
        if (len && txt[i + len - 1] == '\r')
            len--;
        const char *line = txt + i;
        i = j + 1;
        if (len == 0) {
            new_para = 1;
            continue;
        }
        if (line[0] != 'S')
            continue; /* H (headline), URL, DATE lines */
        size_t k = 1;
        while (k < len && line[k] >= '0' && line[k] <= '9')
            k++;
        unsigned long id;
        if (k == 1 || !parse_ulong(line + 1, k - 1, &id) || (k < len && line[k] != ' '))
            continue;
        while (k < len && (line[k] == ' ' || line[k] == '\t'))
            k++;
        if (n == cap) {
            cap *= 2;
            brat_sent *ns = nc_reallocarray(s, cap, sizeof *ns);
            if (!ns) {
                st = NC_ERR_NOMEM;
                break;
            }
            s = ns;
        }
        if (new_para && n > 0) {
            paragraph++;
            in_para = 0;
        }
        for (; cp_at < line; cp_at++) /* code points before this line */
            cps += ((unsigned char)*cp_at & 0xC0) != 0x80;
        s[n] = (brat_sent){ .id = id, .text = line + k, .len = len - k, .line = ln, .cp_start = cps,
                            .paragraph = paragraph, .in_para = in_para,
                            .flags = new_para ? NC_SENT_PARA_START : 0 };
        in_para++;
        new_para = 0;
        n++;
    }
    /* The annotations: T<k> TAB Label START END TAB S<n> */
    ln = 0;
    for (size_t i = 0; i < alen && st == NC_OK;) {
        size_t j = i;
        while (j < alen && ann[j] != '\n')
            j++;
        ln++;
        size_t len = j - i;
        if (len && ann[i + len - 1] == '\r')
            len--;
        char *line = ann + i;
        i = j + 1;
        if (len == 0 || line[0] != 'T')
            continue;
        char *t1 = memchr(line, '\t', len);
        char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - line)) : NULL;
        char *sp1 = t1 ? memchr(t1 + 1, ' ', (size_t)((t2 ? t2 : line + len) - t1 - 1)) : NULL;
        char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)((t2 ? t2 : line + len) - sp1 - 1)) : NULL;
        unsigned long a, b, id;
        if (!t2 || !sp1 || !sp2 || !parse_ulong(sp1 + 1, (size_t)(sp2 - sp1 - 1), &a) ||
            !parse_ulong(sp2 + 1, (size_t)(t2 - sp2 - 1), &b)) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, apath, ln,
                             "expected 'T<k><TAB>Label START END<TAB>S<n>'");
            break;
        }
        if (a > b) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, apath, ln,
                             "span %lu-%lu starts after it ends", a, b);
            break;
        }
        if (b > ncp) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, apath, ln,
                             "offsets %lu-%lu point past the end of %s (%zu characters)", a, b,
                             tpath, ncp);
            break;
        }
        const char *ref = t2 + 1;
        size_t rl = len - (size_t)(ref - line);
        /* The covered text names the sentence (S<n>); where an annotator's
         * slip left other text there, the sentence whose line holds the
         * start offset is the one meant. */
        brat_sent *bs = NULL;
        if (rl >= 2 && ref[0] == 'S' && parse_ulong(ref + 1, rl - 1, &id))
            bs = find_sent(s, n, id);
        for (size_t q = 0; !bs && q < n; q++)
            if (s[q].cp_start <= a && (q + 1 == n || a < s[q + 1].cp_start))
                bs = &s[q];
        if (!bs) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, apath, ln, "'%.*s' names no sentence of %s",
                             (int)(rl > 32 ? 32 : rl), ref, tpath);
            break;
        }
        size_t ll = (size_t)(sp1 - t1 - 1);
        if (!nc_label_valid(t1 + 1, ll)) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, apath, ln, "invalid label");
            break;
        }
        if (bs->nlabels < 8) {
            bs->labels[bs->nlabels] = t1 + 1;
            bs->label_len[bs->nlabels++] = ll;
        }
    }
    /* Map each sentence's source labels: the first map row that matches wins. */
    for (size_t i = 0; i < n && st == NC_OK; i++) {
        if (s[i].nlabels == 0)
            continue; /* not annotated: neither trained nor evaluated */
        const map_row *hit = NULL;
        for (size_t m = 0; m < r->nmap && !hit; m++)
            for (size_t k = 0; k < s[i].nlabels; k++)
                if (strlen(r->map[m].source) == s[i].label_len[k] &&
                    memcmp(r->map[m].source, s[i].labels[k], s[i].label_len[k]) == 0) {
                    hit = &r->map[m];
                    break;
                }
        if (!hit) {
            st = nc_diag_set(diag, NC_ERR_LABEL, tpath, s[i].line,
                             "label '%.*s' of S%lu has no row in the label map %s",
                             (int)s[i].label_len[0], s[i].labels[0], s[i].id, r->map_path);
            break;
        }
        if (!hit->target)
            continue;
        if (s[i].len > NC_MAX_SENTENCE_BYTES) {
            st = nc_diag_set(diag, NC_ERR_FORMAT, tpath, s[i].line, "sentence longer than %u bytes",
                             NC_MAX_SENTENCE_BYTES);
            break;
        }
        st = nc_doc_add(doc, s[i].text, s[i].len, hit->target, strlen(hit->target), s[i].flags,
                        s[i].paragraph, s[i].in_para, s[i].line);
    }
    nc_free(s);
    if (st == NC_OK) {
        doc->file = nc_arena_strndup(&doc->arena, tpath, strlen(tpath));
        /* The path without extension: unique across directories, so two
         * shards may both hold a "Reuters_22". */
        doc->id = nc_arena_strndup(&doc->arena, base, strlen(base));
        doc->first_line = 1;
        if (!doc->file || !doc->id)
            st = NC_ERR_NOMEM;
    }
    return st;
}

static nc_status brat_next(nc_reader *r, nc_doc *doc, int *got, nc_diag *diag)
{
    *got = 0;
    while (r->next_file < r->nfiles) {
        const char *base = r->files[r->next_file++];
        char path[1100];
        char *txt = NULL, *ann = NULL;
        size_t tlen = 0, alen = 0;
        snprintf(path, sizeof path, "%.1024s.txt", base);
        nc_status st = slurp(path, &txt, &tlen, diag);
        if (st == NC_OK) {
            snprintf(path, sizeof path, "%.1024s.ann", base);
            st = slurp(path, &ann, &alen, diag);
        }
        if (st == NC_OK)
            st = brat_parse(r, base, txt, tlen, ann, alen, doc, diag);
        nc_free(txt);
        nc_free(ann);
        if (st != NC_OK)
            return st;
        if (doc->n > 0) {
            *got = 1;
            return NC_OK;
        }
        nc_doc_reset(doc);
    }
    return NC_OK;
}

/* ------------------------------------------------------------------------ */
/* The in-memory corpus                                                      */

nc_status nc_corpus_new(nc_corpus **out)
{
    *out = nc_calloc(1, sizeof **out);
    if (!*out)
        return NC_ERR_NOMEM;
    if (nc_vocab_new(&(*out)->seen) != NC_OK) {
        nc_free(*out);
        *out = NULL;
        return NC_ERR_NOMEM;
    }
    return NC_OK;
}

void nc_corpus_free(nc_corpus *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        nc_doc_free(c->docs[i]);
        nc_free(c->docs[i]);
    }
    nc_free(c->docs);
    nc_vocab_free(c->seen);
    nc_free(c);
}

nc_status nc_corpus_add_doc(nc_corpus *c, const nc_doc *doc)
{
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        nc_doc **nd = nc_reallocarray(c->docs, ncap, sizeof *nd);
        if (!nd)
            return NC_ERR_NOMEM;
        c->docs = nd;
        c->cap = ncap;
    }
    nc_doc *d = nc_malloc(sizeof *d);
    if (!d)
        return NC_ERR_NOMEM;
    nc_doc_init(d);
    nc_status st = NC_OK;
    for (size_t i = 0; i < doc->n && st == NC_OK; i++)
        st = nc_doc_add(d, doc->s[i].text, doc->s[i].len, doc->label[i],
                        doc->label[i] ? strlen(doc->label[i]) : 0, doc->s[i].flags,
                        doc->s[i].paragraph, doc->s[i].index_in_paragraph, doc->line[i]);
    if (st == NC_OK) {
        d->id = nc_arena_strndup(&d->arena, doc->id ? doc->id : "", doc->id ? strlen(doc->id) : 0);
        d->file = nc_arena_strndup(&d->arena, doc->file ? doc->file : "",
                                   doc->file ? strlen(doc->file) : 0);
        d->first_line = doc->first_line;
        if (!d->id || !d->file)
            st = NC_ERR_NOMEM;
    }
    if (st != NC_OK) {
        nc_doc_free(d);
        nc_free(d);
        return st;
    }
    c->docs[c->n++] = d;
    c->sentences += d->n;
    return NC_OK;
}

nc_status nc_corpus_read_from(nc_corpus *c, nc_reader *r, nc_diag *diag)
{
    size_t n0 = c->n, s0 = c->sentences;
    nc_doc doc;
    nc_doc_init(&doc);
    nc_status st;
    for (;;) {
        int got;
        st = nc_reader_next(r, &doc, c->seen, &got, diag);
        if (st != NC_OK || !got)
            break;
        st = nc_corpus_add_doc(c, &doc);
        if (st != NC_OK)
            break;
    }
    nc_doc_free(&doc);
    if (st != NC_OK) {
        while (c->n > n0) {
            c->n--;
            nc_doc_free(c->docs[c->n]);
            nc_free(c->docs[c->n]);
        }
        c->sentences = s0;
    }
    return st;
}

nc_status nc_corpus_read_tsv(nc_corpus *c, const char *path, nc_diag *diag)
{
    nc_reader *r;
    nc_status st = nc_reader_open_tsv(path, &r, diag);
    if (st != NC_OK)
        return st;
    st = nc_corpus_read_from(c, r, diag);
    nc_reader_free(r);
    return st;
}

nc_status nc_corpus_read_brat(nc_corpus *c, const char *dir, const char *label_map,
                              nc_diag *diag)
{
    nc_reader *r;
    nc_status st = nc_reader_open_brat(dir, label_map, 0, &r, diag);
    if (st != NC_OK)
        return st;
    st = nc_corpus_read_from(c, r, diag);
    nc_reader_free(r);
    return st;
}

size_t nc_corpus_documents(const nc_corpus *c)
{
    return c->n;
}

size_t nc_corpus_sentences(const nc_corpus *c)
{
    return c->sentences;
}

void nc_corpus_digest(const nc_corpus *c, char out[17])
{
    uint64_t h = NC_FNV_INIT;
    for (size_t d = 0; d < c->n; d++) {
        const nc_doc *doc = c->docs[d];
        for (size_t i = 0; i < doc->n; i++) {
            if (doc->label[i])
                h = nc_fnv1a(h, doc->label[i], strlen(doc->label[i]));
            h = nc_fnv1a(h, "\t", 1);
            h = nc_fnv1a(h, doc->s[i].text, doc->s[i].len);
            h = nc_fnv1a(h, "\n", 1);
        }
        h = nc_fnv1a(h, "\n", 1);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
