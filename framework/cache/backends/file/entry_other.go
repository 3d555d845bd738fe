//go:build !unix

package file

// openFlags are added to O_RDONLY when an entry is opened; outside unix
// there are no FIFOs to block on.
const openFlags = 0
