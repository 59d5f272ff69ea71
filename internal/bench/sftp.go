package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"erpconnector/connector/folder"
	"erpconnector/internal/sshd"
)

// sftpSizes are the SFTP workloads: small files picked up, large files
// downloaded, and the files in the folder an idle poll lists.
type sftpSizes struct {
	small, bigFiles int
	bigBytes        int64
	pollFiles       int
	polls           int
}

func sftpSizesFor(quick bool) sftpSizes {
	if quick {
		return sftpSizes{small: 200, bigFiles: 2, bigBytes: 20 << 20, pollFiles: 10_000, polls: 5}
	}
	return sftpSizes{small: 1000, bigFiles: 10, bigBytes: 50 << 20, pollFiles: 10_000, polls: 20}
}

// pickupWorkers is how many files the daemon takes at once (its default).
const pickupWorkers = 4

// sftp measures SFTP against a real OpenSSH sshd started for the run,
// with OpenSSH's own sftp client fetching the same files as the baseline:
//
//   - 1,000 small files: the connector's pickup (claim by rename into
//     processing/, download, archive by rename — what the daemon does per
//     file, on one shared connection) and a download-only pass, against
//     `sftp get` of the same files;
//   - 10 files of 50 MB: download MB/s against `sftp get`;
//   - an idle poll of a folder of 10,000 files: the connector's CPU per
//     listing (and settling check), against `sftp ls -l` of the same folder.
//
// The local copies are not fsynced on either side, so the figures compare
// the protocol work; the daemon's spool adds one fsync per file on top.
func (b *bench) sftp(ctx context.Context, sz sftpSizes) error {
	b.logf("sftp: %d small files, %d × %d MiB, a poll of %d files", sz.small, sz.bigFiles, sz.bigBytes>>20, sz.pollFiles)
	srv, err := sshd.Start(mkdir(filepath.Join(b.work, "sshd")))
	if errors.Is(err, sshd.ErrNotInstalled) {
		b.addNote("sftp.pickup_files_per_s", "SFTP pickup", 0, "files/s", "not measured: "+err.Error())
		return nil
	}
	if err != nil {
		return fmt.Errorf("bench: sftp: %w", err)
	}
	defer srv.Stop()
	key, err := os.ReadFile(srv.KeyFile)
	if err != nil {
		return err
	}
	conn, err := folder.NewSFTPConn(folder.SFTPServer{Addr: srv.Addr, User: srv.User, KnownHosts: srv.KnownHosts, Key: key})
	if err != nil {
		return fmt.Errorf("bench: sftp: %w", err)
	}
	defer conn.Close()
	client, _ := exec.LookPath("sftp")
	ossh := &opensshClient{bin: client, srv: srv}

	// Small files.
	small := mkdir(filepath.Join(b.work, "sftp", "small"))
	for i := 0; i < sz.small; i++ {
		if _, err := b.writeFile(filepath.Join(small, fmt.Sprintf("f%05d.xml", i)), 900_000+i, 1); err != nil {
			return err
		}
	}
	name := fmt.Sprintf("SFTP pickup, %d small files (claim rename, download, archive)", sz.small)
	base, err := ossh.get(ctx, small+"/*", mkdir(filepath.Join(b.work, "sftp", "got-small")))
	if err != nil {
		return err
	}
	dl, err := pickup(ctx, conn.Folder(small), mkdir(filepath.Join(b.work, "sftp", "dl-small")), false)
	if err != nil {
		return err
	}
	full, err := pickup(ctx, conn.Folder(small), mkdir(filepath.Join(b.work, "sftp", "pick-small")), true)
	if err != nil {
		return err
	}
	perSec := func(d time.Duration) float64 { return float64(sz.small) / d.Seconds() }
	if client == "" {
		b.addNote("sftp.pickup_files_per_s", name, perSec(full), "files/s", "OpenSSH sftp client not installed: no baseline")
	} else {
		bl := Baseline{"OpenSSH sftp get of the same files", perSec(base), "files/s"}
		b.addVs("sftp.download_files_per_s", fmt.Sprintf("SFTP download only, %d small files", sz.small), perSec(dl), "files/s", bl)
		b.addVs("sftp.pickup_files_per_s", name, perSec(full), "files/s", bl)
	}

	// Large files.
	big := mkdir(filepath.Join(b.work, "sftp", "big"))
	for i := 0; i < sz.bigFiles; i++ {
		if err := writeRandom(filepath.Join(big, fmt.Sprintf("big%02d.xml", i)), sz.bigBytes, uint64(i)); err != nil {
			return err
		}
	}
	base, err = ossh.get(ctx, big+"/*", mkdir(filepath.Join(b.work, "sftp", "got-big")))
	if err != nil {
		return err
	}
	dl, err = pickup(ctx, conn.Folder(big), mkdir(filepath.Join(b.work, "sftp", "dl-big")), false)
	if err != nil {
		return err
	}
	mbps := func(d time.Duration) float64 { return float64(int64(sz.bigFiles)*sz.bigBytes) / 1e6 / d.Seconds() }
	name = fmt.Sprintf("SFTP download, %d files of %d MiB", sz.bigFiles, sz.bigBytes>>20)
	if client == "" {
		b.addNote("sftp.big_mb_per_s", name, mbps(dl), "MB/s", "OpenSSH sftp client not installed: no baseline")
	} else {
		b.addVs("sftp.big_mb_per_s", name, mbps(dl), "MB/s", Baseline{"OpenSSH sftp get of the same files", mbps(base), "MB/s"})
	}
	os.RemoveAll(big)
	os.RemoveAll(filepath.Join(b.work, "sftp", "got-big"))
	os.RemoveAll(filepath.Join(b.work, "sftp", "dl-big"))

	// Idle poll of a large folder.
	many := mkdir(filepath.Join(b.work, "sftp", "many"))
	for i := 0; i < sz.pollFiles; i++ {
		if err := os.WriteFile(filepath.Join(many, fmt.Sprintf("waiting%05d.xml", i)), []byte("x"), 0o640); err != nil {
			return err
		}
	}
	f := conn.Folder(many)
	settler := folder.Settler{Settle: 2 * time.Second}
	if _, err := f.List(ctx); err != nil { // connection up, server caches warm
		return err
	}
	cpu0, t0 := processCPU(), time.Now()
	for i := 0; i < sz.polls; i++ {
		es, err := f.List(ctx)
		if err != nil {
			return err
		}
		if len(es) != sz.pollFiles {
			return fmt.Errorf("bench: sftp poll listed %d of %d files", len(es), sz.pollFiles)
		}
		settler.Ready(es, time.Now())
	}
	cpuPer := ms(processCPU()-cpu0) / float64(sz.polls)
	wallPer := ms(time.Since(t0)) / float64(sz.polls)
	name = fmt.Sprintf("SFTP idle poll of %d files: CPU per poll (wall %.0f ms)", sz.pollFiles, wallPer)
	if client == "" {
		b.addNote("sftp.poll_cpu_ms", name, cpuPer, "ms CPU", "OpenSSH sftp client not installed: no baseline")
	} else {
		_, lsCPU, err := ossh.run(ctx, "ls -l "+quote(many))
		if err != nil {
			return err
		}
		b.addVs("sftp.poll_cpu_ms", name, cpuPer, "ms CPU",
			Baseline{"OpenSSH sftp ls -l of the same folder (CPU of sftp and ssh, connection included)", ms(lsCPU), "ms CPU"})
	}
	b.add("sftp.poll_cpu_pct", fmt.Sprintf("SFTP idle poll of %d files every 30 s (the default sweep)", sz.pollFiles),
		cpuPer/30_000*100, "% of one core")
	return nil
}

