// Package folder is where files come from and go to: an inbox, an outbox, an
// archive. Folder is the interface the daemon uses; Local is a folder on this
// machine (or a mounted share). Events from the file system are only hints:
// the periodic listing is the truth, and a file is taken only once it has
// settled (Settler).
package folder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Entry is a regular file in a folder.
type Entry struct {
	Name    string
	Size    int64
	ModTime time.Time
}

// Folder is a flat folder of files.
type Folder interface {
	// List returns the regular files, without symlinks, subfolders or names
	// that could escape the folder.
	List(ctx context.Context) ([]Entry, error)
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Create writes name atomically: nothing appears under name until Close
	// returns nil.
	Create(ctx context.Context, name string) (io.WriteCloser, error)
	Rename(ctx context.Context, from, to string) error
	Remove(ctx context.Context, name string) error
	// Changes delivers hints that the folder may have changed; nil where the
	// folder can only be polled.
	Changes() <-chan struct{}
	// String names the folder for logs.
	String() string
}

// ErrUnsafeName is returned for names that are not a plain file name.
var ErrUnsafeName = errors.New("unsafe file name")

// CheckName refuses names that are not a single plain path element: empty,
// ".", "..", anything with a separator, a drive letter, or control characters.
func CheckName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	case strings.ContainsAny(name, `/\:`):
		return fmt.Errorf("%q: %w: contains a path separator", name, ErrUnsafeName)
	}
	for _, r := range name {
		// C0, DEL and C1 (U+0080..U+009F): they garble logs and status files.
		if unicode.IsControl(r) {
			return fmt.Errorf("%q: %w: contains a control character", name, ErrUnsafeName)
		}
	}
	if filepath.Base(name) != name {
		return fmt.Errorf("%q: %w", name, ErrUnsafeName)
	}
	return nil
}

// Ignored reports whether name matches any of the patterns (filepath.Match,
// case-insensitive so that *.TMP from a Windows ERP is ignored too).
func Ignored(name string, patterns []string) bool {
	lower := strings.ToLower(name)
	for _, p := range patterns {
		if ok, _ := filepath.Match(strings.ToLower(p), lower); ok {
			return true
		}
	}
	return false
}
