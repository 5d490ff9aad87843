/*
 * token.c - the tokenizer (see token.h).
 *
 * A single pass over the code points.  ASCII, the bulk of news text, takes
 * a fast path (a 256-entry class table and ASCII lowering, which is exact
 * case folding for ASCII); other code points are classified with
 * utf8proc_category and folded with utf8proc_decompose_char(CASEFOLD) alone:
 * the input is NFC already, and case-fold mappings of NFC characters are
 * precomposed (asking for COMPOSE too would decompose them, since
 * composition cannot happen one character at a time).
 * Token texts are folded straight into blocks of the document arena (one
 * block a sentence, as a rule): no allocation or copy per token.  With
 * SSE2 a word's ASCII letters and digits are taken sixteen bytes a step
 * (alnum_run), whatever their case.
 *
 * One arena block a sentence holds the token array, a zero-padded copy of
 * the sentence (so 64 bytes may be read from anywhere before its end) and
 * the texts.  nc_tokenize's own loop takes the common cases: ASCII
 * separators, and ASCII words a 64-byte window at a time, found with bit
 * masks of the window's bytes rather than a branch per word (a branch on
 * what follows each word mispredicted often: see nc_tokenize).  Everything
 * else (numbers, kept punctuation, apostrophes, non-ASCII; about 6 % of the
 * tokens) goes to slow_token, one code point at a time.
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include <utf8proc.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "token.h"
#include "utf8.h"

enum cls { C_OTHER, C_SPACE, C_LETTER, C_DIGIT, C_APOS, C_NUMSEP, C_KEEP };

/* Class of an ASCII byte; lazily filled table would race under threads, so
 * it is computed by a pure function the compiler turns into a switch. */
static enum cls ascii_class(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return C_LETTER;
    if (c >= '0' && c <= '9')
        return C_DIGIT;
    switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': return C_SPACE;
    case '\'': return C_APOS;
    case '.': case ',': case ':': return C_NUMSEP;
    case '"': case '?': case '!': case '$': case '%': return C_KEEP;
    default: return C_OTHER;
    }
}

static enum cls unicode_class(int32_t cp)
{
    switch (cp) {
    case 0x2019: /* ’ right single quote, used as apostrophe */
        return C_APOS;
    case 0x201C: case 0x201D: case 0x201E: case 0x00AB: case 0x00BB: /* “ ” „ « » */
    case 0x2018: /* ‘ */
    case 0x20AC: case 0x00A3: case 0x00A5: /* € £ ¥ */
        return C_KEEP;
    default:
        break;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return C_LETTER;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return C_DIGIT;
    case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
        return C_SPACE;
    default:
        return C_OTHER;
    }
}

/*
 * The run of ASCII letters and digits at the front of p[0..16) (SSE2,
 * x86-64's baseline): its length (0-16), whether its first byte is an
 * upper-case letter, and whether any byte of it is not an upper-case
 * letter (which ends "all upper case").  One step takes most words whole,
 * capitalised and upper-case ones too, where a lower-case-only run
 * stopped at every capital.  *folded receives the 16 bytes with 0x20 set,
 * which lowers a letter and keeps a digit.
 *
 * A byte b lies in [lo, lo + n) iff (int8)(b + 0x80 - lo) < n - 0x80:
 * one add and one signed compare, exact for every byte (bytes >= 0x80
 * land outside).  Letters are tested with 0x20 set, both cases at once.
 * Elsewhere the byte-at-a-time loop does it all.
 */
#ifdef __SSE2__
#define HAVE_ALNUM_RUN 1
#define ALNUM_STEP 16u
struct alnum_run {
    unsigned len;
    int first_upper;
    int not_upper;
};

static inline __m128i in_range(__m128i b, unsigned char lo, char n)
{
    return _mm_cmplt_epi8(_mm_add_epi8(b, _mm_set1_epi8((char)(0x80 - lo))),
                          _mm_set1_epi8((char)(n - 0x80)));
}

/*
 * How far each byte of b lies outside [lo, lo + n): 0 inside, 1 or more
 * outside (b - lo, wrapping, less n - 1, saturating at 0).  Two such
 * distances combine with a minimum (0 where either range holds), and a
 * saturating add of 0x7F turns "not 0" into the top bit for a movemask:
 * the mask of bytes in neither range, in fewer instructions than two
 * signed compares, their or and a not (each pcmpgtb overwrote a copy of
 * its constant).
 */
