//go:build !windows

package folder

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// openExclusive opens without following a symlink swapped in after Lstat
// (O_NOFOLLOW), and without blocking on a FIFO swapped in (O_NONBLOCK, which
// regular files ignore); what was opened must still be a regular file.
// Unix has no mandatory locks; completeness is judged by the settle period.
func openExclusive(p string) (io.ReadCloser, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w: not a regular file", p, ErrUnsafeName)
	}
	return f, nil
}
