/*
 * featurize.c - the featurizer (see featurize.h).
 *
 * Words are tokenized (token.c), stemmed through the stem cache (stem.c),
 * and looked up once in a small table of cue words whose class is then
 * remembered per cached word, so the steady-state cost per token is one
 * hash lookup.  Cue words are matched on the folded surface form, not the
 * stem, because the inflection is the signal ("said" vs "say", "will").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "featurize.h"
#include "token.h"

/* Cue classes of words (bits). */
enum {
    CUE_REPORT = 1u << 0,   /* said, told, announced, according ... */
    CUE_MODAL = 1u << 1,    /* will, would, could, expected ... */
    CUE_EVAL = 1u << 2,     /* analysts, however, because, suggest ... */
    CUE_EVENT = 1u << 3,    /* killed, attacked, arrested ... */
    CUE_TIME = 1u << 4,     /* yesterday, monday, earlier ... */
    CUE_FIRST = 1u << 5,    /* i, we, our ... */
    CUE_MONTH = 1u << 6,    /* january ... */
    CUE_STOP = 1u << 7,     /* stopword */
    CUE_PERFECT = 1u << 8,  /* has, have, had, been */
    CUE_PAST = 1u << 9,     /* was, were, did */
    CUE_PRESENT = 1u << 10, /* is, are, remains */
    CUE_SOURCE = 1u << 11,  /* officials, ministry, police, spokesman ... */
    CUE_HISTORY = 1u << 12, /* since, decades, years, history ... */
    /* Classes past the named ones: never emitted as c:NAME by the loop over
     * the CUE_* bits, only through the cues_fine features. */
    CUE_THIRD = 1u << 13,   /* he, she, they, his, her, their */
    CUE_ED = 1u << 14,      /* a word ending in -ed: past tense or participle */
};
#define CUE_NONE 0x80000000u /* looked up, no class */

/*
 * Every key of the cue group a sentence can have, with the forms its
 * neighbours carry for it (context: x:p: from the previous sentence's
 * view, x:n: from the next's).  All are static strings, so no cue, context
 * or position key is ever copied, and each sentence lists the cue keys it
 * emitted (struct cuelist) so context needs no scan of its neighbours'
 * keys.  The first 13 follow the CUE_* bits ("stop" is never emitted).
 */
struct cue_key {
    const char *c;    /* "c:NAME" */
    const char *x[2]; /* "x:p:c:NAME", "x:n:c:NAME" */
    uint32_t len;     /* strlen(c); the x forms are 4 bytes longer */
};
#define CK(name) { "c:" name, { "x:p:c:" name, "x:n:c:" name }, sizeof "c:" name - 1 }
enum {
    CK_QUOTE = 13, CK_QUOTE_START, CK_QUOTE_END, CK_REPORT_END, CK_NUM, CK_YEAR, CK_MONEY,
    CK_PERCENT, CK_QUESTION, CK_COLON, CK_NAMES,
    CK_LEN0,                 /* c:len0 .. c:len4 */
    CK_ED0 = CK_LEN0 + 5,    /* c:ed0 .. c:ed2 */
    CK_THIRD = CK_ED0 + 3, CK_QUOTE_REPORT, CK_REPORT_START, CK_REPORT2,
    CK_COUNT
};
static const struct cue_key cue_keys[CK_COUNT] = {
    CK("report"), CK("modal"), CK("eval"), CK("event"), CK("time"), CK("first"),
    CK("month"), CK("stop"), CK("perfect"), CK("past"), CK("present"), CK("source"),
    CK("history"),
    CK("quote"), CK("quote_start"), CK("quote_end"), CK("report_end"), CK("num"), CK("year"),
    CK("money"), CK("percent"), CK("question"), CK("colon"), CK("names"),
    CK("len0"), CK("len1"), CK("len2"), CK("len3"), CK("len4"),
    CK("ed0"), CK("ed1"), CK("ed2"),
    CK("third"), CK("quote_report"), CK("report_start"), CK("report2"),
};
#define NCUE_BITS 13u /* cue_keys[0 .. 13) are the CUE_* bits */

