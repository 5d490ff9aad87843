/*
 * sentence.c - the streaming sentence splitter (nc_splitter_* of
 * newsclass.h; rules described in sentence.h).
 *
 * Data flow: nc_splitter_feed appends raw bytes to one buffer; the bytes
 * before the current sentence are dropped when the buffer is compacted, so
 * it holds one sentence plus the unread input.  (nc_splitter_lend, the
 * classifier's way in, reads the caller's bytes where they lie instead and
 * copies only what is left unread: see there.)  nc_splitter_next scans from
 * where it stopped for the next byte that may end a sentence ('.', '?', '!',
 * U+2026, a line break), asks decide() about it with a bounded window of
 * look-ahead, and on a boundary turns the raw slice into the sentence text
 * (policy of utf8.h, white space folded, NFC only when non-ASCII).  A
 * slice the policy would leave as it is (most of them) is returned in
 * place, without a copy.
 *
 * next() cannot report an error, so feed() grows the text and NFC buffers
 * for the longest sentence the buffered input can produce before it
 * accepts the bytes: after a successful feed, next() never allocates.
 */
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "sentence.h"
#include "utf8.h"

/* Canonical decomposition makes at most this many code points of one. */
#define NC_SPLIT_MAX_DECOMP 4u

/* States of lent input (nc_splitter_lend). */
enum { LEND_NONE, LEND_STITCH, LEND_IN_PLACE };
/* Lent bytes copied at a time while stitching: the rest of a sentence and
 * its look-ahead (NC_SPLIT_LOOKAHEAD) mostly fit in the first piece. */
#define NC_SPLIT_STITCH 1024u

struct nc_splitter {
    const unsigned char *buf; /* raw input not yet consumed; buf[0] is at offset base */
    size_t len;               /* bytes in buf */
    unsigned char *own; /* the splitter's copy of the input: buf, unless input is lent */
    size_t cap;         /* bytes allocated at own */
    /* Input lent by nc_splitter_lend, split where it lies: */
    int lend;                  /* LEND_NONE, LEND_STITCH or LEND_IN_PLACE */
    const unsigned char *lent; /* the lent bytes */
    size_t lent_len;           /* how many */
    size_t lent_copied;        /* stitching: how many of them are copied to own */
    size_t seam;               /* stitching: own[seam] is lent[0] */
    uint64_t base;      /* absolute offset of buf[0] */
    size_t pos;         /* start of the current sentence (or of skipped space) */
    size_t scan;        /* next byte to examine; [pos, scan) holds no boundary */
    size_t chk;         /* end of the clean prefix [pos, chk) (next_candidate_clean) */
    int finished;       /* nc_splitter_finish was called */
    int started;        /* the BOM check at offset 0 is done */
    int in_sent;        /* pos is on the first byte of a sentence */
    int new_para;       /* the next sentence starts a paragraph */
    int line_start;     /* the next sentence starts at the start of a line */
    int emitted;        /* a sentence was returned since the last reset */
    int nonascii;       /* some fed byte was >= 0x80 (sizes the work buffers) */
    unsigned sflags;    /* flags known at the start of the current sentence */
    uint32_t para, index;
    char *text; /* the text of the last sentence returned */
    size_t textcap;
    nc_utf8_nfcbuf nfc;
};

/* ------------------------------------------------------------------------ */
/* Word lists                                                                */
/* ------------------------------------------------------------------------ */

/* A list entry with its length, so lookups never call strlen. */
struct word {
    const char *s;
    size_t len;
};
#define W(x) {x, sizeof x - 1}

/* Titles and abbreviations that are followed by a name or a number, not by
 * a new sentence; "e.g", "i.e", "vs" and "approx" never end one in news. */
static const struct word titles[] = {
    W("Adm"), W("Amb"), W("Approx"), W("Atty"), W("Brig"), W("Capt"), W("Cmdr"), W("Cmdt"),
    W("Col"), W("Cpl"), W("Det"), W("Dr"), W("Drs"), W("Fr"), W("Ft"), W("Gen"), W("Gens"),
    W("Gov"), W("Govs"), W("Hon"), W("Insp"), W("Lieut"), W("Lt"), W("Maj"), W("Messrs"), W("Mmes"),
    W("Mr"), W("Mrs"), W("Ms"), W("Msgr"), W("Mt"), W("Nos"), W("Op"), W("Pres"), W("Prof"),
    W("Pvt"), W("Rep"), W("Reps"), W("Rev"), W("Sen"), W("Sens"), W("Sgt"), W("Sgts"), W("Spc"),
    W("St"), W("Ste"), W("Supt"), W("Vol"), W("Vols"), W("approx"), W("ca"), W("cf"), W("e.g"),
    W("i.e"), W("pp"), W("v"), W("viz"), W("vs"),
};
/* Abbreviations that may end a sentence: ended only before a starter word. */
static const struct word plain_abbrevs[] = {
    W("Ala"), W("Alta"), W("Apr"), W("Ariz"), W("Ark"), W("Assn"), W("Aug"), W("Ave"), W("Bldg"),
    W("Blvd"), W("Bros"), W("Calif"), W("Cir"), W("Co"), W("Colo"), W("Conn"), W("Corp"),
    W("Corps"), W("Cos"), W("Ct"), W("Dec"), W("Del"), W("Dept"), W("Dist"), W("Feb"), W("Fig"),
    W("Fla"), W("Fri"), W("Ga"), W("Gov't"), W("Hwy"), W("Ill"), W("Inc"), W("Ind"), W("Intl"),
    W("Jan"), W("Jr"), W("Jul"), W("Jun"), W("Kan"), W("Kans"), W("Ky"), W("La"), W("Ltd"),
    W("Mar"), W("Mass"), W("Md"), W("Mfg"), W("Mich"), W("Minn"), W("Miss"), W("Mo"), W("Mon"),
    W("Mont"), W("Natl"), W("Neb"), W("Nebr"), W("Nev"), W("No"), W("Nov"), W("Oct"), W("Okla"),
    W("Ont"), W("Ore"), W("Pa"), W("Penn"), W("Ph.D"), W("Que"), W("Rd"), W("Sat"), W("Sep"),
    W("Sept"), W("Sr"), W("Tenn"), W("Tex"), W("Thu"), W("Thur"), W("Thurs"), W("Tue"), W("Tues"),
    W("Univ"), W("Va"), W("Vt"), W("Wash"), W("Wed"), W("Wis"), W("Wyo"), W("al"), W("approx"),
    W("est"), W("no"), W("p"),
};
/* Words that typically open a sentence; after "U.S." or "Inc." they mean
 * the abbreviation ended the sentence ("U.S. He", not "U.S. Army"). */
