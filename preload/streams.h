// Pipe-like target files (trace_pipe, per-CPU trace_pipe_raw, in tracefs and its debugfs
// mount, also in instances): never copied whole (they never end) but streamed with FILE_STREAM
// (docs/protocol.md), read by read() with a pipe's semantics.
#pragma once
#include <sys/types.h>

#include <string>

namespace bpfd::preload {

struct Obj;

// True for a target path that is streamed.
bool StreamPath(const std::string& path);

// open(2) of a stream read-only (FILE_OPEN on the target): a placeholder fd (kStream), or -1
// with errno. O_NONBLOCK in flags, or set later with fcntl, makes reads non-blocking.
int OpenStream(const std::string& path, int flags);

// read(2) on a stream's placeholder `fd`: blocks until data or end of file (FILE_STREAM with
// a 1 s wait, again and again); -1 with EINTR when a signal came during a wait with nothing
// read, EAGAIN at once when fd is O_NONBLOCK and nothing is there.
ssize_t StreamRead(const Obj& o, int fd, void* buf, size_t n);

}  // namespace bpfd::preload
