/* Compiled into libelf by our overlay: libelf itself exports no version string. The value is
 * taken from the source tree's configure.ac at build time (see elfutils.BUILD). */
#include "elfutils_version.h"

const char *bpfd_libelf_version(void) { return PACKAGE_VERSION; }