/* The cue keys one sentence emitted, in order (each at most once). */
typedef struct cuelist {
    uint8_t n;
    uint8_t id[CK_COUNT];
} cuelist;

struct cue_word {
    const char *w;
    unsigned cls;
};

/* Sorted by word (strcmp) for bsearch; checked by the unit test. */
static const struct cue_word cue_words[] = {
    { "a", CUE_STOP }, { "about", CUE_STOP }, { "according", CUE_REPORT },
    { "accused", CUE_REPORT }, { "acknowledged", CUE_REPORT }, { "added", CUE_REPORT },
    { "adds", CUE_REPORT }, { "after", CUE_STOP }, { "agency", CUE_SOURCE },
    { "ago", CUE_HISTORY }, { "also", CUE_STOP }, { "although", CUE_EVAL },
    { "am", CUE_STOP }, { "an", CUE_STOP }, { "analyst", CUE_EVAL }, { "analysts", CUE_EVAL },
    { "and", CUE_STOP }, { "announced", CUE_REPORT }, { "announcement", CUE_REPORT },
    { "announces", CUE_REPORT }, { "april", CUE_MONTH }, { "are", CUE_STOP | CUE_PRESENT },
    { "argue", CUE_EVAL }, { "argued", CUE_EVAL }, { "arrest", CUE_EVENT },
    { "arrested", CUE_EVENT }, { "as", CUE_STOP }, { "asserted", CUE_REPORT },
    { "at", CUE_STOP }, { "attack", CUE_EVENT }, { "attacked", CUE_EVENT },
    { "august", CUE_MONTH }, { "be", CUE_STOP }, { "because", CUE_EVAL },
    { "been", CUE_STOP | CUE_PERFECT }, { "believe", CUE_EVAL }, { "believed", CUE_EVAL },
    { "blast", CUE_EVENT }, { "bomb", CUE_EVENT }, { "but", CUE_STOP },
    { "by", CUE_STOP }, { "called", CUE_REPORT }, { "century", CUE_HISTORY },
    { "claim", CUE_REPORT }, { "claimed", CUE_REPORT }, { "claims", CUE_REPORT },
    { "clashes", CUE_EVENT }, { "commentators", CUE_EVAL }, { "commented", CUE_REPORT },
    { "confirmed", CUE_REPORT }, { "could", CUE_MODAL }, { "critics", CUE_EVAL },
    { "dead", CUE_EVENT }, { "decades", CUE_HISTORY }, { "december", CUE_MONTH },
    { "declared", CUE_REPORT }, { "denied", CUE_REPORT }, { "denies", CUE_REPORT },
    { "did", CUE_STOP | CUE_PAST }, { "died", CUE_EVENT }, { "do", CUE_STOP },
    { "does", CUE_STOP }, { "due", CUE_EVAL }, { "earlier", CUE_TIME },
    { "emphasized", CUE_REPORT }, { "expect", CUE_MODAL }, { "expected", CUE_MODAL },
    { "expects", CUE_MODAL }, { "experts", CUE_EVAL }, { "explained", CUE_REPORT },
    { "explosion", CUE_EVENT }, { "february", CUE_MONTH }, { "fired", CUE_EVENT },
    { "for", CUE_STOP }, { "forecast", CUE_MODAL }, { "friday", CUE_TIME },
    { "from", CUE_STOP }, { "future", CUE_MODAL }, { "government", CUE_SOURCE },
    { "had", CUE_STOP | CUE_PERFECT }, { "has", CUE_STOP | CUE_PERFECT },
    { "have", CUE_STOP | CUE_PERFECT }, { "he", CUE_STOP | CUE_THIRD }, { "her", CUE_STOP | CUE_THIRD },
    { "his", CUE_STOP | CUE_THIRD }, { "historically", CUE_HISTORY }, { "history", CUE_HISTORY },
    { "however", CUE_EVAL }, { "i", CUE_STOP | CUE_FIRST }, { "if", CUE_STOP | CUE_MODAL },
    { "in", CUE_STOP }, { "injured", CUE_EVENT }, { "insisted", CUE_REPORT },
    { "interview", CUE_REPORT }, { "is", CUE_STOP | CUE_PRESENT }, { "it", CUE_STOP },
    { "its", CUE_STOP }, { "january", CUE_MONTH }, { "july", CUE_MONTH },
    { "june", CUE_MONTH }, { "killed", CUE_EVENT }, { "killing", CUE_EVENT },
    { "last", CUE_TIME }, { "likely", CUE_MODAL | CUE_EVAL }, { "march", CUE_MONTH },
    { "may", CUE_MODAL | CUE_MONTH }, { "me", CUE_STOP | CUE_FIRST },
    { "means", CUE_EVAL }, { "might", CUE_MODAL }, { "minister", CUE_SOURCE },
    { "ministry", CUE_SOURCE }, { "monday", CUE_TIME }, { "must", CUE_MODAL },
    { "my", CUE_STOP | CUE_FIRST }, { "noted", CUE_REPORT }, { "november", CUE_MONTH },
    { "october", CUE_MONTH }, { "of", CUE_STOP }, { "official", CUE_SOURCE },
    { "officials", CUE_SOURCE }, { "on", CUE_STOP }, { "or", CUE_STOP },
    { "our", CUE_STOP | CUE_FIRST }, { "perhaps", CUE_MODAL | CUE_EVAL },
    { "plan", CUE_MODAL }, { "planned", CUE_MODAL }, { "plans", CUE_MODAL },
    { "pledged", CUE_REPORT }, { "police", CUE_SOURCE }, { "possible", CUE_MODAL },
    { "potential", CUE_MODAL }, { "president", CUE_SOURCE }, { "probably", CUE_MODAL },
    { "promised", CUE_REPORT }, { "quoted", CUE_REPORT }, { "raid", CUE_EVENT },
    { "reiterated", CUE_REPORT }, { "remains", CUE_PRESENT }, { "reported", CUE_REPORT },
    { "reportedly", CUE_REPORT }, { "said", CUE_REPORT }, { "saturday", CUE_TIME },
    { "say", CUE_REPORT }, { "saying", CUE_REPORT }, { "says", CUE_REPORT },
    { "seems", CUE_EVAL }, { "sentenced", CUE_EVENT }, { "september", CUE_MONTH },
    { "she", CUE_STOP | CUE_THIRD }, { "shot", CUE_EVENT }, { "should", CUE_MODAL },
    { "since", CUE_HISTORY }, { "so", CUE_STOP }, { "spokesman", CUE_SOURCE | CUE_REPORT },
    { "spokesperson", CUE_SOURCE | CUE_REPORT }, { "spokeswoman", CUE_SOURCE | CUE_REPORT },
    { "stated", CUE_REPORT }, { "statement", CUE_REPORT }, { "stressed", CUE_REPORT },
    { "suggest", CUE_EVAL }, { "suggested", CUE_EVAL }, { "suggests", CUE_EVAL },
    { "sunday", CUE_TIME }, { "that", CUE_STOP }, { "the", CUE_STOP },
    { "their", CUE_STOP | CUE_THIRD }, { "they", CUE_STOP | CUE_THIRD }, { "this", CUE_STOP },
    { "thursday", CUE_TIME }, { "to", CUE_STOP }, { "today", CUE_TIME },
    { "told", CUE_REPORT }, { "tonight", CUE_TIME }, { "traditionally", CUE_HISTORY },
    { "tuesday", CUE_TIME }, { "urged", CUE_REPORT }, { "us", CUE_STOP | CUE_FIRST },
    { "vowed", CUE_REPORT }, { "warned", CUE_REPORT }, { "was", CUE_STOP | CUE_PAST },
    { "we", CUE_STOP | CUE_FIRST }, { "wednesday", CUE_TIME }, { "were", CUE_STOP | CUE_PAST },
    { "which", CUE_STOP }, { "who", CUE_STOP }, { "will", CUE_MODAL },
    { "with", CUE_STOP }, { "would", CUE_MODAL }, { "wounded", CUE_EVENT },
    { "wrote", CUE_REPORT }, { "years", CUE_HISTORY }, { "yesterday", CUE_TIME },
};
#define NCUE_WORDS (sizeof cue_words / sizeof cue_words[0])

