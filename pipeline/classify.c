/*
 * classify.c - the streaming classifier over raw text (nc_classifier_*).
 *
 * Bytes go into the sentence splitter; complete sentences are copied into
 * the pending arena.  A document is scored as a whole when it ends (the
 * sequence layer needs all of it), or in blocks of NC_CLASSIFY_BLOCK
 * sentences when it is very long, so memory stays bounded for a 1 GB
 * single "document".  Scored results live in a second arena until the
 * caller has read them; the two arenas swap roles at each block, so the
 * steady state allocates nothing.
 *
 * Contract (newsclass.h): after every feed and end_document, the caller
 * reads results with nc_classifier_next until it returns 0.
 */
#include <string.h>

#include "arena.h"
#include "model.h"
#include "nb.h"

#define NC_CLASSIFY_BLOCK 4096u

typedef struct block {
    nc_arena arena;
    nc_sentence *meta; /* [n] splitter view of each sentence (text in arena) */
    nc_sent_in *in;    /* [n] featurizer view */
    size_t n, cap;
} block;

struct nc_classifier {
    const nc_model *m;
    nc_scorer *sc;
    nc_splitter *sp;
    block pend, done;  /* sentences waiting; sentences scored */
    double *probs;     /* [done.n * nlabels] */
    uint32_t *labels;  /* [done.n] */
    size_t res_cap;
    size_t next;       /* next result of done to hand out */
    size_t doc_index;  /* sentences of the current document already scored */
    size_t docno;
    size_t done_docno, done_base;
};

static void block_free(block *b)
{
    nc_arena_free(&b->arena);
    nc_free(b->meta);
    nc_free(b->in);
}

nc_status nc_classifier_new(const nc_model *m, const nc_run *run, nc_classifier **out)
{
    (void)run; /* one thread: the caller's */
    *out = NULL;
    nc_classifier *cl = nc_calloc(1, sizeof *cl);
    if (!cl)
        return NC_ERR_NOMEM;
    cl->m = m;
    nc_arena_init(&cl->pend.arena);
    nc_arena_init(&cl->done.arena);
    nc_status st = nc_scorer_new(m, &cl->sc);
    if (st == NC_OK)
        st = nc_splitter_new(&cl->sp);
    if (st != NC_OK) {
        nc_classifier_free(cl);
        return st;
    }
    *out = cl;
    return NC_OK;
}

void nc_classifier_free(nc_classifier *cl)
{
    if (!cl)
        return;
    nc_scorer_free(cl->sc);
    nc_splitter_free(cl->sp);
    block_free(&cl->pend);
    block_free(&cl->done);
    nc_free(cl->probs);
    nc_free(cl->labels);
    nc_free(cl);
}

/* Copy one sentence from the splitter into the pending block. */
static nc_status push(nc_classifier *cl, const nc_sentence *s)
{
    block *b = &cl->pend;
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 64;
        nc_sentence *nm = nc_reallocarray(b->meta, ncap, sizeof *nm);
        if (!nm)
            return NC_ERR_NOMEM;
        b->meta = nm;
        nc_sent_in *ni = nc_reallocarray(b->in, ncap, sizeof *ni);
        if (!ni)
            return NC_ERR_NOMEM;
        b->in = ni;
        b->cap = ncap;
    }
    char *t = nc_arena_strndup(&b->arena, s->text, s->len);
    if (!t)
        return NC_ERR_NOMEM;
    b->meta[b->n] = *s;
    b->meta[b->n].text = t;
    b->in[b->n] = (nc_sent_in){ t, s->len, s->flags, s->paragraph, s->index_in_paragraph,
                                (uint32_t)(cl->doc_index + b->n) };
    b->n++;
    return NC_OK;
}

/* Score every pending sentence: pending becomes done. */
static nc_status score_pending(nc_classifier *cl, int doc_ends)
{
    block *p = &cl->pend;
    if (p->n == 0)
        return NC_OK;
    uint32_t nl = cl->m->nlabels;
    if (p->n > cl->res_cap) {
        double *np = nc_reallocarray(cl->probs, p->n * nl, sizeof *np);
        if (!np)
            return NC_ERR_NOMEM;
        cl->probs = np;
        uint32_t *nlab = nc_reallocarray(cl->labels, p->n, sizeof *nlab);
        if (!nlab)
            return NC_ERR_NOMEM;
        cl->labels = nlab;
        cl->res_cap = p->n;
    }
    if (doc_ends)
        p->in[p->n - 1].flags |= NC_SENT_DOC_LAST;
    nc_status st = nc_score_document(cl->sc, p->in, p->n, &p->arena, cl->probs, cl->labels);
    if (st != NC_OK)
        return st;
    /* Swap: the scored block is handed out; the old one is recycled. */
    block tmp = cl->done;
    cl->done = *p;
    *p = tmp;
    nc_arena_reset(&p->arena);
    p->n = 0;
    cl->next = 0;
    cl->done_docno = cl->docno;
    cl->done_base = cl->doc_index;
    cl->doc_index += cl->done.n;
    return NC_OK;
}

static nc_status drain(nc_classifier *cl)
{
    nc_sentence s;
    while (nc_splitter_next(cl->sp, &s)) {
        nc_status st = push(cl, &s);
        if (st != NC_OK)
            return st;
    }
    return NC_OK;
}

nc_status nc_classifier_feed(nc_classifier *cl, const char *data, size_t len)
{
    if (cl->next < cl->done.n)
        return NC_ERR_ARG; /* results not read yet */
    nc_status st = nc_splitter_feed(cl->sp, data, len);
    if (st == NC_OK)
        st = drain(cl);
    if (st == NC_OK && cl->pend.n >= NC_CLASSIFY_BLOCK)
        st = score_pending(cl, 0);
    return st;
}

nc_status nc_classifier_end_document(nc_classifier *cl)
{
    if (cl->next < cl->done.n)
        return NC_ERR_ARG;
    nc_status st = nc_splitter_finish(cl->sp);
    if (st == NC_OK)
        st = drain(cl);
    if (st == NC_OK)
        st = score_pending(cl, 1);
    nc_splitter_reset(cl->sp);
    cl->docno++;
    cl->doc_index = 0;
    return st;
}

int nc_classifier_next(nc_classifier *cl, nc_result *out)
{
    if (cl->next >= cl->done.n)
        return 0;
    size_t i = cl->next++;
    out->sentence = cl->done.meta[i];
    out->document = cl->done_docno;
    out->index = cl->done_base + i;
    out->label = cl->labels[i];
    out->probs = &cl->probs[i * cl->m->nlabels];
    return 1;
}
