// Entry points of the multicall binary's modes; each lives in cmd/<mode>.cc with its usage.
#pragma once

namespace bpfd {

int DaemonMain(int argc, char** argv);     // cmd/daemon.cc   (bpfd, bpfd daemon)
int ProbesMain(int argc, char** argv);     // cmd/probes.cc   (bpf-probes, bpfd probes)
int MapdumpMain(int argc, char** argv);    // cmd/mapdump.cc  (bpf-mapdump, bpfd mapdump)
int SelftestMain(int argc, char** argv);   // cmd/selftest.cc (bpf-selftest, bpfd selftest)
int ConnectMain(int argc, char** argv);    // cmd/connect.cc  (bpfd connect)
int PushMain(int argc, char** argv);       // cmd/push.cc     (bpfd push)
int RemoteMain(int argc, char** argv);     // cmd/remote.cc   (bpfd-remote, bpfd remote)
int AusyscallMain(int argc, char** argv);  // cmd/ausyscall.cc (ausyscall, bpfd ausyscall)
int RunMain(int argc, char** argv);        // cmd/run.cc      (bpfd-run, bpfd run)

}  // namespace bpfd