static int cue_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct cue_word *)elem)->w);
}

/* The cue class of a folded word (0 when none). */
static unsigned cue_class(const char *w)
{
    const struct cue_word *c = bsearch(w, cue_words, NCUE_WORDS, sizeof *c, cue_cmp);
    unsigned cls = c ? c->cls : 0;
    size_t n = strlen(w);
    if (n > 4 && w[n - 2] == 'e' && w[n - 1] == 'd') /* "need", "bed" are too short */
        cls |= CUE_ED;
    return cls;
}

/* For the unit test: 1 when the table is strictly sorted. */
int nc_features_table_sorted(void);
int nc_features_table_sorted(void)
{
    for (size_t i = 1; i < NCUE_WORDS; i++)
        if (strcmp(cue_words[i - 1].w, cue_words[i].w) >= 0)
            return 0;
    return 1;
}

struct nc_featurizer {
    nc_options opt;
    nc_stemmer *stem;
    unsigned *word_cls; /* [stem-cache id] cue class | CUE_NONE, 0 = not yet looked up */
    size_t cls_cap;
};

nc_status nc_featurizer_new(const nc_options *o, nc_featurizer **out)
{
    *out = NULL;
    nc_featurizer *fz = nc_calloc(1, sizeof *fz);
    if (!fz)
        return NC_ERR_NOMEM;
    fz->opt = *o;
    nc_status st = nc_stemmer_new(o->stemmer, &fz->stem);
    if (st != NC_OK) {
        nc_free(fz);
        return st;
    }
    *out = fz;
    return NC_OK;
}

