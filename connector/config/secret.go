package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Secret is a reference to a secret, never the secret itself: "env:NAME" reads
// an environment variable, "file:PATH" reads a file (relative to the config
// file; on Unix it must not be readable by group or others). Secrets written
// into the TOML in plain text are refused, because config files get copied
// into tickets and backups.
type Secret struct {
	Ref string // as written: "env:BI_API_KEY"
	dir string // the config file's folder, for relative file: paths
}

// UnmarshalText keeps the reference; Resolve reads it.
func (s *Secret) UnmarshalText(b []byte) error {
	s.Ref = string(b)
	return nil
}

// String never shows the value: a reference is shown as written, but
// anything else may be a secret pasted into the file, so it is hidden.
func (s Secret) String() string {
	if s.Ref != "" && s.Check() != nil {
		return "(hidden: not an env: or file: reference)"
	}
	return s.Ref
}

// IsSet reports whether a reference was given.
func (s Secret) IsSet() bool { return s.Ref != "" }

// Check validates the reference's form without reading it.
func (s Secret) Check() error {
	switch {
	case strings.HasPrefix(s.Ref, "env:") && len(s.Ref) > 4:
		return nil
	case strings.HasPrefix(s.Ref, "file:") && len(s.Ref) > 5:
		return nil
	}
	return errors.New(`must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`)
}

// maxSecretFile bounds a file: secret (a private key is a few KiB).
const maxSecretFile = 64 << 10

// Resolve reads the secret. The error names the reference, never the value.
func (s Secret) Resolve() (string, error) {
	if err := s.Check(); err != nil {
		return "", err
	}
	if name, ok := strings.CutPrefix(s.Ref, "env:"); ok {
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return "", fmt.Errorf("%s: environment variable %s is not set", s.Ref, name)
		}
		return v, nil
	}
	p := strings.TrimPrefix(s.Ref, "file:")
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.dir, p)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.Ref, err)
	}
	// A FIFO or a device would block or never end: only a regular file of
	// sensible size is a secret.
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("%s: %s is not a regular file", s.Ref, p)
	}
	if fi.Size() > maxSecretFile {
		return "", fmt.Errorf("%s: %s is %d bytes; a secret file holds at most %d", s.Ref, p, fi.Size(), maxSecretFile)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s: %s is readable by others (mode %04o); chmod 600 it", s.Ref, p, fi.Mode().Perm())
	}
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.Ref, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("%s: %w", s.Ref, err)
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s: %s grew beyond %d bytes", s.Ref, p, maxSecretFile)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}
