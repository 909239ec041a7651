// The target's kernel files: tracefs/debugfs, BTF, event sources, CPU lists, bpffs,
// /proc/kallsyms, /proc/sys and other processes' /proc/PID. Everything else — above all the
// kernel headers the compiler reads and /proc/self — stays local.
#pragma once
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <string>

namespace bpfd::preload {

// The target path for (dirfd, path) if it must be served remotely, else false. A relative
// path is remote only under a remote directory placeholder.
bool RemotePath(int dirfd, const char* path, std::string* out);

// Each mirrors its libc counterpart (-1 with errno on failure) for a remote path.
int RemoteOpen(const std::string& path, int flags, mode_t mode);
int RemoteStat(const std::string& path, bool follow, struct stat* st);
int RemoteAccess(const std::string& path, int mode);
ssize_t RemoteReadlink(const std::string& path, char* buf, size_t size);
int RemoteStatfs(const std::string& path, struct statfs* st);
DIR* RemoteOpendir(const std::string& path);
FILE* RemoteFopen(const std::string& path, const char* mode);
// write(2) on a placeholder of a file opened for writing: FILE_WRITE.
ssize_t RemoteWrite(int fd, const void* buf, size_t n);

// Directory streams made by RemoteOpendir; the libc wrappers ask first.
bool IsRemoteDir(DIR* d);
struct dirent* RemoteReaddir(DIR* d);
struct dirent64* RemoteReaddir64(DIR* d);
int RemoteClosedir(DIR* d);
void RemoteRewinddir(DIR* d);
// fdopendir on a directory placeholder (kDir): a stream of that directory.
DIR* RemoteFdopendir(int fd);

}  // namespace bpfd::preload
