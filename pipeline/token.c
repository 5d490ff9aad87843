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
 * block a sentence, as a rule): no allocation or copy per token.
 */
#include <string.h>

#include <utf8proc.h>

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
 * Lower-case ASCII letters at the front of s[0..8): how many (0-8), eight
 * bytes at a time (SWAR).  Each byte's low 7 bits plus 0x1f reach 0x80 iff
 * they are >= 'a', plus 0x05 iff >= '{'; no sum carries into the next byte
 * (0x7f + 0x1f < 0x100), and a byte with its top bit set (not ASCII) is
 * excluded.  Needs little-endian loads and a count-trailing-zeros builtin,
 * so other compilers and byte orders take the byte-at-a-time loop alone.
 */
#ifdef NC_HAVE_SWAR_CTZ
#define HAVE_LOWER_RUN 1
static inline unsigned lower_run(const unsigned char *s)
{
    const uint64_t ones = NC_SWAR_ONES, high = NC_SWAR_HIGH;
    uint64_t x;
    memcpy(&x, s, 8);
    uint64_t y = x & ~high;
    uint64_t m = (y + ones * 0x1f) & ~(y + ones * 0x05) & ~x & high;
    uint64_t stop = ~m & high; /* the top bit of every byte that is not a-z */
    return stop ? (unsigned)__builtin_ctzll(stop) >> 3 : 8u;
}

/* 1 when ASCII byte c ends a word that reached it (the word loop breaks
 * on it): it is not a letter, a digit or an apostrophe.  0 for non-ASCII.
 * One bit per ASCII byte: the range tests were ~13 instructions a word. */
static inline int ends_word(unsigned char c)
{
    static const uint64_t keeps[2] = {
        0x03FF008000000000ull, /* '\'' (0x27), '0'-'9' (0x30-0x39) */
        0x07FFFFFE07FFFFFEull, /* 'A'-'Z' (0x41-0x5A), 'a'-'z' (0x61-0x7A) */
    };
    return c < 0x80 && !(keeps[c >> 6] >> (c & 63) & 1);
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
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), cp);
    if (n <= 0) {
        *cp = 0xFFFD;
        *cl = C_OTHER;
        return 1;
    }
    *cl = unicode_class(*cp);
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

