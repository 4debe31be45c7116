//go:build unix

package realchaintest

import (
	"os/exec"
	"syscall"
)

// newGroup starts cmd in a process group of its own, so that stopGroup
// reaches chopsticks and the node processes start.sh starts.
func newGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// stopGroup sends the group SIGTERM, or SIGKILL when kill is set.
func stopGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-cmd.Process.Pid, sig)
}
