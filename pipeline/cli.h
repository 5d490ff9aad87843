/*
 * cli.h - the subcommands of the newsclass program, shared between the
 * thin main.c (which holds the command table and turns failures into exit
 * codes) and cli.c (which implements them over the public API).
 */
#ifndef NC_CLI_H
#define NC_CLI_H

#include "newsclass.h"

/* Exit codes of the program. */
enum {
    NC_EXIT_OK = 0,
    NC_EXIT_INPUT = 1, /* bad input or I/O error */
    NC_EXIT_USAGE = 2, /* usage error */
    NC_EXIT_GATE = 3,  /* an accuracy gate failed */
    NC_EXIT_SIGINT = 130
};

typedef struct nc_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;
    const char *help; /* full --help text */
} nc_command;

/* The command table (cli.c), terminated by a zero entry. */
extern const nc_command nc_commands[];

/* Print the one error message for a failed call: "newsclass: FILE:LINE: msg". */
void nc_cli_error(nc_status st, const nc_diag *diag);

#endif