static inline __m128i dist(__m128i b, unsigned char lo, unsigned char n)
{
    return _mm_subs_epu8(_mm_sub_epi8(b, _mm_set1_epi8((char)lo)),
                         _mm_set1_epi8((char)(n - 1)));
}

/*
 * The fast path's view of 16 bytes at p, as bit masks (bit i for p[i]);
 * the bytes are also stored at folded with 0x20 set, which lowers a
 * letter and keeps a digit.
 *   alnum: ASCII letters and digits; digit: 0-9; upper: A-Z;
 *   sep: the separators the window steps over: space and ( ) * + , - . /
 *        (0x28-0x2F; each a separator where a token could start, and the
 *        end of a word);
 * Every other byte stops the window (see nc_tokenize).
 */
#define WIN 64u
struct win16 {
    unsigned alnum, digit, upper, sep;
};

static inline struct win16 win16(const unsigned char *p, char *folded)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i z = _mm_or_si128(x, _mm_set1_epi8(0x20));
    _mm_storeu_si128((__m128i *)(void *)folded, z);
    const __m128i zero = _mm_setzero_si128();
    __m128i dd = dist(x, '0', 10);
    struct win16 w;
    w.alnum = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(dist(z, 'a', 26), dd), zero));
    w.digit = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(dd, zero));
    /* A-Z: the letters with bit 5 clear (digits have it set); psllw by 2
     * brings each byte's bit 5 to its top (bits crossing into the next
     * byte land below its top) */
    w.upper = w.alnum & ~(unsigned)_mm_movemask_epi8(_mm_slli_epi16(x, 2));
    w.sep = (unsigned)_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
                     _mm_cmpeq_epi8(_mm_or_si128(x, _mm_set1_epi8(7)), _mm_set1_epi8(0x2F))));
    return w;
}

static inline struct alnum_run alnum_run(const unsigned char *p, char *folded)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i z = _mm_or_si128(x, _mm_set1_epi8(0x20));
    _mm_storeu_si128((__m128i *)(void *)folded, z);
    unsigned alnum = (unsigned)_mm_movemask_epi8(_mm_or_si128(in_range(z, 'a', 26),
                                                              in_range(x, '0', 10)));
    unsigned upper = (unsigned)_mm_movemask_epi8(in_range(x, 'A', 26));
    struct alnum_run r;
    r.len = (unsigned)__builtin_ctz(~alnum); /* bit 16 and up are set */
    r.first_upper = (int)(upper & 1u);
    r.not_upper = (~upper & ((1u << r.len) - 1u)) != 0;
    return r;
}
#endif


/* Decode one code point at s[i]; invalid bytes (never produced by the
 * splitter) count as one C_OTHER byte. */
static inline size_t next_cp(const unsigned char *s, size_t len, size_t i, int32_t *cp,
                             enum cls *cl)
{
    if (s[i] < 0x80) {
        *cp = s[i];
        *cl = ascii_class(s[i]);
        return 1;
    }
    /* U+2000-U+203F (E2 80 80-BF: always valid UTF-8), the curly quotes
     * and apostrophe and the dashes of news text, without the library's
     * decoder (a call and its checks) */
    if (s[i] == 0xE2 && len - i >= 3 && s[i + 1] == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
        *cp = 0x2000 | (s[i + 2] & 0x3F);
        *cl = unicode_class(*cp);
        return 3;
    }
    /* a local of its own: *cp, passed on, would keep the caller's
     * variable in memory on the ASCII path too */
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
    if (n <= 0) {
        *cp = 0xFFFD;
        *cl = C_OTHER;
        return 1;
    }
    *cp = c;
    *cl = unicode_class(c);
    return (size_t)n;
}

