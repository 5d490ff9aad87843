/*
 * newsclass.h - the public contract of libnewsclass.
 *
 * newsclass reads news articles, splits them into sentences, tokenizes and
 * Snowball-stems them, and labels every sentence with a naive Bayes
 * classifier (by default: incident, official_statement, background,
 * analysis; a corpus may bring any label set).  This header is everything a
 * program linking the library may call; every other header in pipeline/ is
 * internal.  Each entry says what it returns, what NULL means and who owns
 * what.  The library never prints, never exits and never aborts on bad data
 * or a failed allocation: every failure is an nc_status, and the calls that
 * read files or corpora can also fill an nc_diag naming the file and line.
 *
 * Strings are UTF-8.  Slices (pointer + length) are not NUL-terminated
 * unless said so.  Nothing here keeps global state except the allocator
 * hook, which is process-wide by design (set it before any other call).
 */
#ifndef NEWSCLASS_H
#define NEWSCLASS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(NC_BUILDING_LIBRARY) && defined(__GNUC__)
#define NC_API __attribute__((visibility("default")))
#else
#define NC_API
#endif

#define NC_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------------ */
/* Status codes                                                              */
/* ------------------------------------------------------------------------ */

/* One status enum for the whole library.  NC_OK is zero. */
typedef enum nc_status {
    NC_OK = 0,
    NC_ERR_NOMEM,        /* an allocation failed; nothing was half-done */
    NC_ERR_IO,           /* reading or writing a file failed (errno kept in the diag) */
    NC_ERR_FORMAT,       /* malformed corpus line, model file or argument text */
    NC_ERR_CHECKSUM,     /* model file checksum mismatch (damaged or truncated) */
    NC_ERR_VERSION,      /* model file of a newer or unknown format version */
    NC_ERR_LABEL,        /* a label the model does not know, or an invalid label */
    NC_ERR_INCOMPATIBLE, /* models or settings that cannot be combined */
    NC_ERR_RANGE,        /* a count would go below zero or overflow */
    NC_ERR_ARG,          /* invalid argument (programmer or usage error) */
    NC_ERR_STEMMER,      /* libstemmer has no stemmer for that language */
    NC_ERR_INTERRUPTED,  /* the caller's cancel flag was raised */
    NC_ERR_EMPTY         /* nothing to work on (e.g. a corpus without sentences) */
} nc_status;

/* A static English description of s; never NULL. */
NC_API const char *nc_strerror(nc_status s);

/*
 * Where an error happened, for corpus and model errors.  Calls that take an
 * nc_diag * accept NULL.  file is the path given by the caller (or "-"),
 * line is 1-based (0 when no line applies, e.g. a model file offset error),
 * message is one sentence without a trailing newline.
 */
typedef struct nc_diag {
    char file[1024];
    unsigned long line;
    char message[512];
} nc_diag;

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */
/* ------------------------------------------------------------------------ */

/*
 * Every allocation of the library goes through one hook (uthash included).
 * fn(ud, NULL, n) allocates, fn(ud, p, n) reallocates, fn(ud, p, 0) frees
 * and returns NULL.  Returning NULL for n > 0 is an allocation failure,
 * which every call turns into NC_ERR_NOMEM with nothing leaked.  Passing
 * fn == NULL restores the default (realloc/free).  Set it before creating
 * any handle: memory must be freed by the hook that allocated it.
 */
typedef void *(*nc_alloc_fn)(void *ud, void *ptr, size_t size);
NC_API void nc_set_allocator(nc_alloc_fn fn, void *ud);

/* ------------------------------------------------------------------------ */
/* Sentence splitting                                                        */
/* ------------------------------------------------------------------------ */

/* Flags of a sentence. */
#define NC_SENT_HEADING    0x1u /* a heading or a line without terminal punctuation */
#define NC_SENT_PARA_START 0x2u /* first sentence of a paragraph */
#define NC_SENT_BULLET     0x4u /* a list item or bullet line */
#define NC_SENT_DATELINE   0x8u /* starts with a dateline ("BEIRUT -") */
#define NC_SENT_TRUNCATED  0x10u /* cut at NC_MAX_SENTENCE_BYTES, not at a boundary */

