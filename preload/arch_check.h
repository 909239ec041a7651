// Arch leak check: a kprobe/uprobe (BPF_PROG_TYPE_KPROBE) or perf event program that loads
// from its context reads struct pt_regs as laid out for the machine it was compiled on
// (bpftrace's argN, retval, reg()). Against a target of another machine those loads read the
// wrong registers, so such a program is refused, never run with silently wrong numbers.
#pragma once
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace bpfd::preload {

// The offset of the first load from the program's context (r1 at entry, its copies in
// registers and stack slots, plus constant offsets), or -1 when it never loads from it.
// Helpers given the context (bpf_get_stack, bpf_perf_event_output) are fine: the target's
// kernel interprets it. A straight-line scan: conservative across jumps.
int64_t FirstContextLoad(const struct bpf_insn* insns, uint32_t cnt);

// Empty, or the one-line refusal ("refused a ...", for WarnOnce) for loading a program of prog_type
// whose context loads are laid out for host_machine on a target_machine (uname -m values).
std::string ArchLeak(uint32_t prog_type, const struct bpf_insn* insns, uint32_t cnt,
                     std::string_view host_machine, std::string_view target_machine);

// For ForwardBpf: 0, or -EINVAL after printing ArchLeak's line once (host: this process's
// real uname; target: the daemon's). Always 0 in a Python process: BCC compiles for ARCH,
// which `bpfd remote` sets to the target's machine.
int CheckProgArch(const union bpf_attr& attr);

}  // namespace bpfd::preload
