/*
 * train.c - training from corpus files and cross-validation: the
 * orchestration over readers (corpus.c), the trainer (nb.c) and the
 * evaluator (eval.c) behind nc_train_sources and nc_cross_validate, and
 * the training threads (featurize in workers, count in order).
 */
#include <pthread.h>
#include <string.h>

#include "corpus.h"
#include "eval.h"
#include "nb.h"

/* A reader for src; sublabels (training with sublabels=1) or src's own flag. */
static nc_status open_source(const nc_source *src, int sublabels, nc_reader **r, nc_diag *diag)
{
    if (src->format == NC_FORMAT_BRAT)
        return nc_reader_open_brat(src->path, src->label_map, sublabels || src->sublabels, r,
                                   diag);
    return nc_reader_open_tsv(src->path, r, diag);
}

nc_status nc_corpus_read(nc_corpus *c, const nc_source *src, nc_diag *diag)
{
    nc_reader *r;
    nc_status st = open_source(src, 0, &r, diag);
    if (st != NC_OK)
        return st;
    st = nc_corpus_read_from(c, r, diag);
    nc_reader_free(r);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Training threads                                                          */

/*
 * With run->threads = N > 1 (and documents being added, not forgotten),
 * documents are featurized and counted by N - 1 worker threads and by the
 * calling thread, each into a trainer of its own; the workers' trainers
 * are added to the caller's at the end (nc_trainer_absorb).  Counts are
 * sums and the model's labels and features are put in canonical order
 * when it is finished, so the bytes are those of one thread.  The calling
 * thread reads, checks each document's labels in input order
 * (nc_trainer_labels: a missing label or one label too many fails at the
 * same document and line as on one thread), and hands the documents out;
 * their results are taken in input order, so an error is the first one in
 * the input, with the diagnostic of one thread, and the progress calls are
 * the same.
 *
 * Each thread featurizes and counts a document while its tokens and keys
 * are in its own cache.  Until 2026-12-02 the workers only featurized and
 * the caller counted every document in order, reading keys another core
 * had just written; forgetting still runs on one thread, because whether
 * a count would go below zero depends on the order.
 *
 * A ring of slots holds the documents in flight: the caller reads into the
 * slot after the newest, queues it, and when the ring is full waits for
 * the oldest.  While the oldest is still being counted, the caller takes
 * the next queued document itself instead of waiting, so N threads keep N
 * cores busy.  Each thread's trainer owns its featurizer (stem and cue
 * caches are not shareable) and its counts; a slot owns its document.
 * Memory: each thread's trainer holds the features it has seen, so peak
 * memory grows with N.
 */
#define TRAIN_SLOTS_PER_WORKER 8u
#define TRAIN_MAX_THREADS 256u

typedef struct tslot {
    nc_doc doc;
    nc_status st;         /* counting status, once done */
    nc_diag diag;         /* what went wrong, when st is not NC_OK */
    int done;             /* counted (under mu) */
} tslot;

typedef struct tpool {
    tslot *slots;
    size_t nslots;
    size_t *work; /* ring of slot indices to count, capacity nslots */
    size_t work_head, work_n;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    nc_trainer **tr;    /* [self + 1]: the workers' (owned), then the caller's */
    pthread_t *tid;
    unsigned nworkers;  /* threads started (<= self) */
    unsigned self;      /* the caller's trainer: tr[self] */
} tpool;

typedef struct tworker {
    tpool *p;
    unsigned i;
} tworker;

/* With p->mu held and p->work_n > 0: take the next queued document and
 * count it in tr[who], the lock released meanwhile; returns locked. */
static void tpool_run_one(tpool *p, unsigned who)
{
    tslot *s = &p->slots[p->work[p->work_head]];
    p->work_head = (p->work_head + 1) % p->nslots;
    p->work_n--;
    pthread_mutex_unlock(&p->mu);
    nc_status st = nc_trainer_add(p->tr[who], &s->doc, 1, &s->diag);
    pthread_mutex_lock(&p->mu);
    s->st = st;
    s->done = 1;
}

static void *tworker_main(void *arg)
{
    tworker *w = arg;
    tpool *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->work_n == 0)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->stop)
            break;
        tpool_run_one(p, w->i);
        pthread_cond_signal(&p->done_cv); /* the caller is the one waiter */
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void tpool_free(tpool *p)
{
    if (p->nworkers) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->work_cv);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 0; i < p->nworkers; i++)
            pthread_join(p->tid[i], NULL);
    }
    if (p->tr)
        for (unsigned i = 0; i < p->self; i++)
            nc_trainer_free(p->tr[i]);
    if (p->slots)
        for (size_t i = 0; i < p->nslots; i++)
            nc_doc_free(&p->slots[i].doc);
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->work_cv);
    pthread_mutex_destroy(&p->mu);
    nc_free(p->slots);
    nc_free(p->work);
    nc_free(p->tr);
    nc_free(p->tid);
}

