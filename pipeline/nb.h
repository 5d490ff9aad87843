/*
 * nb.h - multinomial naive Bayes: counting (training, updating,
 * forgetting) and scoring whole documents, with an optional label-sequence
 * layer (forward-backward over label transitions).
 *
 * Training streams: one document at a time goes through the featurizer
 * into the model's integer counts.  Scoring works in log space and turns
 * scores into posteriors by log-sum-exp; ties go to the lowest label index
 * (labels are byte-sorted), so results are deterministic.
 */
#ifndef NC_NB_H
#define NC_NB_H

#include "corpus.h"
#include "featurize.h"
#include "model.h"

typedef struct nc_trainer nc_trainer;

/* A trainer for a new model with options o. */
nc_status nc_trainer_new(const nc_options *o, nc_trainer **out);
/*
 * A trainer that adds to (sign +1) or subtracts from (sign -1) a copy of
 * model m; m itself is never changed.
 */
nc_status nc_trainer_from_model(const nc_model *m, nc_trainer **out);
/*
 * Count one labelled document (sign +1) or remove its counts (sign -1;
 * NC_ERR_RANGE with file and line when a count would go below zero, and
 * the trainer is then unusable).  Every sentence needs a label.
 */
nc_status nc_trainer_add(nc_trainer *t, const nc_doc *doc, int sign, nc_diag *diag);

/* The options documents must be featurized with for t. */
const nc_options *nc_trainer_options(const nc_trainer *t);
/*
 * Finish: apply min_count / max_features pruning, put labels and features
 * in canonical order, derive the log tables, and hand the model over in
 * *out.  The trainer is freed either way.
 */
nc_status nc_trainer_finish(nc_trainer *t, nc_model **out);
/*
 * Training threads (train.c): each thread counts into a trainer of its
 * own, made with nc_trainer_options(t); nc_trainer_absorb adds what part
 * counted to t and frees part (NC_ERR_RANGE: a summed count would
 * overflow).  nc_trainer_labels adds doc's labels to t, failing where
 * nc_trainer_add would fail on a label (a sentence without one, one label
 * too many), with the same diagnostic, so that the thread reading the
 * input can check them in input order.
 */
nc_status nc_trainer_absorb(nc_trainer *t, nc_trainer *part);
nc_status nc_trainer_labels(nc_trainer *t, const nc_doc *doc, nc_diag *diag);
void nc_trainer_free(nc_trainer *t);
/*
 * Pruning (min_count, max_features) and canonical order for a model built
 * in memory: *out is a new, prepared model; m is not changed.
 */
nc_status nc_model_finalize(nc_model *m, nc_model **out);

/* Scoring state: a featurizer for the model and a key -> feature cache. */
typedef struct nc_scorer nc_scorer;

nc_status nc_scorer_new(const nc_model *m, nc_scorer **out);
void nc_scorer_free(nc_scorer *sc);
/*
 * Score the n sentences of one document: probs[i * noutputs + g] gets the
 * posterior of reported label g (model.h) for sentence i and labels[i]
 * the chosen one.  Scratch memory comes from arena a.  With probs NULL
 * only the labels are wanted (the same labels), and posteriors are worked
 * out only for sentences whose scores leave the label open.
 */
nc_status nc_score_document(nc_scorer *sc, const nc_sent_in *s, size_t n, nc_arena *a,
                            double *probs, uint32_t *labels);
/*
 * The reported label of one sentence, without the sequence layer, from its
 * emissions e[nlabels] (emission_scale times the naive Bayes scores): the
 * argmax of its reported posteriors, as nc_score_document gives it.  With
 * exact 0 the label is taken from bounds on the posteriors where they
 * prove it (the labels-only path), with exact 1 always from the
 * posteriors.  *how (when how is not NULL): 0 decided by the emissions'
 * gaps, 1 by approximate posteriors, 2 by the posteriors, which are then
 * in e (e is left alone otherwise).  Exposed for the tests' near ties.
 */
uint32_t nc_label_from_emissions(const nc_scorer *sc, double *e, int exact, int *how);
/* The same before grouping: probs[i * nlabels + l], the posterior of class l. */
nc_status nc_score_classes(nc_scorer *sc, const nc_sent_in *s, size_t n, nc_arena *a,
                           double *probs);

/*
 * The log-odds contribution of each feature of one sentence to label a
 * against label b (for explain): calls fn for every feature found in the
 * model with its key and weighted contribution.
 */
typedef void (*nc_explain_fn)(void *ctx, const char *key, double contribution);
nc_status nc_explain_sentence(nc_scorer *sc, const nc_sent_in *s, nc_arena *a, uint32_t la,
                              uint32_t lb, nc_explain_fn fn, void *ctx);

/* Index of the largest of x[0..n) (the first on ties; 0 when n is 0). */
uint32_t nc_argmax(const double *x, uint32_t n);

/* splitmix64 step: reproducible pseudo-random numbers from *state. */
uint64_t nc_rand_next(uint64_t *state);

#endif
