/*
 * classify.c - the streaming classifier over raw text (nc_classifier_*).
 *
 * Bytes go into the sentence splitter; complete sentences are copied into
 * the pending block.  A block is scored when its document ends (the
 * sequence layer needs all of it), or when a feed leaves it holding
 * NC_CLASSIFY_BLOCK sentences or more, so memory stays bounded for a 1 GB
 * single "document".  Which sentences form a block depends only on the
 * input and the feed boundaries, never on the number of threads, and
 * every block is scored independently: so the output is the same for any
 * number of threads.
 *
 * The pipeline: the calling thread splits and forms blocks (the splitter is
 * fast and sequential); a submitted block goes to the back of the output
 * queue and, with worker threads, onto the work queue.  Each worker owns
 * an nc_scorer (featurizer, stem cache and word -> feature cache are not
 * shareable) and a scratch arena for the featurizer's tokens and keys; the
 * block keeps only its sentences and results.  nc_classifier_next hands
 * results out from the front of the output queue, in input order, as soon
 * as the front block is scored.  With threads <= 1 there are no workers:
 * a block is scored by the caller at submission, exactly as before.
 *
 * Back-pressure keeps memory independent of the input size: at most
 * max_out blocks (threads + 1, or 0 without workers) may be submitted and
 * unread when a feed starts; a feed submits at most one block, and if
 * that makes max_out + 1 it waits until the front block is scored so the
 * caller's drain can free it.  A caller that does not drain gets
 * NC_ERR_ARG, as the single-threaded contract always said
 * (newsclass.h).
 *
 * Threads: one mutex guards the queues and the done/status fields of the
 * blocks; workers touch a block's sentences and results only between
 * taking it from the work queue and marking it done, and the caller only
 * before submitting it and after seeing it done, so those need no lock.
 */
#include <pthread.h>
#include <string.h>

#include "arena.h"
#include "model.h"
#include "nb.h"
#include "sentence.h"

#define NC_CLASSIFY_BLOCK 4096u
/* More workers than this cannot help on any machine we target (the CLI
 * accepts -j up to 256 as well). */
#define NC_MAX_THREADS 256u

typedef struct block {
    struct block *next_free;
    char *text;        /* the sentences' text, one after another, each NUL-terminated */
    size_t text_len, text_cap;
    nc_sentence *meta; /* [n] splitter view of each sentence (text in text) */
    nc_sent_in *in;    /* [n] featurizer view */
    size_t n, cap;
    double *probs;     /* [n * noutputs] */
    uint32_t *labels;  /* [n] */
    size_t res_cap;
    size_t docno;      /* document of these sentences */
    size_t base;       /* index in the document of the first sentence */
    size_t read;       /* results handed out */
    int done;          /* scored (under mu when there are workers) */
    nc_status st;      /* scoring status (valid once done) */
} block;

typedef struct worker {
    struct nc_classifier *cl;
    nc_scorer *sc;
    nc_arena scratch;
    pthread_t tid;
} worker;

struct nc_classifier {
    const nc_model *m;
    nc_splitter *sp;
    block *pend;          /* filling; NULL until the first sentence */
    block *free_blocks;   /* recycled, ready for reuse */
    block **out;          /* ring of submitted blocks, input order */
    size_t out_head, out_n, out_cap;
    size_t max_out;       /* see the back-pressure note above */
    int front_ready;      /* caller's cache: out[out_head] seen done */
    size_t doc_index;     /* sentences of the current document submitted */
    size_t docno;
    nc_status err;        /* first scoring failure: sticky */
    int labels_only;      /* nc_classifier_labels_only: blocks get no probs */
    int fed;              /* a feed or end_document was called */
    /* Without workers: the caller's scorer and scratch arena. */
    nc_scorer *sc;
    nc_arena scratch;
    /* With workers. */
    worker *w;
    unsigned nworkers;
    block **work;         /* ring of blocks to score, same capacity as out */
    size_t work_head, work_n;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* work queued or stop */
    pthread_cond_t done_cv; /* a block scored */
};