/* Append the case fold of cp to buf (capacity NC_MAX_TOKEN_BYTES); returns new length. */
static size_t fold_append(char *buf, size_t blen, int32_t cp, unsigned *shape, int first)
{
    int32_t out[8];
    int last = 0;
    utf8proc_ssize_t n;
    int upper;
    if (cp < 0x80) {
        /* ASCII, most of the text: lower the byte and return, without the
         * generic encode path (about a tenth of classify's instructions). */
        upper = cp >= 'A' && cp <= 'Z';
        if (first && upper)
            *shape |= NC_SHAPE_CAP;
        if (!upper)
            *shape &= ~NC_SHAPE_UPPER;
        if (blen < NC_MAX_TOKEN_BYTES)
            buf[blen++] = (char)(upper ? cp + 32 : cp);
        return blen;
    } else {
        upper = utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
        n = utf8proc_decompose_char(cp, out, 8, UTF8PROC_CASEFOLD, &last);
        if (n <= 0 || n > 8) {
            out[0] = cp;
            n = 1;
        }
    }
    if (first && upper)
        *shape |= NC_SHAPE_CAP;
    if (!upper)
        *shape &= ~NC_SHAPE_UPPER;
    for (utf8proc_ssize_t k = 0; k < n; k++) {
        unsigned char enc[4];
        utf8proc_ssize_t e = utf8proc_encode_char(out[k], enc);
        if (e <= 0 || blen + (size_t)e > NC_MAX_TOKEN_BYTES)
            return blen;
        memcpy(buf + blen, enc, (size_t)e);
        blen += (size_t)e;
    }
    return blen;
}

/*
 * Store one token.  Its fields after text (punct, len, type, shape) are
 * one 8-byte store where the byte order allows (token.h lays them out for
 * it): five stores a token were a tenth of the fast word path.
 */
static inline void put_token(nc_token *t, const char *text, unsigned len, unsigned type,
                             unsigned shape, uint32_t punct)
{
    t->text = text;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    _Static_assert(offsetof(nc_token, type) == offsetof(nc_token, len) + 2 &&
                       offsetof(nc_token, shape) == offsetof(nc_token, len) + 3 &&
                       offsetof(nc_token, punct) == offsetof(nc_token, len) + 4,
                   "nc_token: len, type, shape, punct are one 8-byte word");
    uint64_t meta = (uint64_t)(len | type << 16 | shape << 24) | (uint64_t)punct << 32;
    memcpy(&t->len, &meta, sizeof meta);
#else
    t->len = (uint16_t)len;
    t->type = (uint8_t)type;
    t->shape = (uint8_t)shape;
    t->punct = punct;
#endif
}

/*
 * The tokenizer's state between tokens.  nc_tokenize keeps its own copies
 * of the hot fields in locals (registers) and writes them here only around
 * a call of slow_token, so the common word path has few live values.
 */
struct tok_state {
    const unsigned char *s; /* the sentence, copied with SRC_PAD zero bytes after it */
    size_t len;
    nc_arena *a;
    nc_token *toks, *t, *tlim; /* the array, the next token's slot, the array's end */
    char *tp, *tend;           /* where the next token's text goes, its block's end */
};

/*
 * Zero bytes after the copy of the sentence: a window (four 16-byte loads)
 * from any position before its end reads the copy, never past it; a zero
 * byte is a separator (it ends every run and token, and the loop at the
 * end).  WIN_TOKENS: the most words a window stores (a letter and a
 * separator each), room the token array keeps for one.
 */
#ifdef HAVE_ALNUM_RUN
#define SRC_PAD WIN
#define WIN_TOKENS (WIN / 2)
#else
#define SRC_PAD 1u
#define WIN_TOKENS 0u
#endif

/*
 * Text room.  At every token start, tend - tp >= 2 * (bytes left) +
 * TEXT_SLACK.  A window whose last word ends at offset e moves tp by e + 1
 * (the texts at their offsets, the last NUL) and the cursor by e or more,
 * at least 1, so it keeps this without a test; slow_token, whose folds may
 * grow (U+0390 takes 2 bytes and folds to 6), restores it after each token
 * with a new block when needed.  Nothing writes more than TEXT_SLACK bytes
 * at tp: a window stores 64, a slow token at most NC_MAX_TOKEN_BYTES and
 * its NUL (its 16-byte steps run while blen + 16 <= NC_MAX_TOKEN_BYTES).
 * So every text has NC_TOKEN_READ bytes in its block (token.h): a window's
 * word at offset b, before the r bytes left, has 2r + TEXT_SLACK - b.
 */