/*
 * Start up to n workers, each with a trainer of its own with t's options,
 * beside the caller's trainer t.  p->nworkers gets how many did: fewer
 * when a trainer or a thread cannot be made (0: the caller trains on its
 * own thread).
 * NC_ERR_NOMEM only when the pool's own bookkeeping cannot be allocated;
 * the pool is then cleaned up.
 */
static nc_status tpool_start(tpool *p, nc_trainer *t, unsigned n, tworker *w)
{
    memset(p, 0, sizeof *p);
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return NC_ERR_NOMEM;
    if (pthread_cond_init(&p->work_cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return NC_ERR_NOMEM;
    }
    if (pthread_cond_init(&p->done_cv, NULL) != 0) {
        pthread_cond_destroy(&p->work_cv);
        pthread_mutex_destroy(&p->mu);
        return NC_ERR_NOMEM;
    }
    p->self = n;
    p->nslots = (size_t)(n + 1) * TRAIN_SLOTS_PER_WORKER + 2;
    p->slots = nc_calloc(p->nslots, sizeof *p->slots);
    p->work = nc_calloc(p->nslots, sizeof *p->work);
    p->tr = nc_calloc(n + 1, sizeof *p->tr);
    p->tid = nc_calloc(n, sizeof *p->tid);
    if (!p->slots || !p->work || !p->tr || !p->tid) {
        nc_free(p->slots);
        p->slots = NULL;
        tpool_free(p);
        return NC_ERR_NOMEM;
    }
    for (size_t i = 0; i < p->nslots; i++)
        nc_doc_init(&p->slots[i].doc);
    p->tr[n] = t;
    for (unsigned i = 0; i < n; i++) {
        if (nc_trainer_new(nc_trainer_options(t), &p->tr[i]) != NC_OK)
            break;
        w[i] = (tworker){ p, i };
        if (pthread_create(&p->tid[i], NULL, tworker_main, &w[i]) != 0) {
            nc_trainer_free(p->tr[i]);
            p->tr[i] = NULL;
            break;
        }
        p->nworkers++;
    }
    return NC_OK;
}

/* Progress and cancellation after each counted document. */
typedef struct tally {
    uint64_t ndocs, nsent, nbytes;
} tally;

static nc_status after_doc(const nc_run *run, tally *ty, const nc_doc *doc, nc_status st)
{
    ty->ndocs++;
    ty->nsent += doc->n;
    for (size_t k = 0; k < doc->n; k++)
        ty->nbytes += doc->s[k].len + 1;
    if (run && run->progress)
        run->progress(run->progress_ctx, ty->ndocs, ty->nsent, ty->nbytes);
    if (st == NC_OK && run && run->cancel && *run->cancel)
        st = NC_ERR_INTERRUPTED;
    return st;
}

/* Wait for slot s to be counted (counting queued documents meanwhile
 * rather than waiting); its status and diagnostic, then progress. */
static nc_status count_slot(tpool *p, tslot *s, const nc_run *run, tally *ty, nc_diag *diag)
{
    pthread_mutex_lock(&p->mu);
    while (!s->done) {
        if (p->work_n)
            tpool_run_one(p, p->self);
        else
            pthread_cond_wait(&p->done_cv, &p->mu);
    }
    nc_status st = s->st;
    pthread_mutex_unlock(&p->mu);
    if (st != NC_OK && diag)
        *diag = s->diag;
    return after_doc(run, ty, &s->doc, st);
}

/* Read and check in order, count in the pool: see the top of this part. */
static nc_status train_pooled(tpool *p, const nc_source *src, size_t nsrc, nc_trainer *t,
                              const nc_run *run, nc_vocab *seen, nc_diag *diag)
{
    tally ty = { 0, 0, 0 };
    size_t head = 0, inflight = 0;
    nc_status st = NC_OK, counted = NC_OK;
    nc_diag read_diag;
    memset(&read_diag, 0, sizeof read_diag);
    for (size_t i = 0; i < nsrc && st == NC_OK && counted == NC_OK; i++) {
        nc_reader *r = NULL;
        st = open_source(&src[i], nc_trainer_options(t)->sublabels, &r,
                         diag ? &read_diag : NULL);
        while (st == NC_OK && counted == NC_OK) {
            if (inflight == p->nslots) {
                counted = count_slot(p, &p->slots[head], run, &ty, diag);
                head = (head + 1) % p->nslots;
                inflight--;
                if (counted != NC_OK)
                    break;
            }
            size_t k = (head + inflight) % p->nslots;
            tslot *s = &p->slots[k];
            int got;
            st = nc_reader_next(r, &s->doc, seen, &got, diag ? &read_diag : NULL);
            if (st != NC_OK || !got)
                break;
            s->st = nc_trainer_labels(t, &s->doc, &s->diag);
            if (s->st != NC_OK) { /* counted as failed, in its turn */
                s->done = 1;
                inflight++;
                continue;
            }
            s->done = 0;
            pthread_mutex_lock(&p->mu);
            p->work[(p->work_head + p->work_n) % p->nslots] = k;
            p->work_n++;
            pthread_cond_signal(&p->work_cv);
            pthread_mutex_unlock(&p->mu);
            inflight++;
        }
        nc_reader_free(r);
    }
    /* Count what was read before a reading error or the end, in order: a
     * counting error there came first in input order, so it wins. */
    while (inflight && counted == NC_OK) {
        counted = count_slot(p, &p->slots[head], run, &ty, diag);
        head = (head + 1) % p->nslots;
        inflight--;
    }
    if (inflight) { /* stopped early: let the workers finish with the slots */
        pthread_mutex_lock(&p->mu);
        for (size_t i = 0; i < inflight; i++)
            while (!p->slots[(head + i) % p->nslots].done)
                pthread_cond_wait(&p->done_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    if (counted != NC_OK)
        return counted;
    if (st != NC_OK && diag)
        *diag = read_diag;
    return st;
}

nc_status nc_train_sources(const nc_source *src, size_t nsrc, const nc_options *opt,
                           const nc_model *base, int sign, const nc_run *run, nc_model **out,
                           nc_diag *diag)
{
    *out = NULL;
    if (sign != 1 && sign != -1)
        return NC_ERR_ARG;
    nc_options o;
    if (opt)
        o = *opt;
    else
        nc_options_default(&o);
    nc_trainer *t;
    nc_status st = base ? nc_trainer_from_model(base, &t) : nc_trainer_new(&o, &t);
    if (st == NC_ERR_STEMMER)
        return nc_diag_set(diag, st, "", 0, "libstemmer has no stemmer '%s'", o.stemmer);
    if (st != NC_OK)
        return st;
    nc_vocab *seen;
    st = nc_vocab_new(&seen);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    unsigned threads = run ? run->threads : 0;
    if (threads > TRAIN_MAX_THREADS)
        threads = TRAIN_MAX_THREADS;
    tpool pool;
    tworker *w = NULL;
    int pooled = 0;
    if (threads > 1 && sign > 0) { /* threads - 1 workers, and the calling thread */
        w = nc_calloc(threads - 1, sizeof *w);
        st = w ? tpool_start(&pool, t, threads - 1, w) : NC_ERR_NOMEM;
        if (st == NC_OK && pool.nworkers == 0)
            tpool_free(&pool); /* no thread could start: one thread it is */
        else if (st == NC_OK)
            pooled = 1;
    }
    if (st == NC_OK && pooled) {
        st = train_pooled(&pool, src, nsrc, t, run, seen, diag);
        for (unsigned i = 0; i < pool.nworkers && st == NC_OK; i++) {
            st = nc_trainer_absorb(t, pool.tr[i]);
            pool.tr[i] = NULL;
        }
        tpool_free(&pool);
    } else if (st == NC_OK) {
        nc_doc doc;
        nc_doc_init(&doc);
        tally ty = { 0, 0, 0 };
        for (size_t i = 0; i < nsrc && st == NC_OK; i++) {
            nc_reader *r = NULL;
            st = open_source(&src[i], nc_trainer_options(t)->sublabels, &r, diag);
            while (st == NC_OK) {
                int got;
                st = nc_reader_next(r, &doc, seen, &got, diag);
                if (st != NC_OK || !got)
                    break;
                st = nc_trainer_add(t, &doc, sign, diag);
                st = after_doc(run, &ty, &doc, st);
            }
            nc_reader_free(r);
        }
        nc_doc_free(&doc);
    }
    nc_free(w);
    nc_vocab_free(seen);
    if (st != NC_OK) {
        nc_trainer_free(t);
        return st;
    }
    st = nc_trainer_finish(t, out);
    if (st == NC_ERR_EMPTY)
        nc_diag_set(diag, st, nsrc ? src[0].path : "", 0, "the corpus has no labelled sentences");
    return st;
}

/* splitmix64: a small, well-mixed generator for reproducible shuffles. */
uint64_t nc_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

nc_status nc_cross_validate(const nc_corpus *c, const nc_options *opt, unsigned k,
                            uint64_t seed, double *macro_f1, double *accuracy, nc_diag *diag)
{
    if (k < 2 || k > c->n)
        return nc_diag_set(diag, NC_ERR_ARG, "", 0,
                           "cross-validation needs 2 <= k <= documents (%zu)", c->n);
    size_t n = c->n;
    size_t *order = nc_calloc(n, sizeof *order);
    if (!order)
        return NC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rs = seed;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = (size_t)(nc_rand_next(&rs) % i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    nc_status st = NC_OK;
    for (unsigned f = 0; f < k && st == NC_OK; f++) {
        nc_trainer *t;
        st = nc_trainer_new(opt, &t);
        if (st != NC_OK)
            break;
        /* Views of the folds: the documents are shared, not copied. */
        nc_corpus test = { 0 };
        test.docs = nc_calloc(n / k + 1, sizeof *test.docs);
        if (!test.docs) {
            nc_trainer_free(t);
            st = NC_ERR_NOMEM;
            break;
        }
        for (size_t i = 0; i < n && st == NC_OK; i++) {
            const nc_doc *d = c->docs[order[i]];
            if (i % k == f) {
                test.docs[test.n++] = (nc_doc *)d;
                test.sentences += d->n;
            } else {
                st = nc_trainer_add(t, d, 1, diag);
            }
        }
        nc_model *m = NULL;
        if (st == NC_OK)
            st = nc_trainer_finish(t, &m);
        else
            nc_trainer_free(t);
        nc_eval *e = NULL;
        if (st == NC_OK)
            st = nc_evaluate(m, &test, &e, diag);
        if (st == NC_OK) {
            macro_f1[f] = e->macro_f1;
            accuracy[f] = e->accuracy;
        }
        nc_eval_free(e);
        nc_model_free(m);
        nc_free(test.docs);
    }
    nc_free(order);
    return st;
}
