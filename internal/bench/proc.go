package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one child process of the erpconnector binary.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string        // its stderr
	done    chan struct{} // closed when it has exited
	err     error         // of Wait, once done
}

// start runs the binary with args in dir; stderr goes to dir/<name>.log so
// that a failure can be explained (and --keep leaves it to read).
func (b *bench) start(name, dir string, stdout *lineWriter, env []string, args ...string) (*proc, error) {
	logPath := dir + string(os.PathSeparator) + name + ".log"
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("bench: %s: %w", name, err)
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(b.bin, args...)
	cmd.Dir, cmd.Stderr = dir, logf
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	return p, nil
}

// exited reports an error if the process is no longer running.
func (p *proc) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("bench: %s exited early (%v)%s", p.name, p.err, p.logTail())
	default:
		return nil
	}
}

// stop ends the process with SIGTERM, as a service manager would, and kills
// it if it has not exited within 30 seconds.
func (p *proc) stop() error {
	select {
	case <-p.done:
		return p.exited()
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("bench: stopping %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			return fmt.Errorf("bench: %s after SIGTERM: %v%s", p.name, p.err, p.logTail())
		}
		return nil
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("bench: %s did not stop within 30s of SIGTERM%s", p.name, p.logTail())
	}
}

// logTail is the end of the process's stderr, for error messages.
func (p *proc) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + p.name + " stderr (" + p.logPath + "):\n" + string(b)
}

// procStats are a process's figures from /proc.
type procStats struct {
	peakRSSKiB float64       // VmHWM: the largest resident set so far
	rssKiB     float64       // VmRSS now
	cpu        time.Duration // user + system
}

// stats reads /proc/PID/status and /proc/PID/stat.
func (p *proc) stats() (procStats, error) {
	var s procStats
	pid := p.cmd.Process.Pid
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, fmt.Errorf("bench: %s: %w", p.name, err)
	}
	var seen int
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		var dst *float64
		switch f[0] {
		case "VmHWM:":
			dst = &s.peakRSSKiB
		case "VmRSS:":
			dst = &s.rssKiB
		default:
			continue
		}
		if *dst, err = strconv.ParseFloat(f[1], 64); err != nil {
			return s, fmt.Errorf("bench: %s: /proc status %q: %w", p.name, l, err)
		}
		seen++
	}
	if seen != 2 {
		return s, fmt.Errorf("bench: %s: VmHWM/VmRSS missing from /proc/%d/status", p.name, pid)
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, fmt.Errorf("bench: %s: %w", p.name, err)
	}
	s.cpu, err = parseStatCPU(string(stat))
	if err != nil {
		return s, fmt.Errorf("bench: %s: %w", p.name, err)
	}
	return s, nil
}

// parseStatCPU reads utime and stime (fields 14 and 15) from a /proc/PID/stat
// line. The command name in parentheses may hold spaces, so fields are
// counted from the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndex(stat, ")")
	if i < 0 || i+2 > len(stat) {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(stat[i+2:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	// Unsigned and bounded: a negative or overflowing CPU time would turn
	// into a nonsense percentage instead of an error.
	ut, err1 := strconv.ParseUint(f[11], 10, 63)
	st, err2 := strconv.ParseUint(f[12], 10, 63)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: %w", err)
	}
	if ut > maxTicks || st > maxTicks {
		return 0, fmt.Errorf("/proc stat: CPU ticks %d+%d out of range", ut, st)
	}
	return time.Duration(ut+st) * (time.Second / clockTicks), nil
}

// clockTicks is USER_HZ, which Linux fixes at 100 for user space.
const clockTicks = 100

// maxTicks keeps the sum of two tick counts within a time.Duration (over a
// thousand years of CPU).
const maxTicks = uint64(math.MaxInt64/int64(time.Second/clockTicks)) / 2

// lineWriter watches a child's stdout for the first complete line that
// contains want (how the simulator announces its address) and discards the
// rest. Lines longer than maxLine are skipped whole, so that memory stays
// bounded and the outcome does not depend on how the pipe splits the output.
type lineWriter struct {
	want  string
	mu    sync.Mutex
	buf   []byte
	long  bool // inside a line longer than maxLine
	done  bool
	found chan string
}

const maxLine = 64 << 10

func newLineWriter(want string) *lineWriter {
	return &lineWriter{want: want, found: make(chan string, 1)}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) > maxLine {
				w.long, w.buf = true, w.buf[:0]
			}
			return len(p), nil
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if w.long || len(line) > maxLine {
			w.long = false
			continue
		}
		if j := strings.Index(line, w.want); j >= 0 {
			w.done, w.buf = true, nil
			w.found <- strings.TrimSpace(line[j:])
			return len(p), nil
		}
	}
}

// wait returns the announced text, or an error if the process exits or ctx
// ends first.
func (w *lineWriter) wait(ctx context.Context, p *proc, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case s := <-w.found:
		return s, nil
	case <-p.done:
		return "", p.exited()
	case <-t.C:
		return "", fmt.Errorf("bench: %s did not announce %q within %s%s", p.name, w.want, timeout, p.logTail())
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