/*
 * Sentences longer than this many input bytes (end - start, below) are cut
 * at the last space before the limit (or at the limit) so that a 100 MB
 * line splits in bounded memory.  A sentence's text is at most
 * NC_MAX_SENTENCE_TEXT bytes: each invalid input byte becomes U+FFFD, three
 * bytes.
 */
#define NC_MAX_SENTENCE_BYTES 65536u
#define NC_MAX_SENTENCE_TEXT (3u * NC_MAX_SENTENCE_BYTES)

/*
 * One sentence.  text/len is the sentence as valid UTF-8 NFC with inner
 * whitespace folded to single spaces and no leading or trailing space;
 * invalid input bytes appear as U+FFFD, NUL bytes as spaces.  It is owned by
 * the splitter and valid until the next call on it.  start/end are byte
 * offsets [start, end) into the whole input fed so far (the raw bytes, BOM
 * and CR included), so a caller can highlight the sentence in the original.
 */
typedef struct nc_sentence {
    const char *text;
    size_t len;
    uint64_t start, end;
    unsigned flags;              /* NC_SENT_* */
    uint32_t paragraph;          /* 0-based paragraph number in the input */
    uint32_t index_in_paragraph; /* 0-based sentence number in the paragraph */
} nc_sentence;

typedef struct nc_splitter nc_splitter;

/* A new splitter in *out.  NC_OK or NC_ERR_NOMEM (then *out is NULL). */
NC_API nc_status nc_splitter_new(nc_splitter **out);
/*
 * Push len bytes of input (any split of the stream, even inside a UTF-8
 * sequence).  The bytes are copied as needed.  NC_OK or NC_ERR_NOMEM.
 */
NC_API nc_status nc_splitter_feed(nc_splitter *sp, const char *data, size_t len);
/* Say the input has ended, so the last sentence can be released. */
NC_API nc_status nc_splitter_finish(nc_splitter *sp);
/*
 * The next complete sentence in *out: returns 1, or 0 when no sentence is
 * ready (feed more, or after finish: the input is exhausted).  Memory used is
 * bounded by the longest sentence (at most NC_MAX_SENTENCE_BYTES plus the
 * unread look-ahead), not by the input.
 */
NC_API int nc_splitter_next(nc_splitter *sp, nc_sentence *out);
/* Forget all input and start a new stream (offsets restart at 0). */
NC_API void nc_splitter_reset(nc_splitter *sp);
/* Free the splitter; NULL does nothing. */
NC_API void nc_splitter_free(nc_splitter *sp);

/* ------------------------------------------------------------------------ */
/* Options a model is trained with                                           */
/* ------------------------------------------------------------------------ */

/*
 * Every setting that changes what a model computes.  They are stored in the
 * model file, so classify and eval reproduce exactly what training chose.
 * nc_options_default fills the defaults; nc_options_set sets one by name
 * from text ("alpha", "0.5"), the form used by the CLI's --set and by the
 * model file; nc_options_format writes all of them as canonical
 * "key=value\n" lines. *
 * Sub-labels (sublabels=1).  A coarse label often merges distinct kinds of
 * sentence (NewsDiscourse's "incident" is the main event, its consequence,
 * its specific cause and two kinds of distant past), and one naive Bayes
 * class per coarse label must then fit one word distribution to all of
 * them.  With sublabels=1 a label "GROUP/SUB" is trained as a class of its
 * own and reported as GROUP: the posterior of GROUP is the sum of the
 * posteriors of its classes (priors, prior_weight included, are the
 * classes' own).  A label without '/' is a group of one class (a leading
 * '/' does not count: "/x/Main" is in group "/x").  The brat reader writes such labels itself (TARGET/SOURCE, the
 * source label that matched the map row) when training with sublabels=1.
 */
