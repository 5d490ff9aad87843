/*
 * sentence.h - the sentence splitter (internal part; the API is the
 * nc_splitter section of newsclass.h).
 *
 * The splitter is rule-based in the manner of pragmatic_segmenter/pySBD,
 * tuned on news text: terminal punctuation ends a sentence unless the word
 * before it is an abbreviation, an initial or part of a number, URL or
 * address, or the next word says the sentence goes on.  Line structure
 * matters because raw articles come one paragraph per line: a line break
 * after terminal punctuation ends the sentence and the paragraph, a line
 * without terminal punctuation is a unit of its own (a heading) unless the
 * next line starts in lower case (hard-wrapped text), and a blank line
 * always ends a paragraph.
 *
 * Every decision reads at most NC_SPLIT_LOOKAHEAD bytes past the
 * punctuation and at most NC_SPLIT_LOOKBEHIND bytes before it, and waits
 * until those bytes have arrived (or the input is finished), so any
 * chunking of the same input gives the same sentences and offsets.
 */
#ifndef NC_SENTENCE_H
#define NC_SENTENCE_H

#include "common.h"

/* Bytes after a candidate boundary that a decision may read. */
#define NC_SPLIT_LOOKAHEAD 256u
/* Bytes of the word before a period that the abbreviation test reads. */
#define NC_SPLIT_LOOKBEHIND 48u

/*
 * Kind of the word before a period, as the rules see it; exposed for the
 * unit tests.  word/len is the token before the period without opening
 * quotes or brackets.
 */
enum nc_abbrev_kind {
    NC_ABBR_NONE = 0, /* an ordinary word: the period ends the sentence */
    NC_ABBR_TITLE,    /* Mr, Dr, Gen...: never ends a sentence before a name */
    NC_ABBR_INITIAL,  /* a single capital letter: John F. Kennedy */
    NC_ABBR_MULTI,    /* U.S, a.m, D.C: ends it only before a sentence starter */
    NC_ABBR_PLAIN,    /* Inc, Jan, No, Calif...: ends it only before a sentence starter */
    NC_ABBR_ETC       /* etc: ends it before any capital */
};
enum nc_abbrev_kind nc_split_abbrev_kind(const char *word, size_t len);

/*
 * Whether word/len (ASCII letters) is a common sentence-initial word
 * ("He", "The", "But"...), used after a sentence-final abbreviation.
 */
int nc_split_is_starter(const char *word, size_t len);

/*
 * nc_splitter_feed without the copy, for a caller that reads every
 * sentence before the data dies (the classifier): data[0..len) must stay
 * valid and unchanged until nc_splitter_unlend, which must come before the
 * next feed, lend, finish or reset.  Sentences and offsets are exactly
 * those of nc_splitter_feed.  NC_OK, NC_ERR_NOMEM (nothing taken) or
 * NC_ERR_ARG (after finish, or while lending).
 */
nc_status nc_splitter_lend(nc_splitter *sp, const char *data, size_t len);
/* End a lend: the lent bytes not yet split are copied into the splitter
 * (room for them was made by nc_splitter_lend, so this cannot fail).
 * Nothing happens when nothing is lent. */
void nc_splitter_unlend(nc_splitter *sp);

#endif