static void block_free(block *b)
{
    if (!b)
        return;
    nc_free(b->text);
    nc_free(b->meta);
    nc_free(b->in);
    nc_free(b->probs);
    nc_free(b->labels);
    nc_free(b);
}

/* Score block b with scorer sc and scratch arena a (any thread). */
static nc_status score_block(nc_scorer *sc, nc_arena *a, block *b)
{
    nc_status st = nc_score_document(sc, b->in, b->n, a, b->probs, b->labels);
    nc_arena_reset(a);
    return st;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    nc_classifier *cl = w->cl;
    pthread_mutex_lock(&cl->mu);
    for (;;) {
        while (!cl->stop && cl->work_n == 0)
            pthread_cond_wait(&cl->work_cv, &cl->mu);
        if (cl->stop)
            break;
        block *b = cl->work[cl->work_head];
        cl->work_head = (cl->work_head + 1) % cl->out_cap;
        cl->work_n--;
        pthread_mutex_unlock(&cl->mu);
        nc_status st = score_block(w->sc, &w->scratch, b);
        pthread_mutex_lock(&cl->mu);
        b->st = st;
        b->done = 1;
        pthread_cond_broadcast(&cl->done_cv);
    }
    pthread_mutex_unlock(&cl->mu);
    return NULL;
}

/* Stop and join the workers, free their state. */
static void stop_workers(nc_classifier *cl)
{
    if (!cl->nworkers)
        return;
    pthread_mutex_lock(&cl->mu);
    cl->stop = 1;
    pthread_cond_broadcast(&cl->work_cv);
    pthread_mutex_unlock(&cl->mu);
    for (unsigned i = 0; i < cl->nworkers; i++) {
        pthread_join(cl->w[i].tid, NULL);
        nc_scorer_free(cl->w[i].sc);
        nc_arena_free(&cl->w[i].scratch);
    }
    cl->nworkers = 0;
}

/*
 * Start up to n workers.  Fewer start when a scorer cannot be made or a
 * thread cannot be created; with none the classifier runs on the calling
 * thread alone.  Only allocation failure of the bookkeeping is an error.
 */
static nc_status start_workers(nc_classifier *cl, unsigned n)
{
    cl->w = nc_calloc(n, sizeof *cl->w);
    if (!cl->w)
        return NC_ERR_NOMEM;
    for (unsigned i = 0; i < n; i++) {
        worker *w = &cl->w[i];
        w->cl = cl;
        nc_arena_init(&w->scratch);
        if (nc_scorer_new(cl->m, &w->sc) != NC_OK)
            break;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            nc_scorer_free(w->sc);
            w->sc = NULL;
            break;
        }
        cl->nworkers++;
    }
    return NC_OK;
}

