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
 */
#include <assert.h>
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
 * Room for one more token's folded text and NUL at *tp (NC_MAX_TOKEN_BYTES
 * + 1 bytes before *tend).  Token texts are laid out one after another in
 * arena blocks sized for the rest of the sentence (enough for all of it
 * when it is ASCII), instead of a copy per token.
 */
static nc_status text_room(nc_arena *a, size_t rest, char **tp, char **tend)
{
    if ((size_t)(*tend - *tp) > NC_MAX_TOKEN_BYTES)
        return NC_OK;
    size_t size = rest + NC_MAX_TOKEN_BYTES + 1;
    if (size < rest)
        return NC_ERR_NOMEM;
    char *b = nc_arena_alloc(a, size);
    if (!b)
        return NC_ERR_NOMEM;
    *tp = b;
    *tend = b + size;
    return NC_OK;
}

/*
 * Not inlined into the featurizer (LTO would): it runs once a sentence,
 * and on its own it keeps its cursor, token slot and text pointer in
 * registers, where inlined into sentence_features they lived on the stack.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
nc_status nc_tokenize(const char *str, size_t len, nc_arena *a, nc_token **out, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Words average five bytes or more; the array grows (by copying in the
     * arena) for the rare sentence of one-letter tokens like "a!b!c". */
    size_t cap = len / 4 + 16;
    nc_token *toks = nc_arena_alloc(a, cap * sizeof *toks);
    if (!toks)
        return NC_ERR_NOMEM;
    nc_token *t = toks, *tlim = toks + cap; /* the next token's slot, the array's end */
    char *tp = NULL, *tend = NULL; /* where the next token's text goes */
    size_t i = 0;
    while (i < len) {
        unsigned c0 = s[i];
        if (c0 == ' ') { /* most separators: skipped without next_cp */
            i++;
            continue;
        }
        /* An ASCII letter, most tokens' start, goes straight to the word
         * loop, which reads it again; anything else is decoded here. */
        int32_t cp = (int32_t)c0;
        enum cls cl = C_LETTER;
        size_t w = 1;
        if ((c0 | 0x20) - 'a' >= 26u) {
            w = next_cp(s, len, i, &cp, &cl);
            if (cl == C_SPACE || cl == C_OTHER || cl == C_NUMSEP || cl == C_APOS) {
                /* Separators, and an apostrophe not inside a word, are not tokens. */
                i += w;
                continue;
            }
        }
        if (text_room(a, len - i, &tp, &tend) != NC_OK)
            return NC_ERR_NOMEM;
        size_t blen = 0;
        uint8_t type = NC_TOK_WORD;
        unsigned shape = 0;
        uint32_t punct = 0;
        if (cl == C_KEEP) {
            blen = fold_append(tp, 0, cp, &(unsigned){ 0 }, 0);
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
                 * that many more fit the token (the cut is unchanged) and
                 * the sentence; its last few bytes go byte by byte. */
                if (len - i >= ALNUM_STEP && blen + ALNUM_STEP <= NC_MAX_TOKEN_BYTES) {
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
                        /* The byte after the run ends most words: any
                         * ASCII byte but an apostrophe (a space, comma or
                         * full stop, the common case; the space is
                         * skipped here rather than by the loop above). */
                        unsigned c = s[i];
                        if (c < 0x80 && c != '\'') {
                            i += c == ' ';
                            break;
                        }
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
        if (t == tlim) {
            size_t cnt = (size_t)(t - toks);
            nc_token *nt = nc_arena_alloc(a, 2 * cnt * sizeof *nt);
            if (!nt)
                return NC_ERR_NOMEM;
            memcpy(nt, toks, cnt * sizeof *nt);
            toks = nt;
            t = nt + cnt;
            tlim = nt + 2 * cnt;
        }
        /* stored field by field: a token built in a local and copied cost
         * a 24-byte copy through the stack */
        t->text = tp;
        t->len = (uint32_t)blen;
        t->type = type;
        t->shape = (uint8_t)shape;
        t->punct = punct;
        t++;
        tp[blen] = '\0';
        tp += blen + 1;
    }
    *out = toks;
    *n = (size_t)(t - toks);
    return NC_OK;
}
