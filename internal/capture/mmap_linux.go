//go:build linux

package capture

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a regular file read-only; ok is false when mapping is not possible (the caller then
// reads it). The file must not shrink while mapped.
func mapFile(f *os.File) (data []byte, unmap func(), ok bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() < 24 || st.Size() > 1<<40 {
		return nil, nil, false
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	unix.Madvise(data, unix.MADV_SEQUENTIAL)
	return data, func() { unix.Munmap(data) }, true
}
