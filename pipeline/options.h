/*
 * options.h - internal side of nc_options: parsing the canonical
 * "key=value\n" text back (model files) and comparing settings.
 */
#ifndef NC_OPTIONS_H
#define NC_OPTIONS_H

#include "common.h"

/*
 * Parse canonical option text (as written by nc_options_format) into *o,
 * starting from the defaults, so a file from an older version that lacks a
 * newer key reads with that key's default.  NC_ERR_FORMAT on any bad line
 * or unknown key.
 */
nc_status nc_options_parse(nc_options *o, const char *text, size_t len);
/* 1 when a and b would compute the same model from the same counts. */
int nc_options_compatible(const nc_options *a, const nc_options *b);

#endif