#define TEXT_SLACK (NC_MAX_TOKEN_BYTES + 1u)
_Static_assert(TEXT_SLACK >= NC_TOKEN_READ, "texts have the bytes token.h promises");
#ifdef HAVE_ALNUM_RUN
_Static_assert(WIN <= TEXT_SLACK, "a window's store fits the text room's slack");
#endif

static nc_status text_room(struct tok_state *k, size_t i)
{
    size_t need = 2 * (k->len - i) + TEXT_SLACK;
    if ((size_t)(k->tend - k->tp) >= need)
        return NC_OK;
    char *b = nc_arena_alloc(k->a, need);
    if (!b)
        return NC_ERR_NOMEM;
    k->tp = b;
    k->tend = b + need;
    return NC_OK;
}

/* A token array twice as large, the tokens so far copied (a sentence of
 * one-byte tokens like "a!b!c"). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static nc_status grow_tokens(struct tok_state *k)
{
    size_t cnt = (size_t)(k->t - k->toks), cap = (size_t)(k->tlim - k->toks);
    nc_token *nt = nc_arena_alloc(k->a, 2 * cap * sizeof *nt);
    if (!nt)
        return NC_ERR_NOMEM;
    memcpy(nt, k->toks, cnt * sizeof *nt);
    k->toks = nt;
    k->t = nt + cnt;
    k->tlim = nt + 2 * cap; /* at least cap (>= 16) free */
    return NC_OK;
}

