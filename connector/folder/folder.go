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
	"io/fs"
	"path"
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
	// Stat describes one regular file; name may be a path inside the
	// folder ("2026-11/x.xml").
	Stat(ctx context.Context, name string) (Entry, error)
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// Create writes name atomically: nothing appears under name until Close
	// returns nil; Abort gives up and leaves nothing behind.
	Create(ctx context.Context, name string) (Writer, error)
	Rename(ctx context.Context, from, to string) error
	// MoveTo moves name into dst as dstName (a path inside dst, created as
	// needed). It returns ErrCrossFolder when the two folders are not on
	// the same file system or server, and the caller copies instead.
	MoveTo(ctx context.Context, name string, dst Folder, dstName string) error
	Remove(ctx context.Context, name string) error
	// RemoveTemps deletes our own temporary files that an interrupted write
	// left behind.
	RemoveTemps(ctx context.Context) error
	// Changes delivers hints that the folder may have changed; nil where the
	// folder can only be polled.
	Changes() <-chan struct{}
	// String names the folder for logs.
	String() string
	Close() error
}

// Writer is a file being written; Close completes it, Abort discards it.
type Writer interface {
	io.WriteCloser
	Abort()
}

// Location names rel inside f for logs, the store and status pages: a local
// path, or an sftp:// URL.
func Location(f Folder, rel string) string {
	if l, ok := f.(*Local); ok {
		return filepath.Join(l.Dir, filepath.FromSlash(rel))
	}
	return f.String() + "/" + rel
}

// WriteFile writes name in f atomically.
func WriteFile(ctx context.Context, f Folder, name string, data []byte) error {
	w, err := f.Create(ctx, name)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
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

// checkRel accepts a path inside a folder: plain names joined by "/", with
// no "..", no absolute path and no empty element.
func checkRel(rel string) error {
	for _, part := range strings.Split(rel, "/") {
		if err := CheckName(part); err != nil {
			return fmt.Errorf("%q: %w: not a path inside the folder", rel, ErrUnsafeName)
		}
	}
	return nil
}

// FreeName is rel, or "rel (2).ext", "rel (3).ext"... whichever does not
// exist yet in f: an archive never overwrites an older file of the same name.
func FreeName(ctx context.Context, f Folder, rel string) (string, error) {
	ext := path.Ext(rel)
	if strings.Contains(ext, "/") {
		ext = ""
	}
	base := rel[:len(rel)-len(ext)]
	for i := 1; ; i++ {
		p := rel
		if i > 1 {
			p = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		_, err := f.Stat(ctx, p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil && !errors.Is(err, ErrUnsafeName) {
			return "", err
		}
	}
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