nc_status nc_tokenize(const char *str, size_t len, nc_arena *a, nc_token **out, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    /* Words average five bytes or more; the array grows (by copying in the
     * arena) for the rare sentence of one-letter tokens like "a!b!c". */
    size_t cap = len / 4 + 16, cnt = 0;
    nc_token *toks = nc_arena_alloc(a, cap * sizeof *toks);
    if (!toks)
        return NC_ERR_NOMEM;
    char *tp = NULL, *tend = NULL; /* where the next token's text goes */
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ') { /* most separators: skipped without next_cp */
            i++;
            continue;
        }
        int32_t cp;
        enum cls cl;
        size_t w = next_cp(s, len, i, &cp, &cl);
        if (cl == C_SPACE || cl == C_OTHER || cl == C_NUMSEP || cl == C_APOS) {
            /* Separators, and an apostrophe not inside a word, are not tokens. */
            i += w;
            continue;
        }
        if (text_room(a, len - i, &tp, &tend) != NC_OK)
            return NC_ERR_NOMEM;
        char *buf = tp;
        nc_token t = { 0 };
        size_t blen = 0;
        if (cl == C_KEEP) {
            blen = fold_append(buf, 0, cp, &(unsigned){ 0 }, 0);
            t.type = NC_TOK_PUNCT;
            t.punct = (uint32_t)cp;
            i += w;
        } else if (cl == C_DIGIT) {
            /* digits with inner separators: 3.5  62,000  2:30 */
            t.type = NC_TOK_NUMBER;
            while (i < len) {
                if ((unsigned)s[i] - '0' < 10u) { /* ASCII digit: the common case */
                    if (blen < NC_MAX_TOKEN_BYTES)
                        buf[blen++] = (char)s[i];
                    i++;
                    continue;
                }
                w = next_cp(s, len, i, &cp, &cl);
                if (cl == C_DIGIT) {
                    if (blen + w <= NC_MAX_TOKEN_BYTES) {
                        memcpy(buf + blen, s + i, w);
                        blen += w;
                    }
                    i += w;
                } else if (cl == C_NUMSEP && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
                    if (blen + 1 <= NC_MAX_TOKEN_BYTES)
                        buf[blen++] = (char)s[i];
                    i += 1;
                } else if (cl == C_LETTER) {
                    /* "2nd", "1990s", "v1": a word with digits */
                    t.type = NC_TOK_WORD;
                    unsigned sh = 0;
                    blen = fold_append(buf, blen, cp, &sh, 0);
                    i += w;
                } else {
                    break;
                }
            }
        } else { /* C_LETTER */
            t.type = NC_TOK_WORD;
            unsigned shape = NC_SHAPE_UPPER;
            int letters = 0;
            while (i < len) {
                /* ASCII letters and digits, the bulk of news text, decided
                 * inline exactly as next_cp + fold_append decide them: a
                 * lower-case letter or a digit ends "all upper case", an
                 * upper-case first letter sets "capitalised". */
#ifdef HAVE_LOWER_RUN
                /* A run of lower-case letters, eight bytes at a time, while
                 * eight more bytes fit the token (the cut is unchanged). */
                if (len - i >= 8 && blen + 8 <= NC_MAX_TOKEN_BYTES) {
                    unsigned r = lower_run(s + i);
                    if (r) {
                        /* all 8 bytes: those past r lie beyond the token's
                         * end, where its NUL and the next token go */
                        memcpy(buf + blen, s + i, 8);
                        shape &= ~NC_SHAPE_UPPER;
                        blen += r;
                        letters += (int)r;
                        i += r;
                        /* s[i] (r < 8: within the 8 bytes) ends most words:
                         * an ASCII byte that is no letter, digit or
                         * apostrophe ends it here as the loop below would
                         * (a space, comma or full stop, the common case). */
                        if (r < 8 && ends_word(s[i]))
                            break;
                        continue;
                    }
                }
#endif
                unsigned c = s[i];
                if (c - 'a' < 26u || c - '0' < 10u) {
                    shape &= ~NC_SHAPE_UPPER;
                    if (blen < NC_MAX_TOKEN_BYTES)
                        buf[blen++] = (char)c;
                    letters++;
                    i++;
                    continue;
                }
                if (c - 'A' < 26u) {
                    if (letters == 0)
                        shape |= NC_SHAPE_CAP;
                    if (blen < NC_MAX_TOKEN_BYTES)
                        buf[blen++] = (char)(c + 32);
                    letters++;
                    i++;
                    continue;
                }
                w = next_cp(s, len, i, &cp, &cl);
                if (cl == C_LETTER || cl == C_DIGIT) {
                    blen = fold_append(buf, blen, cp, &shape, letters == 0);
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
                        buf[blen++] = '\'';
                    i += w;
                } else {
                    break;
                }
            }
            if (letters < 2)
                shape &= ~NC_SHAPE_UPPER;
            t.shape = (uint8_t)shape;
        }
        if (blen == 0)
            continue;
        if (cnt == cap) {
            nc_token *nt = nc_arena_alloc(a, 2 * cap * sizeof *nt);
            if (!nt)
                return NC_ERR_NOMEM;
            memcpy(nt, toks, cnt * sizeof *nt);
            toks = nt;
            cap *= 2;
        }
        buf[blen] = '\0';
        tp += blen + 1;
        t.text = buf;
        t.len = (uint32_t)blen;
        toks[cnt++] = t;
    }
    *out = toks;
    *n = cnt;
    return NC_OK;
}