/*
 * Everything but an ASCII separator and the fast path's plain ASCII word:
 * one token (a word the fast path gave up on, a number, kept punctuation,
 * anything that starts with a non-ASCII code point) or one separator code
 * point at s[i].  Returns the position after it, or SIZE_MAX when out of
 * memory.  Out of line: it is a tenth of the tokens, and inline its many
 * live values pushed nc_tokenize's own onto the stack.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static size_t slow_token(struct tok_state *k, size_t i)
{
    const unsigned char *s = k->s;
    const size_t len = k->len;
    char *tp = k->tp;
    int32_t cp;
    enum cls cl;
    size_t w = next_cp(s, len, i, &cp, &cl);
    if (cl == C_SPACE || cl == C_OTHER || cl == C_NUMSEP || cl == C_APOS)
        return i + w; /* Separators, and an apostrophe not inside a word, are not tokens. */
    size_t blen = 0;
    uint8_t type = NC_TOK_WORD;
    unsigned shape = 0;
    uint32_t punct = 0;
    if (cl == C_KEEP) {
        /* Kept punctuation has no case fold (" ? ! $ %, the curly quotes,
         * guillemets, euro, pound, yen): its bytes as they are, which
         * utf8proc_iterate has checked are the shortest UTF-8 form. */
        memcpy(tp, s + i, w);
        blen = w;
        type = NC_TOK_PUNCT;
        punct = (uint32_t)cp;
        i += w;
    } else if (cl == C_DIGIT) {
        /* digits with inner separators: 3.5  62,000  2:30 */
        type = NC_TOK_NUMBER;
        while (i < len) {
            if ((unsigned)s[i] - '0' < 10u) { /* ASCII digit: the common case */
                if (blen < NC_MAX_TOKEN_BYTES)
                    tp[blen++] = (char)s[i];
                i++;
                continue;
            }
            w = next_cp(s, len, i, &cp, &cl);
            if (cl == C_DIGIT) {
                if (blen + w <= NC_MAX_TOKEN_BYTES) {
                    memcpy(tp + blen, s + i, w);
                    blen += w;
                }
                i += w;
            } else if (cl == C_NUMSEP && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
                if (blen + 1 <= NC_MAX_TOKEN_BYTES)
                    tp[blen++] = (char)s[i];
                i += 1;
            } else if (cl == C_LETTER) {
                /* "2nd", "1990s", "v1": a word with digits */
                type = NC_TOK_WORD;
                unsigned sh = 0;
                blen = fold_append(tp, blen, cp, &sh, 0);
                i += w;
            } else {
                break;
            }
        }
    } else { /* C_LETTER */
        shape = NC_SHAPE_UPPER;
        int letters = 0;
        do { /* i < len: s[i] is the first letter */
#ifdef HAVE_ALNUM_RUN
            /* ASCII letters and digits, ALNUM_STEP bytes a step while
             * that many more fit the token (the cut is unchanged); the
             * step may read the copy's zero padding, which ends a run. */
            if (blen + ALNUM_STEP <= NC_MAX_TOKEN_BYTES) {
                /* all the bytes, folded: those past the run lie
                 * beyond the token's end, where its NUL and the next
                 * token go */
                struct alnum_run r = alnum_run(s + i, tp + blen);
                if (r.len) {
                    if (r.first_upper && letters == 0)
                        shape |= NC_SHAPE_CAP;
                    if (r.not_upper)
                        shape &= ~NC_SHAPE_UPPER;
                    blen += r.len;
                    letters += (int)r.len;
                    i += r.len;
                    if (r.len == ALNUM_STEP)
                        continue;
                    /* Any ASCII byte but an apostrophe after the run
                     * ends the word (the zero after the sentence too). */
                    unsigned c = s[i];
                    if (c < 0x80 && c != '\'')
                        break;
                }
                /* else s[i] is no ASCII letter or digit: decoded below */
            } else
#endif
            {
                /* ASCII letters and digits decided inline exactly as
                 * next_cp + fold_append decide them: a lower-case
                 * letter or a digit ends "all upper case", an
                 * upper-case first letter sets "capitalised". */
                unsigned c = s[i];
                if (c - 'a' < 26u || c - '0' < 10u) {
                    shape &= ~NC_SHAPE_UPPER;
                    if (blen < NC_MAX_TOKEN_BYTES)
                        tp[blen++] = (char)c;
                    letters++;
                    i++;
                    continue;
                }
                if (c - 'A' < 26u) {
                    if (letters == 0)
                        shape |= NC_SHAPE_CAP;
                    if (blen < NC_MAX_TOKEN_BYTES)
                        tp[blen++] = (char)(c + 32);
                    letters++;
                    i++;
                    continue;
                }
            }
            w = next_cp(s, len, i, &cp, &cl);
            if (cl == C_LETTER || cl == C_DIGIT) {
                blen = fold_append(tp, blen, cp, &shape, letters == 0);
                letters++;
                i += w;
            } else if (cl == C_APOS && i + w < len) {
                /* keep an apostrophe only between letters: don't, China's */
                int32_t ncp;
                enum cls ncl;
                next_cp(s, len, i + w, &ncp, &ncl);
                if (ncl != C_LETTER)
                    break;
                if (blen + 1 <= NC_MAX_TOKEN_BYTES)
                    tp[blen++] = '\'';
                i += w;
            } else {
                break;
            }
        } while (i < len);
        if (letters < 2)
            shape &= ~NC_SHAPE_UPPER;
    }
    /* Every path above appends its first character (a fold of one
     * code point is at least one byte and fits an empty token). */
    assert(blen > 0);
    if (k->t == k->tlim && grow_tokens(k) != NC_OK)
        return SIZE_MAX;
    put_token(k->t++, tp, (unsigned)blen, type, shape, punct);
    tp[blen] = '\0';
    k->tp = tp + blen + 1;
    if (text_room(k, i) != NC_OK)
        return SIZE_MAX;
    return i;
}

/*
 * What a byte at a token's start means to nc_tokenize's own loop, one load
 * from a static const table (nothing to fill at run time):
 *  BC_LETTER  an ASCII letter: words start (the window);
 *  BC_SEP     an ASCII separator: all bytes but letters, digits, the kept
 *             " ? ! $ % and non-ASCII bytes (C_SPACE, C_OTHER, C_NUMSEP,
 *             C_APOS; NUL too);
 *  BC_KEEP    kept punctuation, an ASCII " ? ! $ %: a token of its own,
 *             stored there (its text is itself, its punct the byte);
 *  none       anything else: slow_token;
 *  BC_BAD     after a word, a byte that may not end it: an apostrophe (kept
 *             between letters) or a non-ASCII byte (maybe a letter).
 */
enum { BC_LETTER = 1, BC_SEP = 2, BC_BAD = 4, BC_KEEP = 8 };
#define BC_LETTER_(c) (((c) | 0x20u) - 'a' < 26u)
#define BC_KEEP_(c) ((c) == '"' || (c) == '?' || (c) == '!' || (c) == '$' || (c) == '%')
#define BC_(c)                                                                              \
    ((c) >= 0x80u ? BC_BAD                                                                 \
     : BC_KEEP_(c) ? BC_KEEP                                                               \
     : (c) - '0' < 10u ? 0                                                                 \
     : BC_LETTER_(c) ? BC_LETTER                                                           \
     : (c) == '\'' ? BC_SEP | BC_BAD : BC_SEP)
