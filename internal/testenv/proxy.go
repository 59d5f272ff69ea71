package testenv

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Proxy is a TCP proxy on loopback in front of a real server, for tests
// that need the connection to break at a chosen moment: DropAll cuts every
// open connection now, CutAfter cuts the next connections once that many
// bytes have passed from the server to the client (mid-download) or from the
// client to the server (mid-upload).
type Proxy struct {
	Addr   string
	target string
	ln     net.Listener

	mu      sync.Mutex
	conns   map[net.Conn]bool
	cutDown int64 // bytes server→client before cutting; 0: never
	cutUp   int64 // bytes client→server before cutting; 0: never
	refuse  bool
	Cuts    atomic.Int64 // connections cut by CutAfter or DropAll
	Accepts atomic.Int64
}

// StartProxy listens on a loopback port and forwards to target.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: ln.Addr().String(), target: target, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.DropAll() })
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			time.Sleep(10 * time.Millisecond) // a temporary error (EMFILE): keep serving
			continue
		}
		p.Accepts.Add(1)
		p.mu.Lock()
		refuse := p.refuse
		down, up := p.cutDown, p.cutUp
		p.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		// Dialled off the accept loop: a slow target must not stall
		// every other client of the proxy.
		go func() {
			s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
			if err != nil {
				c.Close()
				return
			}
			p.track(c, s)
			go p.pipe(s, c, up)   // client → server
			go p.pipe(c, s, down) // server → client
		}()
	}
}

func (p *Proxy) track(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		p.conns[c] = true
	}
}

// pipe copies until either side closes, or until limit bytes (if > 0) have
// passed, at which point both ends are closed: the connection is lost
// mid-transfer.
func (p *Proxy) pipe(dst, src net.Conn, limit int64) {
	defer func() {
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}()
	if limit <= 0 {
		io.Copy(dst, src)
		return
	}
	n, _ := io.CopyN(dst, src, limit)
	if n == limit {
		p.Cuts.Add(1)
	}
}

// CutAfter makes connections opened from now on break after that many bytes
// downstream (server→client) or upstream; 0 turns a direction off.
func (p *Proxy) CutAfter(down, up int64) {
	p.mu.Lock()
	p.cutDown, p.cutUp = down, up
	p.mu.Unlock()
}

// Refuse makes the proxy close new connections at once (a server that is
// down) until called with false.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	p.refuse = on
	p.mu.Unlock()
}

// DropAll closes every open connection.
func (p *Proxy) DropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) > 0 {
		p.Cuts.Add(1)
	}
	for c := range p.conns {
		c.Close()
	}
}
