//go:build linux

package capture

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a regular file read-only; ok is false when mapping is not possible (the caller then
// reads it). The file must not shrink while mapped. Files up to a quarter of the machine's memory are
// pre-faulted in one go (MAP_POPULATE): on virtual machines a page fault per 4 KiB of capture costs more
// than the analysis itself.
func mapFile(f *os.File) (data []byte, unmap func(), ok bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < 24 || st.Size() > 1<<40 {
		return nil, nil, false
	}
	flags := unix.MAP_SHARED
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil && uint64(st.Size()) <= uint64(si.Totalram)*uint64(si.Unit)/4 {
		flags |= unix.MAP_POPULATE
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, flags)
	if err != nil {
		return nil, nil, false
	}
	unix.Madvise(data, unix.MADV_SEQUENTIAL)
	return data, func() { unix.Munmap(data) }, true
}