nc_status nc_classifier_new(const nc_model *m, const nc_run *run, nc_classifier **out)
{
    *out = NULL;
    unsigned threads = run ? run->threads : 0;
    if (threads > NC_MAX_THREADS)
        threads = NC_MAX_THREADS;
    nc_classifier *cl = nc_calloc(1, sizeof *cl);
    if (!cl)
        return NC_ERR_NOMEM;
    cl->m = m;
    nc_arena_init(&cl->scratch);
    nc_status st = nc_splitter_new(&cl->sp);
    if (st == NC_OK)
        st = nc_scorer_new(m, &cl->sc); /* also checks that m can score */
    if (st == NC_OK && threads > 1) {
        /* Room for the largest out queue of any worker count <= threads. */
        cl->out_cap = threads + 3;
        cl->out = nc_calloc(cl->out_cap, sizeof *cl->out);
        cl->work = nc_calloc(cl->out_cap, sizeof *cl->work);
        if (!cl->out || !cl->work)
            st = NC_ERR_NOMEM;
        if (st == NC_OK && pthread_mutex_init(&cl->mu, NULL) != 0)
            st = NC_ERR_NOMEM;
        else if (st == NC_OK && pthread_cond_init(&cl->work_cv, NULL) != 0) {
            pthread_mutex_destroy(&cl->mu);
            st = NC_ERR_NOMEM;
        } else if (st == NC_OK && pthread_cond_init(&cl->done_cv, NULL) != 0) {
            pthread_cond_destroy(&cl->work_cv);
            pthread_mutex_destroy(&cl->mu);
            st = NC_ERR_NOMEM;
        } else if (st == NC_OK) {
            cl->nworkers = 0;
            st = start_workers(cl, threads);
            if (st == NC_OK && cl->nworkers == 0) {
                /* No thread could start: the calling thread does it all. */
                nc_free(cl->w);
                cl->w = NULL;
                pthread_cond_destroy(&cl->done_cv);
                pthread_cond_destroy(&cl->work_cv);
                pthread_mutex_destroy(&cl->mu);
                nc_free(cl->work);
                cl->work = NULL;
            } else if (st != NC_OK) {
                pthread_cond_destroy(&cl->done_cv);
                pthread_cond_destroy(&cl->work_cv);
                pthread_mutex_destroy(&cl->mu);
            }
        }
        if (st != NC_OK) {
            nc_free(cl->out);
            nc_free(cl->work);
            cl->out = NULL;
            cl->work = NULL;
        }
    }
    if (st == NC_OK && !cl->out) {
        cl->out_cap = 2;
        cl->out = nc_calloc(cl->out_cap, sizeof *cl->out);
        if (!cl->out)
            st = NC_ERR_NOMEM;
    }
    if (st != NC_OK) {
        nc_classifier_free(cl);
        return st;
    }
    cl->max_out = cl->nworkers ? cl->nworkers + 1 : 0;
    if (cl->nworkers) { /* the workers score: the caller's scorer is not needed */
        nc_scorer_free(cl->sc);
        cl->sc = NULL;
    }
    *out = cl;
    return NC_OK;
}

void nc_classifier_free(nc_classifier *cl)
{
    if (!cl)
        return;
    if (cl->nworkers) {
        stop_workers(cl);
        pthread_cond_destroy(&cl->done_cv);
        pthread_cond_destroy(&cl->work_cv);
        pthread_mutex_destroy(&cl->mu);
    }
    nc_free(cl->w);
    for (size_t i = 0; i < cl->out_n; i++)
        block_free(cl->out[(cl->out_head + i) % cl->out_cap]);
    while (cl->free_blocks) {
        block *b = cl->free_blocks;
        cl->free_blocks = b->next_free;
        block_free(b);
    }
    block_free(cl->pend);
    nc_free(cl->out);
    nc_free(cl->work);
    nc_scorer_free(cl->sc);
    nc_arena_free(&cl->scratch);
    nc_splitter_free(cl->sp);
    nc_free(cl);
}

/* A recycled or new empty block for the pending sentences. */
static nc_status take_block(nc_classifier *cl)
{
    if (cl->pend)
        return NC_OK;
    block *b = cl->free_blocks;
    if (b) {
        cl->free_blocks = b->next_free;
    } else {
        b = nc_calloc(1, sizeof *b);
        if (!b)
            return NC_ERR_NOMEM;
    }
    b->n = 0;
    b->read = 0;
    b->done = 0;
    b->st = NC_OK;
    cl->pend = b;
    return NC_OK;
}

static void recycle(nc_classifier *cl, block *b)
{
    b->text_len = 0;
    b->next_free = cl->free_blocks;
    cl->free_blocks = b;
}

/*
 * Make room in b->text for `need` more bytes.  The text moves when it
 * grows, so the sentences already in b are pointed at their new place
 * (they lie one after another, each with its NUL).  A recycled block keeps
 * its room, so the steady state never grows.
 */
static nc_status text_room(block *b, size_t need)
{
    if (need > SIZE_MAX / 2 - b->text_len)
        return NC_ERR_NOMEM;
    size_t want = b->text_cap * 2 > b->text_len + need ? b->text_cap * 2 : b->text_len + need;
    if (want < 16384)
        want = 16384;
    char *t = nc_realloc(b->text, want);
    if (!t)
        return NC_ERR_NOMEM;
    b->text = t;
    b->text_cap = want;
    for (size_t k = 0; k < b->n; k++) {
        b->meta[k].text = b->in[k].text = t;
        t += b->in[k].len + 1;
    }
    return NC_OK;
}

