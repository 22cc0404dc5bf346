/* SPDX-License-Identifier: MIT */
/* main.c - the mailcheck binary: everything else is in the core library. */
#include "mc_cli.h"

int main(int argc, char **argv)
{
    return mc_cli_main(argc, argv);
}
