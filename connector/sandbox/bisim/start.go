package bisim

import "erpconnector/connector/sandbox/simhttp"

// Running is a simulator listening on a TCP address; Close (from the
// embedded listener) stops it.
type Running struct {
	*simhttp.Listener
	Server *Server
}

// Start creates a Server and serves it on addr (e.g. "127.0.0.1:0").
func Start(addr string, cfg Config) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	l, err := simhttp.Serve("bisim", addr, s)
	if err != nil {
		return nil, err
	}
	return &Running{Listener: l, Server: s}, nil
}
