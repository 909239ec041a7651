// Internal to selftest.cc / selftest_bpf.cc: what the checks share and the BPF attach checks.
#pragma once
#include <string>
#include <string_view>

#include "core/kernel/kconfig.h"
#include "core/selftest/selftest.h"

namespace bpfd::selftest {

// What earlier checks found, for the ones that depend on them.
struct Env {
  KernelConfig config;
  bool bpf = false;     // bpf-syscall passed
  bool map = false;     // map-create passed
  bool prog = false;    // prog-load passed
  std::string tracefs;  // mount point; "" when the tracefs check failed
};

SelftestCheck Pass(std::string_view name, std::string reason);
SelftestCheck Fail(std::string_view name, std::string reason);
SelftestCheck Skip(std::string_view name, std::string reason);

// "EPERM (Operation not permitted)" for -EPERM or EPERM.
std::string ErrnoText(int err);

// Why the kernel config says a feature is missing: "CONFIG_<name> is not set", or "" when
// the config is unknown or has it.
std::string NotSet(const Env& env, std::string_view name);

// The BPF checks proper (selftest_bpf.cc). Each assumes bpf() works; the runner SKIPs them
// otherwise.
SelftestCheck CheckTracepointRoundTrip(const Env& env);
SelftestCheck CheckKprobe(const Env& env);
SelftestCheck CheckUprobe(const Env& env);
SelftestCheck CheckRingbuf(const Env& env);
SelftestCheck CheckRawTracepoint(const Env& env);

}  // namespace bpfd::selftest
