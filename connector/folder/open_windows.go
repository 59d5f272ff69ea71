//go:build windows

package folder

import (
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// openExclusive opens with no sharing: while the ERP (or a copy) still has
// the file open, this fails with a sharing violation and the file is tried
// again later. That is the "exclusive open succeeds" rule for Windows.
func openExclusive(p string) (io.ReadCloser, error) {
	name, err := windows.UTF16PtrFromString(p)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING,
		windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	return os.NewFile(uintptr(h), p), nil
}