static const struct word starters[] = {
    W("A"), W("According"), W("After"), W("All"), W("Also"), W("Although"), W("Among"), W("An"),
    W("Analysts"), W("And"), W("Another"), W("As"), W("Asked"), W("At"), W("Because"), W("Before"),
    W("Both"), W("But"), W("Despite"), W("During"), W("Each"), W("Earlier"), W("Even"), W("Every"),
    W("For"), W("From"), W("He"), W("Her"), W("Here"), W("His"), W("How"), W("However"), W("I"),
    W("If"), W("In"), W("Instead"), W("It"), W("Its"), W("Last"), W("Later"), W("Many"),
    W("Meanwhile"), W("Most"), W("My"), W("Next"), W("None"), W("Nor"), W("Now"), W("Officials"),
    W("On"), W("One"), W("Only"), W("Or"), W("Other"), W("Others"), W("Our"), W("Police"),
    W("Several"), W("She"), W("Since"), W("So"), W("Some"), W("Still"), W("Such"), W("That"),
    W("The"), W("Their"), W("Then"), W("There"), W("These"), W("They"), W("This"), W("Those"),
    W("Though"), W("Three"), W("Today"), W("Two"), W("Under"), W("We"), W("What"), W("When"),
    W("Where"), W("Which"), W("While"), W("Who"), W("Why"), W("With"), W("Without"), W("Yesterday"),
    W("Yet"), W("You"),
};

/* Byte order of w[0..len) against e: as strcmp would order the strings. */
static int word_cmp(const char *w, size_t len, const struct word *e)
{
    /* byte by byte in line: the words are short (a memcmp call per step
     * was half of a search's ~200 instructions) */
    size_t n = len < e->len ? len : e->len;
    for (size_t k = 0; k < n; k++) {
        unsigned a = (unsigned char)w[k], c = (unsigned char)e->s[k];
        if (a != c)
            return a < c ? -1 : 1;
    }
    return (len > e->len) - (len < e->len);
}

/*
 * A word list with a filter in front of its search: for each length, the
 * set of its words' first bytes ('A' .. 'z', bit c - 'A').  Most words
 * before a full stop ("said.", "China.") fail it and skip the binary
 * search: a filter on the first byte alone let a quarter of them through,
 * and the rejected ones still paid a call (in_list was 0.6 % of classify).
 * The filters are written out by hand; nc_split_lists_sorted checks that
 * they are exactly those of the lists.
 */
#define LIST_MAXLEN 9 /* the longest word of any list ("Yesterday") */
struct word_list {
    const struct word *w;
    size_t n;
    uint64_t first[LIST_MAXLEN + 1]; /* [len]: bit c - 'A' for the first byte c of a word of len */
};
#define WORD_LIST(list, ...) { list, sizeof list / sizeof list[0], { __VA_ARGS__ } }
static const struct word_list titles_list =
    WORD_LIST(titles, 0, 0x20000000000000ull, 0x20800400045828ull, 0x2001100026b0cdull,
              0x269147ull, 0x800ull, 0x100001001ull);
static const struct word_list plain_list =
    WORD_LIST(plain_abbrevs, 0, 0x800000000000ull, 0x20010026be44ull, 0x10004d7fadull,
              0x5cf50full, 0x80044ull, 0x100000000ull);
static const struct word_list starters_list =
    WORD_LIST(starters, 0, 0x101ull, 0x445181ull, 0x14c61a3ull, 0x4c78b3ull, 0x5c4811ull,
              0x8c00aull, 0x44019bull, 0x1ull, 0x1005001ull);

/* Whether w[0..len) passes l's filter (len 0 does not). */
static int filter_in(const struct word_list *l, const char *w, size_t len)
{
    if (len - 1 >= LIST_MAXLEN)
        return 0;
    unsigned c = (unsigned char)w[0] - 'A';
    return c < 64u && (l->first[len] >> c & 1u);
}

/* Binary search: the lists are sorted in byte order (nc_split_lists_sorted
 * checks it).  A linear scan cost ~800 instructions per period, 3 % of
 * classify: every '.' asks for the abbreviation kind of its word. */
static int search_list(const struct word_list *l, const char *w, size_t len)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = word_cmp(w, len, &l->w[mid]);
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* The filter inline, so that a word it rejects costs no call. */
static inline int in_list(const struct word_list *l, const char *w, size_t len)
{
    return filter_in(l, w, len) && search_list(l, w, len);
}

/* Whether l's words are strictly increasing in byte order and its filter
 * is exactly that of its words. */
static int list_sorted(const struct word_list *l)
{
    uint64_t first[LIST_MAXLEN + 1] = {0};
    for (size_t i = 0; i < l->n; i++) {
        unsigned c = (unsigned char)l->w[i].s[0];
        if (l->w[i].len == 0 || l->w[i].len > LIST_MAXLEN || c - 'A' >= 64u)
            return 0;
        first[l->w[i].len] |= 1ull << (c - 'A');
        if (i && word_cmp(l->w[i - 1].s, l->w[i - 1].len, &l->w[i]) >= 0)
            return 0;
    }
    return memcmp(first, l->first, sizeof first) == 0;
}

/* For the tests: the word lists are in the order in_list needs, and
 * their filters are those of their words. */
int nc_split_lists_sorted(void);
int nc_split_lists_sorted(void)
{
    return list_sorted(&titles_list) && list_sorted(&plain_list) && list_sorted(&starters_list);
}

int nc_split_is_starter(const char *word, size_t len)
{
    return in_list(&starters_list, word, len);
}

static int is_upper(unsigned c) { return c >= 'A' && c <= 'Z'; }
static int is_lower(unsigned c) { return c >= 'a' && c <= 'z'; }
static int is_alpha(unsigned c) { return is_upper(c) || is_lower(c); }
static int is_digit(unsigned c) { return c >= '0' && c <= '9'; }

/* "U.S", "a.m", "D.C", "Ph.D": letter groups of one or two joined by periods. */
static int is_dotted(const char *w, size_t len)
{
    /* the first group ends in a period at w[1] or w[2]: most words before
     * a full stop ("said") fail here, before the loop */
    if (len < 3 || (w[1] != '.' && w[2] != '.'))
        return 0;
    size_t run = 0, groups = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned c = (unsigned char)w[i];
        if (is_alpha(c)) {
            if (++run > 2)
                return 0;
        } else if (c == '.' && run > 0) {
            run = 0;
            groups++;
        } else {
            return 0;
        }
    }
    return run > 0 && groups >= 1;
}

enum nc_abbrev_kind nc_split_abbrev_kind(const char *word, size_t len)
{
    if (len == 0 || len > 12)
        return NC_ABBR_NONE;
    if (in_list(&titles_list, word, len))
        return NC_ABBR_TITLE;
    if (len == 3 && memcmp(word, "etc", 3) == 0)
        return NC_ABBR_ETC;
    if (in_list(&plain_list, word, len))
        return NC_ABBR_PLAIN;
    if (len == 1 && is_upper((unsigned char)word[0]))
        return NC_ABBR_INITIAL;
    if (is_dotted(word, len))
        return NC_ABBR_MULTI;
    return NC_ABBR_NONE;
}

/* ------------------------------------------------------------------------ */
/* Character classes on raw bytes                                            */
/* ------------------------------------------------------------------------ */

/* Bytes that may end a sentence: . ? ! CR LF, and 0xE2 (U+2026 '…'). */
static const unsigned char candidate[256] = {
    ['.'] = 1, ['?'] = 1, ['!'] = 1, ['\n'] = 1, ['\r'] = 1, [0xE2] = 1,
};

