// The policy's program rules (core/daemon/policy_rules.h) on hand-made instructions: no kernel
// needed except to name a kfunc by its BTF id, which is not exercised here.
#include "core/daemon/policy_rules.h"

#include <vector>

#include "tests/testing.h"

using namespace bpfd;

namespace {
bpf_insn Call(uint8_t src_reg, int32_t imm, int16_t off = 0) {
  bpf_insn in{};
  in.code = BPF_JMP | BPF_CALL;
  in.src_reg = src_reg;
  in.off = off;
  in.imm = imm;
  return in;
}
}  // namespace

TEST(ReadOnlyKfuncsPassOthersAreRefused) {
  for (const char* ok :
       {"bpf_rcu_read_lock", "bpf_task_from_pid", "bpf_task_release", "bpf_iter_num_new",
        "bpf_dynptr_slice", "bpf_cpumask_create", "bpf_path_d_path", "bpf_obj_new_impl"})
    EXPECT_EQ(RefusedKfunc(ok), std::string());
  for (const char* bad : {"bpf_send_signal_task", "bpf_set_dentry_xattr", "bpf_sock_destroy",
                          "bpf_task_work_schedule_signal", "scx_bpf_dispatch", "crash_kexec",
                          "bpf_iter", "bpf_task_acquire_x"}) {
    std::string why = RefusedKfunc(bad);
    EXPECT(why.find(std::string("kfunc ") + bad) != std::string::npos);
  }
}

TEST(KfuncCallsInInstructions) {
  std::vector<bpf_insn> helpers = {Call(0, BPF_FUNC_map_lookup_elem),
                                   Call(0, BPF_FUNC_ktime_get_ns)};
  EXPECT_EQ(RefusedKfuncCall(helpers), std::string());
  std::vector<bpf_insn> module = {Call(BPF_PSEUDO_KFUNC_CALL, 1234, 1)};
  EXPECT(RefusedKfuncCall(module).find("module") != std::string::npos);
  // A BPF-to-BPF call (src_reg 1) is not a kfunc.
  std::vector<bpf_insn> local = {Call(BPF_PSEUDO_CALL, 5)};
  EXPECT_EQ(RefusedKfuncCall(local), std::string());
}

TEST(ActingHelpers) {
  std::vector<bpf_insn> ok = {Call(0, BPF_FUNC_get_current_pid_tgid)};
  std::vector<bpf_insn> bad = {Call(0, BPF_FUNC_send_signal)};
  EXPECT_EQ(ActingHelperCall(ok), std::string());
  EXPECT(ActingHelperCall(bad).find("bpf_send_signal") != std::string::npos);
}

TEST_MAIN()
