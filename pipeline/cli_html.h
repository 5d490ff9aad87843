/*
 * cli_html.h - the self-contained HTML reports of the CLI:
 * `classify --format html` (the article with every sentence coloured by
 * its label, its probability as a small bar, a legend and per-label counts)
 * and `eval --format html` (the confusion matrix as a heat map and
 * per-class precision/recall/F1 bars).  One file, no network, no external
 * assets.  Implemented in cli_html.c; called from cli.c.
 */
#ifndef NC_CLI_HTML_H
#define NC_CLI_HTML_H

#include <stdio.h>

#include "newsclass.h"

typedef struct html_report html_report;

/* Start a classify report on out for model m (its labels give the legend). NULL on OOM. */
html_report *html_classify_begin(FILE *out, const nc_model *m);
/* A new document (an input file) named name. */
void html_classify_document(html_report *r, const char *name);
/* One classified sentence, in order (flags give paragraph starts, headings, bullets). */
void html_classify_sentence(html_report *r, const nc_result *res);
/* Finish the page (legend, per-label counts), free r; 0, or -1 on a write error. */
int html_classify_end(html_report *r);

/* The whole eval report for e on out; title names the corpus.  0, or -1 on a write error. */
int html_eval(FILE *out, const nc_eval *e, const char *model_name, const char *title);

#endif