void nc_featurizer_free(nc_featurizer *fz)
{
    if (!fz)
        return;
    nc_stemmer_free(fz->stem);
    nc_free(fz->word_cls);
    nc_free(fz);
}

/* A growable key list in the arena (one per sentence). */
typedef struct keybuf {
    nc_key *k;
    size_t n, cap;
} keybuf;

/* Room for at least want keys in kb (which grows by doubling, copying). */
static nc_status kb_room(nc_arena *a, keybuf *kb, size_t want)
{
    if (want <= kb->cap)
        return NC_OK;
    size_t ncap = kb->cap ? kb->cap * 2 : 32;
    if (ncap < want)
        ncap = want;
    nc_key *nk = nc_arena_alloc(a, ncap * sizeof *nk);
    if (!nk)
        return NC_ERR_NOMEM;
    if (kb->n)
        memcpy(nk, kb->k, kb->n * sizeof *nk);
    kb->k = nk;
    kb->cap = ncap;
    return NC_OK;
}

/* Append key s (len bytes, NUL-terminated, outliving the keys: a stem
 * cache key or a static string) without copying it. */
static nc_status kb_add(nc_arena *a, keybuf *kb, const char *s, size_t len, uint32_t word_id)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    kb->k[kb->n++] = (nc_key){ s, (uint32_t)len, word_id };
    return NC_OK;
}

/* Append the key p1 + p2, copied into the arena. */
static nc_status kb_push(nc_arena *a, keybuf *kb, const char *p1, size_t l1, const char *p2,
                         size_t l2, uint32_t word_id)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    char *s = nc_arena_alloc(a, l1 + l2 + 1);
    if (!s)
        return NC_ERR_NOMEM;
    memcpy(s, p1, l1);
    if (l2)
        memcpy(s + l1, p2, l2);
    s[l1 + l2] = '\0';
    kb->k[kb->n].s = s;
    kb->k[kb->n].len = (uint32_t)(l1 + l2);
    kb->k[kb->n].word_id = word_id;
    kb->n++;
    return NC_OK;
}

