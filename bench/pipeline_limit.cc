// bench/pipeline.sh's limit: the bpf() calls of its pipe file made in-process with libbpf, no
// protocol: one hash map, N updates (key i, value 7i) then N lookups. Prints the wall time in
// ms (the same clock pipeline.sh reads around a daemon run). Usage: pipeline_limit [N]
#include <bpf/bpf.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench/bench_util.h"

int main(int argc, char** argv) {
  const uint32_t n = argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 100000;
  const int64_t start = bpfd::bench::NowNs();
  int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "pipe", 4, 8, n, nullptr);
  if (fd < 0) {
    std::fprintf(stderr, "pipeline_limit: BPF_MAP_CREATE: %s (needs root)\n", std::strerror(-fd));
    return 1;
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t v = uint64_t{i} * 7;
    if (bpf_map_update_elem(fd, &i, &v, 0) < 0) return std::perror("update"), 1;
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t v;
    if (bpf_map_lookup_elem(fd, &i, &v) < 0 || v != uint64_t{i} * 7)
      return std::perror("lookup"), 1;
  }
  close(fd);
  std::printf("%lld\n", static_cast<long long>((bpfd::bench::NowNs() - start) / 1000000));
  return 0;
}