/*
 * The first byte of b[i..stop) that may end a sentence (candidate[]), or
 * stop.  Eight bytes at a time where NC_HAVE_SWAR_CTZ (utf8.h): for each
 * ASCII candidate c, the low seven bits of (x ^ c) + 0x7f have the byte's
 * top bit set unless the byte is c (no carry leaves a byte), and a byte
 * with its own top bit set is no ASCII candidate; 0xE2 takes the same test
 * on all eight bits.  The six tests share one mask, which is why they are
 * not six nc_swar_zero_bytes calls (that cost the splitter 12 %).  Most bytes are letters and spaces, so the
 * byte loop alone (3 % of classify) mostly ran over words.
 */
static size_t next_candidate(const unsigned char *b, size_t i, size_t stop)
{
#if defined(__SSE2__) && defined(NC_HAVE_SWAR_CTZ)
    /* With SSE2, 16 bytes a step first: six byte compares and one mask
     * (the SWAR steps below took ~3 instructions a byte, 2 % of classify). */
    while (stop - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i c = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('?'))),
                         _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('!')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')))),
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE2))));
        unsigned m = (unsigned)_mm_movemask_epi8(c);
        if (m)
            return i + (unsigned)__builtin_ctz(m);
        i += 16;
    }
#endif
#ifdef NC_HAVE_SWAR_CTZ
    const uint64_t ones = NC_SWAR_ONES, low = ~NC_SWAR_HIGH;
    while (stop - i >= 8) {
        uint64_t x;
        memcpy(&x, b + i, 8);
        uint64_t x7 = x & low, y = x ^ (ones * 0xE2);
        uint64_t nz = (((x7 ^ (ones * '.')) + low) & ((x7 ^ (ones * '?')) + low) &
                       ((x7 ^ (ones * '!')) + low) & ((x7 ^ (ones * '\n')) + low) &
                       ((x7 ^ (ones * '\r')) + low)) |
                      x;
        nz &= ((y & low) + low) | y; /* 0xE2: the complement of nc_swar_zero_bytes(y) */
        uint64_t m = ~nz & NC_SWAR_HIGH; /* the top bit of every candidate byte */
        if (m)
            return i + ((unsigned)__builtin_ctzll(m) >> 3);
        i += 8;
    }
#endif
    while (i < stop && !candidate[b[i]])
        i++;
    return i;
}

/*
 * The clean prefix (the chk field of nc_splitter): [pos, chk) is known to
 * come out of the sanitizing policy unchanged, in the sense of
 * nc_utf8_fold_as_is_from: printable ASCII and whole sequences of
 * U+2010..U+2027 and U+2030..U+203F, with no two spaces in a row (pos is
 * never a space).  The scan for the sentence's end extends it as it goes,
 * so emit() only checks the few bytes from there to the end: checking the
 * whole sentence again (nc_utf8_fold_as_is) was 18 % of the splitter's
 * instructions in classify, and the scan's step grew by less.  It is
 * extended only while chk == scan; a byte that is not clean freezes it for
 * the rest of the sentence, and emit() checks from there as before.
 */

/* Whether the three bytes at p (before e) are one of the NFC-inert
 * punctuation characters U+2010..U+2027, U+2030..U+203F (the dashes,
 * quotes and ellipsis of news text; no space among them). */
static int inert_punct_at(const unsigned char *p, const unsigned char *e)
{
    return e - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
           ((p[2] >= 0x90 && p[2] <= 0xA7) || (p[2] >= 0xB0 && p[2] <= 0xBF));
}

/* The clean prefix from pos, now ending at i, extended over b[i..to) (at
 * most): returns its new end, which may pass `to` by the rest of a
 * three-byte character, or stops at the first byte that is not clean. */
static size_t clean_upto(const unsigned char *b, size_t pos, size_t i, size_t to, size_t len)
{
    while (i < to) {
        unsigned c = b[i];
        if (c > ' ' && c < 0x7F)
            i++;
        else if (c == ' ' && i > pos && b[i - 1] != ' ')
            i++;
        else if (inert_punct_at(b + i, b + len))
            i += 3;
        else
            break;
    }
    return i;
}

/*
 * next_candidate for a scan at the end of the clean prefix (*chk == i,
 * pos the sentence's start): the same answer, and *chk extended over the
 * bytes it passes up to the first that is not clean.  With SSE2 one step
 * tests the three ASCII marks and, in place of the compares for LF, CR and
 * 0xE2 (none of them printable), the printable range and the spaces; the
 * first byte flagged is a candidate or ends the clean prefix, after which
 * next_candidate goes on alone.  Without SSE2 the prefix stays where it is.
 */
static size_t next_candidate_clean(const unsigned char *b, size_t pos, size_t i, size_t stop,
                                   size_t *chk)
{
#if defined(__SSE2__) && defined(NC_HAVE_SWAR_CTZ)
    /* Each step also loads the 16 bytes one back, for the spaces that
     * follow a space; at pos that byte does not matter (pos is no space),
     * but at 0 there is none, so the first byte of the buffer goes alone. */
    if (i == 0 && stop > 0) {
        if (candidate[b[0]] || b[0] <= ' ' || b[0] >= 0x7F) {
            *chk = 0;
            return next_candidate(b, 0, stop);
        }
        i = 1;
    }
    while (stop - i >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i y = _mm_loadu_si128((const __m128i *)(b + i - 1));
        __m128i space = _mm_set1_epi8(' ');
        /* not 0x20..0x7E: plus one (wrapping), at most 0x20 as a signed byte */
        __m128i t = _mm_or_si128(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('?'))),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8('!'))),
            _mm_or_si128(_mm_cmpgt_epi8(_mm_set1_epi8(0x21), _mm_add_epi8(x, _mm_set1_epi8(1))),
                         _mm_and_si128(_mm_cmpeq_epi8(x, space), _mm_cmpeq_epi8(y, space))));
        unsigned m = (unsigned)_mm_movemask_epi8(t);
        if (m) {
            size_t k = i + (unsigned)__builtin_ctz(m);
            /* A curly quote or a dash (0xE2 but no ellipsis, whole before
             * stop) is clean, and decide() would only answer V_NO to it, so
             * the scan goes on past it: a quarter of the candidates in
             * news text were these, each a round through decide(). */
            if (b[k] == 0xE2 && stop - k >= 3 && b[k + 2] != 0xA6 &&
                inert_punct_at(b + k, b + stop)) {
                i = k + 3;
                continue;
            }
            *chk = k;
            return candidate[b[k]] ? k : next_candidate(b, k, stop);
        }
        i += 16;
    }
    /* the last bytes before stop (the end of the input) one at a time */
    unsigned prev = i == pos || b[i - 1] == ' ';
    for (; i < stop && !candidate[b[i]]; i++) {
        unsigned c = b[i];
        if (c == ' ' ? prev : c < ' ' || c >= 0x7F) {
            *chk = i;
            return next_candidate(b, i, stop);
        }
        prev = c == ' ';
    }
    *chk = i;
    return i;