/* Append the bigram key "b:" + p + " " + q, built in place in the arena. */
static nc_status kb_bigram(nc_arena *a, keybuf *kb, const char *p, size_t pl, const char *q,
                           size_t ql)
{
    if (kb->n == kb->cap && kb_room(a, kb, kb->n + 1) != NC_OK)
        return NC_ERR_NOMEM;
    char *s = nc_arena_alloc(a, 3 + pl + ql + 1);
    if (!s)
        return NC_ERR_NOMEM;
    s[0] = 'b';
    s[1] = ':';
    memcpy(s + 2, p, pl);
    s[2 + pl] = ' ';
    memcpy(s + 3 + pl, q, ql);
    s[3 + pl + ql] = '\0';
    kb->k[kb->n++] = (nc_key){ s, (uint32_t)(3 + pl + ql), NC_STEM_UNCACHED };
    return NC_OK;
}

/* Append a static key (a string literal or a cue_keys string): pointed
 * at, not copied. */
static nc_status kb_cstr(nc_arena *a, keybuf *kb, const char *key)
{
    return kb_add(a, kb, key, strlen(key), NC_STEM_UNCACHED);
}

/* Append cue key id and list it in cl. */
static nc_status kb_cue(nc_arena *a, keybuf *kb, cuelist *cl, unsigned id)
{
    nc_status st = kb_add(a, kb, cue_keys[id].c, cue_keys[id].len, NC_STEM_UNCACHED);
    if (st == NC_OK)
        cl->id[cl->n++] = (uint8_t)id;
    return st;
}

/* The class of a cached word, computed on first sight. */
static nc_status word_class(nc_featurizer *fz, uint32_t id, const char *w, unsigned *cls)
{
    if (id == NC_STEM_UNCACHED) {
        *cls = cue_class(w);
        return NC_OK;
    }
    if (id >= fz->cls_cap) {
        size_t ncap = fz->cls_cap ? fz->cls_cap * 2 : 4096;
        while (ncap <= id)
            ncap *= 2;
        unsigned *n = nc_reallocarray(fz->word_cls, ncap, sizeof *n);
        if (!n)
            return NC_ERR_NOMEM;
        memset(n + fz->cls_cap, 0, (ncap - fz->cls_cap) * sizeof *n);
        fz->word_cls = n;
        fz->cls_cap = ncap;
    }
    if (!fz->word_cls[id]) {
        unsigned c = cue_class(w);
        fz->word_cls[id] = c ? c : CUE_NONE;
    }
    *cls = fz->word_cls[id] & ~CUE_NONE;
    return NC_OK;
}

static int is_quote(uint32_t cp)
{
    return cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x00AB ||
           cp == 0x00BB || cp == 0x2018;
}

/* The index of the bucket v falls in: the first edge above it, else nedges. */
static size_t bucket(size_t v, const size_t *edges, size_t nedges)
{
    for (size_t i = 0; i < nedges; i++)
        if (v < edges[i])
            return i;
    return nedges;
}

#define TRY(x)                                                                                 \
    do {                                                                                       \
        nc_status st_ = (x);                                                                   \
        if (st_ != NC_OK)                                                                      \
            return st_;                                                                        \
    } while (0)

