/*
 * main.c - the newsclass program: finds the subcommand in the table
 * (cli.c) and runs it.  Everything else lives in the library or cli.c;
 * there are no global options.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: newsclass COMMAND [OPTIONS] [FILE...]\n\n"
               "Labels every sentence of news articles as incident, official_statement,\n"
               "background or analysis (or a corpus' own labels) with naive Bayes.\n\n"
               "commands:\n");
    for (const nc_command *c = nc_commands; c->name; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fprintf(f, "\n'newsclass COMMAND --help' describes a command.  Exit codes: 0 success,\n"
               "1 bad input or I/O error, 2 usage error, 3 an accuracy gate failed.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return NC_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return NC_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("newsclass %s\n", NC_VERSION_STRING);
        return NC_EXIT_OK;
    }
    for (const nc_command *c = nc_commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "newsclass: unknown command '%s' (see 'newsclass --help')\n", argv[1]);
    return NC_EXIT_USAGE;
}