#else
    (void)pos;
    (void)chk;
    return next_candidate(b, i, stop);
#endif
}

/*
 * Classes of a byte, one table lookup for the tests that run on every byte
 * of a word (the look-behind) or at every boundary (quotes, space): as
 * chains of compares they cost a call or ten instructions each.
 */
#define B_SPACE 0x1u /* ASCII white space or NUL (which the policy makes a space) */
#define B_OPEN  0x2u /* an ASCII opening quote or bracket: " ' ( [ { ` */
#define B_CLOSE 0x4u /* an ASCII closing quote or bracket: " ' ) ] } */
#define B_LEAD  0x8u /* 0xC2 or 0xE2: may start a quote, bracket or Unicode space */
static const unsigned char byte_class[256] = {
    [0] = B_SPACE, ['\t'] = B_SPACE, ['\n'] = B_SPACE, ['\v'] = B_SPACE, ['\f'] = B_SPACE,
    ['\r'] = B_SPACE, [' '] = B_SPACE, ['"'] = B_OPEN | B_CLOSE, ['\''] = B_OPEN | B_CLOSE,
    ['('] = B_OPEN, ['['] = B_OPEN, ['{'] = B_OPEN, ['`'] = B_OPEN, [')'] = B_CLOSE,
    [']'] = B_CLOSE, ['}'] = B_CLOSE, [0xC2] = B_LEAD, [0xE2] = B_LEAD,
};

/* ASCII white space and NUL (which the policy turns into a space). */
static int is_ascii_space(unsigned c)
{
    return byte_class[c] & B_SPACE;
}

/* nc_utf8_space at p (before e), the ASCII case without a call. */
static size_t space_at(const unsigned char *p, const unsigned char *e)
{
    if (*p < 0x80)
        return byte_class[*p] & B_SPACE;
    return nc_utf8_space(p, (size_t)(e - p));
}

/* Closing quote or bracket at p: its length, or 0.  ” ’ » › ) ] } " ' */
static size_t closer_at(const unsigned char *p, const unsigned char *e)
{
    if (p >= e)
        return 0;
    unsigned c = p[0];
    if (!(byte_class[c] & (B_CLOSE | B_LEAD)))
        return 0; /* letters, digits, most punctuation */
    if (byte_class[c] & B_CLOSE)
        return 1;
    if (c == 0xC2 && e - p >= 2 && p[1] == 0xBB)
        return 2;
    if (c == 0xE2 && e - p >= 3 && p[1] == 0x80 && (p[2] == 0x9D || p[2] == 0x99 || p[2] == 0xBA))
        return 3;
    return 0;
}

/* Opening quote or bracket at p: its length, or 0.  “ ‘ « ‹ ( [ { " ' ` */
static size_t opener_at(const unsigned char *p, const unsigned char *e)
{
    if (p >= e)
        return 0;
    unsigned c = p[0];
    if (!(byte_class[c] & (B_OPEN | B_LEAD)))
        return 0; /* letters, digits, most punctuation */
    if (byte_class[c] & B_OPEN)
        return 1;
    if (c == 0xC2 && e - p >= 2 && p[1] == 0xAB)
        return 2;
    if (c == 0xE2 && e - p >= 3 && p[1] == 0x80 && (p[2] == 0x9C || p[2] == 0x98 || p[2] == 0xB9))
        return 3;
    return 0;
}

/* Length of the ellipsis character U+2026 at p, or 0. */
static size_t ellipsis_at(const unsigned char *p, const unsigned char *e)
{
    return (e - p >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xA6) ? 3 : 0;
}

/*
 * A list marker at the start of a line: "- ", "* ", "• ", "1. ", "2) ",
 * "a) ", "a. ", "(3) ".  Returns its length including the following space,
 * or 0.  Reads at most 8 bytes.
 */
static size_t bullet_at(const unsigned char *p, const unsigned char *e)
{
    size_t n = (size_t)(e - p), m = 0;
    if (n < 2)
        return 0;
    unsigned c = p[0];
    if (c == '-' || c == '*' || c == '+') {
        m = 1;
    } else if (c == 0xC2 && p[1] == 0xB7) {
        m = 2; /* · */
    } else if (c == 0xE2 && n >= 3 &&
               ((p[1] == 0x80 && (p[2] == 0xA2 || p[2] == 0x93 || p[2] == 0x94 || p[2] == 0xA3)) ||
                (p[1] == 0x96 && (p[2] == 0xAA || p[2] == 0xBA || p[2] == 0xA0)) ||
                (p[1] == 0x97 && (p[2] == 0x8F || p[2] == 0xA6)))) {
        m = 3; /* • – — ‣ ▪ ► ■ ● ◦ */
    } else {
        size_t i = c == '(' ? 1 : 0, d = i;
        while (d < n && d < i + 3 && is_digit(p[d]))
            d++;
        if (d == i && d < n && is_alpha(p[d]))
            d++; /* a single letter */
        if (d == i || d >= n)
            return 0;
        if (p[d] == ')' || (i == 0 && p[d] == '.' && !is_upper(p[d - 1])))
            m = d + 1;
        else
            return 0;
    }
    if (m < n && (p[m] == ' ' || p[m] == '\t'))
        return m + 1;
    return 0;
}

/* Class of the word that follows a candidate boundary. */
enum next_class { N_LOWER, N_UPPER, N_DIGIT, N_DASH, N_OTHER };

/* Whether the token at p (up to white space) looks like a link: "bit.ly/x". */
static int link_at(const unsigned char *p, const unsigned char *e)
{
    int dot = 0;
    for (size_t n = 0; p < e && n < 64 && !space_at(p, e); p++, n++) {
        if (*p == '.')
            dot = 1;
        else if (*p == '/' && dot)
            return 1;
    }
    return 0;
}

/*
 * Classify the text at p (after white space): skip opening quotes and
 * brackets, then look at the first character.  The word starts at *word,
 * for the starter test (starter_len).  A link, or lower case inside a
 * bracket ("(reut.rs/2x)"), is a unit of its own: N_OTHER.
 */
static enum next_class next_word(const unsigned char *p, const unsigned char *e,
                                 const unsigned char **word)
{
    size_t k;
    int bracket = 0;
    while (p < e && (byte_class[*p] & (B_OPEN | B_LEAD)) && (k = opener_at(p, e)) != 0) {
        bracket |= *p == '(' || *p == '[';
        p += k;
    }
    *word = p;
    if (p >= e)
        return N_OTHER;
    unsigned c = p[0];
    if (c < 0x80) {
        if (is_lower(c))
            return bracket || link_at(p, e) ? N_OTHER : N_LOWER;
        if (c == '-')
            return N_DASH;
        if (is_digit(c))
            return N_DIGIT;
        return is_upper(c) ? N_UPPER : N_OTHER;
    }
    int32_t cp;
    if (nc_utf8_decode(p, (size_t)(e - p), &cp) == 0 || cp < 0)
        return N_OTHER;
    if (cp == 0x2014 || cp == 0x2013)
        return N_DASH;
    if (utf8proc_islower(cp))
        return N_LOWER;
    if (utf8proc_isupper(cp))
        return N_UPPER;
    return N_OTHER;
}

