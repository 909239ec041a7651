/* Hand-written config.h for building elfutils 0.188's libelf against musl (zig cc).
 * Only what libelf and lib/{error,crc32,next_prime}.c consult is defined. */
#ifndef BPFD_ELFUTILS_CONFIG_H
#define BPFD_ELFUTILS_CONFIG_H

#define PACKAGE_NAME "elfutils"
#include "elfutils_version.h" /* PACKAGE_VERSION, generated from configure.ac */
#define PACKAGE_URL "http://elfutils.org/"
#define PACKAGE_BUGREPORT "https://sourceware.org/bugzilla"

/* musl provides err.h but not error.h: lib/error.c supplies error(). */
#define HAVE_ERR_H 1
#define HAVE_DECL_MEMPCPY 1
#define HAVE_DECL_MEMRCHR 1
#define HAVE_DECL_RAWMEMCHR 0
#define HAVE_DECL_POWEROF2 0
#define HAVE_DECL_REALLOCARRAY 1
#define HAVE_FALLTHROUGH 1
#define HAVE_VISIBILITY 1
#define HAVE_MREMAP 1

/* No symbol versioning (static library) and no thread locks (one user per Elf). */
#undef SYMBOL_VERSIONING
#undef USE_LOCKS

/* Like the generated config.h, pull in elfutils' own compiler/visibility macros. */
#include <eu-config.h>

#endif
