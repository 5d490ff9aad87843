/*
 * utf8.c - strict UTF-8 decoding, the input policy and NFC (see utf8.h).
 *
 * The decoder follows Lua's utf8_decode: it looks at the lead byte, checks
 * every continuation byte and then rejects overlong forms, surrogates and
 * values above U+10FFFF, so each byte of a bad sequence is reported on its
 * own and becomes one U+FFFD.  It also tells "truncated by the end of the
 * buffer" apart from "invalid", which the streaming splitter needs when a
 * chunk ends inside a sequence.
 *
 * NFC uses utf8proc_decompose + utf8proc_reencode on a code-point buffer
 * owned by the caller and grown with nc_realloc, so every byte of memory is
 * seen by the library's allocation hook (utf8proc_map would malloc).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "utf8.h"

size_t nc_utf8_decode(const unsigned char *s, size_t len, int32_t *cp)
{
    *cp = -1;
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (int32_t)c;
        return 1;
    }
    size_t n;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0xC2) {
        return 1; /* continuation byte, or overlong 2-byte lead C0/C1 */
    } else if (c < 0xE0) {
        n = 2;
        v = c & 0x1F;
    } else if (c < 0xF0) {
        n = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c < 0xF5) {
        n = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if (i >= len)
            return 0; /* a valid prefix, cut by the end of the buffer */
        unsigned b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
            return 1;
        v = v << 6 | (b & 0x3F);
    }
    *cp = (int32_t)v;
    return n;
}