/*
 * Copy one sentence from the splitter into the pending block.  The text
 * goes to the end of the block's one text buffer: a bump and a copy in
 * line, where an arena allocation per sentence cost a call and its
 * bookkeeping (~40 instructions a sentence).
 */
static nc_status push(nc_classifier *cl, const nc_sentence *s)
{
    nc_status st = take_block(cl);
    if (st != NC_OK)
        return st;
    block *b = cl->pend;
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
    if (s->len >= b->text_cap - b->text_len && text_room(b, s->len + 1) != NC_OK)
        return NC_ERR_NOMEM;
    char *t = b->text + b->text_len;
    memcpy(t, s->text, s->len);
    t[s->len] = '\0';
    b->text_len += s->len + 1;
    b->meta[b->n] = *s;
    b->meta[b->n].text = t;
    b->in[b->n] = (nc_sent_in){ t, s->len, s->flags, s->paragraph, s->index_in_paragraph,
                                (uint32_t)(cl->doc_index + b->n) };
    b->n++;
    return NC_OK;
}

/* Wait (with workers) until the front block of the output queue is scored. */
static void wait_front(nc_classifier *cl)
{
    if (cl->front_ready || cl->out_n == 0)
        return;
    block *f = cl->out[cl->out_head];
    if (cl->nworkers) {
        pthread_mutex_lock(&cl->mu);
        while (!f->done)
            pthread_cond_wait(&cl->done_cv, &cl->mu);
        pthread_mutex_unlock(&cl->mu);
    }
    cl->front_ready = 1;
}

/* Is the front block scored?  Never blocks. */
static int front_done(nc_classifier *cl)
{
    if (cl->front_ready)
        return 1;
    if (cl->out_n == 0)
        return 0;
    block *f = cl->out[cl->out_head];
    int d;
    if (cl->nworkers) {
        pthread_mutex_lock(&cl->mu);
        d = f->done;
        pthread_mutex_unlock(&cl->mu);
    } else {
        d = f->done;
    }
    cl->front_ready = d;
    return d;
}

/* Drop the front block when the caller has read all of it. */
static void pop_read(nc_classifier *cl)
{
    while (cl->out_n && cl->front_ready) {
        block *f = cl->out[cl->out_head];
        if (f->st == NC_OK && f->read < f->n)
            return;
        if (f->st != NC_OK && cl->err == NC_OK)
            cl->err = f->st;
        cl->out_head = (cl->out_head + 1) % cl->out_cap;
        cl->out_n--;
        cl->front_ready = 0;
        recycle(cl, f);
        front_done(cl);
    }
}

/*
 * Submit the pending block (doc_ends: it ends its document).  Without
 * workers it is scored here; with workers it is queued, and if that makes
 * more than max_out blocks unread, wait for the front one (see the top).
 */
static nc_status submit(nc_classifier *cl, int doc_ends)
{
    block *p = cl->pend;
    if (!p || p->n == 0)
        return NC_OK;
    uint32_t nl = cl->m->noutputs;
    if (p->n > p->res_cap) {
        if (!cl->labels_only) { /* probs NULL: nc_score_document gives labels only */
            double *np = nc_reallocarray(p->probs, p->n * nl, sizeof *np);
            if (!np)
                return NC_ERR_NOMEM;
            p->probs = np;
        }
        uint32_t *nlab = nc_reallocarray(p->labels, p->n, sizeof *nlab);
        if (!nlab)
            return NC_ERR_NOMEM;
        p->labels = nlab;
        p->res_cap = p->n;
    }
    if (doc_ends)
        p->in[p->n - 1].flags |= NC_SENT_DOC_LAST;
    p->docno = cl->docno;
    p->base = cl->doc_index;
    cl->doc_index += p->n;
    cl->pend = NULL;
    size_t slot = (cl->out_head + cl->out_n) % cl->out_cap;
    cl->out[slot] = p;
    cl->out_n++;
    if (!cl->nworkers) {
        nc_status st = score_block(cl->sc, &cl->scratch, p);
        p->st = st;
        p->done = 1;
        if (st != NC_OK) {
            /* Hand the failure back now, as the single-threaded call did. */
            cl->out_n--;
            recycle(cl, p);
        }
        return st;
    }
    pthread_mutex_lock(&cl->mu);
    cl->work[(cl->work_head + cl->work_n) % cl->out_cap] = p;
    cl->work_n++;
    pthread_cond_signal(&cl->work_cv);
    pthread_mutex_unlock(&cl->mu);
    if (cl->out_n > cl->max_out)
        wait_front(cl);
    return NC_OK;
}