typedef struct nc_options {
    char stemmer[32];     /* libstemmer algorithm ("english"), or "none" */
    double alpha;         /* additive smoothing of word features */
    double alpha_cue;     /* additive smoothing of cue/position features */
    int bigrams;          /* 1: add stem bigrams */
    int start_bigram;     /* 1 (with bigrams): the first word also pairs with "^" */
    int edge_words;       /* 1 (with bigrams): words near the sentence's start pair with
                           * "^^", words at its end with "$$" */
    int binary;           /* 1: count each feature once per sentence */
    int cues;             /* 1: quote, reporting-verb, modal, number... features */
    int cues_fine;        /* 1 (with cues): -ed counts, third person, attribution patterns */
    int position;         /* 1: position-in-document features */
    int context;          /* 1: cue features of the neighbouring sentences */
    int stopwords;        /* 1: keep stopwords as features (0 drops them) */
    int sublabels;        /* 1: train on GROUP/SUB labels, report GROUP (see below) */
    double cue_weight;    /* weight of cue/position/context features in the score */
    double position_weight; /* position features' weight, times cue_weight */
    double prior_weight;  /* 0 = uniform class prior, 1 = trained prior */
    double length_norm;   /* 0 = none; else scale word evidence to this many tokens */
    double hmm_weight;    /* weight of label transitions in Viterbi; 0 = off */
    double emission_scale;/* multiplies naive Bayes log-likelihoods before decoding */
    double entropy_weight;/* 0 = plain NB; else word evidence is scaled per feature by
                             this times (1 - its label entropy), see model.c */
    uint32_t min_count;   /* drop features seen fewer times (applied at build) */
    uint32_t max_features;/* keep the most frequent N features; 0 = all */
} nc_options;

NC_API void nc_options_default(nc_options *o);
/* NC_OK, NC_ERR_ARG for an unknown key, NC_ERR_FORMAT for a bad value. */
NC_API nc_status nc_options_set(nc_options *o, const char *key, const char *value);
/*
 * Canonical text of all options into buf (NUL-terminated, truncated to cap).
 * Returns the length the full text needs, excluding the NUL.
 */
