/*
 * utf8.h - the UTF-8 stage of libnewsclass (internal).
 *
 * Everything downstream of the splitter (tokens, stems, the model) assumes
 * valid UTF-8 in NFC, so this is where untrusted bytes become text.  The
 * decoder is strict in the way of Lua's lutf8lib: overlong forms, UTF-16
 * surrogates, code points above U+10FFFF, lone continuation bytes and
 * truncated sequences are all invalid.  The policy applied by
 * nc_utf8_sanitize: every invalid byte becomes U+FFFD, NUL becomes a space,
 * a BOM at the start of the input is dropped, CRLF and lone CR become LF;
 * optionally whitespace runs are folded to one space and trimmed.  NFC goes
 * through libutf8proc but into buffers of our own allocation hook (never
 * utf8proc_map, which mallocs behind the hook's back).
 */
#ifndef NC_UTF8_H
#define NC_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common.h"

/* U+FFFD REPLACEMENT CHARACTER, written for each invalid byte. */
#define NC_UTF8_REPLACEMENT 0xFFFD

/*
 * Decode the code point at s[0..len).  Returns the number of bytes it
 * takes (1..4) and sets *cp, or:
 *  - 1 with *cp = -1 when s[0] does not start a valid sequence (the caller
 *    replaces that one byte and decodes again from s + 1);
 *  - 0 with *cp = -1 when len == 0, or when s[0..len) is a proper prefix
 *    of a sequence that might still be valid: a streaming caller waits for
 *    more bytes; at the end of the input it treats s[0] as invalid.
 */
size_t nc_utf8_decode(const unsigned char *s, size_t len, int32_t *cp);

/* Encode a valid code point cp into out (room for 4 bytes); returns 1..4. */
size_t nc_utf8_encode(int32_t cp, unsigned char *out);

/* Whether s[0..len) is all ASCII (ASCII text is already NFC). */
int nc_utf8_is_ascii(const char *s, size_t len);

/*
 * Eight bytes at a time (SWAR), shared by the scans of the splitter, the
 * tokenizer and the sanitizer.  NC_SWAR_ONES * c repeats byte c.
 * NC_HAVE_SWAR_CTZ: little-endian loads and a count-trailing-zeros builtin,
 * so a mask's lowest set bit names the first matching byte; elsewhere the
 * callers' byte-at-a-time loops do it all.
 */
#define NC_SWAR_ONES 0x0101010101010101ull
#define NC_SWAR_HIGH 0x8080808080808080ull
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NC_HAVE_SWAR_CTZ 1
#endif

/* The top bit of every byte of y that is zero, and no other bit (no carry
 * crosses a byte: the low seven bits plus 0x7f stay below 0x100). */
static inline uint64_t nc_swar_zero_bytes(uint64_t y)
{
    return ~(((y & ~NC_SWAR_HIGH) + ~NC_SWAR_HIGH) | y) & NC_SWAR_HIGH;
}

/*
 * How many bytes s[0..len) starts with below 0x80: eight at a time (one
 * test of a word's high bits), then byte by byte.  Inline: the scans that
 * skip ASCII with it (is_nfc_quick, corpus.c's text check) call it for
 * every non-ASCII character.
 */
static inline size_t nc_utf8_ascii_prefix(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & NC_SWAR_HIGH)
            break;
    }
    while (i < len && p[i] < 0x80)
        i++;
    return i;
}

/*
 * Whether the valid UTF-8 s[0..len) is certainly NFC already, judged per
 * code point from a conservative set (ASCII, Latin-1 and Latin Extended,
 * general punctuation, currency signs).  0 means "run nc_utf8_nfc", not
 * "not NFC".
 */
int nc_utf8_is_nfc_quick(const char *s, size_t len);

/*
 * Length of the Unicode white-space character at s[0..len) (ASCII space,
 * tab, LF, VT, FF, CR, NUL, NBSP, U+2000..U+200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000), or 0.  NUL counts because the policy turns it into a
 * space.
 */
size_t nc_utf8_space(const unsigned char *s, size_t len);

/* Flags of nc_utf8_sanitize. */
#define NC_UTF8_DROP_BOM   0x1u /* in[] is the start of the input: drop a leading BOM */
#define NC_UTF8_FOLD_SPACE 0x2u /* fold white-space runs (line breaks too) into one space, trim */

/*
 * Apply the policy to in[0..len) and write the result to out, which must
 * have room for 3 * len bytes (one invalid byte grows to three).  A
 * sequence truncated by the end of in is invalid.  Returns the number of
 * bytes written; out is not NUL-terminated.  Never fails.  *nonascii (when
 * not NULL) is set to whether out holds a byte >= 0x80, so that a caller
 * can skip the NFC check of a pure ASCII result.
 */
size_t nc_utf8_sanitize(const char *in, size_t len, char *out, unsigned flags, int *nonascii);

/*
 * Whether nc_utf8_sanitize(s, len, out, NC_UTF8_FOLD_SPACE, ...) would give
 * s[0..len) back unchanged, found without writing anything, so the splitter
 * can return a sentence where it lies instead of copying it.  That is the
 * case when s is valid UTF-8 with no byte below 0x20, no DEL, no white
 * space but single ASCII spaces between other characters, and no Unicode
 * space.  Returns:
 *  - NC_UTF8_AS_IS_NFC: unchanged, and nc_utf8_is_nfc_quick(s, len) holds;
 *  - NC_UTF8_AS_IS: unchanged, but it does not (run nc_utf8_nfc on s);
 *  - 0: the sanitizer would change something (or this test is unsure).
 */
#define NC_UTF8_AS_IS     1
#define NC_UTF8_AS_IS_NFC 2
int nc_utf8_fold_as_is(const char *s, size_t len);

/*
 * nc_utf8_fold_as_is(s, len) when the caller already knows that s[0..from)
 * (from <= len) is printable ASCII (0x20..0x7E) and NFC-inert sequences of
 * U+2010..U+2027 and U+2030..U+203F, whole, with no space first and no two
 * spaces in a row: only s[from..len) is examined.  The splitter checks
 * most of a sentence that way while it looks for the sentence's end.
 */
int nc_utf8_fold_as_is_from(const char *s, size_t len, size_t from);

/*
 * Work memory of nc_utf8_nfc, grown through the allocation hook and kept
 * between calls so a stream of sentences does not allocate per sentence.
 * Zero-initialise it; release with nc_utf8_nfc_free.
 */
typedef struct nc_utf8_nfcbuf {
    int32_t *cps; /* code points, then the re-encoded UTF-8 in place */
    size_t cap;   /* entries of cps */
} nc_utf8_nfcbuf;

/*
 * NFC of the valid UTF-8 s[0..len) (sanitize first).  On NC_OK, *out and *outlen
 * point into work and stay valid until the next call with the same work.
 * NC_ERR_NOMEM when the work buffer cannot grow; NC_ERR_FORMAT if utf8proc
 * rejects the text (cannot happen for sanitized input).
 */
nc_status nc_utf8_nfc(const char *s, size_t len, nc_utf8_nfcbuf *work, const char **out,
                      size_t *outlen);
void nc_utf8_nfc_free(nc_utf8_nfcbuf *work);

#endif
