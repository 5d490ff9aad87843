/*
 * token.h - the tokenizer: one sentence of valid UTF-8 in, a list of
 * tokens out (words, numbers and the punctuation worth keeping).
 *
 * Words are case-folded with Unicode case folding (libutf8proc), never
 * byte-wise tolower; an apostrophe inside a word (' or ’) is kept as '
 * so Snowball can strip possessives; hyphens and slashes split words.
 * Numbers keep their inner separators ("3.5", "62,000", "2:30").  Quote
 * marks, ? ! : $ % are kept as punctuation tokens because they signal
 * statements and figures.  Tokens longer than NC_MAX_TOKEN_BYTES are cut
 * there (the documented policy for hostile "words": bounded stemming time).
 */
#ifndef NC_TOKEN_H
#define NC_TOKEN_H

#include "arena.h"

#define NC_MAX_TOKEN_BYTES 64u
/* Bytes readable from any token's text, its NUL and beyond included: each
 * token starts with room for the longest one and its NUL in its block
 * (token.c, text_room). */
#define NC_TOKEN_READ (NC_MAX_TOKEN_BYTES + 1u)

enum nc_tok_type { NC_TOK_WORD, NC_TOK_NUMBER, NC_TOK_PUNCT };

/* Bits of nc_token.shape */
#define NC_SHAPE_CAP   0x1u /* first letter upper case */
#define NC_SHAPE_UPPER 0x2u /* every letter upper case, two or more letters */

/* 16 bytes (24 with a 32-bit len); len, type, shape and punct in this
 * order make one 8-byte word the tokenizer stores at once (token.c:
 * put_token), a word's low half. */
typedef struct nc_token {
    const char *text; /* folded text, NUL-terminated, in the arena; at
                         least NC_TOKEN_READ bytes from it are readable
                         (the stemmer reads 8 at once, stem.h) */
    uint16_t len;     /* at most NC_MAX_TOKEN_BYTES */
    uint8_t type;     /* enum nc_tok_type */
    uint8_t shape;    /* NC_SHAPE_* of the original */
    uint32_t punct;   /* for NC_TOK_PUNCT: the code point */
} nc_token;

/*
 * Tokenize s[0..len) (valid UTF-8) into an array allocated in arena a.
 * *out and *n receive it.  NC_OK or NC_ERR_NOMEM.
 */
nc_status nc_tokenize(const char *s, size_t len, nc_arena *a, nc_token **out, size_t *n);

#endif
