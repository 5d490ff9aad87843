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
 * With run->threads = N > 1, documents are featurized by N - 1 worker
 * threads and by the calling thread, and counted by the calling thread in
 * input order.  Featurizing (tokenizing, stemming, building keys) is two
 * thirds of training (bench/PERF.md); whoever featurizes a document also
 * takes its corpus-digest term (FNV-1a over its text: counting is then
 * only counting).  Reading and counting stay on the calling thread, so
 * the trainer sees exactly the calls of one thread, in the same order:
 * the same bytes, the same errors with the same diagnostics, the same
 * progress calls.
 *
 * A ring of slots holds the documents in flight: the caller reads into the
 * slot after the newest, queues it, and when the ring is full counts the
 * oldest.  While the oldest is still being featurized, the caller
 * featurizes the next queued document itself instead of waiting.  So N
 * threads keep N cores busy: with N workers and a caller that reads and
 * counts (a quarter of the work) there were N + 1 busy threads, and on N
 * cores they took turns (train -j 2: 1.44x one thread, 17,000 context
 * switches on 100 MB).  Each featurizing thread owns a featurizer (stem
 * and cue caches are not shareable); a slot owns the document, the arena
 * its features live in and the feature array.
 */
#define TRAIN_SLOTS_PER_WORKER 8u
#define TRAIN_MAX_THREADS 256u

typedef struct tslot {
    nc_doc doc;
    nc_arena arena;       /* features of doc */
    nc_sent_feats *feats; /* [feats_cap] */
    size_t feats_cap;
    uint64_t digest;      /* nc_trainer_doc_digest(&doc), once done */
    nc_status st;         /* featurizing status, once done */
    int done;             /* featurized (under mu) */
    unsigned worker;      /* whose featurizer (tpool.fz index): its key ids */
} tslot;

typedef struct tpool {
    tslot *slots;
    size_t nslots;
    size_t *work; /* ring of slot indices to featurize, capacity nslots */
    size_t work_head, work_n;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    nc_featurizer **fz; /* [self + 1]: the workers', then the caller's */
    nc_key_cache *wc;   /* [self + 1] key id -> feature, used by the caller */
    pthread_t *tid;
    unsigned nworkers;  /* threads started (<= self) */
    unsigned self;      /* the caller's featurizer: fz[self] */
} tpool;

typedef struct tworker {
    tpool *p;
    unsigned i;
} tworker;

static nc_status featurize_slot(nc_featurizer *fz, tslot *s)
{
    if (s->doc.n == 0)
        return NC_OK;
    nc_sent_feats *nf = nc_grow_zeroed(s->feats, &s->feats_cap, s->doc.n - 1, sizeof *nf, 64);
    if (!nf)
        return NC_ERR_NOMEM;
    s->feats = nf;
    nc_arena_reset(&s->arena);
    return nc_featurize(fz, s->doc.s, s->doc.n, &s->arena, s->feats);
}

/* With p->mu held and p->work_n > 0: take the next queued document and
 * featurize it with fz[who], the lock released meanwhile; returns locked. */
static void tpool_run_one(tpool *p, unsigned who)
{
    tslot *s = &p->slots[p->work[p->work_head]];
    p->work_head = (p->work_head + 1) % p->nslots;
    p->work_n--;
    pthread_mutex_unlock(&p->mu);
    nc_status st = featurize_slot(p->fz[who], s);
    s->digest = nc_trainer_doc_digest(&s->doc);
    s->worker = who;
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
    if (p->fz)
        for (unsigned i = 0; i <= p->self; i++)
            nc_featurizer_free(p->fz[i]);
    if (p->wc)
        for (unsigned i = 0; i <= p->self; i++)
            nc_key_cache_free(&p->wc[i]);
    nc_free(p->wc);
    if (p->slots)
        for (size_t i = 0; i < p->nslots; i++) {
            nc_doc_free(&p->slots[i].doc);
            nc_arena_free(&p->slots[i].arena);
            nc_free(p->slots[i].feats);
        }
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->work_cv);
    pthread_mutex_destroy(&p->mu);
    nc_free(p->slots);
    nc_free(p->work);
    nc_free(p->fz);
    nc_free(p->tid);
}

/*
 * Start up to n workers featurizing with options o, beside the caller's
 * own featurizer.  p->nworkers gets how many did: fewer when a featurizer
 * or a thread cannot be made (0: the caller trains on its own thread).
 * NC_ERR_NOMEM only when the pool's own bookkeeping cannot be allocated;
 * the pool is then cleaned up.
 */
static nc_status tpool_start(tpool *p, const nc_options *o, unsigned n, tworker *w)
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
    p->fz = nc_calloc(n + 1, sizeof *p->fz);
    p->tid = nc_calloc(n, sizeof *p->tid);
    p->wc = nc_calloc(n + 1, sizeof *p->wc);
    if (!p->slots || !p->work || !p->fz || !p->tid || !p->wc) {
        nc_free(p->slots);
        p->slots = NULL;
        tpool_free(p);
        return NC_ERR_NOMEM;
    }
    for (size_t i = 0; i < p->nslots; i++) {
        nc_doc_init(&p->slots[i].doc);
        nc_arena_init(&p->slots[i].arena);
    }
    if (nc_featurizer_new(o, &p->fz[n]) != NC_OK)
        return NC_OK; /* no workers: the caller trains on its own */
    for (unsigned i = 0; i < n; i++) {
        if (nc_featurizer_new(o, &p->fz[i]) != NC_OK)
            break;
        w[i] = (tworker){ p, i };
        if (pthread_create(&p->tid[i], NULL, tworker_main, &w[i]) != 0) {
            nc_featurizer_free(p->fz[i]);
            p->fz[i] = NULL;
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

/* Slot s's features (featurizing queued documents meanwhile rather than
 * waiting), then count it in the trainer. */
static nc_status count_slot(tpool *p, tslot *s, nc_trainer *t, int sign, const nc_run *run,
                            tally *ty, nc_diag *diag)
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
    if (st == NC_OK)
        st = nc_trainer_count(t, &s->doc, s->feats, &p->wc[s->worker], &s->digest, sign,
                              diag);
    return after_doc(run, ty, &s->doc, st);
}

/* Read, featurize in the pool, count in order: see the top of this part. */
static nc_status train_pooled(tpool *p, const nc_source *src, size_t nsrc, nc_trainer *t,
                              int sign, const nc_run *run, nc_vocab *seen, nc_diag *diag)
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
                counted = count_slot(p, &p->slots[head], t, sign, run, &ty, diag);
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
        counted = count_slot(p, &p->slots[head], t, sign, run, &ty, diag);
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
    if (threads > 1) { /* threads - 1 workers, and the calling thread */
        w = nc_calloc(threads - 1, sizeof *w);
        st = w ? tpool_start(&pool, nc_trainer_options(t), threads - 1, w) : NC_ERR_NOMEM;
        if (st == NC_OK && pool.nworkers == 0)
            tpool_free(&pool); /* no thread could start: one thread it is */
        else if (st == NC_OK)
            pooled = 1;
    }
    if (st == NC_OK && pooled) {
        st = train_pooled(&pool, src, nsrc, t, sign, run, seen, diag);
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