// pickup takes every file in f with pickupWorkers workers over the one
// connection: with claim, as the daemon does (rename into processing/,
// download, rename into archive/), else download only.
func pickup(ctx context.Context, f *folder.SFTP, dest string, claim bool) (time.Duration, error) {
	t0 := time.Now()
	es, err := f.List(ctx)
	if err != nil {
		return 0, err
	}
	proc, arch := f.Sub("processing"), f.Sub("archive")
	work := make(chan folder.Entry)
	errs := make(chan error, pickupWorkers)
	var wg sync.WaitGroup
	for range pickupWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				if err := pickOne(ctx, f, proc, arch, e, dest, claim); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for _, e := range es {
		select {
		case work <- e:
		case err := <-errs:
			close(work)
			wg.Wait()
			return 0, err
		}
	}
	close(work)
	wg.Wait()
	d := time.Since(t0)
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	if claim { // put them back for the next pass
		back, _ := arch.List(ctx)
		for _, e := range back {
			if err := arch.MoveTo(ctx, e.Name, f, e.Name); err != nil {
				return 0, err
			}
		}
	}
	return d, nil
}

func pickOne(ctx context.Context, in, proc, arch *folder.SFTP, e folder.Entry, dest string, claim bool) error {
	from := in
	if claim {
		if err := in.MoveTo(ctx, e.Name, proc, e.Name); err != nil {
			return err
		}
		from = proc
	}
	r, err := from.Open(ctx, e.Name)
	if err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(dest, e.Name))
	if err != nil {
		r.Close()
		return err
	}
	n, err := io.Copy(out, r)
	r.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n != e.Size {
		err = fmt.Errorf("bench: sftp: %s: %d of %d bytes", e.Name, n, e.Size)
	}
	if err != nil {
		return err
	}
	if claim {
		return proc.MoveTo(ctx, e.Name, arch, e.Name)
	}
	return nil
}

// opensshClient runs OpenSSH's sftp in batch mode against the server.
type opensshClient struct {
	bin string
	srv *sshd.Server
}

func (o *opensshClient) run(ctx context.Context, batch string) (wall, cpu time.Duration, err error) {
	if o.bin == "" {
		return 0, 0, nil
	}
	cmd := exec.CommandContext(ctx, o.bin, "-q", "-b", "-", "-i", o.srv.KeyFile,
		"-o", "UserKnownHostsFile="+o.srv.KnownHosts, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
		"-o", "IdentitiesOnly=yes", "-P", strconv.Itoa(o.srv.Port), o.srv.User+"@"+o.srv.Host)
	cmd.Stdin = strings.NewReader(batch + "\n")
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	err = cmd.Run()
	wall = time.Since(t0)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: sftp %q: %v: %s", batch, err, stderr.String())
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// get fetches a glob into a local folder and returns the wall time.
func (o *opensshClient) get(ctx context.Context, glob, dest string) (time.Duration, error) {
	// The glob must stay unquoted for sftp to expand it.
	wall, _, err := o.run(ctx, "get "+path.Clean(glob)+" "+quote(dest))
	return wall, err
}

func quote(p string) string { return `"` + path.Clean(p) + `"` }

func mkdir(p string) string {
	os.MkdirAll(p, 0o750)
	return p
}

// writeRandom writes n pseudo-random bytes: incompressible, like encrypted
// or compressed content, so no layer gets an easy ride.
func writeRandom(p string, n int64, seed uint64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, 7))
	buf := make([]byte, 8)
	for i := int64(0); i < n; i += 8 {
		v := r.Uint64()
		for j := range buf {
			buf[j] = byte(v >> (8 * j))
		}
		w.Write(buf[:min(8, n-i)])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
