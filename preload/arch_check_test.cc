// Unit tests for preload/arch_check: which programs load from their context (pt_regs) and
// so are refused against a target of another machine.
#include "preload/arch_check.h"

#include <vector>

#include "tests/testing.h"

using bpfd::preload::ArchLeak;
using bpfd::preload::FirstContextLoad;

namespace {

using Insns = std::vector<struct bpf_insn>;

struct bpf_insn Ldx(uint8_t dst, uint8_t src, int16_t off) {
  return {BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0};
}
struct bpf_insn Stx(uint8_t dst, uint8_t src, int16_t off) {
  return {BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0};
}
struct bpf_insn MovX(uint8_t dst, uint8_t src) {
  return {BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0};
}
struct bpf_insn MovK(uint8_t dst, int32_t imm) {
  return {BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm};
}
struct bpf_insn AddK(uint8_t dst, int32_t imm) {
  return {BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm};
}
struct bpf_insn Call(int32_t helper) {
  return {BPF_JMP | BPF_CALL, 0, 0, 0, helper};
}
struct bpf_insn Exit() {
  return {BPF_JMP | BPF_EXIT, 0, 0, 0, 0};
}

int64_t First(const Insns& p) {
  return FirstContextLoad(p.data(), static_cast<uint32_t>(p.size()));
}

// bpftrace's `kprobe:f { printf("%d\n", arg1); }` on x86_64: rsi is at pt_regs offset 104.
const Insns kArg1 = {MovX(BPF_REG_6, BPF_REG_1), Ldx(BPF_REG_3, BPF_REG_6, 104), MovK(BPF_REG_0, 0),
                     Exit()};

}  // namespace

TEST(DirectLoadFromR1) { EXPECT_EQ(First({Ldx(BPF_REG_0, BPF_REG_1, 80), Exit()}), 80); }

TEST(LoadThroughACopy) { EXPECT_EQ(First(kArg1), 104); }

TEST(LoadThroughAStackSpillAcrossACall) {
  EXPECT_EQ(First({Stx(BPF_REG_10, BPF_REG_1, -8), Call(BPF_FUNC_get_current_pid_tgid),
                   Ldx(BPF_REG_1, BPF_REG_10, -8), AddK(BPF_REG_1, 8),
                   Ldx(BPF_REG_2, BPF_REG_1, 112), Exit()}),
            112);
}

TEST(ContextOnlyGivenToHelpersIsNotALoad) {
  // bpf_get_stackid(ctx, map, 0) and bpf_perf_event_output(ctx, ...): the kernel reads it.
  EXPECT_EQ(First({MovX(BPF_REG_6, BPF_REG_1), Call(BPF_FUNC_get_current_comm),
                   MovX(BPF_REG_1, BPF_REG_6), MovK(BPF_REG_3, 0), Call(BPF_FUNC_get_stackid),
                   MovX(BPF_REG_1, BPF_REG_6), Call(BPF_FUNC_perf_event_output), MovK(BPF_REG_0, 0),
                   Exit()}),
            -1);
}

TEST(OverwrittenRegistersAndStackSlotsAreNotTheContext) {
  EXPECT_EQ(First({MovX(BPF_REG_1, BPF_REG_10), AddK(BPF_REG_1, -8), Ldx(BPF_REG_0, BPF_REG_1, 0),
                   Exit()}),
            -1);
  EXPECT_EQ(
      First({Stx(BPF_REG_10, BPF_REG_1, -8), MovK(BPF_REG_2, 0), Stx(BPF_REG_10, BPF_REG_2, -8),
             Ldx(BPF_REG_3, BPF_REG_10, -8), Ldx(BPF_REG_0, BPF_REG_3, 0), Exit()}),
      -1);
  EXPECT_EQ(First({Call(BPF_FUNC_ktime_get_ns), Ldx(BPF_REG_0, BPF_REG_1, 0), Exit()}), -1);
}

TEST(ASubprogramsR1IsItsOwnArgument) {
  EXPECT_EQ(First({MovK(BPF_REG_1, 0), MovK(BPF_REG_0, 0), Exit(), Ldx(BPF_REG_0, BPF_REG_1, 16),
                   Exit()}),
            16);
}

TEST(ArchLeakRefusesOnlyCrossMachineContextLoads) {
  const uint32_t n = static_cast<uint32_t>(kArg1.size());
  std::string why = ArchLeak(BPF_PROG_TYPE_KPROBE, kArg1.data(), n, "x86_64", "aarch64");
  EXPECT(why.rfind("refused a kprobe/uprobe program", 0) == 0);
  EXPECT(why.find("x86_64") != std::string::npos && why.find("aarch64") != std::string::npos);
  EXPECT(why.find("offset 104") != std::string::npos &&
         why.find("tracepoint") != std::string::npos);
  EXPECT(why.find('\n') == std::string::npos);
  EXPECT(!ArchLeak(BPF_PROG_TYPE_PERF_EVENT, kArg1.data(), n, "x86_64", "armv7l").empty());
  EXPECT(ArchLeak(BPF_PROG_TYPE_KPROBE, kArg1.data(), n, "x86_64", "x86_64").empty());
  EXPECT(ArchLeak(BPF_PROG_TYPE_TRACEPOINT, kArg1.data(), n, "x86_64", "aarch64").empty());
  EXPECT(ArchLeak(BPF_PROG_TYPE_TRACING, kArg1.data(), n, "x86_64", "aarch64").empty());
  EXPECT(ArchLeak(BPF_PROG_TYPE_KPROBE, kArg1.data(), n, "x86_64", "").empty());
}

TEST_MAIN()