/* The ASCII letters that start the word at p (before e), at most 16, as
 * the starter test reads them: none when it starts with a non-ASCII
 * capital.  Only asked after an abbreviation: the words after most full
 * stops were measured for nothing (next_word did it for every one). */
static size_t starter_len(const unsigned char *p, const unsigned char *e)
{
    size_t n = 0;
    while (p + n < e && is_alpha(p[n]) && n < 16)
        n++;
    return n;
}

/*
 * The start of the word that ends at p: just after the last ASCII space
 * (is_ascii_space) of [lo, p), or lo; b is the start of the buffer (lo >=
 * b).  With SSE2, the 16 bytes before p in one step, which holds the
 * word's start for most words: the byte loop ended on a branch per word
 * length, mispredicted about once a full stop.
 */
static const unsigned char *word_start(const unsigned char *b, const unsigned char *lo,
                                       const unsigned char *p)
{
#if defined(__SSE2__) && defined(NC_HAVE_SWAR_CTZ)
    while (p - b >= 16 && p > lo) {
        __m128i x = _mm_loadu_si128((const __m128i *)(p - 16));
        /* NUL, TAB..CR (x - 9 at most 4, unsigned) and ' ' */
        __m128i sp = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(x, _mm_setzero_si128())),
            _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(x, _mm_set1_epi8(9)), _mm_set1_epi8(4)),
                           _mm_setzero_si128()));
        unsigned m = (unsigned)_mm_movemask_epi8(sp);
        if (p - lo < 16)
            m &= 0xFFFFu << (16 - (p - lo)); /* only the bytes from lo */
        if (m)
            return p - 16 + (31 - __builtin_clz(m)) + 1;
        if (p - lo <= 16)
            return lo;
        p -= 16;
    }
#endif
    while (p > lo && !is_ascii_space(p[-1]))
        p--;
    return p;
}

/* ------------------------------------------------------------------------ */
/* Decisions                                                                 */
/* ------------------------------------------------------------------------ */

enum verdict { V_WAIT, V_NO, V_YES };

/* The outcome of decide(). */
struct decision {
    size_t end;    /* V_YES: the sentence ends here (raw index, trailing space trimmed later) */
    size_t resume; /* where scanning continues: after the boundary's space, or on V_NO */
    int para;      /* V_YES: a line break follows, the next sentence starts a paragraph */
    int terminal;  /* V_YES: the sentence ends in terminal marks and closers (ends_terminal) */
};

/*
 * White space at p: how many line breaks it holds (CRLF counts once) and
 * where it ends.
 */
static const unsigned char *skip_space(const unsigned char *p, const unsigned char *e, int *breaks)
{
    *breaks = 0;
    /* one space before printable ASCII: the usual gap after a boundary */
    if (e - p >= 2 && p[0] == ' ' && p[1] > ' ' && p[1] < 0x80)
        return p + 1;
    while (p < e) {
        unsigned c = p[0];
        if (c == '\n' || c == '\r') {
            (*breaks)++;
            p += (c == '\r' && p + 1 < e && p[1] == '\n') ? 2 : 1;
            continue;
        }
        size_t w = space_at(p, e);
        if (!w)
            break;
        p += w;
    }
    return p;
}

/* Whether a sentence ending at raw [s, e) ends with terminal punctuation. */
static int ends_terminal(const unsigned char *s, const unsigned char *e)
{
    /* strip closers backwards: they are ASCII or 2-3 byte sequences */
    while (e > s) {
        unsigned c = e[-1];
        if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '}') {
            e--;
        } else if (e - s >= 3 && e[-3] == 0xE2 && e[-2] == 0x80 &&
                   (c == 0x9D || c == 0x99 || c == 0xBA)) {
            e -= 3;
        } else if (e - s >= 2 && e[-2] == 0xC2 && c == 0xBB) {
            e -= 2;
        } else {
            break;
        }
    }
    if (e == s)
        return 0;
    unsigned c = e[-1];
    if (c == '.' || c == '?' || c == '!' || c == ':' || c == ';')
        return 1;
    return e - s >= 3 && ellipsis_at(e - 3, e) != 0;
}

/* Whether s[0..e) opens a curly double quotation “ that it does not close. */
static int open_double_quote(const unsigned char *s, const unsigned char *e)
{
    int depth = 0;
    for (; s + 2 < e; s++) {
        if (s[0] == 0xE2 && s[1] == 0x80) {
            if (s[2] == 0x9C)
                depth++;
            else if (s[2] == 0x9D && depth > 0)
                depth--;
        }
    }
    return depth > 0;
}

/*
 * Decide whether the candidate at buf[i] ends the sentence that started at
 * pos.  Reads buf[pos .. i + NC_SPLIT_LOOKAHEAD) at most and returns V_WAIT
 * when those bytes have not all arrived and the input is not finished.
 */
static enum verdict decide(const nc_splitter *sp, size_t i, struct decision *d)
{
    const unsigned char *b = sp->buf;
    if (!sp->finished && sp->len - i < NC_SPLIT_LOOKAHEAD)
        return V_WAIT;
    const unsigned char *e = b + (sp->len - i < NC_SPLIT_LOOKAHEAD ? sp->len
                                                                   : i + NC_SPLIT_LOOKAHEAD);
    const int at_true_end_possible = e == b + sp->len && sp->finished;
    const int bullet = (sp->sflags & NC_SENT_BULLET) != 0;
    const unsigned char *p = b + i, *q;
    unsigned c = *p;
    int breaks;
    const unsigned char *word;

    if (c == '\n' || c == '\r') {
        /* A line break with no terminal punctuation before it. */
        q = skip_space(p, e, &breaks);
        d->end = i;
        d->resume = (size_t)(q - b);
        d->para = 1;
        d->terminal = 0;
        if (q == e || breaks >= 2 || bullet)
            return V_YES;
        if (bullet_at(q, e))
            return V_YES;
        /* the last non-space byte of this line */
        const unsigned char *l = p;
        while (l > b + sp->pos && is_ascii_space(l[-1]))
            l--;
        if (next_word(q, e, &word) == N_LOWER || (l > b + sp->pos && l[-1] == ','))
            return V_NO; /* hard-wrapped text: the sentence goes on */
        return V_YES;
    }