/* Features of one sentence (words, bigrams, cues); position and context are added later. */
static nc_status sentence_features(nc_featurizer *fz, const nc_sent_in *in, nc_arena *a,
                                   keybuf *kb, cuelist *cl, size_t *nwords)
{
    nc_token *tok;
    size_t nt;
    TRY(nc_tokenize(in->text, in->len, a, &tok, &nt));
    const nc_options *o = &fz->opt;
    /* Keys: a word (and a bigram) per token, then a few dozen cues at most;
     * sized once here rather than grown from 32 by copying. */
    TRY(kb_room(a, kb, nt * (o->bigrams ? 2 : 1) + 48));
    unsigned cues = 0;
    int quote = 0, quote_start = 0, quote_end = 0, nums = 0, year = 0, money = 0, pct = 0;
    int question = 0, colon = 0, report_end = 0, report_start = 0, caps = 0;
    unsigned ned = 0, nreport = 0;
    size_t words = 0;
    /* Previous word-group stem, for bigrams; with start_bigram the first
     * word pairs with "^", the start of the sentence ("b:^ however"). */
    const char *prev = o->start_bigram ? "^" : NULL;
    size_t prev_len = o->start_bigram ? 1 : 0;
    char big[2 * NC_MAX_TOKEN_BYTES + 8];
    for (size_t i = 0; i < nt; i++) {
        const nc_token *t = &tok[i];
        const char *stem = NULL;
        size_t slen = 0;
        const char *key = NULL; /* a static "w:" key for stem, when there is one */
        uint32_t wid = NC_STEM_UNCACHED;
        if (t->type == NC_TOK_WORD) {
            unsigned cls;
            TRY(nc_stemmer_stem(fz->stem, t->text, t->len, &stem, &slen, &wid));
            TRY(word_class(fz, wid, t->text, &cls));
            cues |= cls;
            if ((cls & CUE_REPORT) && i + 4 >= nt)
                report_end = 1;
            if ((cls & CUE_REPORT) && i < 4)
                report_start = 1;
            nreport += (cls & CUE_REPORT) != 0;
            ned += (cls & CUE_ED) != 0;
            if ((t->shape & NC_SHAPE_CAP) && i > 0)
                caps++;
            if (!o->stopwords && (cls & CUE_STOP))
                stem = NULL;
        } else if (t->type == NC_TOK_NUMBER) {
            nums++;
            int is_year = t->len == 4 && (t->text[0] == '1' || t->text[0] == '2') &&
                          (memcmp(t->text, "19", 2) == 0 || memcmp(t->text, "20", 2) == 0);
            year |= is_year;
            stem = is_year ? "#year" : "#num";
            slen = 5 - !is_year;
            key = is_year ? "w:#year" : "w:#num";
        } else {
            uint32_t cp = t->punct;
            if (is_quote(cp)) {
                quote = 1;
                if (i == 0)
                    quote_start = 1;
                if (i + 2 >= nt)
                    quote_end = 1;
                stem = "#quote";
                slen = 6;
                key = "w:#quote";
            } else {
                stem = t->text;
                slen = t->len;
                money |= cp == '$' || cp == 0x20AC || cp == 0xA3;
                pct |= cp == '%';
                question |= cp == '?';
                colon |= cp == ':';
            }
        }
        if (!stem)
            continue;
        if (t->type == NC_TOK_WORD && wid != NC_STEM_UNCACHED) {
            size_t kl;
            const char *wk = nc_stemmer_word_key(fz->stem, wid, &kl);
            TRY(kb_add(a, kb, wk, kl, wid)); /* the cached "w:stem": no copy */
        } else if (key) {
            TRY(kb_add(a, kb, key, 2 + slen, NC_STEM_UNCACHED));
        } else {
            TRY(kb_push(a, kb, "w:", 2, stem, slen,
                        t->type == NC_TOK_WORD ? wid : NC_STEM_UNCACHED));
        }
        words++;
        if (o->bigrams && prev) {
            /* "b:" prev " " stem.  It always fits big (stems are token-sized);
             * should one not, snprintf cuts it as it always did. */
            if (3 + prev_len + slen < sizeof big) {
                TRY(kb_bigram(a, kb, prev, prev_len, stem, slen));
            } else {
                size_t bl = (size_t)snprintf(big, sizeof big, "b:%.*s %.*s", (int)prev_len,
                                             prev, (int)slen, stem);
                TRY(kb_push(a, kb, big, bl < sizeof big ? bl : sizeof big - 1, NULL, 0,
                            NC_STEM_UNCACHED));
            }
            words++;
        }
        prev = stem;
        prev_len = slen;
    }
    *nwords = words;
    if (!o->cues)
        return NC_OK;
    for (unsigned b = 0; b < NCUE_BITS; b++)
        if ((cues & (1u << b)) && (1u << b) != CUE_STOP) {
            TRY(kb_cue(a, kb, cl, b));
        }
    if (quote) TRY(kb_cue(a, kb, cl, CK_QUOTE));
    if (quote_start) TRY(kb_cue(a, kb, cl, CK_QUOTE_START));
    if (quote_end) TRY(kb_cue(a, kb, cl, CK_QUOTE_END));
    if (report_end) TRY(kb_cue(a, kb, cl, CK_REPORT_END));
    if (nums) TRY(kb_cue(a, kb, cl, CK_NUM));
    if (year) TRY(kb_cue(a, kb, cl, CK_YEAR));
    if (money) TRY(kb_cue(a, kb, cl, CK_MONEY));
    if (pct) TRY(kb_cue(a, kb, cl, CK_PERCENT));
    if (question) TRY(kb_cue(a, kb, cl, CK_QUESTION));
    if (colon) TRY(kb_cue(a, kb, cl, CK_COLON));
    if (caps >= 3) TRY(kb_cue(a, kb, cl, CK_NAMES));
    static const size_t len_edges[] = { 8, 16, 25, 40 };
    TRY(kb_cue(a, kb, cl, CK_LEN0 + (unsigned)bucket(nt, len_edges, 4)));
    if (!o->cues_fine)
        return NC_OK;
    TRY(kb_cue(a, kb, cl, CK_ED0 + (ned < 2 ? ned : 2)));
    if (cues & CUE_THIRD) TRY(kb_cue(a, kb, cl, CK_THIRD));
    if (quote && nreport) TRY(kb_cue(a, kb, cl, CK_QUOTE_REPORT));
    if (report_start) TRY(kb_cue(a, kb, cl, CK_REPORT_START));
    if (nreport >= 2) TRY(kb_cue(a, kb, cl, CK_REPORT2));
    return NC_OK;
}

