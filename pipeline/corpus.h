/*
 * corpus.h - reading labelled corpora one document at a time.
 *
 * Two formats: the project's document TSV (corpus/README.md) and brat
 * standoff pairs (X.txt + X.ann, as NewsDiscourse ships) mapped to target
 * labels through a label-map file.  Readers stream: training holds one
 * document in memory at a time, whatever the corpus size.  Every error
 * names the file and line (NC_ERR_FORMAT, NC_ERR_LABEL, NC_ERR_IO).
 *
 * Policies: a corpus line is at most NC_MAX_LINE_BYTES; text must be valid
 * UTF-8 without NUL bytes (a corpus is curated data: damaged bytes are an
 * error, unlike raw text for classify, where they are replaced); a label is
 * 1..64 bytes without whitespace or control characters; the same document
 * (same ID, or the same text) twice in one run is an error.
 */
#ifndef NC_CORPUS_H
#define NC_CORPUS_H

#include "arena.h"
#include "featurize.h"
#include "vocab.h"

#define NC_MAX_LINE_BYTES (1u << 20)
#define NC_MAX_LABEL_BYTES 64u

/* One labelled document. */
typedef struct nc_doc {
    const char *id;       /* document ID, in the arena */
    const char *file;     /* file it came from, in the arena */
    nc_sent_in *s;        /* [n] sentences */
    const char **label;   /* [n] label of each sentence (NUL-terminated, arena) */
    unsigned long *line;  /* [n] line of each sentence in file */
    size_t n, cap;
    unsigned long first_line; /* where the document starts */
    nc_arena arena;       /* texts, labels, IDs */
} nc_doc;

void nc_doc_init(nc_doc *d);
/* Forget the document's sentences, keep its memory for the next one. */
void nc_doc_reset(nc_doc *d);
void nc_doc_free(nc_doc *d);
/* Append a sentence (text and label copied into the arena). */
nc_status nc_doc_add(nc_doc *d, const char *text, size_t len, const char *label, size_t llen,
                     unsigned flags, uint32_t paragraph, uint32_t index_in_paragraph,
                     unsigned long line);

/*
 * A line reader over a file (or stdin for "-"), in 64 KiB blocks through
 * the allocation hook.  Unlike getline it sees NUL bytes (the caller
 * decides) and bounds line length.
 */
typedef struct nc_lines {
    int fd;
    int own_fd;
    char *buf; /* the current line and look-ahead */
    size_t cap, start, end;
    int eof;
    unsigned long lineno; /* of the line last returned */
} nc_lines;

nc_status nc_lines_open(nc_lines *lr, const char *path, nc_diag *diag);
/*
 * The next line (without its \n and a trailing \r) in *line and *len;
 * *got = 0 at end of file.  A line over NC_MAX_LINE_BYTES is NC_ERR_FORMAT.
 */
nc_status nc_lines_next(nc_lines *lr, const char *path, const char **line, size_t *len,
                        int *got, nc_diag *diag);
void nc_lines_close(nc_lines *lr);

typedef struct nc_reader nc_reader;

/* A reader over a document-TSV file ("-" = stdin). */
nc_status nc_reader_open_tsv(const char *path, nc_reader **out, nc_diag *diag);
/*
 * A reader over every X.txt/X.ann pair under dir, in sorted path order;
 * with sublabels, sentences are labelled TARGET/SOURCE (nc_options).
 */
nc_status nc_reader_open_brat(const char *dir, const char *label_map, int sublabels,
                              nc_reader **out, nc_diag *diag);
/*
 * The next document into doc (reset first); *got = 0 at the end.  seen
 * (may be NULL) remembers document IDs and digests across readers, to
 * reject duplicates.
 */
nc_status nc_reader_next(nc_reader *r, nc_doc *doc, nc_vocab *seen, int *got, nc_diag *diag);
void nc_reader_free(nc_reader *r);

/* 1 when label[0..len) is a valid label (see policies above). */
int nc_label_valid(const char *label, size_t len);
/* Offset of the first invalid UTF-8 byte or NUL in s[0..len), or len when valid. */
size_t nc_text_invalid_at(const char *s, size_t len);

/* An in-memory corpus: documents kept whole (eval, cross-validation). */
struct nc_corpus {
    nc_doc **docs;
    size_t n, cap;
    size_t sentences;
    nc_vocab *seen;
};

/* Append every document of r; on failure the corpus is left as it was. */
nc_status nc_corpus_read_from(nc_corpus *c, nc_reader *r, nc_diag *diag);
/* Append a copy of doc to the corpus. */
nc_status nc_corpus_add_doc(nc_corpus *c, const nc_doc *doc);

#endif