size_t nc_utf8_encode(int32_t cp, unsigned char *out)
{
    uint32_t v = (uint32_t)cp;
    if (v < 0x80) {
        out[0] = (unsigned char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (unsigned char)(0xC0 | v >> 6);
        out[1] = (unsigned char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (unsigned char)(0xE0 | v >> 12);
        out[1] = (unsigned char)(0x80 | (v >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (v & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | v >> 18);
    out[1] = (unsigned char)(0x80 | (v >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (v >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (v & 0x3F));
    return 4;
}

int nc_utf8_is_ascii(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char acc = 0;
    for (size_t i = 0; i < len; i++)
        acc |= p[i];
    return acc < 0x80;
}

size_t nc_utf8_space(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return (c == ' ' || (c >= '\t' && c <= '\r') || c == 0) ? 1 : 0;
    if (c == 0xC2)
        return (len >= 2 && s[1] == 0xA0) ? 2 : 0;
    if (c == 0xE2 && len >= 3) {
        if (s[1] == 0x80 && (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
            return 3;
        if (s[1] == 0x81 && s[2] == 0x9F)
            return 3;
        return 0;
    }
    if (c == 0xE3 && len >= 3 && s[1] == 0x80 && s[2] == 0x80)
        return 3;
    return 0;
}

/* U+FFFD as UTF-8. */
static const unsigned char replacement[3] = {0xEF, 0xBF, 0xBD};

size_t nc_utf8_sanitize(const char *in, size_t len, char *out, unsigned flags, int *nonascii)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *o = (unsigned char *)out;
    size_t i = 0, n = 0;
    int fold = (flags & NC_UTF8_FOLD_SPACE) != 0;
    int pending_space = 0; /* folding: a space is owed before the next character */
    int wide = 0;          /* a byte >= 0x80 was written */
    if ((flags & NC_UTF8_DROP_BOM) && len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3;
    while (i < len) {
        /* The fast path: 8 bytes of printable ASCII and single spaces, copied
         * as they are.  Folding, a space may not come first when it would
         * be dropped or doubled (at the start, after a space owed), nor
         * last (the next byte may be space too), nor twice in a row.  With
         * SSE2, 16 bytes a step first under the same rules (the 8-byte
         * steps took ~5 instructions a byte, 3 % of classify). */
#ifdef __SSE2__
        while (len - i >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
            /* 0x20..0x7E as signed bytes (those >= 0x80 are negative) */
            __m128i pr = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(0x1F)),
                                       _mm_cmplt_epi8(x, _mm_set1_epi8(0x7F)));
            if (_mm_movemask_epi8(pr) != 0xFFFF)
                break;
            if (fold) {
                unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
                if (sp && ((sp & (sp << 1)) || (sp & 0x8000u) ||
                           ((sp & 1u) && (pending_space || n == 0))))
                    break;
                if (pending_space) {
                    o[n++] = ' ';
                    pending_space = 0;
                }
            }
            _mm_storeu_si128((__m128i *)(o + n), x);
            n += 16;
            i += 16;
        }
#endif
        while (len - i >= 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            if (((x - NC_SWAR_ONES * 0x20) | x | (x + NC_SWAR_ONES)) & NC_SWAR_HIGH)
                break; /* a byte outside 0x20..0x7E */
            if (fold) {
                uint64_t sp = nc_swar_zero_bytes(x ^ (NC_SWAR_ONES * ' ')); /* the spaces */
                if (sp && ((sp & (sp << 8)) || s[i + 7] == ' ' ||
                           (s[i] == ' ' && (pending_space || n == 0))))
                    break;
                if (pending_space) {
                    o[n++] = ' ';
                    pending_space = 0;
                }
            }
            memcpy(o + n, s + i, 8);
            n += 8;
            i += 8;
        }
        if (i == len)
            break;
        unsigned c = s[i];
        if (c > ' ' && c < 0x7F) { /* printable ASCII, one at a time */
            if (pending_space) {
                o[n++] = ' ';
                pending_space = 0;
            }
            o[n++] = (unsigned char)c;
            i++;
            continue;
        }
        if (fold) {
            size_t w = nc_utf8_space(s + i, len - i);
            if (w) {
                pending_space = n > 0;
                i += w;
                continue;
            }
            if (pending_space) {
                o[n++] = ' ';
                pending_space = 0;
            }
        }
        if (c < 0x80) {
            if (c == 0) {
                c = ' ';
            } else if (c == '\r') {
                c = '\n';
                if (i + 1 < len && s[i + 1] == '\n')
                    i++;
            }
            o[n++] = (unsigned char)c;
            i++;
            continue;
        }
        int32_t cp;
        size_t k = nc_utf8_decode(s + i, len - i, &cp);
        wide = 1; /* U+FFFD or the code point: both UTF-8 of 2 bytes or more */
        if (cp < 0) {
            memcpy(o + n, replacement, 3);
            n += 3;
            i++;
        } else {
            memcpy(o + n, s + i, k);
            n += k;
            i += k;
        }
    }
    if (nonascii)
        *nonascii = wide;
    return n;
}

/*
 * Code points that are their own NFC and never combine with a neighbour:
 * below U+0300 (Latin-1 and the Latin Extended blocks: no NFC_QC=No or
 * Maybe there, and the combining marks start at U+0300), the dashes,
 * quotes, bullet and ellipsis U+2010..U+2027, U+2030..U+205E, the currency
 * signs and U+FFFD.  (U+2000 and U+2001 are left out on purpose: they are
 * singletons that NFC replaces.)  News text rarely leaves this set, so most
 * non-ASCII sentences skip utf8proc altogether.
 */
static int nfc_inert(int32_t cp)
{
    return cp < 0x300 || (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||
           (cp >= 0x20A0 && cp <= 0x20C0) || cp == 0xFFFD;
}

int nc_utf8_is_nfc_quick(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        i += nc_utf8_ascii_prefix(s + i, len - i); /* ASCII is inert */
        if (i == len)
            break;
        int32_t cp;
        size_t k = nc_utf8_decode(p + i, len - i, &cp);
        if (cp < 0 || !nfc_inert(cp))
            return 0;
        i += k;
    }
    return 1;
}

#ifdef __SSE2__
/*
 * One step of nc_utf8_fold_as_is over the w (1..16) bytes whose bits are
 * the low w of the masks: pr marks bytes 0x20..0x7E, sp the spaces, and
 * *prev_space says whether the byte before them was a space.  Returns how
 * many bytes (from the first) are printable with single spaces, which is w
 * when all are; returns SIZE_MAX for a space that follows a space.
 */
static size_t fold_block(unsigned pr, unsigned sp, unsigned w, unsigned *prev_space)
{
    unsigned valid = w == 16 ? 0xFFFFu : (1u << w) - 1;
    unsigned bad = ~pr & valid;
    unsigned upto = bad ? (bad & (0u - bad)) - 1 : valid; /* the bytes before the first bad one */
    sp &= upto;
    if (sp & ((sp << 1) | *prev_space))
        return SIZE_MAX;
    unsigned n = bad ? (unsigned)__builtin_ctz(bad) : w;
    if (n)
        *prev_space = (sp >> (n - 1)) & 1u;
    return n;
}

/* The masks of fold_block for the 16 bytes at p. */
static void fold_masks(const unsigned char *p, unsigned *pr, unsigned *sp)
{
    __m128i x = _mm_loadu_si128((const __m128i *)p);
    /* 0x20..0x7E in one compare: plus one (wrapping), they are 0x21..0x7F
     * and every other byte is 0x00..0x20 or negative as a signed byte */
    *pr = (unsigned)_mm_movemask_epi8(
        _mm_cmpgt_epi8(_mm_add_epi8(x, _mm_set1_epi8(1)), _mm_set1_epi8(0x20)));
    *sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')));
}
#endif

int nc_utf8_fold_as_is(const char *in, size_t len)
{
    return nc_utf8_fold_as_is_from(in, len, 0);
}

int nc_utf8_fold_as_is_from(const char *in, size_t len, size_t from)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = from;
    /* a space may not come first (folding trims it), nor after a space */
    unsigned prev_space = from == 0 || s[from - 1] == ' ';
    int inert = 1;           /* every code point so far is NFC-inert */
    while (i < len) {
#ifdef __SSE2__
        /* Printable ASCII 16 bytes a step, the last step overlapping the
         * bytes already seen rather than going byte by byte: the sanitizer's
         * copy took ~6 instructions a byte, and most sentences need none.
         * Whole steps of printable bytes first, with the least work: two
         * at a time, then one. */
        while (len - i >= 32) {
            unsigned pr0, sp0, pr1, sp1;
            fold_masks(s + i, &pr0, &sp0);
            fold_masks(s + i + 16, &pr1, &sp1);
            if ((pr0 & pr1) != 0xFFFFu)
                break;
            uint32_t sp = sp0 | sp1 << 16;
            if (sp & ((sp << 1) | prev_space))
                return 0;
            prev_space = sp >> 31;
            i += 32;
        }
        while (len - i >= 16) {
            unsigned pr, sp;
            fold_masks(s + i, &pr, &sp);
            if (pr != 0xFFFFu)
                break;
            if (sp & ((sp << 1) | prev_space))
                return 0;
            prev_space = sp >> 15;
            i += 16;
        }
        if (i == len)
            break;
        if (len >= 16) {
            unsigned pr, sp, w = len - i >= 16 ? 16u : (unsigned)(len - i);
            fold_masks(s + (len - i >= 16 ? i : len - 16), &pr, &sp);
            pr >>= 16 - w;
            sp >>= 16 - w;
            size_t n = fold_block(pr, sp, w, &prev_space);
            if (n == SIZE_MAX)
                return 0;
            i += n;
            if (n == w)
                continue;
        }
#endif
        unsigned c = s[i];
        if (c > ' ' && c < 0x7F) {
            prev_space = 0;
            i++;
            continue;
        }
        if (c == ' ') {
            if (prev_space)
                return 0;
            prev_space = 1;
            i++;
            continue;
        }
        if (c < 0x80)
            return 0; /* other white space, NUL, a control character or DEL */
        if (c == 0xE2 && len - i >= 3 && s[i + 1] == 0x80 &&
            ((s[i + 2] >= 0x90 && s[i + 2] <= 0xA7) || s[i + 2] >= 0xB0) && s[i + 2] <= 0xBF) {
            /* U+2010..U+2027, U+2030..U+203F: the dashes, quotes and
             * ellipsis of news text, valid, no space and NFC-inert */
            prev_space = 0;
            i += 3;
            continue;
        }
        int32_t cp;
        size_t k = nc_utf8_decode(s + i, len - i, &cp);
        if (cp < 0 || nc_utf8_space(s + i, k))
            return 0;
        inert &= nfc_inert(cp);
        prev_space = 0;
        i += k;
    }
    if (len && prev_space)
        return 0; /* a trailing space */
    return inert ? NC_UTF8_AS_IS_NFC : NC_UTF8_AS_IS;
}

nc_status nc_utf8_nfc(const char *s, size_t len, nc_utf8_nfcbuf *work, const char **out,
                      size_t *outlen)
{
    const utf8proc_option_t opt = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    if (len > (size_t)PTRDIFF_MAX / 16)
        return NC_ERR_FORMAT;
    for (;;) {
        utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                                                work->cps, (utf8proc_ssize_t)work->cap, opt);
        if (r < 0)
            return NC_ERR_FORMAT;
        if ((size_t)r <= work->cap && work->cps) {
            r = utf8proc_reencode(work->cps, r, opt);
            if (r < 0)
                return NC_ERR_FORMAT;
            *out = (const char *)work->cps;
            *outlen = (size_t)r;
            return NC_OK;
        }
        /* Grow with slack so a stream of sentences settles on one size. */
        size_t want = (size_t)r + (size_t)r / 2 + 16;
        int32_t *p = nc_reallocarray(work->cps, want, sizeof *p);
        if (!p)
            return NC_ERR_NOMEM;
        work->cps = p;
        work->cap = want;
    }
}

void nc_utf8_nfc_free(nc_utf8_nfcbuf *work)
{
    nc_free(work->cps);
    work->cps = NULL;
    work->cap = 0;
}
