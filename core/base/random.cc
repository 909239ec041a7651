#include "core/base/random.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/base/hex.h"
#include "core/base/unique_fd.h"

namespace bpfd {

int RandomBytes(void* buf, size_t size) {
  auto* p = static_cast<unsigned char*>(buf);
  size_t got = 0;
#ifdef SYS_getrandom
  while (got < size) {
    long n = syscall(SYS_getrandom, p + got, size - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // e.g. ENOSYS before 3.17: fall back to the device
    got += static_cast<size_t>(n);
  }
#endif
  if (got == size) return 0;
  UniqueFd fd(open("/dev/urandom", O_RDONLY | O_CLOEXEC));
  if (!fd) return -errno;
  while (got < size) {
    ssize_t n = read(fd.get(), p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? -errno : -EIO;
    got += static_cast<size_t>(n);
  }
  return 0;
}

std::string RandomHex(size_t size) {
  std::vector<unsigned char> bytes(size);
  if (RandomBytes(bytes.data(), size) < 0) return "";
  return HexOf(bytes.data(), bytes.size());
}

}  // namespace bpfd
