/* SPDX-License-Identifier: MIT */
/*
 * layer_check.c - an empty program.  CMakeLists.txt links it with every
 * object of one layer (whole archive) and only the layers below it, so
 * that a call from a layer to a layer above it fails the build as an
 * undefined symbol (doc/architecture.md, "Layers").
 */
int main(void)
{
    return 0;
}