    /* A run of terminal marks: . ? ! … in any mix ("?!", "...", "!!!"). */
    size_t periods = 0;
    int strong = 0, ellipsis = 0;
    q = p;
    for (;;) {
        size_t k;
        if (q < e && *q == '.') {
            periods++;
            q++;
        } else if (q < e && (*q == '?' || *q == '!')) {
            strong = 1;
            q++;
        } else if ((k = ellipsis_at(q, e)) != 0) {
            ellipsis = 1;
            q += k;
        } else {
            break;
        }
    }
    if (q == p) { /* 0xE2 that is not an ellipsis */
        d->resume = i + 1;
        return V_NO;
    }
    if (periods >= 3)
        ellipsis = 1;
    const unsigned char *run_end = q;
    size_t k;
    int closed = 0, single_only = 1; /* closers seen; all of them single quotes */
    while ((k = closer_at(q, e)) != 0) {
        single_only &= *q == '\'' || (k == 3 && q[2] == 0x99);
        q += k;
        closed = 1;
    }
    d->end = (size_t)(q - b);
    d->para = 0;
    d->terminal = 1; /* a run of marks, then only closers: ends_terminal's very test */
    if (q == e && at_true_end_possible) {
        d->resume = d->end;
        return V_YES;
    }
    /* "3.5", "U.S.-led", "example.com", "?," : not followed by space */
    if (q == e || !space_at(q, e)) {
        d->resume = (size_t)(run_end - b);
        return V_NO;
    }
    const unsigned char *r = skip_space(q, e, &breaks);
    d->resume = (size_t)(r - b);
    if (r == e || breaks >= 2) {
        d->para = breaks >= 1;
        return V_YES;
    }
    enum next_class nc = next_word(r, e, &word);
    int split;
    if (nc == N_LOWER || nc == N_DASH) {
        split = 0;
    } else if (closed && single_only && breaks == 0 && open_double_quote(b + sp->pos, p)) {
        split = 0; /* “... ‘I should have left.’ Because ...” : an inner quotation */
    } else if (strong || ellipsis || closed) {
        split = 1;
    } else {
        /* A single period: look at the word before it. */
        const unsigned char *lo = b + (i - sp->pos > NC_SPLIT_LOOKBEHIND ? i - NC_SPLIT_LOOKBEHIND
                                                                         : sp->pos);
        const unsigned char *ws = word_start(b, lo, p);
        while ((k = opener_at(ws, p)) != 0)
            ws += k;
        enum nc_abbrev_kind kind = nc_split_abbrev_kind((const char *)ws, (size_t)(p - ws));
        /* "China-U.S.": a dotted word ends in a group of one or two
         * letters after a period, so without a period at p[-2] or p[-3]
         * no suffix of the word is one */
        if (kind == NC_ABBR_NONE && ((p - ws >= 2 && p[-2] == '.') || (p - ws >= 3 && p[-3] == '.'))) {
            const unsigned char *t = p;
            while (t > ws && t[-1] != '-' && t[-1] != '/')
                t--;
            if (t > ws && nc_split_abbrev_kind((const char *)t, (size_t)(p - t)) == NC_ABBR_MULTI)
                kind = NC_ABBR_MULTI;
        }
        switch (kind) {
        case NC_ABBR_TITLE: split = 0; break;
        case NC_ABBR_ETC: split = nc == N_UPPER; break;
        case NC_ABBR_INITIAL:
        case NC_ABBR_MULTI:
        case NC_ABBR_PLAIN:
            /* at a line break, terminal punctuation ends the paragraph;
             * the starter list is searched only here, after an
             * abbreviation (it was searched at every full stop) */
            split = (nc == N_UPPER &&
                     nc_split_is_starter((const char *)word, starter_len(word, e))) ||
                    (breaks >= 1 && nc != N_DIGIT);
            break;
        default: split = 1; break;
        }
    }
    if (breaks >= 1 && (bullet || bullet_at(r, e)))
        split = 1;
    if (!split)
        return V_NO;
    d->para = breaks >= 1;
    return V_YES;
}

/* ------------------------------------------------------------------------ */
/* Datelines                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Whether the sentence s[0..n) opens with a dateline: a place in capitals,
 * optionally ", May 8" and "(Reuters)", then a dash: "BEIRUT -",
 * "NAIROBI, May 8 (Xinhua) --", "WASHINGTON (Reuters) -".
 */