NC_API size_t nc_options_format(const nc_options *o, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Corpora                                                                   */
/* ------------------------------------------------------------------------ */

/*
 * A labelled corpus in memory: documents of sentences, each with a label
 * and its position.  Two readers fill it: the project's document TSV
 * (corpus/README.md) and brat standoff pairs with a label map.
 */
typedef struct nc_corpus nc_corpus;

NC_API nc_status nc_corpus_new(nc_corpus **out);
NC_API void nc_corpus_free(nc_corpus *c);
/*
 * Append the documents of a document-TSV file (path "-" reads stdin).  On a
 * malformed line: NC_ERR_FORMAT with diag naming file and line, and the
 * corpus unchanged.
 */
NC_API nc_status nc_corpus_read_tsv(nc_corpus *c, const char *path, nc_diag *diag);
/*
 * Append every X.txt/X.ann pair found under dir (recursively, in sorted path
 * order), mapping source labels through the label map file (TSV "source
 * <TAB> target"; first matching row wins; target "-" drops the sentence).
 */
NC_API nc_status nc_corpus_read_brat(nc_corpus *c, const char *dir, const char *label_map,
                                     nc_diag *diag);
/* Corpus formats. */
typedef enum nc_format { NC_FORMAT_TSV = 0, NC_FORMAT_BRAT = 1 } nc_format;

/* One corpus source: a TSV file ("-" = stdin) or a brat directory with its label map. */
typedef struct nc_source {
    const char *path;
    nc_format format;
    const char *label_map; /* brat only */
    int sublabels;         /* brat only: label sentences TARGET/SOURCE (see nc_options) */
} nc_source;

/* Append the documents of a source (either format). */
NC_API nc_status nc_corpus_read(nc_corpus *c, const nc_source *src, nc_diag *diag);
NC_API size_t nc_corpus_documents(const nc_corpus *c);
NC_API size_t nc_corpus_sentences(const nc_corpus *c);
/* A digest of the corpus contents (labels and text, in order): 16 hex digits + NUL. */
NC_API void nc_corpus_digest(const nc_corpus *c, char out[17]);

/* ------------------------------------------------------------------------ */
/* Models                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct nc_model nc_model;

/* Train a new model on a corpus with the given options (NULL = defaults). */
NC_API nc_status nc_model_train(const nc_corpus *c, const nc_options *opt, nc_model **out,
                                nc_diag *diag);
/*
 * How a long call runs.  A NULL nc_run * means: the calling thread only, no
 * progress, no cancellation.
 *   threads   threads to use (0 or 1: the calling thread only); results
 *             are identical whatever the number.  Classifying runs this
 *             many workers besides the calling thread (which splits and
 *             hands out the text); training runs threads - 1 workers and
 *             the calling thread featurizes too, besides reading and
 *             counting.  Workers call the allocation hook, which must then
 *             be thread-safe (the default is).  When a thread cannot be
 *             created the call runs with fewer.
 *   progress  called from the calling thread now and then with the
 *             documents, sentences and input bytes done so far (may be NULL).
 *   cancel    when not NULL and *cancel becomes non-zero (e.g. from a SIGINT
 *             handler), the call stops soon with NC_ERR_INTERRUPTED, having
 *             written nothing.
 */
typedef void (*nc_progress_fn)(void *ctx, uint64_t documents, uint64_t sentences,
                               uint64_t bytes);
typedef struct nc_run {
    unsigned threads;
    nc_progress_fn progress;
    void *progress_ctx;
    const volatile sig_atomic_t *cancel;
} nc_run;

/*
 * Train from corpus files, streaming: one document in memory at a time, so
 * a corpus of any size trains in bounded memory.  With base == NULL a new
 * model with options opt (NULL = defaults); otherwise base's counts plus
 * (sign +1, --update) or minus (sign -1, --forget) the corpus, with base's
 * options (opt ignored) and base unchanged.  Duplicate documents across
 * the sources are an error.
 */
NC_API nc_status nc_train_sources(const nc_source *src, size_t nsrc, const nc_options *opt,
                                  const nc_model *base, int sign, const nc_run *run,
                                  nc_model **out, nc_diag *diag);
/* Add (sign +1) or subtract (sign -1) the counts of a corpus to a model. */
NC_API nc_status nc_model_update(nc_model *m, const nc_corpus *c, int sign, nc_diag *diag);
/* Sum src into dst; NC_ERR_INCOMPATIBLE when their settings differ. */
NC_API nc_status nc_model_merge(nc_model *dst, const nc_model *src, nc_diag *diag);
/*
 * Load a model file.  Every length, count and offset is validated before it
 * is used and the checksum is verified, so a damaged file is rejected with
 * NC_ERR_CHECKSUM/NC_ERR_FORMAT/NC_ERR_VERSION, never a crash.
 */
NC_API nc_status nc_model_load(const char *path, nc_model **out, nc_diag *diag);
/* The same from memory (the buffer is not kept). */
NC_API nc_status nc_model_load_mem(const void *buf, size_t len, nc_model **out, nc_diag *diag);
/* The model built into the library (the default model), or NC_ERR_EMPTY. */
NC_API nc_status nc_model_load_default(nc_model **out, nc_diag *diag);
/*
 * Save atomically: write a temporary file beside path, fsync, rename over
 * path, fsync the directory.  On any failure the old file at path is left
 * byte for byte as it was and the temporary file is removed.  The same
 * model always gives the same bytes.
 */
NC_API nc_status nc_model_save(const nc_model *m, const char *path, nc_diag *diag);
NC_API void nc_model_free(nc_model *m);

/*
 * The labels the model reports (classify, eval), in byte-sorted order.
 * They are its trained classes, except with sublabels=1, where they are the
 * classes' groups (see nc_options).
 */
NC_API size_t nc_model_labels(const nc_model *m);
/* NUL-terminated label i, owned by the model; NULL when i is out of range. */
NC_API const char *nc_model_label(const nc_model *m, size_t i);
/*
 * The classes naive Bayes was trained on (byte-sorted), which explain,
 * top features and the training counts speak of; the same as the labels
 * unless sublabels=1.  NULL when i is out of range.
 */
NC_API size_t nc_model_classes(const nc_model *m);
NC_API const char *nc_model_class(const nc_model *m, size_t i);
/* The reported label (index into nc_model_label) of class i; 0 when out of range. */
NC_API size_t nc_model_class_label(const nc_model *m, size_t i);
NC_API const nc_options *nc_model_options(const nc_model *m);
NC_API size_t nc_model_features(const nc_model *m);

/* What a model was trained on (for `newsclass info`). */
typedef struct nc_model_info {
    uint32_t format_version;         /* of the file format the model reads and writes */
    uint64_t documents;              /* documents trained on */
    const uint64_t *label_sentences; /* [nc_model_classes] sentences per class, owned by the model */
    char corpus_digest[17];          /* order-free digest of the training corpus ("" if none) */
} nc_model_info;
NC_API void nc_model_describe(const nc_model *m, nc_model_info *out);

/* ------------------------------------------------------------------------ */
/* Explanations                                                              */
/* ------------------------------------------------------------------------ */

/* A feature and its weighted log-odds contribution. */
typedef struct nc_contribution {
    const char *feature; /* NUL-terminated; owned as said by the call */
    double weight;
} nc_contribution;

/*
 * Why one sentence (classified as a document of its own) gets its label:
 * *label and *runner_up receive the best and second-best classes
 * (nc_model_class: the labels themselves unless sublabels=1), and
 * *out an array of *n contributions (sorted, most in favour of *label
 * first), each the weighted log-odds of one feature occurrence for *label
 * against *runner_up, plus one "(prior)" entry; they sum to the score gap.
 * The array and its strings are one allocation, freed with nc_free_explanation.
 */
NC_API nc_status nc_explain(const nc_model *m, const char *sentence, size_t len, size_t *label,
                            size_t *runner_up, nc_contribution **out, size_t *n);
NC_API void nc_free_explanation(nc_contribution *c);
/*
 * The k most informative features of class label (nc_model_class), like
 * NLTK's most informative features: those whose log P(f | label) most
 * exceeds their average over the other classes, among features seen at
 * least min_count times.  out
 * (k entries, caller-allocated) points at the model's own strings.
 */
NC_API nc_status nc_top_features(const nc_model *m, size_t label, size_t k, uint64_t min_count,
                                 nc_contribution *out, size_t *n);

/* ------------------------------------------------------------------------ */
/* Counts as text: training as map-reduce                                    */
/* ------------------------------------------------------------------------ */

/*
 * Naive Bayes is counts, and counts add, so training maps onto any
 * map-reduce engine (Hadoop Streaming, Spark pipe()).  The text form is one
 * count a line, four tab-separated fields TYPE, A, B, VALUE:
 *   C  digest     -      corpus digest (a sum modulo 2^64)
 *   D  documents  -      documents
 *   F  FEATURE    LABEL  occurrences of FEATURE in sentences labelled LABEL
 *   O  KEY        -      VALUE: a training setting (must agree everywhere)
 *   S  LABEL      -      sentences labelled LABEL
 *   T  FROM       TO     label transitions (FROM empty: document start)
 * ("-" stands for an empty field here; it is empty in the data.)  The first
 * three fields are the key.  Sorted in byte order (LC_ALL=C sort), equal
 * keys are adjacent, which is all a reducer needs.
 */
typedef int (*nc_write_fn)(void *ctx, const char *data, size_t len); /* 0 = written */

/*
 * The counts of m as sorted text lines.  record (NULL = m's own) gives the
 * settings written in the O lines, so an unpruned shard can carry the
 * pruning settings the final model will apply.  NC_ERR_IO when w fails.
 */
NC_API nc_status nc_counts_write(const nc_model *m, const nc_options *record, nc_write_fn w,
                                 void *ctx);
/*
 * The reducer: read sorted count lines from path ("-" = stdin), write one
 * line per key with the values summed.  Unsorted input, a malformed line or
 * settings that disagree give NC_ERR_FORMAT naming the line.
 */
NC_API nc_status nc_counts_reduce(const char *path, nc_write_fn w, void *ctx, nc_diag *diag);
/*
 * Build a model from count lines in any order (repeated keys are summed):
 * the settings of the O lines, pruning applied as one-pass training would,
 * so map, sort, reduce and build give the bytes of one-pass training.
 */
NC_API nc_status nc_counts_load(const char *const *paths, size_t npaths, nc_model **out,
                                nc_diag *diag);

/* ------------------------------------------------------------------------ */
/* Classification                                                            */
/* ------------------------------------------------------------------------ */

/*
 * A classified sentence: its label index and the posterior probability of
 * every label (nlabels doubles that sum to 1).  Owned by the classifier,
 * valid until its next call.
 */
typedef struct nc_result {
    nc_sentence sentence;
    size_t document;      /* 0-based document number */
    size_t index;         /* 0-based sentence number within its document */
    size_t label;         /* index into nc_model_label */
    const double *probs;  /* nc_model_labels(m) posteriors */
} nc_result;

typedef struct nc_classifier nc_classifier;

/*
 * A streaming classifier over raw text: feed bytes of one document, call
 * nc_classifier_end_document, and read results with nc_classifier_next.
 * The model must outlive the classifier.
 *
 * Blocks.  A document is scored when it ends, or, when a feed leaves 4096
 * sentences or more of it waiting, those are scored as one block, so
 * memory does not grow with the input.  Blocks depend only on the bytes
 * and the feed boundaries, so the results are identical for any number
 * of threads.
 *
 * Threads (run->threads > 1): worker threads score blocks while the
 * calling thread splits the next ones; results still come out in input
 * order.  Worker threads call the allocation hook (nc_set_allocator), so
 * it must be thread-safe; the default one is.  If no worker can be
 * started the classifier runs on the calling thread alone.
 *
 * Reading results.  After every feed and end_document, read results until
 * nc_classifier_next returns 0.  Without threads every result of a block
 * is available as soon as the call that completed the block returns.
 * With threads a result may become available later (nc_classifier_next
 * never waits; it returns 0 while the next result in order is still being
 * scored), but:
 *   - when nc_classifier_end_document returns NC_OK, every result of the
 *     document is available;
 *   - a caller that reads until 0 after every call gets every result,
 *     once, in order.
 * feed and end_document return NC_ERR_ARG when results have been left
 * unread (without threads: any result; with threads: more than threads +
 * 1 blocks), which bounds memory for a caller that never reads.
 * A scoring failure (NC_ERR_NOMEM) is returned by the call that scored
 * the block, or with threads by end_document or the next feed; the
 * classifier is then unusable.
 */
NC_API nc_status nc_classifier_new(const nc_model *m, const nc_run *run, nc_classifier **out);
/*
 * Results with the label only (nc_result.probs NULL, the labels the same):
 * posteriors are then worked out only for sentences whose naive Bayes
 * scores leave the label open (bounds on the scores decide the rest, with
 * the label the posteriors would give).  Before
 * the first feed or end_document; NC_ERR_ARG after.
 */
NC_API nc_status nc_classifier_labels_only(nc_classifier *cl);
NC_API nc_status nc_classifier_feed(nc_classifier *cl, const char *data, size_t len);
NC_API nc_status nc_classifier_end_document(nc_classifier *cl);
/* 1 and a result (valid until the next call on cl), or 0 when none is ready. */
NC_API int nc_classifier_next(nc_classifier *cl, nc_result *out);
NC_API void nc_classifier_free(nc_classifier *cl);

/* ------------------------------------------------------------------------ */
/* Evaluation                                                                */
/* ------------------------------------------------------------------------ */

/*
 * Scores of a model on a labelled corpus.  Labels of the corpus that the
 * model does not know give NC_ERR_LABEL (diag names file and line).
 */
typedef struct nc_eval {
    size_t nlabels;
    const char *const *labels; /* owned by the model */
    uint64_t *confusion;       /* nlabels x nlabels, row = gold, column = predicted */
    double accuracy, macro_f1;
    double *precision, *recall, *f1; /* nlabels each */
    uint64_t *support;
    uint64_t total;
} nc_eval;

NC_API nc_status nc_evaluate(const nc_model *m, const nc_corpus *c, nc_eval **out,
                             nc_diag *diag);
NC_API void nc_eval_free(nc_eval *e);

/*
 * A document-level bootstrap interval of macro-F1: resample the corpus'
 * documents with replacement `rounds` times (seeded, reproducible) and
 * report the 2.5th and 97.5th percentiles in *lo and *hi.
 */
NC_API nc_status nc_eval_bootstrap(const nc_model *m, const nc_corpus *c, unsigned rounds,
                                   uint64_t seed, double *lo, double *hi, nc_diag *diag);

/*
 * k-fold cross-validation by document: documents are shuffled with seed,
 * split into k folds, and for each fold a model trained on the others with
 * options opt is evaluated on it.  macro_f1[i] and accuracy[i] (k entries
 * each, caller-allocated) receive the per-fold scores.
 */
NC_API nc_status nc_cross_validate(const nc_corpus *c, const nc_options *opt, unsigned k,
                                   uint64_t seed, double *macro_f1, double *accuracy,
                                   nc_diag *diag);

#ifdef __cplusplus
}
#endif
#endif /* NEWSCLASS_H */
