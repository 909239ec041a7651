// Minimal test harness for bpfd's cc_tests (no gtest: tests are built for musl by zig).
// EXPECT* record failures and go on; SKIP records a skipped case with a reason.
// TEST_MAIN() runs every TEST and prints "N passed, N failed, N skipped"; exit 1 on failure.
#pragma once
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace bpfd::testing {

struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& Registry() {
  static std::vector<Case> r;
  return r;
}
struct State {
  int failures = 0;
  bool skipped = false;
};
inline State& Current() {
  static State s;
  return s;
}
struct Registrar {
  Registrar(const char* name, std::function<void()> fn) {
    Registry().push_back({name, std::move(fn)});
  }
};

inline int RunAll() {
  int passed = 0, failed = 0, skipped = 0;
  for (auto& c : Registry()) {
    Current() = State{};
    c.fn();
    if (Current().failures) {
      ++failed;
      std::printf("FAIL %s\n", c.name);
    } else if (Current().skipped) {
      ++skipped;
    } else {
      ++passed;
      std::printf("PASS %s\n", c.name);
    }
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace bpfd::testing

#define TEST(name)                                                        \
  static void test_##name();                                              \
  static ::bpfd::testing::Registrar registrar_##name(#name, test_##name); \
  static void test_##name()

#define EXPECT(cond)                                                  \
  do {                                                                \
    if (!(cond)) {                                                    \
      std::printf("%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
      ++::bpfd::testing::Current().failures;                          \
    }                                                                 \
  } while (0)

#define EXPECT_EQ(a, b)                                                          \
  do {                                                                           \
    /* one full expression: a reference into a temporary (f()[0]) stays valid */ \
    if (!((a) == (b))) {                                                         \
      std::printf("%s:%d: expected %s == %s\n", __FILE__, __LINE__, #a, #b);     \
      ++::bpfd::testing::Current().failures;                                     \
    }                                                                            \
  } while (0)

// Marks the current test skipped (with a reason printed) and returns from it.
#define SKIP(reason)                                                     \
  do {                                                                   \
    std::printf("SKIP %s: %s\n", __func__, std::string(reason).c_str()); \
    ::bpfd::testing::Current().skipped = true;                           \
    return;                                                              \
  } while (0)

#define TEST_MAIN() \
  int main() { return ::bpfd::testing::RunAll(); }
