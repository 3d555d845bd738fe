//go:build unix

package file

import "syscall"

// openFlags are added to O_RDONLY when an entry is opened: O_NONBLOCK so
// that opening a FIFO returns at once, O_NOCTTY so that opening a terminal
// device never makes it the process's controlling terminal.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY
