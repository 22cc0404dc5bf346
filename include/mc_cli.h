/* SPDX-License-Identifier: MIT */
/*
 * mc_cli.h - the command line: options, input errors, output and the exit
 * code.  The only layer that prints or decides the process's exit status.
 */
#ifndef MC_CLI_H
#define MC_CLI_H

/* Runs mailcheck with ARGV; returns the exit code (0-3, mailcheck(1), EXIT STATUS). */
int mc_cli_main(int argc, char **argv);

#endif