nc_status nc_featurize(nc_featurizer *fz, const nc_sent_in *s, size_t n, nc_arena *a,
                       nc_sent_feats *out)
{
    const nc_options *o = &fz->opt;
    cuelist *cls = n ? nc_arena_alloc(a, n * sizeof *cls) : NULL;
    if (n && !cls)
        return NC_ERR_NOMEM;
    keybuf *kbs = n ? nc_arena_alloc(a, n * sizeof *kbs) : NULL;
    if (n && !kbs)
        return NC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        kbs[i] = (keybuf){ 0 };
        cls[i].n = 0;
        TRY(sentence_features(fz, &s[i], a, &kbs[i], &cls[i], &out[i].nwords));
    }
    for (size_t i = 0; i < n; i++) {
        keybuf *kb = &kbs[i];
        if (o->position) {
            static const size_t sent_edges[] = { 1, 2, 3, 5, 10 };
            static const char *const sent_names[] = { "p:s0", "p:s1", "p:s2", "p:s3",
                                                      "p:s5", "p:s10" };
            static const size_t para_edges[] = { 1, 2, 3, 6 };
            static const char *const para_names[] = { "p:i0", "p:i1", "p:i2", "p:i3", "p:i6" };
            TRY(kb_cstr(a, kb, sent_names[bucket(s[i].doc_index, sent_edges, 5)]));
            TRY(kb_cstr(a, kb, para_names[bucket(s[i].index_in_paragraph, para_edges, 4)]));
            if (s[i].flags & NC_SENT_HEADING)
                TRY(kb_cstr(a, kb, "p:heading"));
            if (s[i].flags & NC_SENT_BULLET)
                TRY(kb_cstr(a, kb, "p:bullet"));
            if (s[i].flags & NC_SENT_DATELINE)
                TRY(kb_cstr(a, kb, "p:dateline"));
            if (s[i].flags & NC_SENT_DOC_LAST)
                TRY(kb_cstr(a, kb, "p:last"));
        }
        if (o->context) {
            /* The neighbours' own cue keys (those sentence_features listed),
             * in their order, as x:p:c:NAME and x:n:c:NAME. */
            for (int side = 0; side < 2; side++) {
                if ((side == 0 && i == 0) || (side == 1 && i + 1 >= n)) {
                    TRY(kb_cstr(a, kb, side ? "x:n:none" : "x:p:none"));
                    continue;
                }
                const cuelist *cl = &cls[side ? i + 1 : i - 1];
                for (unsigned k = 0; k < cl->n; k++) {
                    const struct cue_key *ck = &cue_keys[cl->id[k]];
                    TRY(kb_add(a, kb, ck->x[side], ck->len + 4, NC_STEM_UNCACHED));
                }
            }
        }
        out[i].keys = kb->k;
        out[i].n = kb->n;
    }
    return NC_OK;
}
