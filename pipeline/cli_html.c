/*
 * cli_html.c - the self-contained HTML reports (see cli_html.h).
 *
 * The pages carry their own CSS and no script, fonts or images, so they
 * open offline and can be mailed as one file.  Label colours come from a
 * fixed palette indexed by label number, so any label set gets distinct
 * colours and the same model always gets the same ones.  All text from the
 * input is HTML-escaped.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_html.h"

static const char *const palette[] = {
    "#e8a33d", "#4c9be8", "#d9534f", "#5cb85c", "#9b6bd6", "#3fb8af", "#c7a008", "#e377c2",
};
#define NPALETTE (sizeof palette / sizeof palette[0])

struct html_report {
    FILE *out;
    const nc_model *m;
    size_t nlabels;
    size_t *counts;  /* sentences per label */
    size_t total;
    int in_para;     /* a <p> is open */
    int in_doc;      /* an <article> is open */
};

static void esc(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(s[i], f);
        }
    }
}

static void escz(FILE *f, const char *s)
{
    esc(f, s, strlen(s));
}

static void page_head(FILE *f, const char *title, size_t nlabels)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          f);
    escz(f, title);
    fputs("</title>\n<style>\n"
          "body{font:16px/1.6 Georgia,serif;max-width:52em;margin:2em auto;padding:0 1em;color:#222}\n"
          "h1{font:600 1.3em system-ui,sans-serif}h2{font:600 1em system-ui,sans-serif;color:#555;margin-top:1.6em}\n"
          ".legend,.counts{font:14px system-ui,sans-serif;margin:1em 0}\n"
          /* The legend stays in view while the article scrolls under it. */
          "div.legend{position:sticky;top:0;background:#fff;padding:.4em 0;border-bottom:1px solid #ddd;z-index:1}\n"
          ".legend span{display:inline-block;margin-right:1.2em}\n"
          ".sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-1px;margin-right:.3em}\n"
          ".s{border-radius:3px;padding:.05em .15em;box-decoration-break:clone;-webkit-box-decoration-break:clone}\n"
          /* A probability bar is a fixed track (1.0) with a filled part, so
           * 0.4 and 0.9 read as different lengths of the same scale. */
          ".hb{display:inline-block;vertical-align:middle;background:rgba(0,0,0,.1);border-radius:1px;overflow:hidden;width:6em;height:.7em;margin-left:.4em}\n"
          ".hb b{display:block;height:100%;background:#4c9be8}\n"
          /* The sentence bar is an empty inline box (not inline-block), so the
           * line never breaks between the last word and its bar; its fill is
           * a gradient stopped at the probability --p. */
          ".bar{font-size:.5em;padding:0 2em;margin-left:.6em;vertical-align:.25em;border-radius:1px;"
          "background:linear-gradient(90deg,rgba(40,40,40,.55) var(--p),rgba(0,0,0,.1) var(--p))}\n"
          ".h{font:600 1.1em system-ui,sans-serif}\n"
          "table{border-collapse:collapse;font:14px system-ui,sans-serif;font-variant-numeric:tabular-nums}\n"
          "td,th{padding:.35em .6em;text-align:right}th{font-weight:600}td.l,th.l{text-align:left}\n"
          "td.cell{min-width:3em;border:1px solid #fff}td.cell.d{outline:2px solid #2a6fb8;outline-offset:-2px;font-weight:600}\n"
          ".note{font:13px system-ui,sans-serif;color:#666}\n"
          "</style>\n<style>\n",
          f);
    for (size_t l = 0; l < nlabels; l++)
        fprintf(f, ".l%zu{background:%s33;border-bottom:2px solid %s}.sw.l%zu{background:%s}\n", l,
                palette[l % NPALETTE], palette[l % NPALETTE], l, palette[l % NPALETTE]);
    fputs("</style></head><body>\n", f);
}

static void legend(FILE *f, const nc_model *m, size_t nlabels)
{
    fputs("<div class=\"legend\">", f);
    for (size_t l = 0; l < nlabels; l++) {
        fprintf(f, "<span><i class=\"sw l%zu\"></i>", l);
        escz(f, nc_model_label(m, l));
        fputs("</span>", f);
    }
    fputs("</div>\n", f);
}

html_report *html_classify_begin(FILE *out, const nc_model *m)
{
    html_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->out = out;
    r->m = m;
    r->nlabels = nc_model_labels(m);
    r->counts = calloc(r->nlabels ? r->nlabels : 1, sizeof *r->counts);
    if (!r->counts) {
        free(r);
        return NULL;
    }
    page_head(out, "newsclass: labelled article", r->nlabels);
    fputs("<h1>newsclass: every sentence labelled</h1>\n", out);
    legend(out, m, r->nlabels);
    return r;
}