static int is_dateline(const unsigned char *s, size_t n)
{
    if (n > 120)
        n = 120;
    size_t caps = 0, i = 0;
    /* the place: capitals, spaces, periods, apostrophes, hyphens, non-ASCII */
    while (i < n && (is_upper(s[i]) || s[i] == ' ' || s[i] == '.' || s[i] == '\'' ||
                     (s[i] == '-' && i + 1 < n && s[i + 1] != ' ') || s[i] >= 0x80)) {
        if (s[i] >= 0x80 && closer_at(s + i, s + n) + opener_at(s + i, s + n) > 0)
            return 0;
        if (s[i] >= 0x80 && i + 2 < n && s[i] == 0xE2 && s[i + 1] == 0x80 &&
            (s[i + 2] == 0x94 || s[i + 2] == 0x93))
            break; /* an em or en dash ends the place */
        caps += is_upper(s[i]);
        i++;
    }
    if (caps < 2 || i == 0 || !is_upper(s[0]) || (i < n && is_lower(s[i])))
        return 0;
    if (i >= 2 && is_upper(s[i - 1]) && i < n && is_alpha(s[i]))
        return 0;
    for (; i < n; i++) {
        unsigned c = s[i];
        if (c == '?' || c == '!' || c == '"')
            return 0;
        if (c == '-' && i > 0 && s[i - 1] == ' ' && i + 1 < n &&
            (s[i + 1] == ' ' || (s[i + 1] == '-' && i + 2 < n && s[i + 2] == ' ')))
            return 1;
        if (c == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0x94 || s[i + 2] == 0x93))
            return 1;
        if (c == ',' || c == '(' || c == ')' || c == ' ' || c == '.' || is_alpha(c) ||
            is_digit(c))
            continue;
        return 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The splitter                                                              */
/* ------------------------------------------------------------------------ */

nc_status nc_splitter_new(nc_splitter **out)
{
    nc_splitter *sp = nc_calloc(1, sizeof *sp);
    *out = sp;
    if (!sp)
        return NC_ERR_NOMEM;
    sp->new_para = sp->line_start = 1;
    return NC_OK;
}

void nc_splitter_free(nc_splitter *sp)
{
    if (!sp)
        return;
    nc_free(sp->own);
    nc_free(sp->text);
    nc_utf8_nfc_free(&sp->nfc);
    nc_free(sp);
}

void nc_splitter_reset(nc_splitter *sp)
{
    sp->buf = sp->own;
    sp->lend = LEND_NONE;
    sp->lent = NULL;
    sp->len = sp->pos = sp->scan = sp->chk = 0;
    sp->base = 0;
    sp->finished = sp->started = sp->in_sent = sp->emitted = 0;
    sp->new_para = sp->line_start = 1;
    sp->sflags = 0;
    sp->para = sp->index = 0;
}

/*
 * Make sure next() can turn any sentence of the buffered input into text
 * without allocating: the longest sentence is min(unread bytes,
 * NC_MAX_SENTENCE_BYTES) raw bytes, its text at most three times that
 * (each invalid byte becomes U+FFFD) and its decomposition at most
 * NC_SPLIT_MAX_DECOMP code points per raw byte.
 */
static nc_status reserve_work(nc_splitter *sp, size_t unread)
{
    size_t raw = unread < NC_MAX_SENTENCE_BYTES ? unread : NC_MAX_SENTENCE_BYTES;
    size_t need = sp->nonascii ? 3 * raw + 16 : raw + 16;
    if (need > sp->textcap) {
        size_t want = sp->textcap * 2 > need ? sp->textcap * 2 : need;
        char *t = nc_realloc(sp->text, want);
        if (!t)
            return NC_ERR_NOMEM;
        sp->text = t;
        sp->textcap = want;
    }
    if (sp->nonascii) {
        size_t cps = NC_SPLIT_MAX_DECOMP * raw + 16;
        if (cps > sp->nfc.cap) {
            size_t want = sp->nfc.cap * 2 > cps ? sp->nfc.cap * 2 : cps;
            int32_t *p = nc_reallocarray(sp->nfc.cps, want, sizeof *p);
            if (!p)
                return NC_ERR_NOMEM;
            sp->nfc.cps = p;
            sp->nfc.cap = want;
        }
    }
    return NC_OK;
}

/*
 * Get ready to take len (> 0) more bytes of input (data): the consumed
 * prefix of own dropped, the work buffers grown for them, and room in own
 * for them after the unread bytes.  Only the copy is left to do.
 */
static nc_status take(nc_splitter *sp, const char *data, size_t len)
{
    if (sp->finished || sp->lend != LEND_NONE)
        return NC_ERR_ARG;
    /* Drop the consumed prefix once it is at least half of what is held. */
    if (sp->pos > 0 && sp->pos >= sp->len / 2) {
        memmove(sp->own, sp->own + sp->pos, sp->len - sp->pos);
        sp->base += sp->pos;
        sp->len -= sp->pos;
        sp->scan = sp->scan > sp->pos ? sp->scan - sp->pos : 0;
        sp->chk = sp->chk > sp->pos ? sp->chk - sp->pos : 0;
        sp->pos = 0;
    }
    if (len > SIZE_MAX / 2 - sp->len)
        return NC_ERR_NOMEM;
    int was_nonascii = sp->nonascii;
    if (!sp->nonascii && !nc_utf8_is_ascii(data, len))
        sp->nonascii = 1;
    nc_status st = reserve_work(sp, sp->len - sp->pos + len);
    if (st != NC_OK) {
        sp->nonascii = was_nonascii;
        return st;
    }
    if (sp->len + len > sp->cap) {
        size_t want = sp->cap * 2 > sp->len + len ? sp->cap * 2 : sp->len + len;
        if (want < 4096)
            want = 4096;
        unsigned char *p = nc_realloc(sp->own, want);
        if (!p) {
            sp->nonascii = was_nonascii;
            return NC_ERR_NOMEM;
        }
        sp->own = p;
        sp->buf = p;
        sp->cap = want;
    }
    return NC_OK;
}

nc_status nc_splitter_feed(nc_splitter *sp, const char *data, size_t len)
{
    if (len == 0)
        return NC_OK;
    nc_status st = take(sp, data, len);
    if (st != NC_OK)
        return st;
    memcpy(sp->own + sp->len, data, len);
    sp->len += len;
    return NC_OK;
}

/* Stitching: copy the next piece of the lent bytes to own, twice the size
 * of the last one (own has room for all of them: take). */
static void stitch_more(nc_splitter *sp)
{
    size_t left = sp->lent_len - sp->lent_copied;
    size_t n = sp->lent_copied > NC_SPLIT_STITCH ? sp->lent_copied : NC_SPLIT_STITCH;
    if (n > left)
        n = left;
    memcpy(sp->own + sp->len, sp->lent + sp->lent_copied, n);
    sp->len += n;
    sp->lent_copied += n;
}

/*
 * Lend: the input is split where it lies instead of being copied into own
 * (the copy was 1 % of classify's instructions).  Sentences need their
 * bytes in one piece, so when own still holds unread input (the sentence
 * in progress and its look-ahead, at the end of the last chunk), the lent
 * bytes are first copied behind it a piece at a time (stitching) until the
 * current sentence starts in them (nc_splitter_next); from there on the
 * splitter reads the lent bytes in place.  nc_splitter_unlend copies what
 * is left unread back into own.  take() made room in own for all of the
 * lent bytes, so nothing here or in next() allocates.
 */
nc_status nc_splitter_lend(nc_splitter *sp, const char *data, size_t len)
{
    if (len == 0)
        return NC_OK;
    nc_status st = take(sp, data, len);
    if (st != NC_OK)
        return st;
    sp->lent = (const unsigned char *)data;
    sp->lent_len = len;
    if (sp->pos == sp->len) { /* nothing unread: in place at once */
        sp->base += sp->len;
        sp->buf = sp->lent;
        sp->len = len;
        sp->pos = sp->scan = sp->chk = 0;
        sp->lend = LEND_IN_PLACE;
    } else {
        sp->seam = sp->len;
        sp->lent_copied = 0;
        sp->lend = LEND_STITCH;
        stitch_more(sp);
    }
    return NC_OK;
}

void nc_splitter_unlend(nc_splitter *sp)
{
    if (sp->lend == LEND_STITCH) {
        memcpy(sp->own + sp->len, sp->lent + sp->lent_copied, sp->lent_len - sp->lent_copied);
        sp->len += sp->lent_len - sp->lent_copied;
    } else if (sp->lend == LEND_IN_PLACE) {
        size_t keep = sp->len - sp->pos;
        memcpy(sp->own, sp->buf + sp->pos, keep);
        sp->base += sp->pos;
        sp->scan -= sp->pos;
        sp->chk = sp->chk > sp->pos ? sp->chk - sp->pos : 0;
        sp->len = keep;
        sp->pos = 0;
    }
    sp->buf = sp->own;
    sp->lend = LEND_NONE;
    sp->lent = NULL;
}

nc_status nc_splitter_finish(nc_splitter *sp)
{
    sp->finished = 1;
    return NC_OK;
}

/*
 * Return the sentence raw [s, e) in *out and move on to `next`.  Trailing
 * white space is trimmed here; leading space was skipped before s.
 */
static void emit(nc_splitter *sp, size_t s, size_t e, size_t next, unsigned flags, int para_after,
                 int terminal, nc_sentence *out)
{
    const unsigned char *b = sp->buf;
    /* a Unicode space ends in a byte >= 0x80 (NBSP in 0xA0): most
     * sentences end in ASCII punctuation and stop at the first test */
    while (e > s) {
        if (is_ascii_space(b[e - 1]))
            e--;
        else if (b[e - 1] < 0x80)
            break;
        else if (e - s >= 2 && nc_utf8_space(b + e - 2, 2) == 2)
            e -= 2;
        else if (e - s >= 3 && nc_utf8_space(b + e - 3, 3) == 3)
            e -= 3;
        else
            break;
    }
    /* Most sentences come out of the policy as they went in: those are
     * returned where they lie in buf (valid until the next call, as the
     * header promises), and only the rest are copied into text.  The
     * sanitizing copy was ~40 % of the splitter's instructions. */
    const char *raw = (const char *)b + s;
    /* The clean prefix (next_candidate_clean) needs no second look, and
     * the few bytes after it (the full stop, a closing quote) are checked
     * here without a call.  The prefix ends on a character boundary, and so
     * does e, but if e fell inside the prefix at a continuation byte the
     * whole sentence is checked. */
    size_t from = 0;
    if (sp->chk > s)
        from = sp->chk < e ? clean_upto(b, s, sp->chk, e, e) - s
               : (sp->chk == e || (b[e] & 0xC0) != 0x80) ? e - s
                                                         : 0;
    int as_is = from == e - s ? NC_UTF8_AS_IS_NFC : nc_utf8_fold_as_is_from(raw, e - s, from);
    int nfc_quick = as_is == NC_UTF8_AS_IS_NFC;
    if (as_is) {
        out->text = raw;
        out->len = e - s;
    } else {
        int nonascii;
        out->len = nc_utf8_sanitize(raw, e - s, sp->text, NC_UTF8_FOLD_SPACE, &nonascii);
        out->text = sp->text;
        /* ASCII is NFC: most sentences skip the check (1 % of classify) */
        nfc_quick = !nonascii || nc_utf8_is_nfc_quick(sp->text, out->len);
    }
    if (!nfc_quick) {
        const char *t;
        size_t tn;
        /* reserve_work sized the buffer, so this cannot fail; if it ever
         * did, the sanitized (valid, un-normalised) text is returned */
        if (nc_utf8_nfc(out->text, out->len, &sp->nfc, &t, &tn) == NC_OK) {
            out->text = t;
            out->len = tn;
        }
    }
    if (sp->new_para) {
        flags |= NC_SENT_PARA_START;
        if (sp->emitted)
            sp->para++;
        sp->index = 0;
        if (is_dateline(b + s, e - s))
            flags |= NC_SENT_DATELINE;
    }
    /* terminal: decide() has seen the marks and closers that end raw[s, e)
     * (no space follows them to trim), so ends_terminal would say yes */
    if (!(flags & (NC_SENT_BULLET | NC_SENT_TRUNCATED)) && !terminal && !ends_terminal(b + s, b + e))
        flags |= NC_SENT_HEADING;
    out->start = sp->base + s;
    out->end = sp->base + e;
    out->flags = flags;
    out->paragraph = sp->para;
    out->index_in_paragraph = sp->index++;
    sp->emitted = 1;
    sp->new_para = sp->line_start = para_after;
    sp->in_sent = 0;
    sp->pos = sp->scan = next;
}

/* Cut the over-long sentence at pos at its last space before the limit. */
static void truncate_sentence(nc_splitter *sp, nc_sentence *out)
{
    const unsigned char *b = sp->buf;
    size_t lim = sp->pos + NC_MAX_SENTENCE_BYTES, cut = lim;
    while (cut > sp->pos && !is_ascii_space(b[cut - 1]))
        cut--;
    if (cut > sp->pos) {
        cut--; /* at the space; the next sentence skips it */
    } else {
        cut = lim;
        for (int k = 0; k < 3 && cut > sp->pos + 1 && (b[cut] & 0xC0) == 0x80; k++)
            cut--;
    }
    emit(sp, sp->pos, cut, cut, sp->sflags | NC_SENT_TRUNCATED, 0, 0, out);
}

/* nc_splitter_next on the bytes in buf. */
static int split_next(nc_splitter *sp, nc_sentence *out)
{
    const unsigned char *b = sp->buf;
    if (!sp->started) {
        if (sp->len < 3 && !sp->finished)
            return 0;
        if (sp->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
            sp->pos = sp->scan = 3;
        sp->started = 1;
    }
    if (!sp->in_sent) {
        while (sp->pos < sp->len) {
            size_t left = sp->len - sp->pos;
            if (b[sp->pos] >= 0x80 && left < 3 && !sp->finished)
                return 0; /* maybe a space character cut by the chunk */
            size_t w = space_at(b + sp->pos, b + sp->len);
            if (!w)
                break;
            sp->pos += w;
        }
        if (sp->pos == sp->len)
            return 0;
        if (sp->line_start && sp->len - sp->pos < 8 && !sp->finished)
            return 0;
        sp->in_sent = 1;
        sp->sflags = 0;
        sp->scan = sp->chk = sp->pos;
        if (sp->line_start) {
            size_t m = bullet_at(b + sp->pos, b + sp->len);
            if (m) {
                sp->sflags |= NC_SENT_BULLET;
                sp->scan = sp->pos + m;
            }
        }
    }
    size_t limit = sp->pos + NC_MAX_SENTENCE_BYTES;
    size_t stop = limit < sp->len ? limit : sp->len;
    while (sp->scan < stop) {
        size_t i = sp->chk == sp->scan ? next_candidate_clean(b, sp->pos, sp->scan, stop, &sp->chk)
                                       : next_candidate(b, sp->scan, stop);
        sp->scan = i;
        if (i == stop)
            break;
        struct decision d;
        enum verdict v = decide(sp, i, &d);
        if (v == V_WAIT)
            return 0;
        if (v == V_NO) {
            size_t to = d.resume > i ? d.resume : i + 1;
            if (sp->chk == i) {
                /* the bytes decide() passed over: "3.5", "U.S. Army", a
                 * curly quote (whose continuation bytes no candidate is) */
                sp->chk = clean_upto(b, sp->pos, i, to, sp->len);
                if (sp->chk > to && sp->chk <= stop)
                    to = sp->chk;
            }
            sp->scan = to;
            continue;
        }
        if (d.end - sp->pos > NC_MAX_SENTENCE_BYTES) {
            sp->scan = limit; /* closing quotes ran past the limit */
            break;
        }
        emit(sp, sp->pos, d.end, d.resume, sp->sflags, d.para, d.terminal, out);
        return 1;
    }
    /* no boundary within the limit: cut (the cut reads the byte at limit) */
    if (sp->scan >= limit && sp->len > limit) {
        truncate_sentence(sp, out);
        return 1;
    }
    if (sp->finished && sp->scan >= sp->len && sp->pos < sp->len) {
        emit(sp, sp->pos, sp->len, sp->len, sp->sflags, 1, 0, out);
        return 1;
    }
    return 0;
}

int nc_splitter_next(nc_splitter *sp, nc_sentence *out)
{
    if (sp->lend != LEND_STITCH)
        return split_next(sp, out);
    for (;;) {
        if (sp->pos >= sp->seam) {
            /* The current sentence starts in the lent bytes: split them
             * in place from here (own[seam..len) is a copy of their start). */
            sp->base += sp->seam;
            sp->buf = sp->lent;
            sp->len = sp->lent_len;
            sp->pos -= sp->seam;
            sp->scan -= sp->seam;
            sp->chk = sp->chk > sp->seam ? sp->chk - sp->seam : 0;
            sp->lend = LEND_IN_PLACE;
            return split_next(sp, out);
        }
        if (split_next(sp, out))
            return 1;
        if (sp->lent_copied == sp->lent_len) { /* all copied: own holds the input */
            sp->lend = LEND_NONE;
            sp->lent = NULL;
            return 0;
        }
        stitch_more(sp);
    }
}
