/* The elfutils release libelf was built from, e.g. "0.188" (read from the linked library). */
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
const char *bpfd_libelf_version(void);
#ifdef __cplusplus
}
#endif