static void close_para(html_report *r)
{
    if (r->in_para)
        fputs("</p>\n", r->out);
    r->in_para = 0;
}

void html_classify_document(html_report *r, const char *name)
{
    close_para(r);
    if (r->in_doc)
        fputs("</article>\n", r->out);
    fputs("<article><h2>", r->out);
    escz(r->out, name);
    fputs("</h2>\n", r->out);
    r->in_doc = 1;
}

void html_classify_sentence(html_report *r, const nc_result *res)
{
    FILE *f = r->out;
    const nc_sentence *s = &res->sentence;
    const char *label = nc_model_label(r->m, res->label);
    double p = res->probs[res->label];
    if ((s->flags & (NC_SENT_PARA_START | NC_SENT_HEADING | NC_SENT_BULLET)) || !r->in_para) {
        close_para(r);
        fprintf(f, "<p%s>", (s->flags & NC_SENT_HEADING) ? " class=\"h\"" : "");
        r->in_para = 1;
    } else {
        fputc(' ', f);
    }
    fprintf(f, "<span class=\"s l%zu\" data-label=\"", res->label);
    escz(f, label);
    fprintf(f, "\" title=\"");
    escz(f, label);
    fprintf(f, " %.0f%%\">", 100 * p);
    esc(f, s->text, s->len);
    fprintf(f, "<i class=\"bar\" style=\"--p:%.0f%%\"></i></span>", 100 * p);
    if (res->label < r->nlabels)
        r->counts[res->label]++;
    r->total++;
}

int html_classify_end(html_report *r)
{
    FILE *f = r->out;
    close_para(r);
    if (r->in_doc)
        fputs("</article>\n", f);
    fputs("<h2>sentences per label</h2>\n<table class=\"counts\"><tr><th class=\"l\">label</th><th>sentences</th><th>share</th></tr>\n", f);
    for (size_t l = 0; l < r->nlabels; l++) {
        fprintf(f, "<tr><td class=\"l\"><i class=\"sw l%zu\"></i>", l);
        escz(f, nc_model_label(r->m, l));
        fprintf(f, "</td><td>%zu</td><td>%.0f%%</td></tr>\n", r->counts[l],
                r->total ? 100.0 * (double)r->counts[l] / (double)r->total : 0.0);
    }
    fprintf(f, "</table>\n</body></html>\n");
    int bad = ferror(f) ? -1 : 0;
    free(r->counts);
    free(r);
    return bad;
}

int html_eval(FILE *f, const nc_eval *e, const char *model_name, const char *title)
{
    size_t nl = e->nlabels;
    page_head(f, "newsclass: evaluation", 0);
    fputs("<h1>newsclass evaluation</h1>\n<p class=\"legend\">model ", f);
    escz(f, model_name);
    fputs(" on ", f);
    escz(f, title);
    fprintf(f, ": %llu sentences, accuracy %.4f, macro-F1 %.4f</p>\n",
            (unsigned long long)e->total, e->accuracy, e->macro_f1);
    /* Heat map: each cell shaded by its share of the gold row. */
    fputs("<h2>confusion matrix (rows: gold, columns: predicted)</h2>\n<table id=\"confusion\"><tr><th></th>", f);
    for (size_t l = 0; l < nl; l++) {
        fputs("<th>", f);
        escz(f, e->labels[l]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t g = 0; g < nl; g++) {
        uint64_t row = 0;
        for (size_t p = 0; p < nl; p++)
            row += e->confusion[g * nl + p];
        fputs("<tr><th class=\"l\">", f);
        escz(f, e->labels[g]);
        fputs("</th>", f);
        for (size_t p = 0; p < nl; p++) {
            uint64_t c = e->confusion[g * nl + p];
            double share = row ? (double)c / (double)row : 0.0;
            fprintf(f, "<td class=\"cell%s\" style=\"background:rgba(76,155,232,%.3f)\">%llu</td>",
                    g == p ? " d" : "", share, (unsigned long long)c);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n<p class=\"note\">Shade: the share of the gold row; outlined: correct "
          "(the diagonal).</p>\n<h2>per class</h2>\n<table id=\"perclass\"><tr><th class=\"l\">label</th>"
          "<th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n",
          f);
    for (size_t l = 0; l < nl; l++) {
        fputs("<tr><td class=\"l\">", f);
        escz(f, e->labels[l]);
        fputs("</td>", f);
        const double v[3] = { e->precision[l], e->recall[l], e->f1[l] };
        for (int k = 0; k < 3; k++)
            fprintf(f, "<td>%.3f<i class=\"hb\"><b style=\"width:%.0f%%\"></b></i></td>", v[k],
                    100 * v[k]);
        fprintf(f, "<td>%llu</td></tr>\n", (unsigned long long)e->support[l]);
    }
    fputs("</table>\n</body></html>\n", f);
    return ferror(f) ? -1 : 0;
}