/* Common entry of feed and end_document: recycle, report, back-pressure. */
static nc_status enter(nc_classifier *cl)
{
    cl->fed = 1;
    front_done(cl);
    pop_read(cl);
    if (cl->err != NC_OK)
        return cl->err;
    if (cl->out_n > cl->max_out)
        return NC_ERR_ARG; /* results not read yet */
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

nc_status nc_classifier_labels_only(nc_classifier *cl)
{
    if (!cl || cl->fed)
        return NC_ERR_ARG;
    cl->labels_only = 1;
    return NC_OK;
}

nc_status nc_classifier_feed(nc_classifier *cl, const char *data, size_t len)
{
    nc_status st = enter(cl);
    if (st != NC_OK)
        return st;
    /* The splitter reads data where it lies and keeps a copy of only what
     * it has not split when the feed returns (the copy of every chunk was
     * 1 % of classify's instructions). */
    st = nc_splitter_lend(cl->sp, data, len);
    if (st == NC_OK) {
        st = drain(cl);
        nc_splitter_unlend(cl->sp);
    }
    if (st == NC_OK && cl->pend && cl->pend->n >= NC_CLASSIFY_BLOCK)
        st = submit(cl, 0);
    return st;
}

nc_status nc_classifier_end_document(nc_classifier *cl)
{
    nc_status st = enter(cl);
    if (st != NC_OK)
        return st;
    st = nc_splitter_finish(cl->sp);
    if (st == NC_OK)
        st = drain(cl);
    if (st == NC_OK)
        st = submit(cl, 1);
    nc_splitter_reset(cl->sp);
    if (cl->pend) /* only after a failure: the rest of the document is dropped */
        cl->pend->n = 0;
    cl->docno++;
    cl->doc_index = 0;
    if (st != NC_OK)
        return st;
    /* Every result of the document is available when this returns. */
    if (cl->nworkers && cl->out_n) {
        pthread_mutex_lock(&cl->mu);
        for (size_t i = 0; i < cl->out_n; i++) {
            block *b = cl->out[(cl->out_head + i) % cl->out_cap];
            while (!b->done)
                pthread_cond_wait(&cl->done_cv, &cl->mu);
        }
        pthread_mutex_unlock(&cl->mu);
        front_done(cl);
        /* A failure of any block of the document is reported now. */
        for (size_t i = 0; i < cl->out_n; i++) {
            block *b = cl->out[(cl->out_head + i) % cl->out_cap];
            if (b->st != NC_OK) {
                if (cl->err == NC_OK)
                    cl->err = b->st;
                return b->st;
            }
        }
    }
    return NC_OK;
}

int nc_classifier_next(nc_classifier *cl, nc_result *out)
{
    block *f;
    /* Most calls find an unread result of a scored front block: that is
     * what the tests below come to, without their calls. */
    if (cl->front_ready && cl->out_n && (f = cl->out[cl->out_head])->st == NC_OK &&
        f->read < f->n)
        goto give;
    front_done(cl);
    pop_read(cl);
    if (!cl->out_n || !cl->front_ready)
        return 0;
    f = cl->out[cl->out_head];
    if (f->st != NC_OK || f->read >= f->n)
        return 0;
give:;
    size_t i = f->read++;
    out->sentence = f->meta[i];
    out->document = f->docno;
    out->index = f->base + i;
    out->label = f->labels[i];
    out->probs = f->probs ? &f->probs[i * cl->m->noutputs] : NULL;
    return 1;
}
