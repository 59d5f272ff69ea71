// Package fsutil holds the crash-safe file operations everything else builds
// on: write to a temporary name, fsync, rename, fsync the folder; and moves
// that survive antivirus scanners holding a file open on Windows.
package fsutil

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
	"unicode/utf8"
)

// TempPrefix starts the name of every temporary file we create, so that
// watchers (ours and the ERP's) can ignore them.
const TempPrefix = ".erpconnector-tmp-"

// AtomicFile is a file being written under a temporary name in its final
// folder; Commit makes it appear under its final name, complete, or not at all.
type AtomicFile struct {
	f     *os.File
	final string
	err   error
	done  bool
}

// Create starts writing path atomically. Mode applies to the final file.
func Create(path string, mode os.FileMode) (*AtomicFile, error) {
	dir := filepath.Dir(path)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	tmp := filepath.Join(dir, TempPrefix+hex.EncodeToString(rnd[:])+"-"+Shorten(filepath.Base(path), maxTempTail))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return nil, err
	}
	return &AtomicFile{f: f, final: path}, nil
}

// maxTempTail keeps temporary names within the 255-byte name limit of common
// file systems even when the final name is close to it: the final name is
// only there to help a human who finds a leftover.
const maxTempTail = 64

// shorten cuts s to at most n bytes on a character boundary.
// Shorten cuts s to at most n bytes on a UTF-8 boundary.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Write writes to the temporary file; the first error sticks.
func (a *AtomicFile) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	n, err := a.f.Write(p)
	a.err = err
	return n, err
}

// Name is the temporary file's path.
func (a *AtomicFile) Name() string { return a.f.Name() }

// Commit fsyncs, renames to the final name and fsyncs the folder.
func (a *AtomicFile) Commit() error { return a.CommitAs(a.final) }

// CommitAs is Commit to another name in the same folder, for content whose
// name is known only once it is written (a hash).
func (a *AtomicFile) CommitAs(final string) error {
	a.final = final
	if a.done {
		return errors.New("fsutil: commit after close")
	}
	a.done = true
	tmp := a.f.Name()
	err := a.err
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = Rename(tmp, a.final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", a.final, err)
	}
	return SyncDir(filepath.Dir(a.final))
}

// Abort removes the temporary file. Safe after Commit.
func (a *AtomicFile) Abort() {
	if a.done {
		return
	}
	a.done = true
	a.f.Close()
	os.Remove(a.f.Name())
}

// WriteFile writes data to path atomically.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	a, err := Create(path, mode)
	if err != nil {
		return err
	}
	if _, err := a.Write(data); err != nil {
		a.Abort()
		return err
	}
	return a.Commit()
}

// SyncDir makes a rename in dir durable. Windows has no directory fsync; NTFS
// journals the rename itself.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}

// Rename renames, retrying for a few seconds when Windows reports the file in
// use (an antivirus scanner or the indexer briefly holding it).
func Rename(from, to string) error {
	var err error
	for i := 0; i < 20; i++ {
		err = os.Rename(from, to)
		if err == nil || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(50*(i+1)) * time.Millisecond)
	}
	return err
}

// Move moves a file to another folder durably. Within a volume it is a rename;
// across volumes (a share, another disk) it copies, fsyncs, and only then
// removes the source, so a crash leaves at worst two copies, never none.
func Move(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o750); err != nil {
		return err
	}
	err := Rename(from, to)
	if err == nil {
		if err := SyncDir(filepath.Dir(to)); err != nil {
			return err
		}
		return SyncDir(filepath.Dir(from))
	}
	var le *os.LinkError
	if !errors.As(err, &le) || !crossDevice(err) {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	a, err := Create(to, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(a, in); err != nil {
		a.Abort()
		return err
	}
	if err := a.Commit(); err != nil {
		return err
	}
	in.Close()
	if err := os.Remove(from); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(from))
}

// FreeName returns path, or path with " (2)", " (3)"… before the extension,
// whichever does not exist yet; archives never overwrite. A name that cannot
// be examined at all (its folder is a file, no permission) is returned as is
// so that the move that follows reports the real error; before, such an
// error made FreeName loop forever.
func FreeName(path string) string {
	if !taken(path) {
		return path
	}
	ext := filepath.Ext(path)
	base := path[:len(path)-len(ext)]
	for i := 2; ; i++ {
		p := fmt.Sprintf("%s (%d)%s", base, i, ext)
		if !taken(p) {
			return p
		}
	}
}

// taken reports whether p exists. An error other than "does not exist" (not
// a folder, no permission, name too long) counts as free: the move that
// follows fails on the same error and reports it.
func taken(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
