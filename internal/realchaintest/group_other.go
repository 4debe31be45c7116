//go:build !unix

package realchaintest

import "os/exec"

// newGroup does nothing where there are no process groups.
func newGroup(*exec.Cmd) {}

// stopGroup kills start.sh (its children may outlive it here).
func stopGroup(cmd *exec.Cmd, _ bool) { _ = cmd.Process.Kill() }
