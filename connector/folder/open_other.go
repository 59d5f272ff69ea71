//go:build !windows

package folder

import (
	"io"
	"os"
	"syscall"
)

// openExclusive opens without following a symlink swapped in after Lstat.
// Unix has no mandatory locks; completeness is judged by the settle period.
func openExclusive(p string) (io.ReadCloser, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
