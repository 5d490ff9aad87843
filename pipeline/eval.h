/*
 * eval.h - accuracy, per-class precision/recall/F1 and the confusion
 * matrix, from gold and predicted labels.  Used by nc_evaluate, the CLI's
 * eval and cv, and the bootstrap interval.
 */
#ifndef NC_EVAL_H
#define NC_EVAL_H

#include "corpus.h"
#include "model.h"

/* An empty evaluation for the model's labels (confusion all zero). */
nc_status nc_eval_new(const nc_model *m, nc_eval **out);
/* Recompute accuracy, P/R/F1 and macro-F1 from the confusion matrix. */
void nc_eval_finish(nc_eval *e);
/*
 * Classify every document of c with m and add to e's confusion matrix;
 * when pred is not NULL, pred[k] receives the label of the k-th sentence
 * of the corpus in order.  NC_ERR_LABEL (file, line) for a gold label the
 * model does not know.
 */
nc_status nc_eval_add(const nc_model *m, const nc_corpus *c, nc_eval *e, uint32_t *pred,
                      nc_diag *diag);

#endif
