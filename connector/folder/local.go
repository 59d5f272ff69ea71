package folder

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"

	"erpconnector/connector/fsutil"
)

// Local is a folder on a local disk or a mounted share.
type Local struct {
	Dir string

	mu      sync.Mutex
	watcher *fsnotify.Watcher
	changes chan struct{}
}

// NewLocal returns the folder at dir, creating it if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &Local{Dir: dir}, nil
}

func (l *Local) String() string { return l.Dir }

// List reads the folder. Symlinks and non-regular files are left out: a link
// could point anywhere, including outside the folder. So are names that are
// not plain names (CheckName) and our own temporary files.
func (l *Local) List(ctx context.Context) ([]Entry, error) {
	des, err := os.ReadDir(l.Dir)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(des))
	for _, de := range des {
		// Our own temporaries (an atomic write in progress, or left by a
		// crash) are never files to take.
		if !de.Type().IsRegular() || CheckName(de.Name()) != nil || strings.HasPrefix(de.Name(), fsutil.TempPrefix) {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue // removed since ReadDir
		}
		out = append(out, Entry{Name: de.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return out, nil
}

func (l *Local) path(name string) (string, error) {
	if err := CheckName(name); err != nil {
		return "", err
	}
	return filepath.Join(l.Dir, name), nil
}

// Stat describes a regular file (name may be a path inside the folder).
func (l *Local) Stat(ctx context.Context, name string) (Entry, error) {
	if err := checkRel(name); err != nil {
		return Entry{}, err
	}
	p := filepath.Join(l.Dir, filepath.FromSlash(name))
	fi, err := os.Lstat(p)
	if err != nil {
		return Entry{}, err
	}
	if !fi.Mode().IsRegular() {
		return Entry{}, fmt.Errorf("%s: %w: not a regular file", p, ErrUnsafeName)
	}
	return Entry{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Open opens a regular file, refusing symlinks.
func (l *Local) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := l.path(name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w: not a regular file", p, ErrUnsafeName)
	}
	return openExclusive(p)
}

// Create writes name atomically (temporary name, fsync, rename, fsync dir).
func (l *Local) Create(ctx context.Context, name string) (Writer, error) {
	p, err := l.path(name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(l.Dir, 0o750); err != nil {
		return nil, err
	}
	a, err := fsutil.Create(p, 0o640)
	if err != nil {
		return nil, err
	}
	return &atomicWriter{a}, nil
}

type atomicWriter struct{ a *fsutil.AtomicFile }

func (w *atomicWriter) Write(p []byte) (int, error) { return w.a.Write(p) }
func (w *atomicWriter) Close() error                { return w.a.Commit() }
func (w *atomicWriter) Abort()                      { w.a.Abort() }

// Rename moves a file within the folder; to may name a subfolder path
// relative to the folder ("archive/2026-11/x.xml"), created as needed.
func (l *Local) Rename(ctx context.Context, from, to string) error {
	src, err := l.path(from)
	if err != nil {
		return err
	}
	// Every element of to must be a plain name: no "..", no absolute path,
	// no empty element ("" would be the folder itself, "a//b" is a typo).
	if err := checkRel(to); err != nil {
		return err
	}
	return fsutil.Move(src, filepath.Join(l.Dir, filepath.FromSlash(to)))
}

// MoveTo moves name into another local folder (another volume included:
// fsutil.Move copies then).
func (l *Local) MoveTo(ctx context.Context, name string, dst Folder, dstName string) error {
	d, ok := dst.(*Local)
	if !ok {
		return ErrCrossFolder
	}
	src, err := l.path(name)
	if err != nil {
		return err
	}
	if err := checkRel(dstName); err != nil {
		return err
	}
	return fsutil.Move(src, filepath.Join(d.Dir, filepath.FromSlash(dstName)))
}

// RemoveTemps deletes our own temporary files left by an interrupted write.
func (l *Local) RemoveTemps(ctx context.Context) error {
	matches, err := filepath.Glob(filepath.Join(l.Dir, fsutil.TempPrefix+"*"))
	for _, m := range matches {
		os.Remove(m)
	}
	return err
}

// Remove deletes a file.
func (l *Local) Remove(ctx context.Context, name string) error {
	p, err := l.path(name)
	if err != nil {
		return err
	}
	return os.Remove(p)
}

// Changes starts an fsnotify watch on first use. When watching fails (a
// network share, inotify limits) it returns nil and the sweep does the work;
// the failure is logged once so the admin knows pickup is slower.
func (l *Local) Changes() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.changes != nil {
		return l.changes
	}
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(l.Dir)
		if err != nil {
			w.Close()
		}
	}
	if err != nil {
		slog.Warn("folder events unavailable; relying on the periodic sweep", "folder", l.Dir, "err", err)
		return nil
	}
	l.watcher = w
	l.changes = make(chan struct{}, 1)
	go func() {
		for {
			select {
			case _, ok := <-w.Events:
				if !ok {
					return
				}
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				// An overflow loses events: the hint below makes the daemon rescan.
				slog.Warn("folder watch error; rescanning", "folder", l.Dir, "err", err)
			}
			select {
			case l.changes <- struct{}{}:
			default:
			}
		}
	}()
	return l.changes
}

// Close stops watching.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watcher != nil {
		return l.watcher.Close()
	}
	return nil
}
