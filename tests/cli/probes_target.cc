// A small ELF with known functions for bpf_probes_test.sh's uprobes listing: a C function, a
// C++ function in a namespace and a C++ method (mangled in the symbol table).
#include <cstdio>

extern "C" __attribute__((noinline, used)) int bpfd_probes_c_target(int x) { return x * 3 + 1; }

namespace bpfd_probes {

__attribute__((noinline, used)) int CxxTarget(int x, long y) { return x + static_cast<int>(y); }

struct Widget {
  __attribute__((noinline, used)) int Method(int x) const { return x ^ seed; }
  int seed = 7;
};

}  // namespace bpfd_probes

int main(int argc, char**) {
  bpfd_probes::Widget w;
  std::printf("%d\n",
              bpfd_probes_c_target(argc) + bpfd_probes::CxxTarget(argc, 2) + w.Method(argc));
  return 0;
}