#define BC4_(c) BC_(c), BC_((c) + 1u), BC_((c) + 2u), BC_((c) + 3u)
#define BC16_(c) BC4_(c), BC4_((c) + 4u), BC4_((c) + 8u), BC4_((c) + 12u)
#define BC64_(c) BC16_(c), BC16_((c) + 16u), BC16_((c) + 32u), BC16_((c) + 48u)
static const unsigned char byte_class[256] = { BC64_(0u), BC64_(64u), BC64_(128u), BC64_(192u) };
#undef BC_LETTER_
#undef BC_KEEP_
#undef BC_
#undef BC4_
#undef BC16_
#undef BC64_

/*
 * Not inlined into the featurizer (LTO would): it runs once a sentence,
 * and on its own it keeps its cursor, token slot and text pointer in
 * registers, where inlined into sentence_features they lived on the stack.
 *
 * The sentence is first copied, zero-padded, into the same arena block as
 * the token array and the text.  At an ASCII letter the loop takes a
 * 64-byte window: masks of its letters and digits, upper-case letters,
 * skippable separators (space , - . /) and bytes that may not end a word
 * give every word in it up to the first other byte, in order, by a loop
 * on two masks (each run's first and last byte); its shape comes from the
 * masks too.  Words by window, not one by one: when each word was a step
 * whose end decided where the next step started, the branch on what came
 * after it (a letter, a comma, a quote) mispredicted about one word in
 * six, and the load of the next step waited on the last one's masks.
 * Measured on the 20 MB bench's sentences, nc_tokenize alone (min of 20
 * rounds): 57 ms one word a step, 45 ms with the separators after a word
 * skipped by mask, 31 ms by 64-byte windows (34 ms by 32-byte ones).
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
nc_status nc_tokenize(const char *str, size_t len, nc_arena *a, nc_token **out, size_t *n)
{
    /* Words average five bytes or more; the array grows (by copying in the
     * arena) for the rare sentence of one-letter tokens like "a!b!c". */
    if (len > (SIZE_MAX - 4096) / 16)
        return NC_ERR_NOMEM;
    size_t cap = len / 4 + WIN_TOKENS + 16; /* a window's tokens fit a new array */
    size_t text = 2 * len + TEXT_SLACK; /* the text-room rule at i = 0 */
    char *block = nc_arena_alloc(a, cap * sizeof(nc_token) + len + SRC_PAD + text);
    if (!block)
        return NC_ERR_NOMEM;
    struct tok_state k;
    k.toks = (nc_token *)(void *)block;
    k.tlim = k.toks + cap;
    unsigned char *copy = (unsigned char *)block + cap * sizeof(nc_token);
    if (len)
        memcpy(copy, str, len);
    memset(copy + len, 0, SRC_PAD);
    k.s = copy;
    k.len = len;
    k.a = a;
    const unsigned char *s = copy;
    nc_token *t = k.toks, *tlim = k.tlim;
    char *tp = (char *)copy + len + SRC_PAD;
    k.tend = tp + text; /* the slow path's only: the fast one needs no test */
    const unsigned char *p = s, *end = s + len; /* the cursor, the sentence's end */
    /* The loop ends at the first zero byte of the padding: a separator, it
     * is the only one tested against the end (a zero byte inside the
     * sentence is a separator too); no token reads past it. */
    for (;;) {
        unsigned c0 = byte_class[*p];
#ifdef HAVE_ALNUM_RUN
        if (c0 & BC_LETTER) {
            /* Words, a 64-byte window at a time (see struct win16): its
             * bytes folded and stored at tp, where the words' texts then
             * lie at the offsets they have in the window (the NUL after
             * a word overwrites its separator or the byte that stopped
             * the window, which slow_token reads from s, not from tp). */
            struct win16 w0 = win16(p, tp), w1 = win16(p + 16, tp + 16);
            struct win16 w2 = win16(p + 32, tp + 32), w3 = win16(p + 48, tp + 48);
#define W64_(f) ((uint64_t)w0.f | (uint64_t)w1.f << 16 | (uint64_t)w2.f << 32 | (uint64_t)w3.f << 48)
            uint64_t A = W64_(alnum), S = W64_(sep), U = W64_(upper), D = W64_(digit);
            /* The window's last byte stops it: a run through it may go on
             * past the window (A's top bit ends no run: a run ending
             * before it has a byte after it that is no letter or digit). */
            const uint64_t last = 1ull << 63;
#undef W64_
            uint64_t starts = A & ~(A << 1); /* the first byte of each run */
            /* Where the window's words stop: at the first byte that is
             * neither a letter, a digit nor a separator it skips (kept
             * punctuation, another separator, a non-ASCII byte, the
             * padding's zero), or a run from a digit (a number); 63 at
             * most.  A run ending at the limit is a word only if that
             * byte surely ends it (not BC_BAD);
             * the runs taken, as their last bytes: em (none when the run
             * at p itself is not taken). */
            uint64_t stop = ~(A | S) | (starts & D) | last;
            unsigned limit = (unsigned)__builtin_ctzll(stop);
            unsigned excl = byte_class[p[limit]] / BC_BAD & 1u;
            uint64_t em = A & ~(A >> 1) & ((1ull << (limit - excl)) - 1u);
            if (em) {
                if ((size_t)(tlim - t) < WIN_TOKENS) {
                    k.t = t;
                    if (grow_tokens(&k) != NC_OK)
                        return NC_ERR_NOMEM;
                    t = k.t;
                    tlim = k.tlim;
                }
                unsigned e;
                do { /* the runs in order: a loop on the two masks, no branch per byte class */
                    unsigned b = (unsigned)__builtin_ctzll(starts);
                    starts &= starts - 1u;
                    e = (unsigned)__builtin_ctzll(em) + 1u;
                    em &= em - 1u;
                    /* Capitalised: bit 0 of u, the A-Z mask from the
                     * word on.  All upper case: bits 0..wl-1 of u set (a
                     * digit clears its bit) and bit 1 (two bytes or
                     * more).  Bit wl, the byte after the word, is clear,
                     * so u + 1 carries into bit wl exactly when bits
                     * 0..wl-1 are all set: shape = u & (1 | bit wl of
                     * u + 1, moved to bit 1) & 3, without a branch. */
                    unsigned wl = e - b;
                    uint64_t u = U >> b;
                    unsigned shape = (unsigned)(u & ((((u + 1u) >> wl) << 1) | NC_SHAPE_CAP) &
                                                (NC_SHAPE_CAP | NC_SHAPE_UPPER));
                    put_token(t++, tp + b, wl, NC_TOK_WORD, shape, 0);
                    tp[e] = '\0';
                } while (em);
                tp += e + 1;
                /* On at the next run not taken (one that ends at the
                 * limit but was excluded: the next window starts with it,
                 * and gives it to slow_token), else at the limit; all
                 * between is separators. */
                unsigned next = (unsigned)__builtin_ctzll(starts | last);
                p += next < limit ? next : limit;
                continue;
            }
            /* The word at p goes on past the window, or into an
             * apostrophe or a non-ASCII byte. */
        } else
#endif
        if (c0 & BC_SEP) {
            if (p >= end)
                break;
            p++;
            continue;
        }
        if (c0 & BC_KEEP) { /* 2 bytes of text for 1: the text room holds */
            if (t == tlim) {
                k.t = t;
                if (grow_tokens(&k) != NC_OK)
                    return NC_ERR_NOMEM;
                t = k.t;
                tlim = k.tlim;
            }
            put_token(t++, tp, 1, NC_TOK_PUNCT, 0, *p);
            tp[0] = (char)*p++;
            tp[1] = '\0';
            tp += 2;
            continue;
        }
        k.t = t;
        k.tlim = tlim;
        k.tp = tp;
        size_t i = slow_token(&k, (size_t)(p - s));
        if (i == SIZE_MAX)
            return NC_ERR_NOMEM;
        p = s + i;
        t = k.t;
        tlim = k.tlim;
        tp = k.tp;
    }
    *out = k.toks;
    *n = (size_t)(t - k.toks);
    return NC_OK;
}
